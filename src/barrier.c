/* GtkloopBarrier: asyncio.Barrier (Python 3.11).
 *
 * @parties tasks meet: each wait () blocks until the last one arrives,
 * then all go on together. Built, as asyncio's, on a condition: the
 * barrier fills, then drains (the released tasks leave; newcomers wait
 * for the draining to end), then fills again. reset () and abort () make
 * the tasks inside fail with GTKLOOP_ERROR_BROKEN_BARRIER; after abort ()
 * every later wait fails too. */
#include "config.h"

#include "debug-private.h"

typedef enum {
  BARRIER_FILLING,
  BARRIER_DRAINING,
  BARRIER_RESETTING,
  BARRIER_BROKEN,
} BarrierState;

struct _GtkloopBarrier
{
  gint              ref_count;   /* (atomic) */
  GtkloopCondition *cond;        /* (owned): notified whenever the state changes */
  guint             parties;
  BarrierState      state;
  guint             count;       /* tasks inside wait () */
};

/**
 * GtkloopBarrier:
 *
 * asyncio.Barrier: opens when a number of tasks wait at it. Reference
 * counted; loop-bound.
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopBarrier, gtkloop_barrier, gtkloop_barrier_ref, gtkloop_barrier_unref)

/**
 * gtkloop_barrier_new:
 * @parties: how many tasks must wait before all are released; at least 1
 *
 * Creates a barrier (asyncio.Barrier) that opens once @parties tasks wait
 * at it. Any thread. It binds to a loop only when a task first has to wait
 * on it; closing that loop finishes its tasks, so nothing waits on it
 * afterwards.
 *
 * Returns: (transfer full): the barrier
 *
 * Since: 0.1
 */
GtkloopBarrier *
gtkloop_barrier_new (guint parties)
{
  GtkloopBarrier *b;

  g_return_val_if_fail (parties >= 1, NULL);

  b = g_new0 (GtkloopBarrier, 1);
  b->ref_count = 1;
  b->cond = gtkloop_condition_new (NULL);
  b->parties = parties;
  b->state = BARRIER_FILLING;
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_SYNC, 1);
  return b;
}

/**
 * gtkloop_barrier_ref:
 * @b: a barrier
 *
 * Takes a reference. Any thread; works after the loop is closed.
 *
 * Returns: (transfer full): @b
 *
 * Since: 0.1
 */
GtkloopBarrier *
gtkloop_barrier_ref (GtkloopBarrier *b)
{
  g_return_val_if_fail (b != NULL, NULL);
  g_atomic_int_inc (&b->ref_count);
  return b;
}

/**
 * gtkloop_barrier_unref:
 * @b: (transfer full): the reference to drop
 *
 * Drops a reference. Any thread; it may drop the last one. Works after the
 * loop is closed.
 *
 * Since: 0.1
 */
void
gtkloop_barrier_unref (GtkloopBarrier *b)
{
  g_return_if_fail (b != NULL);

  if (!g_atomic_int_dec_and_test (&b->ref_count))
    return;
  gtkloop_condition_unref (b->cond);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_SYNC, -1);
  g_free (b);
}

static gboolean
not_draining_nor_resetting (gpointer data)
{
  GtkloopBarrier *b = data;

  return b->state != BARRIER_DRAINING && b->state != BARRIER_RESETTING;
}

static gboolean
not_filling (gpointer data)
{
  return ((GtkloopBarrier *) data)->state != BARRIER_FILLING;
}

static GError *
broken_error (const char *message)
{
  return g_error_new_literal (GTKLOOP_ERROR, GTKLOOP_ERROR_BROKEN_BARRIER, message);
}

/* Waits, lock held, until the barrier is ready for a new task. */
static gboolean
block (GtkloopBarrier *b,
       GError        **error)
{
  if (!gtkloop_condition_wait_for (b->cond, not_draining_nor_resetting, b, error))
    return FALSE;
  if (b->state == BARRIER_BROKEN)
    {
      g_propagate_error (error, broken_error ("Barrier aborted"));
      return FALSE;
    }
  return TRUE;
}

/* Waits, lock held, until the last party arrived. */
static gboolean
wait_for_release (GtkloopBarrier *b,
                  GError        **error)
{
  if (!gtkloop_condition_wait_for (b->cond, not_filling, b, error))
    return FALSE;
  if (b->state == BARRIER_BROKEN || b->state == BARRIER_RESETTING)
    {
      g_propagate_error (error, broken_error ("Abort or reset of barrier"));
      return FALSE;
    }
  return TRUE;
}

/* The last task out ends a draining or a reset. */
static void
leave (GtkloopBarrier *b)
{
  b->count--;
  if (b->count == 0)
    {
      if (b->state == BARRIER_RESETTING || b->state == BARRIER_DRAINING)
        b->state = BARRIER_FILLING;
      gtkloop_condition_notify_all (b->cond);
    }
}

