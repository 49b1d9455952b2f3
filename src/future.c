/* Futures: asyncio.Future in C. A future is pending until it gets a result,
 * an error or a cancellation; then each done callback is scheduled with
 * call_soon, in the order added — never run inline, so completing a future
 * never re-enters the code waiting on it.
 *
 * Futures are reference-counted plain structs (not GObjects): W4 creates
 * one per hand-off. The count is atomic, so any thread may drop a
 * reference; everything else is loop-bound. */
#include "config.h"

#include <gio/gio.h>

#include "debug-private.h"
#include "destroy-notify-private.h"
#include "future-private.h"
#include "loop-private.h"
#include "slab-private.h"

static gboolean plain_future_cancel (GtkloopFuture *f, const char *msg);

const GtkloopFutureClass gtkloop_plain_future_class = {
  .instance_size = sizeof (GtkloopFuture),
  .unretrieved_error_message = "Future exception was never retrieved",
  .cancel = plain_future_cancel,
  .finalize = NULL,
};

/**
 * GtkloopFuture:
 *
 * asyncio's Future: a result, an error or a cancellation that comes
 * later, with done callbacks that run on its loop. Reference counted;
 * every #GtkloopTask is one (`GTKLOOP_FUTURE (task)`). Used on its
 * loop's thread; only the reference count is thread-safe.
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopFuture, gtkloop_future, gtkloop_future_ref, gtkloop_future_unref)

GError *
gtkloop_cancelled_error_new (const char *msg)
{
  return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                              msg != NULL ? msg : "Operation was cancelled");
}

gboolean
gtkloop_future_check_thread (GtkloopFuture *f,
                             const char    *function)
{
  return gtkloop_loop_check_callable (f->loop, function, FALSE);
}

GtkloopFuture *
gtkloop_future_new_of_class (const GtkloopFutureClass *klass,
                             GtkloopLoop              *loop)
{
  GtkloopFuture *f = gtkloop_slab_alloc0 (klass->instance_size);

  f->klass = klass;
  f->ref_count = 1;
  f->state = FUTURE_PENDING;
  f->loop = gtkloop_loop_hold_for_future (loop);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_FUTURES, 1);
  return f;
}

/**
 * gtkloop_future_new:
 * @loop: (nullable): the loop the future belongs to; %NULL for
 *   gtkloop_loop_get_default()
 *
 * Makes a pending future (asyncio's loop.create_future()): someone sets
 * its result, error or cancellation later, and its done callbacks run on
 * @loop. Any thread may make one, but from then on it is used on @loop's
 * thread. A future of a closed loop can still be made and finished, but
 * its done callbacks never run: their destroy notifies do, at once.
 *
 * Returns: (transfer full): a new pending future
 *
 * Since: 0.1
 */
GtkloopFuture *
gtkloop_future_new (GtkloopLoop *loop)
{
  /* Futures no longer g_object_ref their loop each (which checked the
   * type): check it here. */
  g_return_val_if_fail (loop == NULL || GTKLOOP_IS_LOOP (loop), NULL);

  if (loop == NULL)
    loop = gtkloop_loop_get_default ();

  return gtkloop_future_new_of_class (&gtkloop_plain_future_class, loop);
}

/**
 * gtkloop_future_ref:
 * @f: a future or task
 *
 * Takes a reference. Any thread; works after the loop is closed.
 *
 * Returns: (transfer full): @f
 *
 * Since: 0.1
 */
GtkloopFuture *
gtkloop_future_ref (GtkloopFuture *f)
{
  g_return_val_if_fail (f != NULL, NULL);
  g_atomic_int_inc (&f->ref_count);
  return f;
}

static void
report_unretrieved_error (GtkloopFuture *f)
{
  GtkloopErrorContext context = {
    .message = f->klass->unretrieved_error_message,
    .error = f->error,
    .future = f,
  };

  gtkloop_loop_call_exception_handler (f->loop, &context);
}

