/* gtkloop_wait and gtkloop_wait_for: asyncio.wait and asyncio.wait_for
 * (Python 3.11), as suspension points.
 *
 * Both wait on a private "waiter" future that done callbacks and a timer
 * resolve, never on the given futures themselves: cancelling the waiting
 * task then cancels only the waiter, and wait () never cancels what it
 * waits for. Everything those callbacks reach is on the heap and
 * reference-counted: a callback may already be queued when the call
 * returns, and the task's stack may be copied out while it is suspended. */
#include "config.h"

#include "error-private.h"
#include "future-private.h"
#include "loop-private.h"
#include "sync-private.h"
#include "task-private.h"

/* asyncio's _release_waiter. */
static void
release_waiter (gpointer waiter)
{
  if (gtkloop_future_is_pending (waiter))
    gtkloop_future_resolve (waiter, NULL, NULL);
}

static void
release_waiter_when_done (GtkloopFuture *f,
                          gpointer       waiter)
{
  release_waiter (waiter);
}

static guint64
release_later (GtkloopLoop   *loop,
               double         delay,
               GtkloopFuture *waiter)
{
  return gtkloop_loop_call_later (loop, delay, release_waiter, gtkloop_future_ref (waiter),
                                  (GDestroyNotify) gtkloop_future_unref);
}

/* The checks both start with: inside a task, futures of its loop. */
static GtkloopTask *
check_call (GtkloopFuture *const *futures,
            guint                 n,
            const char           *function,
            GError              **error)
{
  GtkloopTask *task = gtkloop_task_get_current ();

  if (task == NULL)
    {
      gtkloop_set_not_in_task_error (error, function);
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    if (futures[i]->loop != task->base.loop)
      {
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                     "%s: a future belongs to another loop than the task", function);
        return NULL;
      }
  return task;
}

/* wait ------------------------------------------------------------------ */

typedef struct
{
  GtkloopLoop     *loop;             /* (unowned): the futures keep it */
  GtkloopFuture   *waiter;           /* (owned) */
  guint64          timeout_handle;   /* 0: none (any more) */
  guint            counter;          /* futures not done yet */
  GtkloopWaitMode  mode;
} WaitState;

static void
wait_state_clear (gpointer data)
{
  gtkloop_future_unref (((WaitState *) data)->waiter);
}

static void
wait_state_release (gpointer data)
{
  g_atomic_rc_box_release_full (data, wait_state_clear);
}

static void
on_completion (GtkloopFuture *f,
               gpointer       data)
{
  WaitState *st = data;

  st->counter--;
  if (st->counter == 0 ||
      st->mode == GTKLOOP_FIRST_COMPLETED ||
      (st->mode == GTKLOOP_FIRST_EXCEPTION && !gtkloop_future_is_cancelled (f) &&
       gtkloop_future_get_error (f) != NULL))
    {
      if (st->timeout_handle != 0)
        gtkloop_loop_cancel (st->loop, st->timeout_handle);
      st->timeout_handle = 0;
      release_waiter (st->waiter);
    }
}

/* The futures once each, in argument order (asyncio makes a set). */
static GPtrArray *
unique_futures (GtkloopFuture *const *futures,
                guint                 n)
{
  g_autoptr(GHashTable) seen = g_hash_table_new (NULL, NULL);
  GPtrArray *unique = g_ptr_array_new_full (n, (GDestroyNotify) gtkloop_future_unref);

  for (guint i = 0; i < n; i++)
    if (g_hash_table_add (seen, futures[i]))
      g_ptr_array_add (unique, gtkloop_future_ref (futures[i]));
  return unique;
}

static void
split_done_pending (GPtrArray  *futures,
                    GPtrArray **done,
                    GPtrArray **pending)
{
  GPtrArray *d = g_ptr_array_new_with_free_func ((GDestroyNotify) gtkloop_future_unref);
  GPtrArray *p = g_ptr_array_new_with_free_func ((GDestroyNotify) gtkloop_future_unref);

  for (guint i = 0; i < futures->len; i++)
    {
      GtkloopFuture *f = futures->pdata[i];

      g_ptr_array_add (gtkloop_future_is_done (f) ? d : p, gtkloop_future_ref (f));
    }
  if (done)
    *done = d;
  else
    g_ptr_array_unref (d);
  if (pending)
    *pending = p;
  else
    g_ptr_array_unref (p);
}

