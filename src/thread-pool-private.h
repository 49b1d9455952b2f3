#pragma once

/* The thread pool behind GtkloopThreadExecutor: worker threads started
 * on demand, a lock-free submission stack, wake-ups, shutdown. It runs
 * work items and knows nothing of what they are (src/executor.c makes
 * jobs of them); not installed. */

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _GtkloopThreadPool      GtkloopThreadPool;
typedef struct _GtkloopThreadWorker    GtkloopThreadWorker;
typedef struct _GtkloopWorkItem        GtkloopWorkItem;

typedef enum {
  GTKLOOP_WORK_ITEM_QUEUED,
  GTKLOOP_WORK_ITEM_RUNNING,
  GTKLOOP_WORK_ITEM_FINISHED,   /* func returned */
  GTKLOOP_WORK_ITEM_REMOVED,    /* taken out of the queue before it ran */
} GtkloopWorkItemState;

/* What a worker runs, without the pool's lock: GtkloopWorkFunc's
 * signature. @cancellable is the worker's, valid during the call;
 * gtkloop_thread_pool_withdraw() hands it out for cancelling. */
typedef gpointer (*GtkloopWorkItemFunc)     (gpointer          data,
                                             GCancellable     *cancellable,
                                             GError          **error);

/* The pool is done with the item, which is its owner's again: it ran (on
 * its worker, once the worker has taken its next item), or a shutdown
 * took it out of the queue (on the thread shutting down). Its state
 * tells which. */
typedef void     (*GtkloopWorkItemDoneFunc) (GtkloopWorkItem  *item);

/* Embedded in what the owner submits. */
struct _GtkloopWorkItem
{
  /* Set by the owner before submitting (error to NULL). */
  GtkloopWorkItemFunc         func;
  gpointer                    data;
  GtkloopWorkItemDoneFunc     done;
  /* Written by the worker when func returns; the owner's from done on. */
  gpointer                    result;
  GError                     *error;
  /* The pool's; state may be read once the pool is done with the item. */
  GtkloopWorkItem            *incoming_next;    /* on the submission stack, until queued */
  /* (lock: the pool's) */
  GtkloopWorkItem            *prev;
  GtkloopWorkItem            *next;
  GtkloopThreadWorker        *worker;           /* while RUNNING */
  guint8                      state;            /* GtkloopWorkItemState */
  guint8                      cancel_requested; /* its worker's cancellable was cancelled */
};

typedef enum {
  GTKLOOP_THREAD_POOL_SUBMITTED,
  GTKLOOP_THREAD_POOL_SHUT_DOWN,   /* shut down: the item was not queued */
  GTKLOOP_THREAD_POOL_NO_THREAD,   /* no worker could be started: not queued */
} GtkloopThreadPoolSubmitResult;

/* Statistics for tests and benchmarks: how often submit woke an idle
 * worker, spawned one, and how many workers retired when idle. */
typedef struct
{
  guint64 n_jobs;
  guint64 n_wakes;
  guint64 n_spawns;
  guint64 n_retired;
  guint64 n_removed;      /* queued items removed by a withdraw or shutdown */
  guint   n_idle;         /* workers asleep waiting for an item, now */
} GtkloopThreadPoolStats;

/* Any thread, unless said otherwise. The pool lives while references
 * remain: its owner's, one per worker, and one per item the owner takes
 * for as long as it may withdraw that item. */
GtkloopThreadPool *gtkloop_thread_pool_new              (guint                  max_workers);
void               gtkloop_thread_pool_ref              (GtkloopThreadPool     *pool);
void               gtkloop_thread_pool_unref            (GtkloopThreadPool     *pool);

guint              gtkloop_thread_pool_get_max_workers  (GtkloopThreadPool     *pool);
guint              gtkloop_thread_pool_get_n_workers    (GtkloopThreadPool     *pool);
void               gtkloop_thread_pool_set_idle_timeout (GtkloopThreadPool     *pool,
                                                         gint64                 ns);
gint64             gtkloop_thread_pool_get_idle_timeout (GtkloopThreadPool     *pool);
gboolean           gtkloop_thread_pool_is_shutdown      (GtkloopThreadPool     *pool);
void               gtkloop_thread_pool_get_stats        (GtkloopThreadPool     *pool,
                                                         GtkloopThreadPoolStats *stats);

/* Queues @item; wakes an idle worker, or starts one if none is idle and
 * the pool may grow. Unless SUBMITTED, the item was not queued and stays
 * its owner's. */
GtkloopThreadPoolSubmitResult
                   gtkloop_thread_pool_submit           (GtkloopThreadPool     *pool,
                                                         GtkloopWorkItem       *item);

/* Takes @item back if it is still queued (TRUE: it never runs, and done
 * is not called). Otherwise, if it is running, cancels nothing yet but
 * returns in @running_cancellable a reference to its worker's
 * cancellable for the caller to cancel (the worker then gets a fresh one
 * for its next item). */
gboolean           gtkloop_thread_pool_withdraw         (GtkloopThreadPool     *pool,
                                                         GtkloopWorkItem       *item,
                                                         GCancellable         **running_cancellable);

/* No new items. With @remove_queued, the items still queued are taken
 * out and handed to their done (state REMOVED); otherwise they still
 * run. With @wait, returns once every worker has ended (called from one
 * of the pool's own workers: every other worker). */
void               gtkloop_thread_pool_shutdown         (GtkloopThreadPool     *pool,
                                                         gboolean               wait,
                                                         gboolean               remove_queued);

/* Joins the workers if none is busy and nothing is queued; otherwise
 * they detach themselves when done. */
void               gtkloop_thread_pool_join_if_idle     (GtkloopThreadPool     *pool);

/* Statistics for tests: live pools and live worker threads of all pools
 * in the process. */
guint              gtkloop_thread_pool_debug_n_pools    (void);
guint              gtkloop_thread_pool_debug_n_threads  (void);

G_END_DECLS
