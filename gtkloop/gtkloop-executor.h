#pragma once

#if !defined (GTKLOOP_INSIDE) && !defined (GTKLOOP_COMPILATION)
# error "Only <gtkloop/gtkloop.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gtkloop-types.h"
#include "gtkloop-future.h"
#include "gtkloop-version-macros.h"

G_BEGIN_DECLS

/* Threads: an executor of worker threads (concurrent.futures'
 * ThreadPoolExecutor), run_in_executor and to_thread (results come home
 * to the loop's thread), tasks started on a loop from any thread
 * (run_coroutine_threadsafe) with a future a plain thread can wait on,
 * progress reports from workers coalesced for the GUI, and a loop running
 * in a thread of its own. See docs/executor.md and docs/threading.md. */

/* ---------------------------------------------------------------------- */
/* Executors and run_in_executor                                           */

/**
 * GtkloopWorkFunc:
 * @data: the job's data
 * @cancellable: cancelled when the job's loop future is cancelled while
 *   the job runs; valid only during the call (do not keep it)
 * @error: return location for the job's failure
 *
 * A blocking job, run on a worker thread. Touch no GTK object here.
 *
 * Returns: (nullable) (transfer full): the result; freed on the loop's
 *   thread with the result destroy notify given to run_in_executor
 *
 * Since: 0.1
 */
typedef gpointer (*GtkloopWorkFunc) (gpointer       data,
                                     GCancellable  *cancellable,
                                     GError       **error);

/**
 * GTKLOOP_TYPE_THREAD_EXECUTOR:
 *
 * The #GType of #GtkloopThreadExecutor, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_THREAD_EXECUTOR (gtkloop_thread_executor_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType                  gtkloop_thread_executor_get_type         (void) G_GNUC_CONST;

GTKLOOP_AVAILABLE_IN_ALL
GtkloopThreadExecutor *gtkloop_thread_executor_new              (guint                  max_workers) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopThreadExecutor *gtkloop_thread_executor_ref              (GtkloopThreadExecutor *ex);
GTKLOOP_AVAILABLE_IN_ALL
void                   gtkloop_thread_executor_unref            (GtkloopThreadExecutor *ex);
GTKLOOP_AVAILABLE_IN_ALL
void                   gtkloop_thread_executor_shutdown         (GtkloopThreadExecutor *ex,
                                                                 gboolean               wait,
                                                                 gboolean               cancel_futures);
GTKLOOP_AVAILABLE_IN_ALL
gboolean               gtkloop_thread_executor_is_shutdown      (GtkloopThreadExecutor *ex);
GTKLOOP_AVAILABLE_IN_ALL
guint                  gtkloop_thread_executor_get_max_workers  (GtkloopThreadExecutor *ex);
GTKLOOP_AVAILABLE_IN_ALL
guint                  gtkloop_thread_executor_get_n_workers    (GtkloopThreadExecutor *ex);
GTKLOOP_AVAILABLE_IN_ALL
void                   gtkloop_thread_executor_set_idle_timeout (GtkloopThreadExecutor *ex,
                                                                 double                 seconds);
GTKLOOP_AVAILABLE_IN_ALL
double                 gtkloop_thread_executor_get_idle_timeout (GtkloopThreadExecutor *ex);

GTKLOOP_AVAILABLE_IN_ALL
GtkloopFuture         *gtkloop_loop_run_in_executor             (GtkloopLoop           *loop,
                                                                 GtkloopThreadExecutor *ex,
                                                                 GtkloopWorkFunc        func,
                                                                 gpointer               data,
                                                                 GDestroyNotify         data_destroy,
                                                                 GDestroyNotify         result_destroy) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopFuture         *gtkloop_to_thread                        (GtkloopWorkFunc        func,
                                                                 gpointer               data,
                                                                 GDestroyNotify         data_destroy,
                                                                 GDestroyNotify         result_destroy) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
void                   gtkloop_loop_set_default_executor        (GtkloopLoop           *loop,
                                                                 GtkloopThreadExecutor *ex);
GTKLOOP_AVAILABLE_IN_ALL
GtkloopThreadExecutor *gtkloop_loop_get_default_executor        (GtkloopLoop           *loop);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopThreadExecutor, gtkloop_thread_executor_unref)

/* ---------------------------------------------------------------------- */
/* Tasks started from any thread (run_coroutine_threadsafe)               */

/**
 * GtkloopThreadFutureCallback:
 * @f: the thread future that is done
 * @user_data: the data given with the callback
 *
 * Called once a thread future is done
 * (gtkloop_thread_future_add_done_callback()), on the thread that
 * completed it: the loop's thread when the task ends, the cancelling
 * thread after gtkloop_thread_future_cancel(), or at once on the calling
 * thread if it is already done.
 *
 * Since: 0.1
 */
typedef void (*GtkloopThreadFutureCallback) (GtkloopThreadFuture *f,
                                             gpointer             user_data);

