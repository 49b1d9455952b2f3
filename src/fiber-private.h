#pragma once

#include "gtkloop/gtkloop.h"

G_BEGIN_DECLS

/* Fibers: a function running on a stack of its own, entered with
 * gtkloop_fiber_resume () from the thread's own stack and left with
 * gtkloop_fiber_suspend () from inside. Tasks are built on them; nothing
 * else in gtkloop switches stacks. Per thread: a fiber is only ever resumed
 * on the thread that created it.
 *
 * Stack modes (see docs/fibers.md):
 *  - SHARED (default): the fiber runs on one of a few per-thread run
 *    stacks; when another fiber needs that run stack, the used part of the
 *    suspended one is copied out to the heap and copied back before it
 *    resumes. Memory per suspended fiber is what it really uses; no page
 *    is faulted in per fiber. Rule: a pointer into a fiber's stack is valid
 *    only while that fiber runs.
 *  - GUARDED: a private mmap'ed stack with a guard page below it. Stack
 *    addresses stay valid while suspended (GIO may write into a stack
 *    buffer); an overflow prints the fiber's name and size, then aborts. */
typedef enum {
  GTKLOOP_FIBER_STACK_SHARED,
  GTKLOOP_FIBER_STACK_GUARDED,
} GtkloopFiberStackMode;

typedef struct _GtkloopFiber GtkloopFiber;
typedef void (*GtkloopFiberFunc) (gpointer data);

/* NULL with GTKLOOP_ERROR_RESOURCES when no stack can be had; never aborts.
 * stack_size 0: the mode's default. The function does not start until the
 * first resume. */
GtkloopFiber *gtkloop_fiber_new          (GtkloopFiberFunc      func,
                                          gpointer              data,
                                          GtkloopFiberStackMode mode,
                                          gsize                 stack_size,
                                          GError              **error);
/* Only a fiber that has finished or never started. */
void          gtkloop_fiber_free         (GtkloopFiber         *fiber);
/* Also a suspended fiber: frees it without running the rest of its
 * function. Nothing on its stack is unwound, so heap memory that only its
 * frames point to is lost; for dropping tasks at shutdown. */
void          gtkloop_fiber_discard      (GtkloopFiber         *fiber);

/* From outside any fiber: run fiber until it suspends or its function
 * returns. */
void          gtkloop_fiber_resume       (GtkloopFiber         *fiber);
/* From inside a fiber: back to the gtkloop_fiber_resume () that entered it. */
void          gtkloop_fiber_suspend      (void);

GtkloopFiber *gtkloop_fiber_get_current  (void);   /* NULL outside fibers */
gboolean      gtkloop_fiber_is_finished  (GtkloopFiber         *fiber);
gboolean      gtkloop_fiber_is_started   (GtkloopFiber         *fiber);
gsize         gtkloop_fiber_get_stack_size (GtkloopFiber       *fiber);
GtkloopFiberStackMode gtkloop_fiber_get_stack_mode (GtkloopFiber *fiber);

/* Printed as "Task-N" on overflow when the fiber has no name. */
void          gtkloop_fiber_set_number   (GtkloopFiber         *fiber,
                                          guint64               number);

/* The name printed if the fiber overflows its stack (copied). */
void          gtkloop_fiber_set_name     (GtkloopFiber         *fiber,
                                          const char           *name);

G_END_DECLS
