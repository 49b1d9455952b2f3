#pragma once

/* Waiter lists: the FIFO queues of blocked tasks that the synchronisation
 * primitives share (their loop binding is in sync-private.h).
 *
 * A blocked task waits on a future of its own, as in asyncio (each waiter
 * is `loop.create_future()` in a deque). The waiter record is on the heap,
 * not on the task's stack: with SHARED stacks a suspended task's stack is
 * copied out, so the primitive could not touch it while the task sleeps. */

#include "future-private.h"

G_BEGIN_DECLS

typedef struct
{
  GList          link;     /* in the primitive's GQueue; link.data is this waiter */
  GtkloopFuture *future;   /* (owned): resolved to wake the task, cancelled with it */
  gboolean       queued;   /* still linked (a queue's wakeup pops waiters) */
} GtkloopWaiter;

/* Appends a waiter with a fresh pending future on loop. Owned by the
 * caller (the waiting task), which frees it with gtkloop_waiter_free(). */
GtkloopWaiter *gtkloop_waiter_enqueue   (GQueue        *queue,
                                         GtkloopLoop   *loop);

/* Unlinks w if it is still queued; then unrefs its future and frees it. */
void           gtkloop_waiter_free      (GQueue        *queue,
                                         GtkloopWaiter *w);

/* Unlinks and returns the first waiter, or NULL; it stays its task's. */
GtkloopWaiter *gtkloop_waiter_pop_head  (GQueue        *queue);

/* Resolves w's future if it is pending: the task will wake. */
gboolean       gtkloop_waiter_wake      (GtkloopWaiter *w);

/* TRUE if w was woken (its future has a result), as opposed to pending or
 * cancelled: asyncio's `fut.done() and not fut.cancelled()`. A C
 * suspension point can also fail before the future is done (a closing
 * loop), which Python's `not fut.cancelled()` alone would miscount. */
static inline gboolean
gtkloop_waiter_woken (GtkloopWaiter *w)
{
  return w->future->state == FUTURE_FINISHED;
}

static inline gboolean
gtkloop_waiter_is_done (GtkloopWaiter *w)
{
  return w->future->state != FUTURE_PENDING;
}

#define gtkloop_waiter_of(l) ((GtkloopWaiter *) (l)->data)

G_END_DECLS
