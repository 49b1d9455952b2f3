#pragma once

#include "gtkloop/gtkloop.h"

#include "fiber-private.h"
#include "future-private.h"
#include "task-local-private.h"

G_BEGIN_DECLS

/* A task: a future whose result comes from a C function running on a
 * fiber. It advances in steps, each scheduled through the loop's ready
 * queue as asyncio's Task.__step is. */
struct _GtkloopTask
{
  GtkloopFuture    base;                  /* first: GTKLOOP_FUTURE (task) is the same pointer */

  GtkloopTaskFunc  func;
  gpointer         data;
  GDestroyNotify   data_destroy;          /* runs once the function returned, or will never run */
  GtkloopFiber    *fiber;                 /* (owned) (nullable): freed when the function returned */

  guint64          number;                /* for the default name "Task-N" */
  char            *name;                  /* (owned) (nullable): made on first get_name */
  GCancellable    *cancellable;           /* (owned) (nullable): made on first use */
  GtkloopTaskLocals *locals;              /* (owned) (nullable) */

  GtkloopFuture   *waiting_on;            /* (owned) (nullable): what the task is suspended on */
  GtkloopFuture   *gio_operation;         /* (owned) (nullable): begun by gtkloop_gio_begin, not yet awaited */
  GError          *resume_error;          /* (owned) (nullable): a cancellation delivered by a step */
  char            *cancel_message;        /* (owned) (nullable) */
  guint            num_cancels_requested;
  int              main_depth;            /* g_main_depth () when last resumed */

  guint            must_cancel : 1;       /* deliver a cancellation at the next step */
  guint            cancel_delivered : 1;
  guint            last_suspend_cancelled : 1;
  guint            has_return : 1;
  guint            step_scheduled : 1;
  guint            cancelling_waiting_on : 1;  /* inside cancel (), passing it on */

  gpointer         return_value;          /* (owned by return_destroy) */
  GDestroyNotify   return_destroy;
  GError          *return_error;          /* (owned) (nullable) */

  GList            link;                  /* in the loop's list of pending tasks */
};

/* A task that is already failed with error and never runs anything (no
 * stack, a closed loop, a refused creation). Takes error. */
GtkloopTask *gtkloop_task_new_failed (GtkloopLoop *loop,
                                      GError      *error);

/* TRUE while the task's loop is closing: every suspension point then fails
 * at once, so code that retries a suspension point (a condition that must
 * reacquire its lock, a task group waiting for its children) must stop. */
gboolean     gtkloop_task_is_closing (GtkloopTask *task);

G_END_DECLS
