/* GIO, awaited: the adapter between GIO's _async/_finish pairs and
 * tasks.
 *
 * An operation is a plain future. gtkloop_gio_begin makes one for the
 * current task and hands a reference to the GAsyncReadyCallback
 * (gtkloop_gio_ready), which completes it with the GAsyncResult; the task
 * keeps its own reference in task->gio_operation until gtkloop_await_gio
 * takes it. Cancelling the task cancels that future (it is what the task
 * waits on) and the task's GCancellable (passed to the GIO call), so the
 * await fails at once and the GIO operation stops; its late callback finds
 * the future cancelled and only lets the result go. */
#include "config.h"

#include "error-private.h"
#include "gio-private.h"
#include "loop-private.h"
#include "task-private.h"

/**
 * gtkloop_get_cancellable:
 *
 * The current task's #GCancellable, read at the time of the call: after
 * gtkloop_task_uncancel() a task gets a fresh one, so read it for each GIO
 * call rather than keeping it. Any thread (outside a task, or on another
 * thread, it returns %NULL). During close the task's cancellable is
 * cancelled.
 *
 * Returns: (transfer none) (nullable): the cancellable, or %NULL outside a
 *   task
 *
 * Since: 0.1
 */
GCancellable *
gtkloop_get_cancellable (void)
{
  GtkloopTask *task = gtkloop_task_get_current ();

  return task != NULL ? gtkloop_task_get_cancellable (task) : NULL;
}

/**
 * gtkloop_gio_future_new:
 * @loop: (nullable): the loop; %NULL for gtkloop_loop_get_default()
 *
 * A future for one GIO operation among several in flight: pass
 * gtkloop_future_ref() of it as the user_data of gtkloop_gio_ready(), then
 * await it with gtkloop_await_result(), whose result is the #GAsyncResult.
 * Loop thread only. On a closed loop the future can still be finished by
 * gtkloop_gio_ready(), but its done callbacks no longer run.
 *
 * Returns: (transfer full): a pending future
 *
 * Since: 0.1
 */
GtkloopFuture *
gtkloop_gio_future_new (GtkloopLoop *loop)
{
  return gtkloop_future_new (loop);
}

/* GIO calls back in the thread-default context of the moment of the call;
 * if that is not the loop's, nobody may ever iterate it. Debug mode says so
 * (the rule has legitimate exceptions, both contexts iterated by one
 * thread, so it is not a critical). */
static void
check_thread_default_context (GtkloopLoop *loop)
{
  GMainContext *context = g_main_context_get_thread_default ();

  if (context == NULL)
    context = g_main_context_default ();
  if (context != loop->context)
    g_warning ("gtkloop_gio_begin: the thread-default main context is not the task's "
               "loop's; GIO will deliver the result there (see docs/io.md)");
}

/**
 * gtkloop_gio_begin:
 *
 * Begins a GIO operation of the current task: pass the return value as the
 * user_data of gtkloop_gio_ready(), then call gtkloop_await_gio(). If the
 * task returns without awaiting it, the operation is dropped when the task
 * ends (its result is let go when it arrives). Inside a task only: the
 * operation's GCancellable is the task's. While the loop closes, it fails
 * at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full) (nullable): the operation, owned by the
 *   callback; %NULL with a critical outside a task or when the task already
 *   has an operation begun and not awaited
 *
 * Since: 0.1
 */
gpointer
gtkloop_gio_begin (void)
{
  GtkloopTask *task = gtkloop_task_get_current ();

  if (task == NULL)
    {
      g_critical (GTKLOOP_NOT_IN_TASK_FORMAT, G_STRFUNC);
      return NULL;
    }
  if (task->gio_operation != NULL)
    {
      g_critical ("%s: the task has begun a GIO operation it has not awaited "
                  "(for several at once, use gtkloop_gio_future_new)", G_STRFUNC);
      return NULL;
    }
  if (G_UNLIKELY (task->base.loop->debug))
    check_thread_default_context (task->base.loop);

  task->gio_operation = gtkloop_future_new (task->base.loop);
  return gtkloop_future_ref (task->gio_operation);
}

/**
 * gtkloop_gio_ready:
 * @source: (nullable): the source object of the operation
 * @result: the operation's result
 * @future: (transfer full) (nullable): from gtkloop_gio_begin(), or a
 *   reference to a future from gtkloop_gio_future_new()
 *
 * The #GAsyncReadyCallback for GIO calls awaited by tasks: completes
 * @future with a reference on @result and drops the reference to @future
 * it was given. A future already done (cancelled with its task) just lets
 * @result go. A %NULL @future, from a refused gtkloop_gio_begin(), is
 * ignored: that call already logged a critical. Loop thread only (GIO
 * calls it from the thread-default context the operation began on). On a
 * closed loop it still finishes the future, whose done callbacks no longer
 * run.
 *
 * Since: 0.1
 */