/**
 * gtkloop_barrier_wait:
 * @b: a barrier
 * @index: (out) (optional): where to store this task's arrival index,
 *   0 for the first to arrive up to `parties - 1` for the one that
 *   released the others
 * @error: return location for a #GError
 *
 * Waits until @parties tasks wait; then all of them return. A suspension
 * point.
 *
 * |[<!-- language="C" -->
 * guint index;
 * if (!gtkloop_barrier_wait (barrier, &index, &error))
 *   return;   // cancelled, or the barrier was reset or aborted
 * if (index == 0)
 *   g_print ("all %u workers finished phase 1\n", gtkloop_barrier_get_parties (barrier));
 * ]|
 *
 * Loop thread only, and inside a task only when it has to wait. While the
 * loop closes, a wait fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE once released; %FALSE with
 *   %GTKLOOP_ERROR_BROKEN_BARRIER if the barrier was or got reset or
 *   aborted, or %G_IO_ERROR_CANCELLED
 *
 * Since: 0.1
 */
gboolean
gtkloop_barrier_wait (GtkloopBarrier *b,
                      guint          *index,
                      GError        **error)
{
  gboolean ok;
  guint arrival;

  g_return_val_if_fail (b != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!gtkloop_condition_acquire (b->cond, error))
    return FALSE;
  gtkloop_barrier_ref (b);
  ok = block (b, error);
  if (ok)
    {
      arrival = b->count++;
      if (arrival + 1 == b->parties)
        {
          b->state = BARRIER_DRAINING;
          gtkloop_condition_notify_all (b->cond);
        }
      else
        ok = wait_for_release (b, error);
      if (ok && index != NULL)
        *index = arrival;
      leave (b);
    }
  gtkloop_condition_release (b->cond);
  gtkloop_barrier_unref (b);
  return ok;
}

/**
 * gtkloop_barrier_reset:
 * @b: a barrier
 * @error: return location for a #GError
 *
 * Puts the barrier back to empty: the tasks waiting in it fail with
 * %GTKLOOP_ERROR_BROKEN_BARRIER. A suspension point (it takes the
 * barrier's lock). Loop thread only (the thread of the loop it is bound
 * to, if any). Works after that loop is closed, as plain state.
 *
 * Returns: %FALSE with %G_IO_ERROR_CANCELLED if cancelled while taking
 *   the lock
 *
 * Since: 0.1
 */
gboolean
gtkloop_barrier_reset (GtkloopBarrier *b,
                       GError        **error)
{
  g_return_val_if_fail (b != NULL, FALSE);

  if (!gtkloop_condition_acquire (b->cond, error))
    return FALSE;
  if (b->count > 0)
    b->state = BARRIER_RESETTING;
  else
    b->state = BARRIER_FILLING;
  gtkloop_condition_notify_all (b->cond);
  gtkloop_condition_release (b->cond);
  return TRUE;
}

/**
 * gtkloop_barrier_abort:
 * @b: a barrier
 * @error: return location for a #GError
 *
 * Breaks the barrier: the tasks waiting in it, and every later
 * gtkloop_barrier_wait(), fail with %GTKLOOP_ERROR_BROKEN_BARRIER. A
 * suspension point (it takes the barrier's lock). Loop thread only (the
 * thread of the loop it is bound to, if any). Works after that loop is
 * closed, as plain state.
 *
 * Returns: %FALSE with %G_IO_ERROR_CANCELLED if cancelled while taking
 *   the lock
 *
 * Since: 0.1
 */
gboolean
gtkloop_barrier_abort (GtkloopBarrier *b,
                       GError        **error)
{
  g_return_val_if_fail (b != NULL, FALSE);

  if (!gtkloop_condition_acquire (b->cond, error))
    return FALSE;
  b->state = BARRIER_BROKEN;
  gtkloop_condition_notify_all (b->cond);
  gtkloop_condition_release (b->cond);
  return TRUE;
}

/**
 * gtkloop_barrier_get_parties:
 * @b: a barrier
 *
 * How many tasks must wait for the barrier to open. Loop thread only;
 * works after the loop is closed.
 *
 * Returns: the number of tasks that release the barrier
 *
 * Since: 0.1
 */
guint
gtkloop_barrier_get_parties (GtkloopBarrier *b)
{
  g_return_val_if_fail (b != NULL, 0);
  return b->parties;
}

/**
 * gtkloop_barrier_get_n_waiting:
 * @b: a barrier
 *
 * How many tasks wait at the barrier now. Loop thread only; works after
 * the loop is closed.
 *
 * Returns: how many tasks wait in the barrier while it fills (0 while it
 *   drains)
 *
 * Since: 0.1
 */
guint
gtkloop_barrier_get_n_waiting (GtkloopBarrier *b)
{
  g_return_val_if_fail (b != NULL, 0);
  return b->state == BARRIER_FILLING ? b->count : 0;
}

/**
 * gtkloop_barrier_is_broken:
 * @b: a barrier
 *
 * Whether the barrier is broken: reset while tasks waited, or aborted.
 * Loop thread only; works after the loop is closed.
 *
 * Returns: %TRUE after gtkloop_barrier_abort()
 *
 * Since: 0.1
 */
gboolean
gtkloop_barrier_is_broken (GtkloopBarrier *b)
{
  g_return_val_if_fail (b != NULL, FALSE);
  return b->state == BARRIER_BROKEN;
}
