#pragma once

#if !defined (GTKLOOP_INSIDE) && !defined (GTKLOOP_COMPILATION)
# error "Only <gtkloop/gtkloop.h> can be included directly."
#endif

#include <glib-object.h>

#include "gtkloop-types.h"
#include "gtkloop-version-macros.h"

G_BEGIN_DECLS

/* Synchronisation between tasks: asyncio's Lock, Event, Condition,
 * Semaphore, BoundedSemaphore, Barrier, Queue, LifoQueue and PriorityQueue.
 *
 * Loop-bound and not thread-safe, like asyncio's: an object binds to the
 * loop of the first task that waits on it, and is then used on that loop's
 * thread only (only _ref and _unref may be called from any thread). The
 * calls that wait (acquire, wait, put, get, join, barrier wait/reset/abort)
 * are suspension points: inside a task only, and they fail with
 * G_IO_ERROR_CANCELLED when the task is cancelled meanwhile. Waiters are
 * served first come, first served; a cancelled waiter never takes a
 * wake-up meant for another. See docs/sync.md. */

typedef struct _GtkloopCondition GtkloopCondition;
typedef struct _GtkloopBarrier   GtkloopBarrier;

/**
 * GtkloopPredicate:
 * @user_data: the data given to gtkloop_condition_wait_for()
 *
 * The test gtkloop_condition_wait_for() repeats each time the condition is
 * notified; runs in the waiting task, with the condition's lock held.
 * Plain C only: it must not suspend.
 *
 * Returns: %TRUE when the wait is over
 *
 * Since: 0.1
 */
typedef gboolean (*GtkloopPredicate) (gpointer user_data);

/* Lock ------------------------------------------------------------------ */

/**
 * GTKLOOP_TYPE_LOCK:
 *
 * The #GType of #GtkloopLock, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_LOCK (gtkloop_lock_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType         gtkloop_lock_get_type      (void) G_GNUC_CONST;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopLock  *gtkloop_lock_new           (void) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopLock  *gtkloop_lock_ref           (GtkloopLock  *l);
GTKLOOP_AVAILABLE_IN_ALL
void          gtkloop_lock_unref         (GtkloopLock  *l);
GTKLOOP_AVAILABLE_IN_ALL
gboolean      gtkloop_lock_acquire       (GtkloopLock  *l,
                                          GError      **error);
GTKLOOP_AVAILABLE_IN_ALL
void          gtkloop_lock_release       (GtkloopLock  *l);
GTKLOOP_AVAILABLE_IN_ALL
gboolean      gtkloop_lock_is_locked     (GtkloopLock  *l);

/* Event ----------------------------------------------------------------- */

/**
 * GTKLOOP_TYPE_EVENT:
 *
 * The #GType of #GtkloopEvent, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_EVENT (gtkloop_event_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType         gtkloop_event_get_type     (void) G_GNUC_CONST;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopEvent *gtkloop_event_new          (void) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopEvent *gtkloop_event_ref          (GtkloopEvent *e);
GTKLOOP_AVAILABLE_IN_ALL
void          gtkloop_event_unref        (GtkloopEvent *e);
GTKLOOP_AVAILABLE_IN_ALL
void          gtkloop_event_set          (GtkloopEvent *e);
GTKLOOP_AVAILABLE_IN_ALL
void          gtkloop_event_clear        (GtkloopEvent *e);
GTKLOOP_AVAILABLE_IN_ALL
gboolean      gtkloop_event_is_set       (GtkloopEvent *e);
GTKLOOP_AVAILABLE_IN_ALL
gboolean      gtkloop_event_wait         (GtkloopEvent *e,
                                          GError      **error);

/* Condition ------------------------------------------------------------- */

/**
 * GTKLOOP_TYPE_CONDITION:
 *
 * The #GType of #GtkloopCondition, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_CONDITION (gtkloop_condition_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType             gtkloop_condition_get_type   (void) G_GNUC_CONST;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopCondition *gtkloop_condition_new        (GtkloopLock       *lock) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopCondition *gtkloop_condition_ref        (GtkloopCondition  *c);
GTKLOOP_AVAILABLE_IN_ALL
void              gtkloop_condition_unref      (GtkloopCondition  *c);
GTKLOOP_AVAILABLE_IN_ALL
GtkloopLock      *gtkloop_condition_get_lock   (GtkloopCondition  *c);
GTKLOOP_AVAILABLE_IN_ALL
gboolean          gtkloop_condition_acquire    (GtkloopCondition  *c,
                                                GError           **error);
GTKLOOP_AVAILABLE_IN_ALL
void              gtkloop_condition_release    (GtkloopCondition  *c);
GTKLOOP_AVAILABLE_IN_ALL
gboolean          gtkloop_condition_is_locked  (GtkloopCondition  *c);
GTKLOOP_AVAILABLE_IN_ALL
gboolean          gtkloop_condition_wait       (GtkloopCondition  *c,
                                                GError           **error);
GTKLOOP_AVAILABLE_IN_ALL
gboolean          gtkloop_condition_wait_for   (GtkloopCondition  *c,
                                                GtkloopPredicate   predicate,
                                                gpointer           user_data,
                                                GError           **error);
GTKLOOP_AVAILABLE_IN_ALL
void              gtkloop_condition_notify     (GtkloopCondition  *c,
                                                guint              n);
GTKLOOP_AVAILABLE_IN_ALL
void              gtkloop_condition_notify_all (GtkloopCondition  *c);

/* Semaphore / BoundedSemaphore ------------------------------------------ */

