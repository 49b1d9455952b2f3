/* GtkloopLock: asyncio.Lock.
 *
 * Not owned by a task: any task may release it. Waiters are served in
 * FIFO order. release () wakes the first waiter but does not hand it the
 * lock: the woken task takes it when it runs. Until then the lock looks
 * free, and a task that tries to take it meanwhile must not jump the
 * queue — acquire ()'s fast path is only for a lock nobody is waiting for
 * (waiters that were cancelled do not count). A woken waiter that is
 * cancelled before it runs passes the wake-up on (asyncio 3.11's fix of
 * the lost wake-up, bpo-45997). */
#include "config.h"

#include "debug-private.h"
#include "lock-private.h"
#include "sync-private.h"
#include "waiters-private.h"

struct _GtkloopLock
{
  gint         ref_count;    /* (atomic) */
  GtkloopLoop *loop;         /* (owned) (nullable): bound by the first wait */
  GQueue       waiters;      /* of GtkloopWaiter, first come first */
  gboolean     locked;
  guint        close_debt;   /* releases to forgive, see gtkloop_lock_forgive_release () */
};

/**
 * GtkloopLock:
 *
 * asyncio.Lock: a lock for tasks, waited for in FIFO order. Reference
 * counted; loop-bound (see gtkloop_lock_new()).
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopLock, gtkloop_lock, gtkloop_lock_ref, gtkloop_lock_unref)

/**
 * gtkloop_lock_new:
 *
 * Creates an unlocked lock (asyncio.Lock). It binds to a loop the first
 * time a task has to wait for it. Any thread; closing that loop finishes
 * its tasks, so nothing waits on it afterwards.
 *
 * Returns: (transfer full): the lock
 *
 * Since: 0.1
 */
GtkloopLock *
gtkloop_lock_new (void)
{
  GtkloopLock *l = g_new0 (GtkloopLock, 1);

  l->ref_count = 1;
  g_queue_init (&l->waiters);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_SYNC, 1);
  return l;
}

/**
 * gtkloop_lock_ref:
 * @l: a lock
 *
 * Takes a reference. Any thread; works after the loop is closed.
 *
 * Returns: (transfer full): @l
 *
 * Since: 0.1
 */
GtkloopLock *
gtkloop_lock_ref (GtkloopLock *l)
{
  g_return_val_if_fail (l != NULL, NULL);
  g_atomic_int_inc (&l->ref_count);
  return l;
}

/**
 * gtkloop_lock_unref:
 * @l: (transfer full): the reference to drop
 *
 * Drops a reference. Any thread; it may drop the last one. Works after the
 * loop is closed.
 *
 * Since: 0.1
 */
void
gtkloop_lock_unref (GtkloopLock *l)
{
  g_return_if_fail (l != NULL);

  if (!g_atomic_int_dec_and_test (&l->ref_count))
    return;
  /* A waiting task holds a reference for as long as it waits. */
  g_assert (g_queue_is_empty (&l->waiters));
  g_clear_object (&l->loop);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_SYNC, -1);
  g_free (l);
}

/* Wakes the first waiter unless it is already done: a done one will wake
 * and either take the lock or, cancelled, call this again. */
static void
wake_up_first (GtkloopLock *l)
{
  GList *first = l->waiters.head;

  if (first != NULL)
    gtkloop_waiter_wake (gtkloop_waiter_of (first));
}

static gboolean
nobody_waits (GtkloopLock *l)
{
  for (GList *link = l->waiters.head; link != NULL; link = link->next)
    if (!gtkloop_future_is_cancelled (gtkloop_waiter_of (link)->future))
      return FALSE;
  return TRUE;
}

/**
 * gtkloop_lock_acquire:
 * @l: a lock
 * @error: return location for a #GError
 *
 * Takes the lock, waiting in line if it is locked or others already wait
 * for it. A suspension point when it has to wait (a free lock nobody waits
 * for is taken at once, also outside a task).
 *
 * |[<!-- language="C" -->
 * if (!gtkloop_lock_acquire (lock, &error))
 *   return;                      // cancelled: the lock is not held
 * update_shared_state ();
 * gtkloop_lock_release (lock);
 * ]|
 *
 * Loop thread only, and inside a task only when it has to wait. While the
 * loop closes, a wait fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE with the lock held; %FALSE with %G_IO_ERROR_CANCELLED if
 *   the task was cancelled while waiting (the lock is then not held)
 *
 * Since: 0.1
 */
gboolean
gtkloop_lock_acquire (GtkloopLock *l,
                      GError     **error)
{
  GtkloopWaiter *w;
  GError *local_error = NULL;
  gboolean ok;

  g_return_val_if_fail (l != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!gtkloop_sync_check_thread (l->loop, G_STRFUNC, error))
    return FALSE;
  if (!l->locked && nobody_waits (l))
    {
      l->locked = TRUE;
      return TRUE;
    }
  if (!gtkloop_sync_bind_loop (&l->loop, G_STRFUNC, error))
    return FALSE;

  gtkloop_lock_ref (l);
  w = gtkloop_waiter_enqueue (&l->waiters, l->loop);
  ok = gtkloop_await (w->future, &local_error);
  /* Out of the line first, so that passing a wake-up on below cannot
   * pick this waiter again. */
  gtkloop_waiter_free (&l->waiters, w);
  if (ok)
    l->locked = TRUE;
  else
    {
      /* Woken but cancelled before running: the next in line gets it. */
      if (!l->locked)
        wake_up_first (l);
      g_propagate_error (error, local_error);
    }
  gtkloop_lock_unref (l);
  return ok;
}

/**
 * gtkloop_lock_release:
 * @l: a lock
 *
 * Unlocks the lock and wakes the first task waiting for it. Releasing an
 * unlocked lock is a programmer error (a critical), as asyncio's
 * RuntimeError. Loop thread only (the thread of the loop it is bound to,
 * if any). Works after that loop is closed, as plain state.
 *
 * Since: 0.1
 */
void
gtkloop_lock_release (GtkloopLock *l)
{
  g_return_if_fail (l != NULL);

  if (!gtkloop_sync_check_thread (l->loop, G_STRFUNC, NULL))
    return;
  if (l->locked)
    {
      l->locked = FALSE;
      wake_up_first (l);
      return;
    }
  if (l->close_debt > 0)
    {
      l->close_debt--;
      return;
    }
  g_critical ("%s: Lock is not acquired.", G_STRFUNC);
}

/**
 * gtkloop_lock_is_locked:
 * @l: a lock
 *
 * Whether the lock is held. Loop thread only; works after the loop is
 * closed.
 *
 * Returns: %TRUE if the lock is held
 *
 * Since: 0.1
 */
gboolean
gtkloop_lock_is_locked (GtkloopLock *l)
{
  g_return_val_if_fail (l != NULL, FALSE);
  return l->locked;
}

void
gtkloop_lock_forgive_release (GtkloopLock *l)
{
  l->close_debt++;
}
