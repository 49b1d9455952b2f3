#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "gtkloop/gtkloop.h"

#include "fd-watches-private.h"
#include "handle-private.h"
#include "inbox-private.h"
#include "ready-queue-private.h"
#include "timer-heap-private.h"

G_BEGIN_DECLS

typedef struct _GtkloopLoopSource GtkloopLoopSource;

/* Hooks with which the layers above the loop (tasks, executor) take part in
 * closing it, without the loop depending on them. */
typedef struct
{
  void (*finish_tasks)      (GtkloopLoop *loop);  /* cancel and run pending tasks to their end */
  void (*shutdown_executor) (GtkloopLoop *loop);  /* the loop's default executor, if any */
  void (*close_streams)     (GtkloopLoop *loop);  /* sockets and servers still open */
  void (*drop_signal_handlers) (GtkloopLoop *loop); /* its Unix signal handlers */
} GtkloopLoopCloseHooks;

/* Who gets the next GLib iteration (see loop.c, "The source's state"). */
typedef enum
{
  LOOP_TURN_OURS,         /* dispatch us whenever work is queued or a timer is due */
  LOOP_TURN_YIELD_NEXT,   /* a dispatch left work: the next iteration is GLib's */
  LOOP_TURN_GLIBS,        /* this iteration is GLib's: we answer "not ready" */
} GtkloopLoopTurn;

/* Where gtkloop_loop_stop () stands. */
typedef enum
{
  LOOP_STOP_NONE,
  LOOP_STOP_REQUESTED,    /* stop () was called; takes effect at an iteration's end */
  LOOP_STOP_NOW,          /* stop_now () was called; takes effect after the running callback */
  LOOP_STOP_REACHED,      /* that iteration ended: the runner returns */
} GtkloopLoopStop;

struct _GtkloopLoop
{
  GObject             parent_instance;

  GMainContext       *context;        /* (owned) */
  GtkloopLoopSource  *source;         /* (owned) the one GSource of this loop */
  guint               fork_generation; /* the process's, when the loop was made */
  /* Read by other threads on every post: kept off the cache lines the loop
   * thread writes all the time (false sharing cost W5 a third). Padding,
   * not alignment: GObject does not align instances to cache lines, and
   * 64 bytes on each side keep the group off its neighbours' lines
   * wherever the instance starts. */
  char                pad_before_owner[64];
  atomic_uintptr_t    owner;          /* pthread_self () of the owning thread */
  atomic_bool         closed;
  char                pad_after_owner[64];

  /* (loop-thread) scheduling state */
  GtkloopHandleTable  handles;
  GtkloopFdWatches    fds;            /* add_reader / add_writer */
  gpointer            fds_tag;        /* the epoll fd as the source's one GPollFD */
  GtkloopReadyQueue   ready;
  GtkloopTimerHeap    timers;
  guint64             timer_seq;
  guint32             batch_left;     /* callbacks left in the current asyncio iteration */
  guint64             posts_marked;   /* the inbox's posts counted by a mark in the ready queue */
  gint64              posts_dispatch_ns; /* when the last dispatch that ran posts began */
  gint64              ready_time_us;  /* what GLib was last told; -1: none */
  gint64              budget_ns;      /* longest dispatch before GLib gets a turn */

  char                pad_before_inbox[64];
  GtkloopInbox        inbox;          /* (any thread) call_soon_threadsafe */
  char                pad_after_inbox[64];

  /* Whose turn it is, and whether a run is ending: loop.c's "The
   * source's state" table says what each value makes prepare, check and
   * dispatch answer. */
  atomic_int          running;        /* inside a runner (run.c) */
  guint               dispatching;    /* (loop-thread) depth of our source's dispatch */
  GtkloopLoopTurn     turn;           /* (loop-thread) */
  GtkloopLoopStop     stop;           /* (loop-thread) */
  gboolean            closing;        /* (loop-thread) close () is dropping what is left */
  gboolean            in_close;       /* (loop-thread) close () is on the stack, from its start */

  gboolean            debug;
  gint64              slow_callback_ns;

  GtkloopExceptionHandler exception_handler;
  gpointer            exception_handler_data;
  GDestroyNotify      exception_handler_destroy;

