#pragma once

/* What the synchronisation primitives share: FIFO lists of blocked tasks,
 * and binding to a loop on first use.
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

/* Binds *slot (NULL until bound, then owned) on first use to the loop of
 * the current task, as asyncio's _LoopBoundMixin binds to the running
 * loop. FALSE with an error outside a task, if the object is bound to
 * another loop, or when called from a thread that does not own its loop
 * (with the usual g_critical). */
gboolean       gtkloop_sync_bind_loop   (GtkloopLoop  **slot,
                                         const char    *function,
                                         GError       **error);

/* TRUE if the object is unbound or the calling thread owns its loop;
 * otherwise a g_critical naming function, and %GTKLOOP_ERROR_WRONG_THREAD
 * in error (nullable). */
gboolean       gtkloop_sync_check_thread (GtkloopLoop  *bound,
                                          const char   *function,
                                          GError      **error);

/* Ends a suspension point made of several awaits (a condition's wait
 * that reacquires its lock, wait_for that cancels and waits): whether the
 * task's last suspension point counts as cancelled (API.md: a task whose
 * function then returns ends cancelled) follows this outcome, not the
 * last inner await. Propagates local_error into error; returns ok. */
gboolean       gtkloop_sync_finish      (gboolean       ok,
                                         GError        *local_error,
                                         GError       **error);

/* The loop a suspension point on a primitive belongs to, without binding:
 * the current task's, else the running one, else the default one. */
GtkloopLoop   *gtkloop_sync_current_loop (void);

G_END_DECLS