/**
 * gtkloop_wait:
 * @futures: (array length=n) (transfer none): futures or tasks of the
 *   current task's loop; one given twice counts once
 * @n: how many; at least 1
 * @mode: when to return: %GTKLOOP_FIRST_COMPLETED, %GTKLOOP_FIRST_EXCEPTION
 *   (the first that fails, else all) or %GTKLOOP_ALL_COMPLETED
 * @timeout: seconds; negative for none
 * @done: (out) (optional) (transfer full) (element-type GtkloopFuture):
 *   the futures that are done, in argument order
 * @pending: (out) (optional) (transfer full) (element-type GtkloopFuture):
 *   the others
 * @error: return location for a #GError
 *
 * asyncio.wait(): suspends the task until @mode is met or @timeout passed.
 * It neither fails because a future failed nor cancels the ones still
 * pending: look at @done and @pending. Unlike gtkloop_gather(), it is also
 * fine for futures that are already done; it still yields.
 *
 * |[<!-- language="C" -->
 * g_autoptr(GPtrArray) done = NULL, pending = NULL;
 *
 * if (!gtkloop_wait (fs, 3, GTKLOOP_FIRST_COMPLETED, 5.0, &done, &pending, &error))
 *   return;   // cancelled
 * for (guint i = 0; i < pending->len; i++)
 *   gtkloop_future_cancel (pending->pdata[i], NULL);
 * ]|
 *
 * Inside a task only. While the loop closes, it fails at once with
 * %G_IO_ERROR_CANCELLED, as every suspension point does.
 *
 * Returns: %TRUE, also on timeout; %FALSE with %G_IO_ERROR_CANCELLED if
 *   the task was cancelled, %G_IO_ERROR_INVALID_ARGUMENT for @n == 0, a
 *   bad @mode or futures of another loop
 *
 * Since: 0.1
 */
gboolean
gtkloop_wait (GtkloopFuture *const *futures,
              guint                 n,
              GtkloopWaitMode       mode,
              double                timeout,
              GPtrArray           **done,
              GPtrArray           **pending,
              GError              **error)
{
  g_autoptr(GPtrArray) unique = NULL;
  GtkloopTask *task;
  WaitState *st;
  gboolean ok;

  g_return_val_if_fail (n == 0 || futures != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (done)
    *done = NULL;
  if (pending)
    *pending = NULL;
  if (n == 0 || (mode != GTKLOOP_FIRST_COMPLETED && mode != GTKLOOP_FIRST_EXCEPTION &&
                 mode != GTKLOOP_ALL_COMPLETED))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   n == 0 ? "%s: Set of Tasks/Futures is empty." : "%s: Invalid return_when value",
                   G_STRFUNC);
      return FALSE;
    }
  if ((task = check_call (futures, n, G_STRFUNC, error)) == NULL)
    return FALSE;

  unique = unique_futures (futures, n);
  st = g_atomic_rc_box_new0 (WaitState);
  st->loop = task->base.loop;
  st->waiter = gtkloop_future_new (st->loop);
  st->counter = unique->len;
  st->mode = mode;
  if (timeout >= 0)
    st->timeout_handle = release_later (st->loop, timeout, st->waiter);
  for (guint i = 0; i < unique->len; i++)
    gtkloop_future_add_done_callback (unique->pdata[i], on_completion,
                                      g_atomic_rc_box_acquire (st), wait_state_release);

  ok = gtkloop_await (st->waiter, error);

  if (st->timeout_handle != 0)
    gtkloop_loop_cancel (st->loop, st->timeout_handle);
  st->timeout_handle = 0;
  for (guint i = 0; i < unique->len; i++)
    gtkloop_future_remove_done_callback (unique->pdata[i], on_completion, st);
  wait_state_release (st);
  if (ok)
    split_done_pending (unique, done, pending);
  return ok;
}

/* wait_for -------------------------------------------------------------- */

/* asyncio's `return fut.result ()`. */
static gboolean
result_of (GtkloopFuture *f,
           GError       **error)
{
  GError *failure = NULL;

  gtkloop_future_get_result (f, &failure);
  if (failure == NULL)
    return TRUE;
  g_propagate_error (error, failure);
  return FALSE;
}

/* After a timeout: the future's outcome, except that a cancellation (the
 * one wait_for made) becomes G_IO_ERROR_TIMED_OUT. */
