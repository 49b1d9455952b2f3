/* Blocking code on worker threads (seed 000, "synchronous code" and the
 * quamash progress bar, lines 804-840; seed 001, "futures.Future"):
 * gtkloop_loop_run_in_executor runs a plain function on a thread pool and
 * gives the loop a future for its result; gtkloop_loop_call_soon_threadsafe
 * is how a worker hands a callback to the loop's thread. What one worker
 * posts arrives in order, before its job's future is done. (Nothing is
 * printed on a worker thread: lines printed from two threads would come in
 * either order.) */
#include <gtkloop/gtkloop.h>

#define PY_BOOL(b) ((b) ? "True" : "False")

/* Work functions run on a worker: block as you like, touch no widget.
 * The cancellable is cancelled when the job's future is. */
static gpointer
a (gpointer      data,
   GCancellable *cancellable,
   GError      **error)
{
  g_usleep (100 * 1000);
  return "A";
}

static void
b (GtkloopTask *task,
   gpointer     data)
{
  if (gtkloop_sleep (0.1, NULL))
    gtkloop_task_return (task, "B", NULL);
}

static gpointer
c (gpointer      data,
   GCancellable *cancellable,
   GError      **error)
{
  return GINT_TO_POINTER (12);
}

static GArray *values;

static void
set_value (gpointer i)            /* on the loop's thread: may touch the GUI */
{
  int v = GPOINTER_TO_INT (i);

  g_array_append_val (values, v);
}

static gpointer
last_50 (gpointer      loop,      /* on the worker: never touches the GUI */
         GCancellable *cancellable,
         GError      **error)
{
  for (int i = 50; i < 100; i++)
    {
      gtkloop_loop_call_soon_threadsafe (loop, set_value, GINT_TO_POINTER (i), NULL);
      g_usleep (1000);
    }
  return "done";
}

static void
report_values (GtkloopFuture *job,
               gpointer       data)
{
  g_print ("job done after %u values\n", values->len);
}

static gint released;

static gpointer
wait_for_release (gpointer      data,
                  GCancellable *cancellable,
                  GError      **error)
{
  while (!g_atomic_int_get (&released))
    g_usleep (1000);
  return NULL;
}

static gboolean second_ran;

static gpointer
mark_ran (gpointer      data,
          GCancellable *cancellable,
          GError      **error)
{
  second_ran = TRUE;
  return NULL;
}

static void
main_task (GtkloopTask *task,
           gpointer     data)
{
  GtkloopLoop *loop = gtkloop_loop_get_running ();
  g_autoptr(GError) error = NULL;

  g_print ("-- run_in_executor(None, a) beside a coroutine\n");
  {
    g_autoptr(GtkloopFuture) fa = gtkloop_loop_run_in_executor (loop, NULL, a, NULL, NULL, NULL);
    g_autoptr(GtkloopTask) tb = gtkloop_spawn (b, NULL, NULL);
    GtkloopFuture *fs[] = { fa, GTKLOOP_FUTURE (tb) };
    g_autoptr(GtkloopFuture) both = gtkloop_gather (fs, 2, FALSE);

    if (!gtkloop_await (both, &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    g_print ("['%s', '%s']\n", (char *) gtkloop_future_get_result (fa, NULL),
             (char *) gtkloop_future_get_result (GTKLOOP_FUTURE (tb), NULL));
  }

  g_print ("-- the future of a job\n");
  {
    g_autoptr(GtkloopFuture) future = gtkloop_loop_run_in_executor (loop, NULL, c, NULL, NULL, NULL);

    g_print ("done: %s\n", PY_BOOL (gtkloop_future_is_done (future)));
    if (!gtkloop_await (future, &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    g_print ("awaited: %d\n", GPOINTER_TO_INT (gtkloop_future_get_result (future, NULL)));
    g_print ("done: %s, result: %d\n", PY_BOOL (gtkloop_future_is_done (future)),
             GPOINTER_TO_INT (gtkloop_future_get_result (future, NULL)));
  }

  g_print ("-- the quamash progress bar, without the window\n");
  {
    values = g_array_new (FALSE, FALSE, sizeof (int));
    for (int i = 0; i < 50; i++)
      {
        set_value (GINT_TO_POINTER (i));
        if (!gtkloop_sleep (0.001, NULL))
          return;
      }
    {
      /* with ThreadPoolExecutor(1) as executor: the last unref shuts it
       * down and waits for its thread, as leaving the with block does. */
      g_autoptr(GtkloopThreadExecutor) executor = gtkloop_thread_executor_new (1);
      g_autoptr(GtkloopFuture) fut = gtkloop_loop_run_in_executor (loop, executor, last_50,
                                                                   loop, NULL, NULL);

      gtkloop_future_add_done_callback (fut, report_values, NULL, NULL);
      if (!gtkloop_await (fut, &error))
        return gtkloop_task_return_error (task, g_steal_pointer (&error));
      g_print ("job says: %s\n", (char *) gtkloop_future_get_result (fut, NULL));
    }
    gboolean in_order = values->len == 100;
    for (guint i = 0; i < values->len; i++)
      in_order = in_order && g_array_index (values, int, i) == (int) i;
    g_print ("values in order: %s\n", PY_BOOL (in_order));
    g_array_unref (values);
  }

  g_print ("-- a queued job that is cancelled never runs\n");
  {
    {
      g_autoptr(GtkloopThreadExecutor) executor = gtkloop_thread_executor_new (1);
      g_autoptr(GtkloopFuture) first = gtkloop_loop_run_in_executor (loop, executor, wait_for_release,
                                                                     NULL, NULL, NULL);   /* holds the worker */
      g_autoptr(GtkloopFuture) second = gtkloop_loop_run_in_executor (loop, executor, mark_ran,
                                                                      NULL, NULL, NULL);

      g_print ("cancel: %s\n", PY_BOOL (gtkloop_future_cancel (second, NULL)));   /* out of the queue now */
      g_atomic_int_set (&released, TRUE);
      if (!gtkloop_await (first, &error))
        return gtkloop_task_return_error (task, g_steal_pointer (&error));
    }
    g_print ("second ran: %s\n", PY_BOOL (second_ran));
  }

  g_print ("-- asyncio.to_thread\n");
  {
    g_autoptr(GtkloopFuture) fa = gtkloop_to_thread (a, NULL, NULL, NULL);

    if (!gtkloop_await (fa, &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    g_print ("%s\n", (char *) gtkloop_future_get_result (fa, NULL));
  }
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  if (!gtkloop_run (main_task, NULL, &error))
    g_error ("%s", error->message);
  return 0;
}
