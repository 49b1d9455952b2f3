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

/* A plain callback, as given to call_soon / call_later / call_at. */
typedef void (*GtkloopCallback) (gpointer user_data);

/* The body of a task; runs on the task's own stack (a fiber). */
typedef void (*GtkloopTaskFunc) (GtkloopTask *task,
                                 gpointer     user_data);

G_END_DECLS
