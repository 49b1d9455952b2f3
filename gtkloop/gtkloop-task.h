#pragma once

#if !defined (GTKLOOP_INSIDE) && !defined (GTKLOOP_COMPILATION)
# error "Only <gtkloop/gtkloop.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gtkloop-types.h"
#include "gtkloop-future.h"
#include "gtkloop-version-macros.h"

G_BEGIN_DECLS

/**
 * GTKLOOP_FUTURE:
 * @task: a #GtkloopTask
 *
 * A task as the #GtkloopFuture it is: the same pointer, so every
 * gtkloop_future_*() call takes it. A cast; no check, no reference.
 *
 * Returns: @task as a #GtkloopFuture
 *
 * Since: 0.1
 */
#define GTKLOOP_FUTURE(task) ((GtkloopFuture *) (task))
/**
 * GTKLOOP_TASK:
 * @future: a #GtkloopFuture that is a task (gtkloop_future_is_task())
 *
 * The reverse of GTKLOOP_FUTURE(), for a future known to be a task. A
 * cast; no check, no reference.
 *
 * Returns: @future as a #GtkloopTask
 *
 * Since: 0.1
 */
#define GTKLOOP_TASK(future) ((GtkloopTask *) (future))

/**
 * GtkloopStackMode:
 * @GTKLOOP_STACK_DEFAULT: %GTKLOOP_STACK_SHARED, or what the environment
 *   variable `GTKLOOP_STACK` (`shared` or `guarded`) says
 * @GTKLOOP_STACK_SHARED: runs on a per-thread run stack; the used part is
 *   copied out while suspended. Cheapest (a few hundred bytes per suspended
 *   task); a pointer into the task's stack is valid only while it runs
 * @GTKLOOP_STACK_GUARDED: a private stack with a guard page; addresses stay
 *   valid while suspended (stack buffers handed to GIO); an overflow names
 *   the task and aborts
 *
 * Where a task's stack lives. See docs/fibers.md.
 *
 * Since: 0.1
 */
typedef enum {
  GTKLOOP_STACK_DEFAULT,
  GTKLOOP_STACK_SHARED,
  GTKLOOP_STACK_GUARDED,
} GtkloopStackMode;

/**
 * GtkloopTaskOptions:
 * @name: (nullable): the task's name; default "Task-N"
 * @stack_mode: where the stack lives
 * @stack_size: bytes; 0 for the mode's default (GUARDED: 256 KiB; SHARED:
 *   the run stacks' size, which is also the limit)
 *
 * Zero-initialise, then set what you need.
 *
 * Since: 0.1
 */
typedef struct {
  const char       *name;
  GtkloopStackMode  stack_mode;
  gsize             stack_size;
  /*< private >*/
  gpointer          padding[6];
} GtkloopTaskOptions;

GTKLOOP_AVAILABLE_IN_ALL
GtkloopTask  *gtkloop_loop_create_task      (GtkloopLoop              *loop,
                                             GtkloopTaskFunc           func,
                                             gpointer                  data,
                                             GDestroyNotify            destroy) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopTask  *gtkloop_loop_create_task_full (GtkloopLoop              *loop,
                                             GtkloopTaskFunc           func,
                                             gpointer                  data,
                                             GDestroyNotify            destroy,
                                             const GtkloopTaskOptions *options) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopTask  *gtkloop_spawn                 (GtkloopTaskFunc           func,
                                             gpointer                  data,
                                             GDestroyNotify            destroy) G_GNUC_WARN_UNUSED_RESULT;

/**
 * GTKLOOP_TYPE_TASK:
 *
 * The #GType of #GtkloopTask, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_TASK (gtkloop_task_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType         gtkloop_task_get_type         (void) G_GNUC_CONST;

GTKLOOP_AVAILABLE_IN_ALL
GtkloopTask  *gtkloop_task_ref              (GtkloopTask  *task);
GTKLOOP_AVAILABLE_IN_ALL
void          gtkloop_task_unref            (GtkloopTask  *task);
GTKLOOP_AVAILABLE_IN_ALL
GtkloopFuture *gtkloop_task_get_future      (GtkloopTask  *task);

GTKLOOP_AVAILABLE_IN_ALL
void          gtkloop_task_return           (GtkloopTask   *task,
                                             gpointer       value,
                                             GDestroyNotify destroy);
GTKLOOP_AVAILABLE_IN_ALL
void          gtkloop_task_return_error     (GtkloopTask   *task,
                                             GError        *error);
GTKLOOP_AVAILABLE_IN_ALL
gboolean      gtkloop_task_cancel           (GtkloopTask   *task,
                                             const char    *msg);
GTKLOOP_AVAILABLE_IN_ALL
guint         gtkloop_task_uncancel         (GtkloopTask   *task);
GTKLOOP_AVAILABLE_IN_ALL
guint         gtkloop_task_cancelling       (GtkloopTask   *task);
GTKLOOP_AVAILABLE_IN_ALL
GtkloopTask  *gtkloop_task_get_current      (void);
GTKLOOP_AVAILABLE_IN_ALL
void          gtkloop_task_set_name         (GtkloopTask   *task,
                                             const char    *name);
GTKLOOP_AVAILABLE_IN_ALL
const char   *gtkloop_task_get_name         (GtkloopTask   *task);
GTKLOOP_AVAILABLE_IN_ALL
GCancellable *gtkloop_task_get_cancellable  (GtkloopTask   *task);
GTKLOOP_AVAILABLE_IN_ALL
GtkloopStackMode gtkloop_task_get_stack_mode (GtkloopTask  *task);
GTKLOOP_AVAILABLE_IN_ALL
GPtrArray    *gtkloop_loop_all_tasks        (GtkloopLoop   *loop);

/* Task-local values (asyncio's contextvars, in C): a child task starts with
 * the values its creating task had; later changes on either side are not
 * seen by the other. Values are shared, not copied, and freed with
 * @destroy when the last task holding them is done with them. */
GTKLOOP_AVAILABLE_IN_ALL
void          gtkloop_task_set_local        (GtkloopTask   *task,
                                             const char    *key,
                                             gpointer       value,
                                             GDestroyNotify destroy);
GTKLOOP_AVAILABLE_IN_ALL
gpointer      gtkloop_task_get_local        (GtkloopTask   *task,
                                             const char    *key);

/* Suspension points: callable only inside a task. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean      gtkloop_await                 (GtkloopFuture *f,
                                             GError       **error);
GTKLOOP_AVAILABLE_IN_ALL
gboolean      gtkloop_sleep                 (double         seconds,
                                             GError       **error);

/* asyncio.run (): a fresh loop on a fresh thread-default context runs
 * main to its end; leftover tasks are cancelled and finished; the loop's
 * default executor is shut down; the loop is closed. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean      gtkloop_run                   (GtkloopTaskFunc  main,
                                             gpointer         data,
                                             GError         **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopTask, gtkloop_task_unref)

G_END_DECLS