  gpointer            tasks;          /* (owned by the task layer) its per-loop state */
  gpointer            executor;       /* (owned by the executor layer) the default executor */

  /* statistics, for tests and benchmarks */
  guint64             n_dispatches;
  guint64             n_yields;
  guint64             n_iterations;   /* asyncio iterations begun (the snapshots taken) */

  /* (loop-thread) giving memory back after a burst: loop-trim.c */
  guint               memory_mark;    /* gtkloop_loop_memory_mark () when last looked at */
  GSource            *trim_source;    /* (owned) (nullable) */

  /* (any thread) futures alive on this loop; together they hold one
   * GObject reference (see gtkloop_loop_hold_for_future). Off the owner's
   * lines, which posting threads read. */
  char                pad_before_n_futures[64];
  gint                n_futures;      /* (atomic) a reference count */
};

/* One run of the loop, for the runners (run.c). begin_run claims the
 * context and marks the loop running, or fails with the error a runner
 * reports (closed, already running, another loop running, context owned
 * by another thread); iterate_until_stopped iterates the context until a
 * stop () takes effect; end_run lets the context go. */
gboolean gtkloop_loop_begin_run             (GtkloopLoop *loop,
                                             const char  *function,
                                             GError     **error);
void     gtkloop_loop_iterate_until_stopped (GtkloopLoop *loop);
void     gtkloop_loop_end_run               (GtkloopLoop *loop);

/* Installed once by the layers above; called by gtkloop_loop_close (). */
void     gtkloop_loop_set_close_hooks (const GtkloopLoopCloseHooks *hooks);

/* TRUE if the calling thread owns loop; otherwise a g_critical naming
 * function. Also refuses (with a critical) a closed loop when
 * refuse_closed is TRUE. */
gboolean gtkloop_loop_check_callable  (GtkloopLoop *loop,
                                       const char  *function,
                                       gboolean     refuse_closed);

static inline gboolean
gtkloop_loop_is_owner (GtkloopLoop *loop)
{
  return atomic_load_explicit (&loop->owner, memory_order_relaxed) == (uintptr_t) pthread_self ();
}

/* Every future keeps its loop alive. A GObject reference per future cost
 * a type check and an atomic on each side (W4 makes a future per
 * hand-off): the futures share one reference instead, taken by the first
 * and dropped by the last. The caller must already hold the loop alive. */
static inline GtkloopLoop *
gtkloop_loop_hold_for_future (GtkloopLoop *loop)
{
  if (g_atomic_int_add (&loop->n_futures, 1) == 0)
    g_object_ref (loop);
  return loop;
}

static inline void
gtkloop_loop_release_for_future (GtkloopLoop *loop)
{
  if (g_atomic_int_dec_and_test (&loop->n_futures))
    g_object_unref (loop);
}

/* Schedules a future's done callback: cb (future, data) on a later
 * iteration. Takes a reference on future. Never a critical: on a closed
 * loop the callback is dropped and destroy runs at once. */
void     gtkloop_loop_call_soon_future (GtkloopLoop          *loop,
                                        GtkloopFuture        *future,
                                        GtkloopFutureCallback cb,
                                        gpointer              data,
                                        GDestroyNotify        destroy);

/* call_soon_threadsafe for the library's own posts (executor results):
 * returns FALSE, with nothing run, when the loop is closed. */
gboolean gtkloop_loop_post_quiet       (GtkloopLoop    *loop,
                                        GtkloopCallback cb,
                                        gpointer        data,
                                        GDestroyNotify  destroy);

/* A loop made before a fork does nothing in the child. */
gboolean gtkloop_loop_made_before_fork (GtkloopLoop *loop);

/* Statistics for tests. */
guint64  gtkloop_loop_get_n_wakeups    (GtkloopLoop *loop);
guint64  gtkloop_loop_get_n_yields     (GtkloopLoop *loop);
guint    gtkloop_loop_get_n_pending    (GtkloopLoop *loop);   /* callbacks and timers not cancelled */
guint64  gtkloop_loop_get_n_iterations (GtkloopLoop *loop);   /* snapshots taken: the fuzzer's snapshot rule */

G_END_DECLS