/**
 * GTKLOOP_TYPE_THREAD_FUTURE:
 *
 * The #GType of #GtkloopThreadFuture, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_THREAD_FUTURE (gtkloop_thread_future_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType                gtkloop_thread_future_get_type          (void) G_GNUC_CONST;

GTKLOOP_AVAILABLE_IN_ALL
GtkloopThreadFuture *gtkloop_run_task_threadsafe             (GtkloopLoop                 *loop,
                                                              GtkloopTaskFunc              func,
                                                              gpointer                     data,
                                                              GDestroyNotify               destroy) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopThreadFuture *gtkloop_thread_future_ref               (GtkloopThreadFuture         *f);
GTKLOOP_AVAILABLE_IN_ALL
void                 gtkloop_thread_future_unref             (GtkloopThreadFuture         *f);
GTKLOOP_AVAILABLE_IN_ALL
gpointer             gtkloop_thread_future_wait              (GtkloopThreadFuture         *f,
                                                              double                       timeout,
                                                              GError                     **error);
GTKLOOP_AVAILABLE_IN_ALL
gboolean             gtkloop_thread_future_cancel            (GtkloopThreadFuture         *f);
GTKLOOP_AVAILABLE_IN_ALL
gboolean             gtkloop_thread_future_is_done           (GtkloopThreadFuture         *f);
GTKLOOP_AVAILABLE_IN_ALL
gboolean             gtkloop_thread_future_is_cancelled      (GtkloopThreadFuture         *f);
GTKLOOP_AVAILABLE_IN_ALL
void                 gtkloop_thread_future_add_done_callback (GtkloopThreadFuture         *f,
                                                              GtkloopThreadFutureCallback  cb,
                                                              gpointer                     data,
                                                              GDestroyNotify               destroy);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopThreadFuture, gtkloop_thread_future_unref)

/* ---------------------------------------------------------------------- */
/* A loop running in a thread of its own                                   */

typedef struct _GtkloopLoopThread GtkloopLoopThread;

/**
 * GTKLOOP_TYPE_LOOP_THREAD:
 *
 * The #GType of #GtkloopLoopThread, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_LOOP_THREAD (gtkloop_loop_thread_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType              gtkloop_loop_thread_get_type (void) G_GNUC_CONST;

GTKLOOP_AVAILABLE_IN_ALL
GtkloopLoopThread *gtkloop_loop_thread_start    (const char        *name,
                                                 GError           **error) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopLoop       *gtkloop_loop_thread_get_loop (GtkloopLoopThread *thread);
/* Stops and joins the thread (once), then drops the caller's reference. */
GTKLOOP_AVAILABLE_IN_ALL
void               gtkloop_loop_thread_stop     (GtkloopLoopThread *thread);
GTKLOOP_AVAILABLE_IN_ALL
GtkloopLoopThread *gtkloop_loop_thread_ref      (GtkloopLoopThread *thread);
GTKLOOP_AVAILABLE_IN_ALL
void               gtkloop_loop_thread_unref    (GtkloopLoopThread *thread);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopLoopThread, gtkloop_loop_thread_stop)

/* ---------------------------------------------------------------------- */
/* Progress from workers, coalesced for the loop's thread                  */

typedef struct _GtkloopProgress GtkloopProgress;

/**
 * GtkloopProgressFunc:
 * @progress: the progress object
 * @fraction: the latest fraction reported
 * @message: (nullable): the latest message reported, or %NULL if none was
 * @user_data: the data given to gtkloop_progress_new()
 *
 * Receives the latest report, on the loop's thread: at most once per loop
 * iteration however often workers report.
 *
 * Since: 0.1
 */
typedef void (*GtkloopProgressFunc) (GtkloopProgress *progress,
                                     double           fraction,
                                     const char      *message,
                                     gpointer         user_data);

/**
 * GTKLOOP_TYPE_PROGRESS:
 *
 * The #GType of #GtkloopProgress, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_PROGRESS (gtkloop_progress_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType            gtkloop_progress_get_type         (void) G_GNUC_CONST;

GTKLOOP_AVAILABLE_IN_ALL
GtkloopProgress *gtkloop_progress_new              (GtkloopLoop         *loop,
                                                    GtkloopProgressFunc  func,
                                                    gpointer             data,
                                                    GDestroyNotify       destroy) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopProgress *gtkloop_progress_ref              (GtkloopProgress     *progress);
GTKLOOP_AVAILABLE_IN_ALL
void             gtkloop_progress_unref            (GtkloopProgress     *progress);
GTKLOOP_AVAILABLE_IN_ALL
void             gtkloop_progress_report           (GtkloopProgress     *progress,
                                                    double               fraction,
                                                    const char          *message);
GTKLOOP_AVAILABLE_IN_ALL
void             gtkloop_progress_flush            (GtkloopProgress     *progress);
GTKLOOP_AVAILABLE_IN_ALL
void             gtkloop_progress_disconnect       (GtkloopProgress     *progress);
GTKLOOP_AVAILABLE_IN_ALL
void             gtkloop_progress_set_min_interval (GtkloopProgress     *progress,
                                                    double               seconds);
GTKLOOP_AVAILABLE_IN_ALL
guint64          gtkloop_progress_get_n_reports    (GtkloopProgress     *progress);
GTKLOOP_AVAILABLE_IN_ALL
guint64          gtkloop_progress_get_n_updates    (GtkloopProgress     *progress);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopProgress, gtkloop_progress_unref)

G_END_DECLS
