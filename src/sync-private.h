#pragma once

/* What every synchronisation primitive (lock, event, condition, semaphore,
 * barrier, queue) and combinator does around its suspension points:
 * binding to a loop on first use, the owner-thread check, and how a
 * suspension point made of several awaits ends. */

#include "gtkloop/gtkloop.h"

G_BEGIN_DECLS

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