/**
 * GTKLOOP_TYPE_SEMAPHORE:
 *
 * The #GType of #GtkloopSemaphore, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_SEMAPHORE (gtkloop_semaphore_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType             gtkloop_semaphore_get_type  (void) G_GNUC_CONST;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopSemaphore *gtkloop_semaphore_new       (guint              value,
                                               gboolean           bounded) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopSemaphore *gtkloop_semaphore_ref       (GtkloopSemaphore  *s);
GTKLOOP_AVAILABLE_IN_ALL
void              gtkloop_semaphore_unref     (GtkloopSemaphore  *s);
GTKLOOP_AVAILABLE_IN_ALL
gboolean          gtkloop_semaphore_acquire   (GtkloopSemaphore  *s,
                                               GError           **error);
GTKLOOP_AVAILABLE_IN_ALL
gboolean          gtkloop_semaphore_release   (GtkloopSemaphore  *s,
                                               GError           **error);
GTKLOOP_AVAILABLE_IN_ALL
gboolean          gtkloop_semaphore_is_locked (GtkloopSemaphore  *s);
GTKLOOP_AVAILABLE_IN_ALL
guint             gtkloop_semaphore_get_value (GtkloopSemaphore  *s);

/* Barrier --------------------------------------------------------------- */

/**
 * GTKLOOP_TYPE_BARRIER:
 *
 * The #GType of #GtkloopBarrier, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_BARRIER (gtkloop_barrier_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType           gtkloop_barrier_get_type      (void) G_GNUC_CONST;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopBarrier *gtkloop_barrier_new           (guint            parties) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopBarrier *gtkloop_barrier_ref           (GtkloopBarrier  *b);
GTKLOOP_AVAILABLE_IN_ALL
void            gtkloop_barrier_unref         (GtkloopBarrier  *b);
GTKLOOP_AVAILABLE_IN_ALL
gboolean        gtkloop_barrier_wait          (GtkloopBarrier  *b,
                                               guint           *index,
                                               GError         **error);
GTKLOOP_AVAILABLE_IN_ALL
gboolean        gtkloop_barrier_reset         (GtkloopBarrier  *b,
                                               GError         **error);
GTKLOOP_AVAILABLE_IN_ALL
gboolean        gtkloop_barrier_abort         (GtkloopBarrier  *b,
                                               GError         **error);
GTKLOOP_AVAILABLE_IN_ALL
guint           gtkloop_barrier_get_parties   (GtkloopBarrier  *b);
GTKLOOP_AVAILABLE_IN_ALL
guint           gtkloop_barrier_get_n_waiting (GtkloopBarrier  *b);
GTKLOOP_AVAILABLE_IN_ALL
gboolean        gtkloop_barrier_is_broken     (GtkloopBarrier  *b);

/* Queue, LIFO queue, priority queue ------------------------------------- */

/**
 * GTKLOOP_TYPE_QUEUE:
 *
 * The #GType of #GtkloopQueue, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_QUEUE (gtkloop_queue_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType         gtkloop_queue_get_type      (void) G_GNUC_CONST;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopQueue *gtkloop_queue_new           (guint             maxsize,
                                           GDestroyNotify    item_destroy) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopQueue *gtkloop_queue_new_lifo      (guint             maxsize,
                                           GDestroyNotify    item_destroy) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopQueue *gtkloop_queue_new_priority  (guint             maxsize,
                                           GCompareDataFunc  compare,
                                           gpointer          compare_data,
                                           GDestroyNotify    item_destroy) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopQueue *gtkloop_queue_ref           (GtkloopQueue     *q);
GTKLOOP_AVAILABLE_IN_ALL
void          gtkloop_queue_unref         (GtkloopQueue     *q);
GTKLOOP_AVAILABLE_IN_ALL
gboolean      gtkloop_queue_put           (GtkloopQueue     *q,
                                           gpointer          item,
                                           GError          **error);
GTKLOOP_AVAILABLE_IN_ALL
gpointer      gtkloop_queue_get           (GtkloopQueue     *q,
                                           GError          **error);
GTKLOOP_AVAILABLE_IN_ALL
gboolean      gtkloop_queue_put_nowait    (GtkloopQueue     *q,
                                           gpointer          item,
                                           GError          **error);
GTKLOOP_AVAILABLE_IN_ALL
gpointer      gtkloop_queue_get_nowait    (GtkloopQueue     *q,
                                           GError          **error);
GTKLOOP_AVAILABLE_IN_ALL
void          gtkloop_queue_task_done     (GtkloopQueue     *q);
GTKLOOP_AVAILABLE_IN_ALL
gboolean      gtkloop_queue_join          (GtkloopQueue     *q,
                                           GError          **error);
GTKLOOP_AVAILABLE_IN_ALL
guint         gtkloop_queue_size          (GtkloopQueue     *q);
GTKLOOP_AVAILABLE_IN_ALL
guint         gtkloop_queue_get_maxsize   (GtkloopQueue     *q);
GTKLOOP_AVAILABLE_IN_ALL
gboolean      gtkloop_queue_is_empty      (GtkloopQueue     *q);
GTKLOOP_AVAILABLE_IN_ALL
gboolean      gtkloop_queue_is_full       (GtkloopQueue     *q);
GTKLOOP_AVAILABLE_IN_ALL
void          gtkloop_queue_shutdown      (GtkloopQueue     *q,
                                           gboolean          immediate);
GTKLOOP_AVAILABLE_IN_ALL
gboolean      gtkloop_queue_is_shut_down  (GtkloopQueue     *q);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopLock, gtkloop_lock_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopEvent, gtkloop_event_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopCondition, gtkloop_condition_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopSemaphore, gtkloop_semaphore_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopBarrier, gtkloop_barrier_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopQueue, gtkloop_queue_unref)

G_END_DECLS
