/* GtkloopEvent: asyncio.Event. set () wakes every task waiting at that
 * moment; a task that starts waiting while the event is set returns at
 * once. clear () after set () does not take back the wake-ups already
 * given: those waiters return TRUE even though the event is clear by the
 * time they run, as in asyncio. */
#include "config.h"

#include "debug-private.h"
#include "sync-private.h"
#include "waiters-private.h"

struct _GtkloopEvent
{
  gint         ref_count;   /* (atomic) */
  GtkloopLoop *loop;        /* (owned) (nullable): bound by the first wait */
  GQueue       waiters;     /* of GtkloopWaiter */
  gboolean     value;
};

/**
 * GtkloopEvent:
 *
 * asyncio.Event: a flag tasks wait to see set. Reference counted;
 * loop-bound.
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopEvent, gtkloop_event, gtkloop_event_ref, gtkloop_event_unref)

/**
 * gtkloop_event_new:
 *
 * Creates an event whose flag is clear (asyncio.Event). Any thread. It
 * binds to a loop only when a task first has to wait on it; closing that
 * loop finishes its tasks, so nothing waits on it afterwards.
 *
 * Returns: (transfer full): the event
 *
 * Since: 0.1
 */
GtkloopEvent *
gtkloop_event_new (void)
{
  GtkloopEvent *e = g_new0 (GtkloopEvent, 1);

  e->ref_count = 1;
  g_queue_init (&e->waiters);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_SYNC, 1);
  return e;
}

/**
 * gtkloop_event_ref:
 * @e: an event
 *
 * Takes a reference. Any thread; works after the loop is closed.
 *
 * Returns: (transfer full): @e
 *
 * Since: 0.1
 */
GtkloopEvent *
gtkloop_event_ref (GtkloopEvent *e)
{
  g_return_val_if_fail (e != NULL, NULL);
  g_atomic_int_inc (&e->ref_count);
  return e;
}

/**
 * gtkloop_event_unref:
 * @e: (transfer full): the reference to drop
 *
 * Drops a reference. Any thread; it may drop the last one. Works after the
 * loop is closed.
 *
 * Since: 0.1
 */
void
gtkloop_event_unref (GtkloopEvent *e)
{
  g_return_if_fail (e != NULL);

  if (!g_atomic_int_dec_and_test (&e->ref_count))
    return;
  g_assert (g_queue_is_empty (&e->waiters));
  g_clear_object (&e->loop);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_SYNC, -1);
  g_free (e);
}

/**
 * gtkloop_event_set:
 * @e: an event
 *
 * Sets the flag and wakes every task waiting for it. Loop thread only (the
 * thread of the loop it is bound to, if any). Works after that loop is
 * closed, as plain state.
 *
 * Since: 0.1
 */
void
gtkloop_event_set (GtkloopEvent *e)
{
  g_return_if_fail (e != NULL);

  if (!gtkloop_sync_check_thread (e->loop, G_STRFUNC, NULL) || e->value)
    return;
  e->value = TRUE;
  for (GList *link = e->waiters.head; link != NULL; link = link->next)
    gtkloop_waiter_wake (gtkloop_waiter_of (link));
}

/**
 * gtkloop_event_clear:
 * @e: an event
 *
 * Clears the flag: later waits block until the next gtkloop_event_set().
 * Loop thread only (the thread of the loop it is bound to, if any). Works
 * after that loop is closed, as plain state.
 *
 * Since: 0.1
 */
void
gtkloop_event_clear (GtkloopEvent *e)
{
  g_return_if_fail (e != NULL);

  if (gtkloop_sync_check_thread (e->loop, G_STRFUNC, NULL))
    e->value = FALSE;
}

/**
 * gtkloop_event_is_set:
 * @e: an event
 *
 * Whether the event is set. Loop thread only; works after the loop is
 * closed.
 *
 * Returns: the flag
 *
 * Since: 0.1
 */
gboolean
gtkloop_event_is_set (GtkloopEvent *e)
{
  g_return_val_if_fail (e != NULL, FALSE);
  return e->value;
}

/**
 * gtkloop_event_wait:
 * @e: an event
 * @error: return location for a #GError
 *
 * Returns at once if the flag is set; otherwise suspends the task until
 * gtkloop_event_set() is called.
 *
 * |[<!-- language="C" -->
 * if (!gtkloop_event_wait (ready, &error))
 *   return;   // cancelled
 * ]|
 *
 * Loop thread only, and inside a task only when it has to wait. While the
 * loop closes, a wait fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE once the event was set; %FALSE with
 *   %G_IO_ERROR_CANCELLED if the task was cancelled while waiting
 *
 * Since: 0.1
 */
gboolean
gtkloop_event_wait (GtkloopEvent *e,
                    GError      **error)
{
  GtkloopWaiter *w;
  gboolean ok;

  g_return_val_if_fail (e != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!gtkloop_sync_check_thread (e->loop, G_STRFUNC, error))
    return FALSE;
  if (e->value)
    return TRUE;
  if (!gtkloop_sync_bind_loop (&e->loop, G_STRFUNC, error))
    return FALSE;

  gtkloop_event_ref (e);
  w = gtkloop_waiter_enqueue (&e->waiters, e->loop);
  ok = gtkloop_await (w->future, error);
  gtkloop_waiter_free (&e->waiters, w);
  gtkloop_event_unref (e);
  return ok;
}