static void
free_callbacks (GtkloopFuture *f)
{
  if (f->n_callbacks > 0 && f->first_callback.destroy)
    f->first_callback.destroy (f->first_callback.data);
  if (f->more_callbacks != NULL)
    {
      for (guint i = 0; i < f->more_callbacks->len; i++)
        {
          GtkloopDoneCallback *c = &g_array_index (f->more_callbacks, GtkloopDoneCallback, i);

          gtkloop_destroy_notify_run (c->destroy, c->data);
        }
      g_array_free (f->more_callbacks, TRUE);
    }
  f->more_callbacks = NULL;
  f->n_callbacks = 0;
}

/**
 * gtkloop_future_unref:
 * @f: (transfer full): a future or task
 *
 * Drops a reference. A future that failed and whose error nobody read is
 * reported through its loop's exception handler when the last one goes
 * (for a task, also one freed while pending). Any thread: the last
 * reference runs the result's destroy notify on the thread that drops it.
 * Works after the loop is closed (a report then goes to the handler
 * still set on the closed loop).
 *
 * Since: 0.1
 */
void
gtkloop_future_unref (GtkloopFuture *f)
{
  g_return_if_fail (f != NULL);

  if (!g_atomic_int_dec_and_test (&f->ref_count))
    return;

  if (f->state == FUTURE_FINISHED && f->error != NULL && !f->error_retrieved)
    {
      /* The handler sees a live future; it must not keep it. */
      f->ref_count = 1;
      f->error_retrieved = TRUE;
      report_unretrieved_error (f);
      if (!g_atomic_int_dec_and_test (&f->ref_count))
        return;
    }

  if (f->klass->finalize)
    f->klass->finalize (f);
  free_callbacks (f);
  gtkloop_destroy_notify_run (f->result_destroy, f->result);
  g_clear_error (&f->error);
  gtkloop_loop_release_for_future (f->loop);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_FUTURES, -1);
  gtkloop_slab_free (f, f->klass->instance_size);
}

/* Moves every done callback to the loop's ready queue, first added first. */
static void
schedule_callbacks (GtkloopFuture *f)
{
  GtkloopDoneCallback first = f->first_callback;
  GArray *more = g_steal_pointer (&f->more_callbacks);
  guint n = f->n_callbacks;

  f->n_callbacks = 0;
  if (n > 0)
    gtkloop_loop_call_soon_future (f->loop, f, first.cb, first.data, first.destroy);
  if (more != NULL)
    {
      for (guint i = 0; i < more->len; i++)
        {
          GtkloopDoneCallback *c = &g_array_index (more, GtkloopDoneCallback, i);

          gtkloop_loop_call_soon_future (f->loop, f, c->cb, c->data, c->destroy);
        }
      g_array_free (more, TRUE);
    }
}

/* Loop thread only; and a task's outcome comes from its function, as
 * asyncio's Task refuses set_result () and set_exception (). */
static gboolean
check_settable (GtkloopFuture *f,
                const char    *function)
{
  if (!gtkloop_future_check_thread (f, function))
    return FALSE;
  if (f->klass->is_task)
    {
      g_critical ("%s: a task ends with what its function gives (gtkloop_task_return)", function);
      return FALSE;
    }
  return TRUE;
}

/**
 * gtkloop_future_set_result:
 * @f: a pending future
 * @value: (nullable): the result; @f owns it from now on (see @destroy)
 * @destroy: (nullable) (scope async): frees @value when the future is
 *   freed — or at once if the future is already done
 *
 * Finishes @f with @value and schedules its done callbacks. A task
 * refuses (with a critical): it ends with what its function gives. Loop
 * thread only. On a closed loop the future is still finished, but its
 * done callbacks do not run; their destroy notifies run at once.
 *
 * Returns: %TRUE if the future was pending and now has @value
 *
 * Since: 0.1
 */
