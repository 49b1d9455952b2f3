#pragma once

#if !defined (GTKLOOP_INSIDE) && !defined (GTKLOOP_COMPILATION)
# error "Only <gtkloop/gtkloop.h> can be included directly."
#endif

#include "gtkloop-types.h"
#include "gtkloop-future.h"
#include "gtkloop-task.h"
#include "gtkloop-version-macros.h"

G_BEGIN_DECLS

/* Waiting for several futures, timeouts and structured concurrency:
 * asyncio's gather, wait, wait_for, shield, as_completed, timeout and
 * TaskGroup (Python 3.11). See docs/combinators.md. */

typedef struct _GtkloopAsCompleted GtkloopAsCompleted;
typedef struct _GtkloopTimeout     GtkloopTimeout;
typedef struct _GtkloopTaskGroup   GtkloopTaskGroup;

/**
 * GtkloopWaitMode:
 * @GTKLOOP_FIRST_COMPLETED: return when any future is done
 * @GTKLOOP_FIRST_EXCEPTION: return when any future fails (not when it is
 *   cancelled), else when all are done
 * @GTKLOOP_ALL_COMPLETED: return when all are done
 *
 * When gtkloop_wait() returns (asyncio's return_when).
 *
 * Since: 0.1
 */
typedef enum {
  GTKLOOP_FIRST_COMPLETED,
  GTKLOOP_FIRST_EXCEPTION,
  GTKLOOP_ALL_COMPLETED,
} GtkloopWaitMode;

/* asyncio.gather: a future whose result is a GPtrArray* holding the n
 * futures in argument order (read each one's result). Without
 * return_exceptions it fails with the first error while the others go on;
 * cancelling it cancels them all. */
GTKLOOP_AVAILABLE_IN_ALL
GtkloopFuture *gtkloop_gather   (GtkloopFuture *const *futures,
                                 guint                 n,
                                 gboolean              return_exceptions) G_GNUC_WARN_UNUSED_RESULT;

/* asyncio.wait: a suspension point; never fails because a future failed. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean       gtkloop_wait     (GtkloopFuture *const *futures,
                                 guint                 n,
                                 GtkloopWaitMode       mode,
                                 double                timeout,
                                 GPtrArray           **done,
                                 GPtrArray           **pending,
                                 GError              **error);

/* asyncio.wait_for: cancels f on timeout, waits for it, G_IO_ERROR_TIMED_OUT. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean       gtkloop_wait_for (GtkloopFuture        *f,
                                 double                timeout,
                                 GError              **error);

/* asyncio.shield: cancelling the returned future does not cancel f. */
GTKLOOP_AVAILABLE_IN_ALL
GtkloopFuture *gtkloop_shield   (GtkloopFuture        *f) G_GNUC_WARN_UNUSED_RESULT;

/* asyncio.as_completed, as an iterator object. */
/**
 * GTKLOOP_TYPE_AS_COMPLETED:
 *
 * The #GType of #GtkloopAsCompleted, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_AS_COMPLETED (gtkloop_as_completed_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType               gtkloop_as_completed_get_type   (void) G_GNUC_CONST;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopAsCompleted *gtkloop_as_completed_new        (GtkloopFuture *const *futures,
                                                     guint                 n,
                                                     double                timeout) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopAsCompleted *gtkloop_as_completed_ref        (GtkloopAsCompleted   *ac);
GTKLOOP_AVAILABLE_IN_ALL
void                gtkloop_as_completed_unref      (GtkloopAsCompleted   *ac);
GTKLOOP_AVAILABLE_IN_ALL
GtkloopFuture      *gtkloop_as_completed_next       (GtkloopAsCompleted   *ac,
                                                     GError              **error) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
guint               gtkloop_as_completed_get_n_left (GtkloopAsCompleted   *ac);

/* asyncio.timeout / timeout_at: a scope in the current task, ended by
 * gtkloop_timeout_exit (). Times are loop times (gtkloop_loop_time ()). */
/**
 * GTKLOOP_TYPE_TIMEOUT:
 *
 * The #GType of #GtkloopTimeout, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_TIMEOUT (gtkloop_timeout_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType           gtkloop_timeout_get_type   (void) G_GNUC_CONST;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopTimeout *gtkloop_timeout_new        (double           delay) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopTimeout *gtkloop_timeout_new_at     (double           when) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopTimeout *gtkloop_timeout_ref        (GtkloopTimeout  *t);
GTKLOOP_AVAILABLE_IN_ALL
void            gtkloop_timeout_unref      (GtkloopTimeout  *t);
GTKLOOP_AVAILABLE_IN_ALL
void            gtkloop_timeout_reschedule (GtkloopTimeout  *t,
                                            double           when);
GTKLOOP_AVAILABLE_IN_ALL
double          gtkloop_timeout_get_when   (GtkloopTimeout  *t);
GTKLOOP_AVAILABLE_IN_ALL
gboolean        gtkloop_timeout_expired    (GtkloopTimeout  *t);
GTKLOOP_AVAILABLE_IN_ALL
gboolean        gtkloop_timeout_exit       (GtkloopTimeout  *t,
                                            GError         **error);

/* asyncio.TaskGroup: made in its parent task, ended by
 * gtkloop_task_group_exit (). */
/**
 * GTKLOOP_TYPE_TASK_GROUP:
 *
 * The #GType of #GtkloopTaskGroup, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_TASK_GROUP (gtkloop_task_group_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType             gtkloop_task_group_get_type         (void) G_GNUC_CONST;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopTaskGroup *gtkloop_task_group_new              (void) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopTaskGroup *gtkloop_task_group_ref              (GtkloopTaskGroup         *tg);
GTKLOOP_AVAILABLE_IN_ALL
void              gtkloop_task_group_unref            (GtkloopTaskGroup         *tg);
GTKLOOP_AVAILABLE_IN_ALL
GtkloopTask      *gtkloop_task_group_create_task      (GtkloopTaskGroup         *tg,
                                                       GtkloopTaskFunc           func,
                                                       gpointer                  data,
                                                       GDestroyNotify            destroy) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopTask      *gtkloop_task_group_create_task_full (GtkloopTaskGroup         *tg,
                                                       GtkloopTaskFunc           func,
                                                       gpointer                  data,
                                                       GDestroyNotify            destroy,
                                                       const GtkloopTaskOptions *options) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
gboolean          gtkloop_task_group_exit             (GtkloopTaskGroup         *tg,
                                                       GError                  **error);
GTKLOOP_AVAILABLE_IN_ALL
GPtrArray        *gtkloop_task_group_get_errors       (GtkloopTaskGroup         *tg);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopAsCompleted, gtkloop_as_completed_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopTimeout, gtkloop_timeout_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopTaskGroup, gtkloop_task_group_unref)

G_END_DECLS
