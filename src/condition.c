/* GtkloopCondition: asyncio.Condition.
 *
 * A condition variable over a GtkloopLock. wait () releases the lock,
 * waits for a notify, and takes the lock again before it returns — also
 * when it fails, so the caller always releases it afterwards, as with
 * Python's `async with cond: await cond.wait ()`. notify (n) wakes the n
 * longest-waiting tasks; each must then get the lock in turn.
 *
 * One departure from 3.11, taken from 3.13 (gh-112202): a wait that fails
 * (cancelled) notifies another waiter, since it may have consumed a
 * notification meant for someone; 3.11 loses that notification. This is
 * a possible spurious wake-up, which condition variables allow. */
#include "config.h"

#include "debug-private.h"
#include "error-private.h"
#include "lock-private.h"
#include "sync-private.h"
#include "task-private.h"
#include "waiters-private.h"

struct _GtkloopCondition
{
  gint         ref_count;   /* (atomic) */
  GtkloopLoop *loop;        /* (owned) (nullable): bound by the first wait */
  GtkloopLock *lock;        /* (owned) */
  GQueue       waiters;     /* of GtkloopWaiter */
};

/**
 * GtkloopCondition:
 *
 * asyncio.Condition: a lock and a queue of tasks waiting to be notified.
 * Reference counted; loop-bound.
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopCondition, gtkloop_condition, gtkloop_condition_ref, gtkloop_condition_unref)

/**
 * gtkloop_condition_new:
 * @lock: (nullable) (transfer none): the lock to use; %NULL for a new one
 *
 * Creates a condition variable (asyncio.Condition). Several conditions may
 * share one lock. Any thread. It binds to a loop only when a task first
 * has to wait on it; closing that loop finishes its tasks, so nothing
 * waits on it afterwards.
 *
 * Returns: (transfer full): the condition
 *
 * Since: 0.1
 */
GtkloopCondition *
gtkloop_condition_new (GtkloopLock *lock)
{
  GtkloopCondition *c = g_new0 (GtkloopCondition, 1);

  c->ref_count = 1;
  c->lock = lock != NULL ? gtkloop_lock_ref (lock) : gtkloop_lock_new ();
  g_queue_init (&c->waiters);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_SYNC, 1);
  return c;
}

/**
 * gtkloop_condition_ref:
 * @c: a condition
 *
 * Takes a reference. Any thread; works after the loop is closed.
 *
 * Returns: (transfer full): @c
 *
 * Since: 0.1
 */
GtkloopCondition *
gtkloop_condition_ref (GtkloopCondition *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  g_atomic_int_inc (&c->ref_count);
  return c;
}

/**
 * gtkloop_condition_unref:
 * @c: (transfer full): the reference to drop
 *
 * Drops a reference. Any thread; it may drop the last one. Works after the
 * loop is closed.
 *
 * Since: 0.1
 */
void
gtkloop_condition_unref (GtkloopCondition *c)
{
  g_return_if_fail (c != NULL);

  if (!g_atomic_int_dec_and_test (&c->ref_count))
    return;
  g_assert (g_queue_is_empty (&c->waiters));
  gtkloop_lock_unref (c->lock);
  g_clear_object (&c->loop);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_SYNC, -1);
  g_free (c);
}

/**
 * gtkloop_condition_get_lock:
 * @c: a condition
 *
 * The lock the condition waits with: the one given to
 * gtkloop_condition_new(), or its own. Loop thread only; works after the
 * loop is closed.
 *
 * Returns: (transfer none): the underlying lock
 *
 * Since: 0.1
 */
GtkloopLock *
gtkloop_condition_get_lock (GtkloopCondition *c)
{
  g_return_val_if_fail (c != NULL, NULL);
  return c->lock;
}

/**
 * gtkloop_condition_acquire:
 * @c: a condition
 * @error: return location for a #GError
 *
 * Calls gtkloop_lock_acquire() on the underlying lock. Loop thread only,
 * and inside a task only when it has to wait. While the loop closes, a
 * wait fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE with the lock held; %FALSE with %G_IO_ERROR_CANCELLED if the task was cancelled while waiting
 *
 * Since: 0.1
 */
gboolean
gtkloop_condition_acquire (GtkloopCondition *c,
                           GError          **error)
{
  g_return_val_if_fail (c != NULL, FALSE);
  return gtkloop_lock_acquire (c->lock, error);
}

/**
 * gtkloop_condition_release:
 * @c: a condition
 *
 * Calls gtkloop_lock_release() on the underlying lock. Loop thread only
 * (the thread of the loop it is bound to, if any). Works after that loop
 * is closed, as plain state.
 *
 * Since: 0.1
 */
void
gtkloop_condition_release (GtkloopCondition *c)
{
  g_return_if_fail (c != NULL);
  gtkloop_lock_release (c->lock);
}

/**
 * gtkloop_condition_is_locked:
 * @c: a condition
 *
 * Whether the condition's lock is held. Loop thread only; works after the
 * loop is closed.
 *
 * Returns: %TRUE if the underlying lock is held
 *
 * Since: 0.1
 */
gboolean
gtkloop_condition_is_locked (GtkloopCondition *c)
{
  g_return_val_if_fail (c != NULL, FALSE);
  return gtkloop_lock_is_locked (c->lock);
}

/* Wakes the n longest-waiting tasks not already woken. */
static void
notify_waiters (GtkloopCondition *c,
                guint             n)
{
  guint woken = 0;

  for (GList *link = c->waiters.head; link != NULL && woken < n; link = link->next)
    if (gtkloop_waiter_wake (gtkloop_waiter_of (link)))
      woken++;
}