void
gtkloop_gio_ready (GObject      *source,
                   GAsyncResult *result,
                   gpointer      future)
{
  GtkloopFuture *f = future;

  g_return_if_fail (G_IS_ASYNC_RESULT (result));

  if (f == NULL)
    return;
  if (!gtkloop_future_is_done (f))
    gtkloop_future_set_result (f, g_object_ref (result), g_object_unref);
  gtkloop_future_unref (f);
}

/**
 * gtkloop_await_gio:
 * @error: return location for a #GError
 *
 * Awaits the GIO operation begun last by the current task
 * (gtkloop_gio_begin()): a suspension point. Inside a task only: the
 * operation's GCancellable is the task's. While the loop closes, it fails
 * at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full) (nullable): the #GAsyncResult to pass to the
 *   operation's *_finish function; %NULL with %G_IO_ERROR_CANCELLED when
 *   the task was cancelled (the operation then sees its cancellable
 *   cancelled), %GTKLOOP_ERROR_NOT_IN_TASK outside a task, or
 *   %GTKLOOP_ERROR_INVALID_STATE when no operation was begun
 *
 * Since: 0.1
 */
GAsyncResult *
gtkloop_await_gio (GError **error)
{
  GtkloopTask *task = gtkloop_task_get_current ();
  GtkloopFuture *operation;
  GAsyncResult *result = NULL;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (task == NULL)
    {
      gtkloop_set_not_in_task_error (error, G_STRFUNC);
      return NULL;
    }
  operation = g_steal_pointer (&task->gio_operation);
  if (operation == NULL)
    {
      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE,
                   "%s: no GIO operation begun (gtkloop_gio_begin)", G_STRFUNC);
      return NULL;
    }

  if (gtkloop_await (operation, error))
    result = g_object_ref (gtkloop_future_get_result (operation, NULL));
  else
    /* Refused before suspending (a nested iteration, a closing loop): the
     * future is still pending; cancel it so the late callback drops the
     * result. A no-op when the task's cancellation already did. */
    gtkloop_future_cancel (operation, NULL);
  gtkloop_future_unref (operation);
  return result;
}

/**
 * gtkloop_await_result:
 * @f: the future to wait for
 * @error: return location for a #GError
 *
 * Calls gtkloop_await(), then @f's result: a suspension point. Inside a
 * task only. While the loop closes, it fails at once with
 * %G_IO_ERROR_CANCELLED, as every suspension point does.
 *
 * Returns: (transfer none) (nullable): @f's result, which @f keeps; %NULL
 *   with the error when @f failed or was cancelled, or on misuse. A future
 *   that succeeded with a %NULL result also gives %NULL, with no error set.
 *
 * Since: 0.1
 */
gpointer
gtkloop_await_result (GtkloopFuture *f,
                      GError       **error)
{
  g_return_val_if_fail (f != NULL, NULL);

  if (!gtkloop_await (f, error))
    return NULL;
  return gtkloop_future_get_result (f, NULL);
}

/* ---------------------------------------------------------------------- */
/* For the ready-made awaitables                                           */

GtkloopFuture *
gtkloop_gio_operation_new (const char *function,
                           GError    **error)
{
  GtkloopTask *task = gtkloop_task_get_current ();

  if (task == NULL)
    {
      gtkloop_set_not_in_task_error (error, function);
      return NULL;
    }
  return gtkloop_future_new (task->base.loop);
}

gboolean
gtkloop_gio_await_settled (GtkloopFuture *f,
                           GError       **error)
{
  g_autoptr(GtkloopFuture) shielded = gtkloop_shield (f);

  /* Through a shield: cancelling the task fails this await at once but
   * leaves f pending, so the wait below can see GIO acknowledge the
   * cancellation (the task's GCancellable, given to GIO, is cancelled). */
  if (gtkloop_await (shielded, error))
    return TRUE;
  if (!gtkloop_future_is_done (f))
    gtkloop_await (f, NULL);
  /* Still pending: the second await was refused (a closing loop). */
  gtkloop_future_cancel (f, NULL);
  return FALSE;
}

GAsyncResult *
gtkloop_gio_operation_finish (GtkloopFuture *operation,
                              GError       **error)
{
  GAsyncResult *result = NULL;

  if (gtkloop_gio_await_settled (operation, error))
    result = g_object_ref (gtkloop_future_get_result (operation, NULL));
  gtkloop_future_unref (operation);
  return result;
}
