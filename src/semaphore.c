/* GtkloopSemaphore: asyncio.Semaphore and BoundedSemaphore.
 *
 * A counter that acquire () decrements and release () increments; acquire
 * waits while it is zero. As in asyncio 3.11 (gh-90155), release () hands a
 * unit straight to the first waiter (decrementing for it), and a newcomer
 * waits behind existing waiters even when the value is positive, so tasks
 * are served in arrival order. A waiter that was handed a unit and is then
 * cancelled gives it back and wakes the next one. */
#include "config.h"

#include "debug-private.h"
#include "sync-private.h"
#include "waiters-private.h"

struct _GtkloopSemaphore
{
  gint         ref_count;   /* (atomic) */
  GtkloopLoop *loop;        /* (owned) (nullable): bound by the first wait */
  GQueue       waiters;     /* of GtkloopWaiter */
  guint        value;
  guint        bound;       /* the initial value, for a bounded semaphore */
  gboolean     bounded;
};

/**
 * GtkloopSemaphore:
 *
 * asyncio.Semaphore and BoundedSemaphore: a counter tasks wait on while it
 * is zero. Reference counted; loop-bound.
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopSemaphore, gtkloop_semaphore, gtkloop_semaphore_ref, gtkloop_semaphore_unref)

/**
 * gtkloop_semaphore_new:
 * @value: the initial value
 * @bounded: %TRUE for asyncio.BoundedSemaphore: releasing it past @value
 *   fails with %GTKLOOP_ERROR_INVALID_STATE
 *
 * Creates a semaphore (asyncio.Semaphore, or BoundedSemaphore when
 * @bounded) whose counter starts at @value. Any thread. It binds to a loop
 * only when a task first has to wait on it; closing that loop finishes its
 * tasks, so nothing waits on it afterwards.
 *
 * Returns: (transfer full): the semaphore
 *
 * Since: 0.1
 */
GtkloopSemaphore *
gtkloop_semaphore_new (guint    value,
                       gboolean bounded)
{
  GtkloopSemaphore *s = g_new0 (GtkloopSemaphore, 1);

  s->ref_count = 1;
  s->value = value;
  s->bound = value;
  s->bounded = bounded;
  g_queue_init (&s->waiters);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_SYNC, 1);
  return s;
}

/**
 * gtkloop_semaphore_ref:
 * @s: a semaphore
 *
 * Takes a reference. Any thread; works after the loop is closed.
 *
 * Returns: (transfer full): @s
 *
 * Since: 0.1
 */
GtkloopSemaphore *
gtkloop_semaphore_ref (GtkloopSemaphore *s)
{
  g_return_val_if_fail (s != NULL, NULL);
  g_atomic_int_inc (&s->ref_count);
  return s;
}

/**
 * gtkloop_semaphore_unref:
 * @s: (transfer full): the reference to drop
 *
 * Drops a reference. Any thread; it may drop the last one. Works after the
 * loop is closed.
 *
 * Since: 0.1
 */
void
gtkloop_semaphore_unref (GtkloopSemaphore *s)
{
  g_return_if_fail (s != NULL);

  if (!g_atomic_int_dec_and_test (&s->ref_count))
    return;
  g_assert (g_queue_is_empty (&s->waiters));
  g_clear_object (&s->loop);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_SYNC, -1);
  g_free (s);
}

/**
 * gtkloop_semaphore_is_locked:
 * @s: a semaphore
 *
 * Whether an acquire would have to wait. Loop thread only; works after the
 * loop is closed.
 *
 * Returns: %TRUE if an acquire would have to wait: the value is zero, or
 *   tasks (not cancelled) are already waiting
 *
 * Since: 0.1
 */
gboolean
gtkloop_semaphore_is_locked (GtkloopSemaphore *s)
{
  g_return_val_if_fail (s != NULL, FALSE);

  if (s->value == 0)
    return TRUE;
  for (GList *link = s->waiters.head; link != NULL; link = link->next)
    if (!gtkloop_future_is_cancelled (gtkloop_waiter_of (link)->future))
      return TRUE;
  return FALSE;
}