/* Takes the lock back after a wait, whatever happens meanwhile. Returns
 * TRUE if a cancellation arrived while doing so (asyncio then raises a
 * fresh CancelledError). While the loop closes, no suspension point can
 * wait: the lock is given up on, and the caller's release forgiven. */
static gboolean
reacquire (GtkloopCondition *c)
{
  gboolean cancelled = FALSE;

  for (;;)
    {
      g_autoptr(GError) error = NULL;

      if (gtkloop_lock_acquire (c->lock, &error))
        return cancelled;
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) ||
          gtkloop_task_is_closing (gtkloop_task_get_current ()))
        {
          gtkloop_lock_forgive_release (c->lock);
          return TRUE;
        }
      cancelled = TRUE;
    }
}

/**
 * gtkloop_condition_wait:
 * @c: a condition
 * @error: return location for a #GError
 *
 * Releases the lock, which the calling task must hold, suspends until
 * notified, then takes the lock again. The lock is held again when this
 * returns, whether it succeeded or not.
 *
 * |[<!-- language="C" -->
 * gtkloop_condition_acquire (cond, NULL);
 * while (queue_is_empty (jobs) && ok)
 *   ok = gtkloop_condition_wait (cond, &error);
 * if (ok)
 *   job = queue_pop (jobs);
 * gtkloop_condition_release (cond);
 * ]|
 *
 * Loop thread only, and inside a task only when it has to wait. While the
 * loop closes, a wait fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE when notified; %FALSE with %G_IO_ERROR_CANCELLED if the
 *   task was cancelled meanwhile, %GTKLOOP_ERROR_INVALID_STATE if the lock
 *   was not held, %GTKLOOP_ERROR_NOT_IN_TASK outside a task
 *
 * Since: 0.1
 */
gboolean
gtkloop_condition_wait (GtkloopCondition *c,
                        GError          **error)
{
  GtkloopWaiter *w;
  GError *local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (c != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!gtkloop_sync_check_thread (c->loop, G_STRFUNC, error))
    return FALSE;
  if (!gtkloop_lock_is_locked (c->lock))
    {
      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE,
                   "%s: cannot wait on un-acquired lock", G_STRFUNC);
      return FALSE;
    }
  /* Checked before letting the lock go: outside a task it could not be
   * waited for again. */
  if (gtkloop_task_get_current () == NULL)
    {
      gtkloop_set_not_in_task_error (error, G_STRFUNC);
      return FALSE;
    }
  if (!gtkloop_sync_bind_loop (&c->loop, G_STRFUNC, error))
    return FALSE;

  gtkloop_condition_ref (c);
  gtkloop_lock_release (c->lock);
  w = gtkloop_waiter_enqueue (&c->waiters, c->loop);
  ok = gtkloop_await (w->future, &local_error);
  gtkloop_waiter_free (&c->waiters, w);

  if (reacquire (c) && ok)
    {
      ok = FALSE;
      local_error = gtkloop_cancelled_error_new (NULL);
    }
  if (!ok)
    notify_waiters (c, 1);
  gtkloop_condition_unref (c);
  return gtkloop_sync_finish (ok, local_error, error);
}

/**
 * gtkloop_condition_wait_for:
 * @c: a condition
 * @predicate: (scope call) (closure user_data): tested with the lock held
 * @user_data: data for @predicate
 * @error: return location for a #GError
 *
 * Waits until @predicate returns %TRUE: tests it, and while it is %FALSE
 * calls gtkloop_condition_wait(). The lock must be held, and is held again
 * on return. Loop thread only, and inside a task only when it has to wait.
 * While the loop closes, a wait fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE once @predicate held; %FALSE with the error of a failed
 *   wait
 *
 * Since: 0.1
 */
gboolean
gtkloop_condition_wait_for (GtkloopCondition *c,
                            GtkloopPredicate  predicate,
                            gpointer          user_data,
                            GError          **error)
{
  g_return_val_if_fail (c != NULL, FALSE);
  g_return_val_if_fail (predicate != NULL, FALSE);

  while (!predicate (user_data))
    if (!gtkloop_condition_wait (c, error))
      return FALSE;
  return TRUE;
}

/**
 * gtkloop_condition_notify:
 * @c: a condition
 * @n: how many waiters to wake at most
 *
 * Wakes the @n longest-waiting tasks. The lock must be held (a critical
 * otherwise, as asyncio's RuntimeError); the woken tasks run once they get
 * it, so release it soon. Loop thread only (the thread of the loop it is
 * bound to, if any). Works after that loop is closed, as plain state.
 *
 * Since: 0.1
 */
void
gtkloop_condition_notify (GtkloopCondition *c,
                          guint             n)
{
  g_return_if_fail (c != NULL);

  if (!gtkloop_sync_check_thread (c->loop, G_STRFUNC, NULL))
    return;
  if (!gtkloop_lock_is_locked (c->lock))
    {
      g_critical ("%s: cannot notify on un-acquired lock", G_STRFUNC);
      return;
    }
  notify_waiters (c, n);
}

/**
 * gtkloop_condition_notify_all:
 * @c: a condition
 *
 * Wakes every waiting task. The lock must be held. Loop thread only (the
 * thread of the loop it is bound to, if any). Works after that loop is
 * closed, as plain state.
 *
 * Since: 0.1
 */
void
gtkloop_condition_notify_all (GtkloopCondition *c)
{
  g_return_if_fail (c != NULL);
  gtkloop_condition_notify (c, G_MAXUINT);
}
