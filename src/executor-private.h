#pragma once

/* The executor's private side: its per-loop state and its statistics for
 * tests; not installed. */

#include "gtkloop/gtkloop.h"

#include "thread-pool-private.h"

G_BEGIN_DECLS

/* The executor layer's state for one loop, kept in loop->executor (the
 * field loop-private.h reserves for the default executor). Loop-thread
 * only. */
typedef struct
{
  GtkloopThreadExecutor *default_executor;  /* (owned) (nullable): made on first use */
  guint                  n_inflight;        /* jobs submitted from this loop that have not come home */
  gboolean               closing;           /* close began: no new default executor */
} GtkloopLoopExecutors;

/* Statistics for tests: live executors (until their pools go) and live
 * worker threads of all executors in the process. */
guint    gtkloop_executor_debug_n_executors (void);
guint    gtkloop_executor_debug_n_threads   (void);

/* Statistics for tests and benchmarks: those of the executor's pool. */
typedef GtkloopThreadPoolStats GtkloopExecutorStats;

void     gtkloop_thread_executor_get_stats  (GtkloopThreadExecutor *ex,
                                             GtkloopExecutorStats  *stats);

/* The loop's default executor without making one: NULL if none yet. */
GtkloopThreadExecutor *gtkloop_loop_peek_default_executor (GtkloopLoop *loop);

G_END_DECLS