static gboolean
result_or_timed_out (GtkloopFuture *f,
                     GError       **error)
{
  GError *failure = NULL;

  if (result_of (f, &failure))
    return TRUE;
  if (g_error_matches (failure, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_error_free (failure);
      failure = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Operation timed out");
    }
  g_propagate_error (error, failure);
  return FALSE;
}

/* asyncio's _cancel_and_wait: cancels f and waits until it is done, through
 * a waiter of its own so that this wait can itself be cancelled. */
static gboolean
cancel_and_wait (GtkloopFuture *f,
                 GError       **error)
{
  GtkloopFuture *waiter = gtkloop_future_new (f->loop);
  gboolean ok;

  gtkloop_future_add_done_callback (f, release_waiter_when_done, gtkloop_future_ref (waiter),
                                    (GDestroyNotify) gtkloop_future_unref);
  gtkloop_future_cancel (f, NULL);
  ok = gtkloop_await (waiter, error);
  gtkloop_future_remove_done_callback (f, release_waiter_when_done, waiter);
  gtkloop_future_unref (waiter);
  return ok;
}

/* wait_for with a timeout of 0: done now, or cancelled and timed out. */
static gboolean
wait_for_now (GtkloopFuture *f,
              GError       **error)
{
  GError *local_error = NULL;
  gboolean ok;

  if (gtkloop_future_is_done (f))
    return result_of (f, error);
  ok = cancel_and_wait (f, &local_error) && result_or_timed_out (f, &local_error);
  return gtkloop_sync_finish (ok, local_error, error);
}

/* The waiter was cancelled (the task was): stop f, then report. In 3.11 a
 * future that finished meanwhile wins over the cancellation. */
static gboolean
waiter_cancelled (GtkloopFuture *f,
                  GtkloopFuture *waiter,
                  GError        *cancellation,
                  GError       **error)
{
  if (gtkloop_future_is_done (f))
    {
      g_error_free (cancellation);
      return result_of (f, error);
    }
  gtkloop_future_remove_done_callback (f, release_waiter_when_done, waiter);
  if (!cancel_and_wait (f, error))
    {
      g_error_free (cancellation);
      return FALSE;
    }
  g_propagate_error (error, cancellation);
  return FALSE;
}

/**
 * gtkloop_wait_for:
 * @f: (transfer none): the future or task to wait for
 * @timeout: seconds; negative for none (then it is gtkloop_await())
 * @error: return location for a #GError
 *
 * asyncio.wait_for(): waits for @f at most @timeout seconds. On timeout it
 * cancels @f, waits until @f has finished cancelling (a task may run
 * cleanup first), then fails with %G_IO_ERROR_TIMED_OUT. Cancelling the
 * waiting task also cancels @f; wrap @f in gtkloop_shield() to prevent
 * both.
 *
 * |[<!-- language="C" -->
 * g_autoptr(GtkloopTask) fetch = gtkloop_spawn (fetch_page, url, g_free);
 *
 * if (!gtkloop_wait_for (GTKLOOP_FUTURE (fetch), 10.0, &error))
 *   {
 *     if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
 *       show_message ("The server is too slow");
 *     return;
 *   }
 * ]|
 *
 * Inside a task only. While the loop closes, it fails at once with
 * %G_IO_ERROR_CANCELLED, as every suspension point does.
 *
 * Returns: %TRUE if @f finished with a result in time (read it from @f);
 *   %FALSE with @f's error, %G_IO_ERROR_TIMED_OUT, or
 *   %G_IO_ERROR_CANCELLED if the task was cancelled (or @f was)
 *
 * Since: 0.1
 */
gboolean
gtkloop_wait_for (GtkloopFuture *f,
                  double         timeout,
                  GError       **error)
{
  GtkloopFuture *waiter;
  GError *local_error = NULL;
  guint64 handle;
  gboolean ok;

  g_return_val_if_fail (f != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (timeout < 0)
    return gtkloop_await (f, error);
  if (check_call (&f, 1, G_STRFUNC, error) == NULL)
    return FALSE;
  if (timeout == 0)
    return wait_for_now (f, error);

  waiter = gtkloop_future_new (f->loop);
  handle = release_later (f->loop, timeout, waiter);
  gtkloop_future_add_done_callback (f, release_waiter_when_done, gtkloop_future_ref (waiter),
                                    (GDestroyNotify) gtkloop_future_unref);

  if (!gtkloop_await (waiter, &local_error))
    {
      if (g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        ok = waiter_cancelled (f, waiter, g_steal_pointer (&local_error), &local_error);
      else
        {
          /* Misuse (a nested main loop): nothing was waited for. */
          gtkloop_future_remove_done_callback (f, release_waiter_when_done, waiter);
          ok = FALSE;
        }
    }
  else if (gtkloop_future_is_done (f))
    ok = result_of (f, &local_error);
  else
    {
      gtkloop_future_remove_done_callback (f, release_waiter_when_done, waiter);
      ok = cancel_and_wait (f, &local_error) && result_or_timed_out (f, &local_error);
    }

  gtkloop_loop_cancel (f->loop, handle);
  gtkloop_future_unref (waiter);
  return gtkloop_sync_finish (ok, local_error, error);
}
