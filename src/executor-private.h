#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "gtkloop/gtkloop.h"

#include "future-private.h"

G_BEGIN_DECLS

/* The executor layer's state for one loop, kept in loop->executor (the
 * field loop-private.h reserves for the default executor). Loop-thread
 * only, except n_unposted. */
typedef struct
{
  GtkloopThreadExecutor *default_executor;  /* (owned) (nullable): made on first use */
  guint                  n_inflight;        /* jobs submitted from this loop that have not come home */
  atomic_uint            n_unposted;        /* of those, the ones whose completion is not yet posted */
  gboolean               closing;           /* close began: no new default executor */
} GtkloopLoopExecutors;

/* Statistics for tests: live executors and live worker threads of all
 * executors in the process. */
guint    gtkloop_executor_debug_n_executors (void);
guint    gtkloop_executor_debug_n_threads   (void);

/* Statistics for tests and benchmarks: how often submit woke an idle
 * worker, spawned one, and how many workers retired when idle. */
typedef struct
{
  guint64 n_jobs;
  guint64 n_wakes;
  guint64 n_spawns;
  guint64 n_retired;
  guint64 n_removed;      /* queued jobs removed by a cancel or shutdown */
  guint   n_idle;         /* workers asleep waiting for a job, now */
} GtkloopExecutorStats;

void     gtkloop_thread_executor_get_stats  (GtkloopThreadExecutor *ex,
                                             GtkloopExecutorStats  *stats);

/* The loop's default executor without making one: NULL if none yet. */
GtkloopThreadExecutor *gtkloop_loop_peek_default_executor (GtkloopLoop *loop);

G_END_DECLS
