#pragma once

#if !defined (GTKLOOP_INSIDE) && !defined (GTKLOOP_COMPILATION)
# error "Only <gtkloop/gtkloop.h> can be included directly."
#endif

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _GtkloopLoop           GtkloopLoop;
typedef struct _GtkloopFuture         GtkloopFuture;
typedef struct _GtkloopTask           GtkloopTask;
typedef struct _GtkloopThreadExecutor GtkloopThreadExecutor;
typedef struct _GtkloopThreadFuture   GtkloopThreadFuture;
typedef struct _GtkloopLock           GtkloopLock;
typedef struct _GtkloopEvent          GtkloopEvent;
typedef struct _GtkloopSemaphore      GtkloopSemaphore;
typedef struct _GtkloopQueue          GtkloopQueue;

/**
 * GtkloopCallback:
 * @user_data: the data given with the callback
 *
 * A plain callback, as given to gtkloop_loop_call_soon(),
 * gtkloop_loop_call_later(), gtkloop_loop_call_at(), fd watches and
 * signal handlers; runs on the loop's thread.
 *
 * Since: 0.1
 */
typedef void (*GtkloopCallback) (gpointer user_data);

/**
 * GtkloopTaskFunc:
 * @task: the task running this call
 * @user_data: the data given with the function
 *
 * The body of a task; runs on the task's own stack (a fiber). Task bodies
 * are C only: the calls that take one are not available to language
 * bindings (CPython 3.11 keeps one frame stack per thread, and two task
 * bodies written in Python that suspend would interleave on it and crash
 * the interpreter).
 *
 * Since: 0.1
 */
typedef void (*GtkloopTaskFunc) (GtkloopTask *task,
                                 gpointer     user_data);

/**
 * GtkloopValueDestroyNotify:
 * @value: a value the library no longer holds
 *
 * Frees a value handed to the library — a queue's items, a job's result —
 * as opposed to a callback's data. It is a #GDestroyNotify, and the
 * functions take a #GDestroyNotify; the type exists for language bindings
 * only: their annotations name it so that GObject Introspection 1.74,
 * which pairs any #GDestroyNotify after a callback with that callback and
 * takes it to run once, keeps the scope they give (a queue calls its
 * item destroy notify once per item).
 *
 * Since: 0.1
 */
typedef void (*GtkloopValueDestroyNotify) (gpointer value);

G_END_DECLS
