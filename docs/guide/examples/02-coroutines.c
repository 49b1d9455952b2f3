/* Coroutines (seed 000, coro1.py and "the right and wrong ways"; seed 001,
 * the greenlet switch and "asynchronous functions freezing"): a task gives
 * the loop back at each suspension point, and only there.
 *
 * A task is a plain C function running on a stack of its own (a fiber).
 * Unlike a Python coroutine, any function it calls may suspend it: there
 * is no "async" colour, so a() below is called directly where Python
 * writes "await a()", and made a task where Python passes a() to gather. */
#include <gtkloop/gtkloop.h>

static void
a (GtkloopTask *task,
   gpointer     data)
{
  g_print ("Suspending a\n");
  if (!gtkloop_sleep (0, NULL))
    return;
  g_print ("Resuming a\n");
}

static void
b (GtkloopTask *task,
   gpointer     data)
{
  g_print ("In b\n");
}

/* Seed 001's greenlet example: two functions that take turns. */
static void
func1 (GtkloopTask *task,
       gpointer     data)
{
  g_print ("1\n");
  if (!gtkloop_sleep (0, NULL))
    return;
  g_print ("2\n");
}

static void
func2 (GtkloopTask *task,
       gpointer     data)
{
  g_print ("3\n");
  if (!gtkloop_sleep (0, NULL))
    return;
  g_print ("4\n");
}

/* asyncio.gather (fa (), fb ()): each function becomes a task, and the
 * caller waits for both. */
static void
gather2 (GtkloopTaskFunc fa,
         GtkloopTaskFunc fb)
{
  g_autoptr(GtkloopTask) ta = gtkloop_spawn (fa, NULL, NULL);
  g_autoptr(GtkloopTask) tb = gtkloop_spawn (fb, NULL, NULL);
  GtkloopFuture *both[] = { GTKLOOP_FUTURE (ta), GTKLOOP_FUTURE (tb) };
  g_autoptr(GtkloopFuture) all = gtkloop_gather (both, 2, FALSE);

  gtkloop_await (all, NULL);
}

static gint ticked;

static void
ticker (GtkloopTask *task,
        gpointer     data)
{
  for (int i = 0; i < 3; i++)
    {
      g_print ("tick %d\n", i);
      if (!gtkloop_sleep (0, NULL))
        return;
    }
  g_atomic_int_set (&ticked, TRUE);
}

static void
blocker (GtkloopTask *task,
         gpointer     data)
{
  g_print ("blocker: a blocking sleep stops the whole loop\n");
  g_usleep (50 * 1000);                     /* WRONG on the loop's thread */
  g_print ("blocker: awake\n");
}

static gpointer
wait_for_ticks (gpointer      data,
                GCancellable *cancellable,
                GError      **error)
{
  /* A worker thread may block: here until the ticker is done, which it
   * can be only because the loop goes on meanwhile. */
  while (!g_atomic_int_get (&ticked))
    g_usleep (1000);
  return NULL;
}

static void
good_blocker (GtkloopTask *task,
              gpointer     data)
{
  g_print ("blocker: the blocking call runs on a worker thread\n");
  g_autoptr(GtkloopFuture) slept = gtkloop_to_thread (wait_for_ticks, NULL, NULL, NULL);
  if (!gtkloop_await (slept, NULL))
    return;
  g_print ("blocker: awake\n");
}

static void
nested_run (void)
{
  GtkloopLoop *loop = gtkloop_loop_get_running ();
  g_autoptr(GtkloopFuture) never = gtkloop_future_new (loop);
  g_autoptr(GError) error = NULL;

  if (!gtkloop_loop_run_until_complete (loop, never, &error)
      && g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_REENTRANT))
    g_print ("a nested run is refused\n");
}

static void
main_task (GtkloopTask *task,
           gpointer     data)
{
  g_print ("-- gather(a(), b())\n");
  gather2 (a, b);
  g_print ("-- two functions taking turns\n");
  gather2 (func1, func2);
  g_print ("-- await a(); await b()\n");
  a (task, NULL);                           /* runs a to its end in this task */
  b (task, NULL);
  g_print ("-- a blocking call inside a coroutine\n");
  gather2 (ticker, blocker);
  g_print ("-- the same call on a thread\n");
  gather2 (ticker, good_blocker);
  g_print ("-- no nested loops\n");
  nested_run ();
}

int
main (void)
{
  return gtkloop_run (main_task, NULL, NULL) ? 0 : 1;
}