/**
 * gtkloop_semaphore_get_value:
 * @s: a semaphore
 *
 * The semaphore's counter: how many acquires would succeed without
 * waiting. Loop thread only; works after the loop is closed.
 *
 * Returns: the current value (units not handed out)
 *
 * Since: 0.1
 */
guint
gtkloop_semaphore_get_value (GtkloopSemaphore *s)
{
  g_return_val_if_fail (s != NULL, 0);
  return s->value;
}

/* Hands one unit to the first waiter that is not done. */
static void
wake_up_next (GtkloopSemaphore *s)
{
  for (GList *link = s->waiters.head; link != NULL; link = link->next)
    {
      GtkloopWaiter *w = gtkloop_waiter_of (link);

      if (!gtkloop_waiter_is_done (w))
        {
          s->value--;
          gtkloop_waiter_wake (w);
          return;
        }
    }
}

/**
 * gtkloop_semaphore_acquire:
 * @s: a semaphore
 * @error: return location for a #GError
 *
 * Takes one unit, waiting in line when none is free or others wait. A
 * suspension point when it has to wait.
 *
 * |[<!-- language="C" -->
 * // at most 4 downloads at a time
 * if (!gtkloop_semaphore_acquire (slots, &error))
 *   return;
 * download (url);
 * gtkloop_semaphore_release (slots, NULL);
 * ]|
 *
 * Loop thread only, and inside a task only when it has to wait. While the
 * loop closes, a wait fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE with a unit taken; %FALSE with %G_IO_ERROR_CANCELLED if
 *   the task was cancelled while waiting (no unit is then held)
 *
 * Since: 0.1
 */
gboolean
gtkloop_semaphore_acquire (GtkloopSemaphore *s,
                           GError          **error)
{
  GtkloopWaiter *w;
  GError *local_error = NULL;
  gboolean ok, woken;

  g_return_val_if_fail (s != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!gtkloop_sync_check_thread (s->loop, G_STRFUNC, error))
    return FALSE;
  if (!gtkloop_semaphore_is_locked (s))
    {
      s->value--;
      return TRUE;
    }
  if (!gtkloop_sync_bind_loop (&s->loop, G_STRFUNC, error))
    return FALSE;

  gtkloop_semaphore_ref (s);
  w = gtkloop_waiter_enqueue (&s->waiters, s->loop);
  ok = gtkloop_await (w->future, &local_error);
  woken = gtkloop_waiter_woken (w);
  gtkloop_waiter_free (&s->waiters, w);
  if (!ok)
    {
      /* Handed a unit, then cancelled before it ran: give it back. */
      if (woken)
        {
          s->value++;
          wake_up_next (s);
        }
      g_propagate_error (error, local_error);
    }
  else if (s->value > 0)
    wake_up_next (s);
  gtkloop_semaphore_unref (s);
  return ok;
}

/**
 * gtkloop_semaphore_release:
 * @s: a semaphore
 * @error: return location for a #GError
 *
 * Gives one unit back and wakes the first waiter. Loop thread only (the
 * thread of the loop it is bound to, if any). Works after that loop is
 * closed, as plain state.
 *
 * Returns: %TRUE; %FALSE with %GTKLOOP_ERROR_INVALID_STATE for a bounded
 *   semaphore already at its initial value (nothing changes then)
 *
 * Since: 0.1
 */
gboolean
gtkloop_semaphore_release (GtkloopSemaphore *s,
                           GError          **error)
{
  g_return_val_if_fail (s != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!gtkloop_sync_check_thread (s->loop, G_STRFUNC, error))
    return FALSE;
  if (s->bounded && s->value >= s->bound)
    {
      g_set_error_literal (error, GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE,
                           "BoundedSemaphore released too many times");
      return FALSE;
    }
  s->value++;
  wake_up_next (s);
  return TRUE;
}
