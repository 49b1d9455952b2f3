/* A loop in a worker thread (seed 000, "multithreading", and seed 001's
 * Tkinter form, lines 2642-2681): a second loop runs forever on a thread
 * of its own; another thread submits tasks to it with
 * gtkloop_run_task_threadsafe and blocks on the thread future it gets back
 * (with a timeout), and stops it with gtkloop_loop_call_soon_threadsafe.
 * Unlike the seed, every loop here is stopped, closed on its thread, and
 * its thread joined: nothing leaks, and the process can exit. */
#include <gtkloop/gtkloop.h>

#define PY_BOOL(b) ((b) ? "True" : "False")

static gpointer
start_loop (gpointer data)
{
  GtkloopLoop *loop = data;
  GMainContext *context = gtkloop_loop_get_context (loop);

  /* asyncio.set_event_loop (loop): GIO calls made here deliver to it. */
  g_main_context_push_thread_default (context);
  gtkloop_loop_run_forever (loop);
  gtkloop_loop_close (loop);      /* cancels and finishes leftover tasks */
  g_main_context_pop_thread_default (context);
  return NULL;
}

static void
stop (gpointer loop)
{
  gtkloop_loop_stop (loop);
}

static void
a (GtkloopTask *task,
   gpointer     data)
{
  if (gtkloop_sleep (0.05, NULL))
    gtkloop_task_return (task, "A", NULL);
}

static void
calculate (GtkloopTask *task,
           gpointer     data)
{
  if (gtkloop_sleep (0.05, NULL))
    gtkloop_task_return (task, GINT_TO_POINTER (300), NULL);
}

static gint cancelled;

static void
slow (GtkloopTask *task,
      gpointer     data)
{
  if (!gtkloop_sleep (10, NULL))
    g_atomic_int_set (&cancelled, TRUE);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  /* The seed's pattern, made complete. */
  {
    GMainContext *context = g_main_context_new ();
    g_autoptr(GtkloopLoop) new_loop = gtkloop_loop_new (context);
    GThread *t = g_thread_new ("loop", start_loop, new_loop);
    g_autoptr(GtkloopThreadFuture) future = gtkloop_run_task_threadsafe (new_loop, a, NULL, NULL);
    const char *result = gtkloop_thread_future_wait (future, 2, &error);

    if (result == NULL)
      g_error ("%s", error->message);
    g_print ("Result: %s\n", result);
    gtkloop_loop_call_soon_threadsafe (new_loop, stop, new_loop, NULL);
    g_thread_join (t);
    g_print ("thread joined, loop closed: %s\n", PY_BOOL (gtkloop_loop_is_closed (new_loop)));
    g_main_context_unref (context);
  }

  /* The same, packaged: a thread with its own context and loop. */
  {
    GtkloopLoopThread *worker = gtkloop_loop_thread_start ("worker", &error);

    if (worker == NULL)
      g_error ("%s", error->message);
    GtkloopLoop *loop = gtkloop_loop_thread_get_loop (worker);
    g_autoptr(GtkloopThreadFuture) calc = gtkloop_run_task_threadsafe (loop, calculate, NULL, NULL);
    gpointer label = gtkloop_thread_future_wait (calc, 5, &error);
    if (error != NULL)
      g_error ("%s", error->message);
    g_print ("label: %d\n", GPOINTER_TO_INT (label));

    g_autoptr(GtkloopThreadFuture) slow_future = gtkloop_run_task_threadsafe (loop, slow, NULL, NULL);
    if (gtkloop_thread_future_wait (slow_future, 0.05, &error) == NULL
        && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
      g_print ("timed out\n");
    g_clear_error (&error);
    g_print ("cancel: %s\n", PY_BOOL (gtkloop_thread_future_cancel (slow_future)));
    g_print ("cancelled: %s\n", PY_BOOL (gtkloop_thread_future_is_cancelled (slow_future)));
    gtkloop_loop_thread_stop (worker);   /* stops, closes and joins; drops our reference */
    g_print ("slow saw the cancellation: %s\n", PY_BOOL (g_atomic_int_get (&cancelled)));
  }
  return 0;
}