gboolean
gtkloop_future_set_result (GtkloopFuture *f,
                           gpointer       value,
                           GDestroyNotify destroy)
{
  g_return_val_if_fail (f != NULL, FALSE);

  if (!check_settable (f, G_STRFUNC))
    {
      gtkloop_destroy_notify_run (destroy, value);
      return FALSE;
    }
  return gtkloop_future_resolve (f, value, destroy);
}

gboolean
gtkloop_future_resolve (GtkloopFuture *f,
                        gpointer       value,
                        GDestroyNotify destroy)
{
  if (f->state != FUTURE_PENDING)
    {
      gtkloop_destroy_notify_run (destroy, value);
      return FALSE;
    }
  f->result = value;
  f->result_destroy = destroy;
  f->state = FUTURE_FINISHED;
  schedule_callbacks (f);
  return TRUE;
}

/**
 * gtkloop_future_set_error:
 * @f: a pending future
 * @error: (transfer full): the failure
 *
 * Finishes @f with @error and schedules its done callbacks. A task
 * refuses (with a critical): it ends with what its function gives. Loop
 * thread only. On a closed loop the future is still finished, but its
 * done callbacks do not run; their destroy notifies run at once.
 *
 * Returns: %TRUE if the future was pending and now has failed with @error;
 *   %FALSE (and @error freed) if it was already done
 *
 * Since: 0.1
 */
gboolean
gtkloop_future_set_error (GtkloopFuture *f,
                          GError        *error)
{
  g_return_val_if_fail (f != NULL, FALSE);
  g_return_val_if_fail (error != NULL, FALSE);

  if (!check_settable (f, G_STRFUNC))
    {
      g_error_free (error);
      return FALSE;
    }
  return gtkloop_future_reject (f, error);
}

gboolean
gtkloop_future_reject (GtkloopFuture *f,
                       GError        *error)
{
  if (f->state != FUTURE_PENDING)
    {
      g_error_free (error);
      return FALSE;
    }
  f->error = error;
  f->state = FUTURE_FINISHED;
  schedule_callbacks (f);
  return TRUE;
}

gboolean
gtkloop_future_finish_cancelled (GtkloopFuture *f,
                                 const char    *msg)
{
  if (f->state != FUTURE_PENDING)
    return FALSE;
  f->error = gtkloop_cancelled_error_new (msg);
  f->state = FUTURE_CANCELLED;
  schedule_callbacks (f);
  return TRUE;
}

static gboolean
plain_future_cancel (GtkloopFuture *f,
                     const char    *msg)
{
  return gtkloop_future_finish_cancelled (f, msg);
}

/**
 * gtkloop_future_cancel:
 * @f: a future or task
 * @msg: (nullable): the message of the %G_IO_ERROR_CANCELLED error
 *
 * Cancels the future (for a task, asks the task to stop: see
 * gtkloop_task_cancel()). Loop thread only. On a closed loop a pending
 * future is still cancelled, without running its done callbacks (their
 * destroy notifies run at once); every task there is already done.
 *
 * Returns: %FALSE if it was already done
 *
 * Since: 0.1
 */
gboolean
gtkloop_future_cancel (GtkloopFuture *f,
                       const char    *msg)
{
  g_return_val_if_fail (f != NULL, FALSE);

  if (!gtkloop_future_check_thread (f, G_STRFUNC))
    return FALSE;
  return f->klass->cancel (f, msg);
}

/**
 * gtkloop_future_is_done:
 * @f: a future or task
 *
 * Whether @f is finished: it has a result, an error or a cancellation.
 * Loop thread only; works after the loop is closed.
 *
 * Returns: %TRUE once @f has a result, an error or a cancellation
 *
 * Since: 0.1
 */
gboolean
gtkloop_future_is_done (GtkloopFuture *f)
{
  g_return_val_if_fail (f != NULL, FALSE);
  return f->state != FUTURE_PENDING;
}

