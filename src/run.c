/* The runners: the calls that drive a loop until something happens.
 *
 *   gtkloop_loop_run_forever         until gtkloop_loop_stop()
 *   gtkloop_loop_run_until_complete  until a future is done (or a stop)
 *   gtkloop_run                      asyncio.run(): a fresh context and loop,
 *                                    a main task, leftovers cancelled, close
 *
 * They sit above both the loop and futures: the loop (loop.c) offers one
 * run of itself — begin, iterate until stopped, end — and knows a future
 * only as something a handle holds; what it means for a future to be done
 * is asked here, through the futures' public calls.
 */
#include "config.h"

#include "context-private.h"
#include "loop-private.h"

/**
 * gtkloop_loop_run_forever:
 * @loop: the loop
 *
 * Iterates the loop's context until gtkloop_loop_stop(). A stop() made
 * before this call makes it run exactly one iteration. Running a closed,
 * closing or already running loop is refused with a critical. Any thread that can
 * acquire the loop's context: it becomes the loop's owner.
 *
 * Since: 0.1
 */
void
gtkloop_loop_run_forever (GtkloopLoop *loop)
{
  g_autoptr(GError) error = NULL;

  g_return_if_fail (GTKLOOP_IS_LOOP (loop));

  if (!gtkloop_loop_begin_run (loop, G_STRFUNC, &error))
    {
      g_critical ("%s", error->message);
      return;
    }
  gtkloop_loop_iterate_until_stopped (loop);
  gtkloop_loop_end_run (loop);
}

static void
stop_when_done (GtkloopFuture *future,
                gpointer       user_data)
{
  gtkloop_loop_stop (user_data);
}

/* Runs the context until future is done or the loop stops. */
static gboolean
run_until_done (GtkloopLoop   *loop,
                GtkloopFuture *future)
{
  gtkloop_future_add_done_callback (future, stop_when_done, loop, NULL);
  gtkloop_loop_iterate_until_stopped (loop);
  if (!gtkloop_future_is_done (future))
    {
      gtkloop_future_remove_done_callback (future, stop_when_done, loop);
      return FALSE;
    }
  return TRUE;
}

/**
 * gtkloop_loop_run_until_complete:
 * @loop: the loop
 * @future: what to wait for (a task is a future)
 * @error: return location for a #GError
 *
 * Runs the loop until @future is done. Any thread that can acquire the
 * loop's context: it becomes the loop's owner. A closed loop, or one being
 * closed (a call from a task that gtkloop_loop_close() finishes), refuses
 * with %GTKLOOP_ERROR_CLOSED.
 *
 * Returns: %TRUE if @future finished with a result; %FALSE with its error
 *   (a copy), %G_IO_ERROR_CANCELLED, or an error of its own if the loop
 *   was stopped first, was closed, or is already running
 *
 * Since: 0.1
 */
gboolean
gtkloop_loop_run_until_complete (GtkloopLoop   *loop,
                                 GtkloopFuture *future,
                                 GError       **error)
{
  gboolean done, ok = FALSE;

  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), FALSE);
  g_return_val_if_fail (future != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (gtkloop_future_get_loop (future) != loop)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s: the future belongs to another loop", G_STRFUNC);
      return FALSE;
    }
  if (!gtkloop_loop_begin_run (loop, G_STRFUNC, error))
    return FALSE;

  gtkloop_future_ref (future);
  done = run_until_done (loop, future);
  gtkloop_loop_end_run (loop);
  if (!done)
    g_set_error_literal (error, GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE,
                         "Event loop stopped before Future completed.");
  else
    {
      gtkloop_future_get_result (future, error);
      ok = gtkloop_future_get_error (future) == NULL && !gtkloop_future_is_cancelled (future);
    }
  gtkloop_future_unref (future);
  return ok;
}

/* ---------------------------------------------------------------------- */
/* gtkloop_run                                                             */

/* asyncio.run reports a leftover task that failed while being cancelled. */
static void
report_shutdown_error (GtkloopLoop   *loop,
                       GtkloopFuture *task)
{
  const GError *failure = gtkloop_future_get_error (task);
  GtkloopErrorContext context = {
    .message = "unhandled error during gtkloop_run() shutdown",
    .error = failure,
    .future = task,
  };

  if (failure != NULL)
    gtkloop_loop_call_exception_handler (loop, &context);
}

static void
cancel_leftovers (GtkloopLoop *loop)
{
  g_autoptr(GPtrArray) tasks = gtkloop_loop_all_tasks (loop);

  /* As asyncio.run: cancel every task, then let them finish their
   * cleanup with real iterations before the loop closes. */
  for (guint i = 0; i < tasks->len; i++)
    gtkloop_task_cancel (tasks->pdata[i], NULL);
  for (guint i = 0; i < tasks->len; i++)
    {
      GtkloopFuture *task = gtkloop_future_ref (tasks->pdata[i]);

      if (!gtkloop_future_is_done (task))
        gtkloop_loop_run_until_complete (loop, task, NULL);
      report_shutdown_error (loop, task);
      gtkloop_future_unref (task);
    }
}

/**
 * gtkloop_run: (skip)
 * @main: (scope call) (closure data): the program's main task
 * @data: data for @main
 * @error: return location for a #GError
 *
 * asyncio.run(): makes a fresh #GMainContext, pushes it as the calling
 * thread's default (so gtkloop_spawn() and gtkloop_loop_get_default() use
 * its loop), runs @main as a task to its end, cancels and finishes the
 * tasks left over, shuts down the loop's default executor, closes the loop
 * and pops the context. For programs that own their main loop: tools,
 * tests, worker threads. GTK programs use the default loop instead.
 *
 * Task bodies are C only, so bindings do not get this call (it is
 * `(skip)`ped): CPython 3.11 keeps one frame stack per thread, and two
 * task bodies written in Python that suspend would interleave on it and
 * crash the interpreter. Python gets tasks from the asyncio binding. Any thread with no loop running on it. The loop is its own and closed on return.
 *
 * Returns: %TRUE if @main finished with a result; %FALSE with its error,
 *   %G_IO_ERROR_CANCELLED, %GTKLOOP_ERROR_REENTRANT when called while a
 *   loop runs on this thread, or %GTKLOOP_ERROR_RESOURCES when no file
 *   descriptor is left for the context (@main does not run)
 *
 * Since: 0.1
 */
gboolean
gtkloop_run (GtkloopTaskFunc main,
             gpointer        data,
             GError        **error)
{
  GMainContext *context;
  GtkloopLoop *loop;
  GtkloopTask *task;
  gboolean ok;

  g_return_val_if_fail (main != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (gtkloop_loop_get_running () != NULL)
    {
      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_REENTRANT,
                   "gtkloop_run: cannot be called while a loop runs on this thread");
      return FALSE;
    }

  context = gtkloop_context_new (G_STRFUNC, error);
  if (context == NULL)
    return FALSE;
  g_main_context_push_thread_default (context);
  loop = gtkloop_loop_new (context);

  task = gtkloop_loop_create_task (loop, main, data, NULL);
  gtkloop_task_set_name (task, "main");
  ok = gtkloop_loop_run_until_complete (loop, GTKLOOP_FUTURE (task), error);
  gtkloop_task_unref (task);

  cancel_leftovers (loop);
  gtkloop_loop_close (loop);
  g_object_unref (loop);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  return ok;
}