/**
 * gtkloop_future_is_cancelled:
 * @f: a future or task
 *
 * Whether @f ended cancelled. Loop thread only; works after the loop is
 * closed (the tasks that closing cancelled say %TRUE).
 *
 * Returns: %TRUE if @f ended cancelled
 *
 * Since: 0.1
 */
gboolean
gtkloop_future_is_cancelled (GtkloopFuture *f)
{
  g_return_val_if_fail (f != NULL, FALSE);
  return f->state == FUTURE_CANCELLED;
}

/**
 * gtkloop_future_get_result:
 * @f: a future or task
 * @error: return location for a #GError
 *
 * Reads the outcome (asyncio's result()): the result, or the failure as
 * an error, which counts as the error being retrieved. Loop thread only;
 * works after the loop is closed.
 *
 * Returns: (transfer none) (nullable): the result, owned by the future; or
 *   %NULL with @error set: %GTKLOOP_ERROR_INVALID_STATE while pending,
 *   %G_IO_ERROR_CANCELLED if cancelled, a copy of the failure otherwise
 *
 * Since: 0.1
 */
gpointer
gtkloop_future_get_result (GtkloopFuture *f,
                           GError       **error)
{
  g_return_val_if_fail (f != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  switch ((FutureState) f->state)
    {
    case FUTURE_PENDING:
      g_set_error_literal (error, GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE,
                           "Result is not set.");
      return NULL;
    case FUTURE_CANCELLED:
      if (error)
        *error = g_error_copy (f->error);
      return NULL;
    case FUTURE_FINISHED:
    default:
      if (f->error != NULL)
        {
          f->error_retrieved = TRUE;
          if (error)
            *error = g_error_copy (f->error);
          return NULL;
        }
      return f->result;
    }
}

/**
 * gtkloop_future_get_error:
 * @f: a future or task
 *
 * asyncio's .exception(), without the raising: %NULL for pending,
 * cancelled and successful futures alike; tell them apart with
 * gtkloop_future_is_done() and gtkloop_future_is_cancelled(). Reading
 * it counts as the error being retrieved. Loop thread only; works after
 * the loop is closed.
 *
 * Returns: (transfer none) (nullable): the failure
 *
 * Since: 0.1
 */
const GError *
gtkloop_future_get_error (GtkloopFuture *f)
{
  g_return_val_if_fail (f != NULL, NULL);

  if (f->state != FUTURE_FINISHED)
    return NULL;
  f->error_retrieved = TRUE;
  return f->error;
}

/**
 * gtkloop_future_add_done_callback:
 * @f: a future or task
 * @cb: (scope notified) (closure data) (destroy destroy): called as
 *   @cb (@f, @data) on a later iteration once @f is done (at once
 *   scheduled if it already is)
 * @data: data for @cb
 * @destroy: (nullable): frees @data after @cb ran, when removed, or when
 *   the future or its loop goes away
 *
 * Adds a callback to run when @f is done, after those added before it;
 * never inline, always from the loop. Loop thread only (from another
 * thread: a critical, and @destroy runs at once). On a closed loop @cb
 * never runs: @destroy runs when @f is done, at once if it already is.
 *
 * Since: 0.1
 */
void
gtkloop_future_add_done_callback (GtkloopFuture        *f,
                                  GtkloopFutureCallback cb,
                                  gpointer              data,
                                  GDestroyNotify        destroy)
{
  GtkloopDoneCallback c = { cb, data, destroy };

  g_return_if_fail (f != NULL);
  g_return_if_fail (cb != NULL);

  if (!gtkloop_future_check_thread (f, G_STRFUNC))
    {
      gtkloop_destroy_notify_run (destroy, data);
      return;
    }
  if (f->state != FUTURE_PENDING)
    {
      gtkloop_loop_call_soon_future (f->loop, f, cb, data, destroy);
      return;
    }
  if (f->n_callbacks++ == 0)
    {
      f->first_callback = c;
      return;
    }
  if (f->more_callbacks == NULL)
    f->more_callbacks = g_array_new (FALSE, FALSE, sizeof (GtkloopDoneCallback));
  g_array_append_val (f->more_callbacks, c);
}

static gboolean
callback_matches (const GtkloopDoneCallback *c,
                  GtkloopFutureCallback      cb,
                  gpointer                   data)
{
  return c->cb == cb && c->data == data;
}

/**
 * gtkloop_future_remove_done_callback: (skip)
 * @f: a future or task
 * @cb: the callback given to gtkloop_future_add_done_callback()
 * @data: the data given with it
 *
 * Removes every pending registration of (@cb, @data), running their
 * destroy notifies. Bindings do not get this call: it matches the
 * function pointer, and a binding makes a new one for every callback it
 * passes, so nothing would ever match. Loop thread only; works after the
 * loop is closed.
 *
 * Returns: how many were removed
 *
 * Since: 0.1
 */
guint
gtkloop_future_remove_done_callback (GtkloopFuture        *f,
                                     GtkloopFutureCallback cb,
                                     gpointer              data)
{
  GPtrArray *removed;
  guint n_removed;
  GArray *kept;

  g_return_val_if_fail (f != NULL, 0);

  if (!gtkloop_future_check_thread (f, G_STRFUNC) || f->n_callbacks == 0)
    return 0;

  /* Rebuild the list without the matches, then run their notifies, which
   * might touch this future again. */
  removed = g_ptr_array_new_with_free_func (g_free);
  kept = g_array_new (FALSE, FALSE, sizeof (GtkloopDoneCallback));
  {
    GtkloopDoneCallback *first = &f->first_callback;

    if (callback_matches (first, cb, data))
      g_ptr_array_add (removed, g_memdup2 (first, sizeof *first));
    else
      g_array_append_val (kept, *first);
  }
  if (f->more_callbacks != NULL)
    for (guint i = 0; i < f->more_callbacks->len; i++)
      {
        GtkloopDoneCallback *c = &g_array_index (f->more_callbacks, GtkloopDoneCallback, i);

        if (callback_matches (c, cb, data))
          g_ptr_array_add (removed, g_memdup2 (c, sizeof *c));
        else
          g_array_append_val (kept, *c);
      }

  g_clear_pointer (&f->more_callbacks, g_array_unref);
  f->n_callbacks = kept->len;
  if (kept->len > 0)
    f->first_callback = g_array_index (kept, GtkloopDoneCallback, 0);
  if (kept->len > 1)
    {
      g_array_remove_index (kept, 0);
      f->more_callbacks = g_steal_pointer (&kept);
    }
  g_clear_pointer (&kept, g_array_unref);

  n_removed = removed->len;
  for (guint i = 0; i < removed->len; i++)
    {
      GtkloopDoneCallback *c = removed->pdata[i];

      gtkloop_destroy_notify_run (c->destroy, c->data);
    }
  g_ptr_array_unref (removed);
  return n_removed;
}

/**
 * gtkloop_future_get_loop:
 * @f: a future or task
 *
 * The loop @f belongs to, where its done callbacks run. Any thread; the
 * loop may be closed, and stays alive as long as @f.
 *
 * Returns: (transfer none): the loop the future belongs to
 *
 * Since: 0.1
 */
GtkloopLoop *
gtkloop_future_get_loop (GtkloopFuture *f)
{
  g_return_val_if_fail (f != NULL, NULL);
  return f->loop;
}

/**
 * gtkloop_future_is_task:
 * @f: a future
 *
 * Whether @f is a task, so that `GTKLOOP_TASK (f)` is valid. Any thread;
 * works after the loop is closed.
 *
 * Returns: %TRUE if @f is a task (a #GtkloopTask in C, same pointer)
 *
 * Since: 0.1
 */
gboolean
gtkloop_future_is_task (GtkloopFuture *f)
{
  g_return_val_if_fail (f != NULL, FALSE);
  /* By flag, not "not plain": gather and shield futures have classes too. */
  return f->klass->is_task;
}
