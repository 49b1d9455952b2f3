/* The scheduler fuzzer's interpreter (see scheduler-ops.h).
 *
 * An input is a script: the driver reads one operation per byte (with
 * argument bytes after it) and runs it between loop iterations; a spawned
 * task takes the next bytes as a script of its own and runs it on its
 * fiber, and so do the children of gather, wait, task groups and the
 * bodies of timeout scopes, locks and task groups. When the bytes or the
 * operation budget run out, the driver lets the loop run a little, closes
 * it and checks that everything was given back.
 *
 * Everything the checks need lives on the heap: tasks run on SHARED stacks
 * by default, where a pointer to a local is valid only while the task
 * runs (docs/fibers.md). */
#include "config.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#include <gtkloop/gtkloop.h>

#include "debug-private.h"
#include "loop-private.h"
#include "scheduler-ops.h"

#define MAX_OPS          256      /* operations per input */
#define MAX_TASKS        48
#define MAX_HANDLES      96
#define MAX_WORKERS      3
#define MAX_DEPTH        4        /* nested scripts (bodies, children) */
#define MAX_ITEMS        1024     /* queue items per input */
#define TIME_BUDGET_US   15000    /* after this, waits stop blocking */
#define SETTLE_US        8000     /* the loop's last run before close */
#define TIME_SLACK       2e-6     /* seconds: double rounding of deadlines */

static const char *const op_names[FUZZ_N_OPS] = {
  "spawn", "await", "sleep", "cancel", "uncancel", "call_soon", "call_later",
  "call_at", "handle_cancel", "threadsafe", "gather", "wait", "wait_for",
  "shield", "timeout", "task_group", "queue", "lock", "event", "semaphore",
  "condition", "barrier", "executor", "iterate", "close", "return",
};

const char *
fuzz_op_name (FuzzOpKind kind)
{
  return kind < FUZZ_N_OPS ? op_names[kind] : "?";
}

G_GNUC_NORETURN G_GNUC_PRINTF (1, 2) static void
fuzz_fail (const char *format, ...)
{
  va_list args;

  fprintf (stderr, "fuzz-scheduler: invariant broken: ");
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fprintf (stderr, "\n");
  fflush (stderr);
  abort ();
}

/* FUZZ_TRACE=1: one line per operation, to read what an input does. */
static int trace_enabled = -1;

G_GNUC_PRINTF (1, 2) static void
trace (const char *format, ...)
{
  va_list args;

  if (trace_enabled < 0)
    trace_enabled = g_getenv ("FUZZ_TRACE") != NULL;
  if (!trace_enabled)
    return;
  va_start (args, format);
  vfprintf (stderr, format, args);
  va_end (args);
  fputc ('\n', stderr);
}

#define CHECK(cond, ...) G_STMT_START { if (G_UNLIKELY (!(cond))) fuzz_fail (__VA_ARGS__); } G_STMT_END

/* ---------------------------------------------------------------------- */
/* Scripts                                                                 */

typedef struct
{
  const guint8 *bytes;
  gsize         len;
  gsize         pos;
} Script;

static guint8
next_byte (Script *s)
{
  return s->pos < s->len ? s->bytes[s->pos++] : 0;
}

/* The next (first byte % (max + 1)) bytes, taken out of s. */
static Script
take_script (Script *s,
             guint   max)
{
  gsize n = next_byte (s) % (max + 1);
  Script sub;

  n = MIN (n, s->len - s->pos);
  sub.bytes = s->bytes + s->pos;
  sub.len = n;
  sub.pos = 0;
  s->pos += n;
  return sub;
}

/* 0 to 2.8 ms in 0.4 ms steps: runs stay short, ties still happen. */
static double
delay_from (guint8 b)
{
  return (b % 8) * 0.0004;
}

/* ---------------------------------------------------------------------- */
/* The run's state                                                         */

typedef struct _FuzzRun  FuzzRun;
typedef struct _FuzzTask FuzzTask;

typedef enum { CB_SOON, CB_TIMER, CB_THREADSAFE } CbKind;

/* One callback given to the loop. */
typedef struct
{
  FuzzRun    *run;
  CbKind      kind;
  guint64     id;                /* handle id; 0 for posts from threads */
  guint64     seq;               /* call_soon order, or post order of its worker */
  guint       worker;
  guint64     queued_iteration;  /* the loop's snapshot count when queued */
  double      lo, hi;            /* bounds of a timer's deadline (loop time) */
  guint       chain;             /* call_soon this many more when run */
  gboolean    ran, cancelled, running, live_timer;
  atomic_int  destroyed;
} CbRec;

typedef struct
{
  FuzzRun    *run;
  guint       index;
  guint       n_posts;
  guint       gap_us;
  CbRec     **recs;
  GThread    *thread;
  guint64     last_run_seq;      /* loop thread */
  gboolean    any_run;
} FuzzWorker;

/* An executor job; the result points back at it. */
typedef struct
{
  FuzzRun    *run;
  guint       work_us;
  atomic_int  produced;
  atomic_int  data_destroyed;
  atomic_int  result_destroyed;
} FuzzJob;

typedef struct
{
  FuzzJob *job;
} FuzzJobResult;

/* What a task returned with gtkloop_task_return. */
typedef struct
{
  int destroyed;
} FuzzValue;

struct _FuzzTask
{
  FuzzRun     *run;
  guint        index;
  GtkloopTask *task;              /* (owned) */
  Script       script;
  guint        depth;
  gboolean     started, ended, holds_lock;
  gboolean     exposed;           /* something besides the fuzzer may cancel it */
  guint        pending_cancels;   /* cancel () TRUE, not yet delivered */
  gpointer     expected_local;    /* its creator's task-local value when it was made */
  gboolean     cancelled_before_start;
  int          destroyed;         /* its data's destroy notify */
};

struct _FuzzRun
{
  GMainContext          *context;
  GtkloopLoop           *loop;
  guint64               *counts;
  guint                  ops_left;
  gint64                 time_budget_end;
  gboolean               closing;          /* close () called: every suspension fails */
  gboolean               closed;           /* close () returned */
  atomic_int             close_requested;  /* for the worker threads */

  GPtrArray             *recs;             /* (owned) CbRec* */
  GPtrArray             *handles;          /* CbRec* with an id, for handle_cancel */
  GPtrArray             *live_timers;      /* CbRec* timers neither run nor cancelled */
  guint64                soon_seq;
  guint64                last_soon_run;

  GPtrArray             *tasks;            /* (owned) FuzzTask* */
  FuzzWorker            *workers[MAX_WORKERS];
  guint                  n_workers;
  GPtrArray             *jobs;             /* (owned) FuzzJob* */
  GPtrArray             *values;           /* (owned) FuzzValue* */
  GPtrArray             *locals;           /* (owned) FuzzValue*: task-local values */
  gboolean               guard_stop_now;   /* run_forever's stop timer calls stop_now */
  guint64                stop_now_iteration; /* G_MAXUINT64: never */

  GtkloopThreadExecutor *executor;
  GtkloopLock           *lock;
  gboolean               lock_held;
  GtkloopEvent          *event;
  GtkloopSemaphore      *semaphore;
  guint                  sem_capacity;
  gboolean               sem_bounded;
  guint                  sem_holders;
  guint                  sem_waiters;
  GtkloopCondition      *condition;
  GtkloopBarrier        *barrier;
  guint                  barrier_parties;
  GtkloopQueue          *queue;
  guint                  next_item;                 /* items are 1, 2, … */
  guint8                 item_accepted[MAX_ITEMS];  /* put returned TRUE */
  guint8                 item_taken[MAX_ITEMS];     /* put () takes it even when it fails */
  guint8                 item_got[MAX_ITEMS];
  guint8                 item_destroyed[MAX_ITEMS];
  guint8                 item_nowait[MAX_ITEMS];    /* put_nowait: order known */
  guint                  last_nowait_got;
  guint                  unfinished;                /* gets not yet task_done */
  guint                  n_unretrieved;             /* exception handler calls */
};

static FuzzRun *current_run;   /* for the queue's item destroy notify */

static void
count_op (FuzzRun   *run,
          FuzzOpKind kind)
{
  if (run->counts != NULL)
    run->counts[kind]++;
}

static gboolean
past_time_budget (FuzzRun *run)
{
  return g_get_monotonic_time () >= run->time_budget_end;
}

static guint64
iteration_of (FuzzRun *run)
{
  return gtkloop_loop_get_n_iterations (run->loop);
}

/* ---------------------------------------------------------------------- */
/* Callbacks: FIFO, deadlines, the snapshot rule, destroy notifies         */

static void schedule_soon (FuzzRun *run, guint chain);

static void
rec_destroy (gpointer data)
{
  CbRec *rec = data;
  int before = atomic_fetch_add (&rec->destroyed, 1);

  CHECK (before == 0, "a destroy notify ran %d times", before + 1);
}

static void
check_timer_order (FuzzRun *run,
                   CbRec   *x)
{
  guint64 now_iteration = iteration_of (run);
  double now = gtkloop_loop_time (run->loop);

  CHECK (now + TIME_SLACK >= x->lo,
         "a timer ran %.6f s before its deadline", x->lo - now);
  /* stop_now () leaves the rest of its iteration to the next one, which
   * runs it before the timers it finds due: order holds within each. */
  if (run->stop_now_iteration != G_MAXUINT64 && now_iteration == run->stop_now_iteration + 1)
    {
      g_ptr_array_remove_fast (run->live_timers, x);
      x->live_timer = FALSE;
      return;
    }
  for (guint i = 0; i < run->live_timers->len; i++)
    {
      CbRec *y = run->live_timers->pdata[i];

      if (y == x || y->queued_iteration >= now_iteration)
        continue;
      CHECK (!(y->hi + TIME_SLACK < x->lo),
             "deadline order: a timer due at %.6f is still pending while one due at %.6f runs",
             y->hi, x->lo);
    }
  g_ptr_array_remove_fast (run->live_timers, x);
  x->live_timer = FALSE;
}

static void
rec_run (gpointer data)
{
  CbRec *rec = data;
  FuzzRun *run = rec->run;

  CHECK (!run->closed, "a callback ran after the loop was closed");
  CHECK (!rec->ran, "a callback ran twice");
  CHECK (!rec->cancelled, "a cancelled callback ran");
  CHECK (atomic_load (&rec->destroyed) == 0, "a callback ran after its destroy notify");
  rec->ran = TRUE;
  rec->running = TRUE;

  switch (rec->kind)
    {
    case CB_SOON:
      CHECK (rec->seq > run->last_soon_run, "call_soon FIFO: #%" G_GUINT64_FORMAT
             " ran after #%" G_GUINT64_FORMAT, rec->seq, run->last_soon_run);
      run->last_soon_run = rec->seq;
      CHECK (iteration_of (run) > rec->queued_iteration,
             "snapshot rule: a callback ran in the iteration that queued it");
      break;
    case CB_TIMER:
      CHECK (iteration_of (run) > rec->queued_iteration,
             "snapshot rule: a timer ran in the iteration that scheduled it");
      check_timer_order (run, rec);
      break;
    case CB_THREADSAFE:
      {
        FuzzWorker *w = run->workers[rec->worker];

        CHECK (!w->any_run || rec->seq > w->last_run_seq,
               "call_soon_threadsafe order: post %" G_GUINT64_FORMAT " ran after post %"
               G_GUINT64_FORMAT " of the same thread", rec->seq, w->last_run_seq);
        w->any_run = TRUE;
        w->last_run_seq = rec->seq;
      }
      break;
    }

  for (guint i = 0; i < rec->chain; i++)
    schedule_soon (run, 0);
  rec->running = FALSE;
}

static CbRec *
rec_new (FuzzRun *run,
         CbKind   kind)
{
  CbRec *rec = g_new0 (CbRec, 1);

  rec->run = run;
  rec->kind = kind;
  g_ptr_array_add (run->recs, rec);
  return rec;
}

static void
remember_handle (FuzzRun *run,
                 CbRec   *rec)
{
  CHECK (rec->id != 0, "the loop refused a callback while open");
  if (run->handles->len < MAX_HANDLES)
    g_ptr_array_add (run->handles, rec);
}

static void
schedule_soon (FuzzRun *run,
               guint    chain)
{
  CbRec *rec = rec_new (run, CB_SOON);

  rec->seq = ++run->soon_seq;
  rec->chain = chain;
  rec->queued_iteration = iteration_of (run);
  rec->id = gtkloop_loop_call_soon (run->loop, rec_run, rec, rec_destroy);
  remember_handle (run, rec);
}

static void
schedule_timer (FuzzRun *run,
                gboolean absolute,
                guint8   arg)
{
  CbRec *rec = rec_new (run, CB_TIMER);
  double delay = delay_from (arg);

  rec->chain = (arg >> 3) % 3;
  rec->queued_iteration = iteration_of (run);
  if (absolute)
    {
      double when = gtkloop_loop_time (run->loop) + delay;

      rec->lo = rec->hi = when;
      rec->id = gtkloop_loop_call_at (run->loop, when, rec_run, rec, rec_destroy);
    }
  else
    {
      rec->lo = gtkloop_loop_time (run->loop) + delay;
      rec->id = gtkloop_loop_call_later (run->loop, delay, rec_run, rec, rec_destroy);
      rec->hi = gtkloop_loop_time (run->loop) + delay;
    }
  rec->live_timer = TRUE;
  g_ptr_array_add (run->live_timers, rec);
  remember_handle (run, rec);
}

static void
cancel_handle (FuzzRun *run,
               guint8   arg)
{
  CbRec *rec;
  gboolean cancelled;

  if (run->handles->len == 0)
    return;
  rec = run->handles->pdata[arg % run->handles->len];
  cancelled = gtkloop_loop_cancel (run->loop, rec->id);
  if (rec->running)
    return;   /* cancelling itself: no effect either way */
  if (cancelled)
    {
      CHECK (!rec->ran && !rec->cancelled, "cancel () said TRUE for a handle that ran or was cancelled");
      rec->cancelled = TRUE;
      if (rec->live_timer)
        {
          g_ptr_array_remove_fast (run->live_timers, rec);
          rec->live_timer = FALSE;
        }
    }
  else
    CHECK (rec->ran || rec->cancelled, "cancel () said FALSE for a pending handle");
}

/* Posts from worker threads ---------------------------------------------- */

static gpointer
worker_main (gpointer data)
{
  FuzzWorker *w = data;
  FuzzRun *run = w->run;

  for (guint i = 0; i < w->n_posts; i++)
    {
      CbRec *rec = w->recs[i];

      if (w->gap_us > 0)
        g_usleep (w->gap_us);
      if (!gtkloop_loop_post_quiet (run->loop, rec_run, rec, rec_destroy))
        {
          /* Refused: only a closed loop may refuse, and then the poster
           * frees (call_soon_threadsafe would add a critical). */
          CHECK (atomic_load (&run->close_requested), "a post was refused by an open loop");
          rec_destroy (rec);
        }
    }
  return NULL;
}

static void
start_worker (FuzzRun *run,
              guint8   arg)
{
  FuzzWorker *w;

  if (run->n_workers == MAX_WORKERS)
    return;
  w = g_new0 (FuzzWorker, 1);
  w->run = run;
  w->index = run->n_workers;
  w->n_posts = 1 + arg % 8;
  w->gap_us = (arg >> 3) % 4 * 50;
  w->recs = g_new0 (CbRec *, w->n_posts);
  for (guint i = 0; i < w->n_posts; i++)
    {
      w->recs[i] = rec_new (run, CB_THREADSAFE);
      w->recs[i]->worker = w->index;
      w->recs[i]->seq = i;
    }
  run->workers[run->n_workers++] = w;
  w->thread = g_thread_new ("fuzz-poster", worker_main, w);
}

/* ---------------------------------------------------------------------- */
/* Tasks                                                                   */

static void     task_main    (GtkloopTask *task, gpointer data);
static GError  *run_script   (FuzzTask *ft, Script *s, guint depth);

static void
task_data_destroy (gpointer data)
{
  FuzzTask *ft = data;

  CHECK (++ft->destroyed == 1, "a task's destroy notify ran %d times", ft->destroyed);
}

/* A task starts with the task-local values of the task that made it. */
static gpointer
local_of_current_task (void)
{
  GtkloopTask *current = gtkloop_task_get_current ();

  return current ? gtkloop_task_get_local (current, "fuzz") : NULL;
}

static FuzzTask *
spawn (FuzzRun *run,
       Script  *from,
       guint    depth,
       guint8   mode)
{
  FuzzTask *ft;

  if (run->tasks->len >= MAX_TASKS)
    return NULL;
  ft = g_new0 (FuzzTask, 1);
  ft->run = run;
  ft->index = run->tasks->len;
  ft->script = take_script (from, 24);
  ft->depth = depth;
  ft->expected_local = local_of_current_task ();
  g_ptr_array_add (run->tasks, ft);
  if (mode % 4 == 0)
    ft->task = gtkloop_loop_create_task (run->loop, task_main, ft, task_data_destroy);
  else
    {
      GtkloopTaskOptions options = { 0 };

      options.stack_mode = mode % 4 == 1 ? GTKLOOP_STACK_SHARED
                         : mode % 4 == 2 ? GTKLOOP_STACK_GUARDED : GTKLOOP_STACK_DEFAULT;
      options.name = "fuzz";
      ft->task = gtkloop_loop_create_task_full (run->loop, task_main, ft, task_data_destroy, &options);
    }
  CHECK (ft->task != NULL, "create_task returned NULL");
  return ft;
}

static GtkloopFuture *
future_of (FuzzTask *ft)
{
  return GTKLOOP_FUTURE (ft->task);
}

static void
cancel_task (FuzzRun *run,
             guint8   arg)
{
  FuzzTask *target;
  gboolean was_done, cancelled;

  if (run->tasks->len == 0)
    return;
  target = run->tasks->pdata[arg % run->tasks->len];
  was_done = gtkloop_future_is_done (future_of (target));
  cancelled = gtkloop_task_cancel (target->task, NULL);
  trace ("cancel task %u: %d", target->index, cancelled);
  CHECK (cancelled == !was_done, "task_cancel () returned %d for a task %s done",
         cancelled, was_done ? "already" : "not yet");
  if (cancelled)
    {
      target->pending_cancels++;
      if (!target->started)
        target->cancelled_before_start = TRUE;
    }
}

/* A suspension point that must deliver a pending cancellation: sleep,
 * the synchronisation primitives' waits, wait (), shield, executor jobs.
 * suspended: whether another iteration began meanwhile (a wait that
 * found its object ready returns without yielding, as in asyncio). */
static void
after_suspension (FuzzTask     *ft,
                  gboolean      ok,
                  const GError *error,
                  gboolean      suspended)
{
  trace ("task %u: suspension point %s%s%s", ft->index, ok ? "ok" : "failed: ",
         ok ? "" : error->message, suspended ? " (suspended)" : "");
  if (ft->run->closing)
    return;
  if (ok)
    {
      CHECK (!(suspended && ft->pending_cancels > 0),
             "task %u: a cancellation was requested but the suspension point succeeded",
             ft->index);
      return;
    }
  /* Another failure (a broken barrier, a queue shut down): the
   * cancellation is still due at the next suspension point. */
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  CHECK (ft->pending_cancels > 0 || ft->exposed,
         "task %u: cancelled with no cancellation pending (delivered twice?)", ft->index);
  ft->pending_cancels = 0;
}

/* An await of another task or a combinator over tasks: the awaited task
 * may swallow the cancellation passed on to it, as in asyncio. */
static void
after_future_await (FuzzTask *ft,
                    guint64   iteration_before)
{
  gboolean suspended = iteration_of (ft->run) != iteration_before;

  trace ("task %u: future await returned%s", ft->index, suspended ? " (suspended)" : "");
  /* A future already done returns at once: nothing was delivered. */
  if (suspended)
    ft->pending_cancels = 0;
}

/* What a failed step does next: the next byte says catch (and maybe
 * uncancel) or raise. Returns the error to raise, or NULL. */
static GError *
handle_failure (FuzzTask *ft,
                Script   *s,
                GError   *error)
{
  guint8 b;

  if (error == NULL)
    return NULL;
  b = next_byte (s);
  if (b & 1)
    return error;
  if ((b & 2) && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      gtkloop_task_cancelling (ft->task) > 0 && ft->pending_cancels == 0 &&
      !ft->run->closing)
    {
      guint before = gtkloop_task_cancelling (ft->task);

      count_op (ft->run, FUZZ_OP_UNCANCEL);
      CHECK (gtkloop_task_uncancel (ft->task) == before - 1, "uncancel did not take back one request");
    }
  g_error_free (error);
  return NULL;
}

static GtkloopFuture **
spawn_children (FuzzTask *ft,
                Script   *s,
                guint     depth,
                guint     n,
                guint    *n_made)
{
  GtkloopFuture **fs = g_new0 (GtkloopFuture *, n);

  *n_made = 0;
  for (guint i = 0; i < n; i++)
    {
      FuzzTask *child = spawn (ft->run, s, depth + 1, next_byte (s));

      if (child == NULL)
        break;
      child->exposed = TRUE;
      fs[(*n_made)++] = future_of (child);
    }
  return fs;
}

static GError *
op_sleep (FuzzTask *ft,
          Script   *s)
{
  GError *error = NULL;
  double d = past_time_budget (ft->run) ? 0 : delay_from (next_byte (s));
  gboolean ok = gtkloop_sleep (d, &error);

  after_suspension (ft, ok, error, TRUE);
  return error;
}

static GError *
op_await (FuzzTask *ft,
          Script   *s)
{
  FuzzRun *run = ft->run;
  FuzzTask *target = run->tasks->pdata[next_byte (s) % run->tasks->len];
  GError *error = NULL;
  guint64 before;

  if (target == ft)
    return NULL;
  target->exposed = TRUE;
  trace ("task %u: awaits task %u", ft->index, target->index);
  before = iteration_of (run);
  if (gtkloop_await (future_of (target), &error))
    CHECK (gtkloop_future_is_done (future_of (target)), "await returned before the task was done");
  after_future_await (ft, before);
  return error;
}

static GError *
op_gather (FuzzTask *ft,
           Script   *s,
           guint     depth)
{
  guint8 arg = next_byte (s);
  guint n;
  GtkloopFuture **fs = spawn_children (ft, s, depth, 1 + arg % 3, &n);
  GtkloopFuture *g = gtkloop_gather (fs, n, arg & 4);
  GError *error = NULL;
  guint64 before = iteration_of (ft->run);

  if (gtkloop_await (g, &error))
    {
      GPtrArray *results = gtkloop_future_get_result (g, NULL);

      CHECK (results != NULL && results->len == n, "gather's result has the wrong length");
      for (guint i = 0; i < n; i++)
        CHECK (gtkloop_future_is_done (fs[i]), "gather finished before a child");
    }
  after_future_await (ft, before);
  gtkloop_future_unref (g);
  g_free (fs);
  return error;
}

static GError *
op_wait (FuzzTask *ft,
         Script   *s,
         guint     depth)
{
  guint8 arg = next_byte (s);
  guint n;
  GtkloopFuture **fs = spawn_children (ft, s, depth, 1 + arg % 3, &n);
  GtkloopWaitMode mode = (arg >> 2) % 3;
  double timeout = (arg & 0x20) ? delay_from (arg >> 6) : -1;
  GPtrArray *done = NULL, *pending = NULL;
  GError *error = NULL;
  guint64 before = iteration_of (ft->run);
  gboolean ok;

  if (n == 0)
    {
      g_free (fs);
      return NULL;
    }
  ok = gtkloop_wait (fs, n, mode, timeout, &done, &pending, &error);
  if (ok)
    {
      CHECK (done != NULL && pending != NULL && done->len + pending->len == n,
             "wait: done and pending do not add up");
      for (guint i = 0; i < done->len; i++)
        CHECK (gtkloop_future_is_done (done->pdata[i]), "wait: a future in done is not done");
      for (guint i = 0; i < pending->len; i++)
        CHECK (!gtkloop_future_is_done (pending->pdata[i]), "wait: a future in pending is done");
      if (timeout < 0 && mode == GTKLOOP_ALL_COMPLETED)
        CHECK (pending->len == 0, "wait (ALL_COMPLETED) returned with futures pending");
      if (timeout < 0)
        CHECK (done->len > 0, "wait returned with nothing done and no timeout");
    }
  after_suspension (ft, ok, error, iteration_of (ft->run) != before);
  g_clear_pointer (&done, g_ptr_array_unref);
  g_clear_pointer (&pending, g_ptr_array_unref);
  g_free (fs);
  return error;
}

static GError *
op_wait_for (FuzzTask *ft,
             Script   *s,
             guint     depth)
{
  double timeout = delay_from (next_byte (s));
  guint n;
  GtkloopFuture **fs = spawn_children (ft, s, depth, 1, &n);
  GError *error = NULL;
  guint64 before = iteration_of (ft->run);

  if (n == 1)
    {
      if (gtkloop_wait_for (fs[0], timeout, &error))
        CHECK (gtkloop_future_is_done (fs[0]), "wait_for returned before its future was done");
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) && !ft->run->closing)
        CHECK (gtkloop_future_is_done (fs[0]), "wait_for timed out without waiting for the cancelled future");
      after_future_await (ft, before);
    }
  g_free (fs);
  return error;
}

static GError *
op_shield (FuzzTask *ft,
           Script   *s,
           guint     depth)
{
  guint n;
  GtkloopFuture **fs = spawn_children (ft, s, depth, 1, &n);
  GError *error = NULL;

  if (n == 1)
    {
      GtkloopFuture *outer = gtkloop_shield (fs[0]);
      guint64 before = iteration_of (ft->run);
      gboolean ok = gtkloop_await (outer, &error);

      if (ok)
        CHECK (gtkloop_future_is_done (fs[0]), "a shield finished before its future");
      /* Cancelling the task cancels the outer future only, which must
       * deliver; a child cancelled directly cancels the outer too. */
      if (gtkloop_future_is_cancelled (fs[0]))
        after_future_await (ft, before);
      else
        after_suspension (ft, ok, error, iteration_of (ft->run) != before);
      gtkloop_future_unref (outer);
    }
  g_free (fs);
  return error;
}

static GError *
op_timeout (FuzzTask *ft,
            Script   *s,
            guint     depth)
{
  double d = delay_from (next_byte (s));
  Script body = take_script (s, 16);
  GtkloopTimeout *t;
  GError *error;
  gboolean body_timed_out;

  ft->exposed = TRUE;
  t = gtkloop_timeout_new (d);
  error = run_script (ft, &body, depth + 1);
  /* A TIMED_OUT from the body (wait_for, an inner scope) passes through. */
  body_timed_out = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
  if (!gtkloop_timeout_exit (t, &error) && !body_timed_out &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    CHECK (gtkloop_timeout_expired (t), "a timeout scope timed out without expiring");
  gtkloop_timeout_unref (t);
  return error;
}

static GError *
op_task_group (FuzzTask *ft,
               Script   *s,
               guint     depth)
{
  FuzzRun *run = ft->run;
  guint n = next_byte (s) % 4;
  GtkloopTaskGroup *tg;
  GtkloopTask *children[3];
  guint n_made = 0;
  Script body;
  GError *error;
  guint64 before;

  ft->exposed = TRUE;
  tg = gtkloop_task_group_new ();
  for (guint i = 0; i < n && run->tasks->len < MAX_TASKS; i++)
    {
      FuzzTask *child = g_new0 (FuzzTask, 1);

      child->run = run;
      child->index = run->tasks->len;
      child->script = take_script (s, 24);
      child->depth = depth + 1;
      child->exposed = TRUE;
      child->expected_local = local_of_current_task ();
      g_ptr_array_add (run->tasks, child);
      child->task = gtkloop_task_group_create_task (tg, task_main, child, task_data_destroy);
      CHECK (child->task != NULL, "task_group_create_task returned NULL");
      children[n_made++] = child->task;
    }
  body = take_script (s, 16);
  error = run_script (ft, &body, depth + 1);
  before = iteration_of (run);
  gtkloop_task_group_exit (tg, &error);
  /* The exit swallows a cancellation the group itself caused. */
  after_future_await (ft, before);
  if (!run->closing)
    for (guint i = 0; i < n_made; i++)
      CHECK (gtkloop_future_is_done (GTKLOOP_FUTURE (children[i])),
             "a task group exited with a child still running");
  gtkloop_task_group_unref (tg);
  return error;
}

/* Queue ------------------------------------------------------------------ */

static void
queue_item_destroy (gpointer item)
{
  guint i = GPOINTER_TO_UINT (item);

  CHECK (current_run != NULL && i > 0 && i < MAX_ITEMS, "a queue item freed out of a run");
  CHECK (++current_run->item_destroyed[i] == 1, "queue item %u freed twice", i);
}

static void
got_item (FuzzRun *run,
          gpointer item)
{
  guint i = GPOINTER_TO_UINT (item);

  CHECK (i > 0 && i < run->next_item, "the queue gave an item never put");
  CHECK (run->item_accepted[i], "the queue gave an item its put refused");
  CHECK (++run->item_got[i] == 1, "the queue gave item %u twice", i);
  CHECK (run->item_destroyed[i] == 0, "the queue gave an item it had freed");
  if (run->item_nowait[i])
    {
      CHECK (i > run->last_nowait_got, "queue FIFO: item %u after item %u", i, run->last_nowait_got);
      run->last_nowait_got = i;
    }
  run->unfinished++;
}

static GError *
op_queue (FuzzTask *ft,
          Script   *s,
          guint     depth G_GNUC_UNUSED)
{
  FuzzRun *run = ft->run;
  guint8 arg = next_byte (s);
  GError *error = NULL;
  guint64 before = iteration_of (run);
  gboolean ok = TRUE;
  gpointer item;

  if (run->next_item >= MAX_ITEMS)
    return NULL;
  switch (arg % 8)
    {
    case 0: case 1:
      {
        guint i = run->next_item++;

        run->item_taken[i] = TRUE;
        ok = gtkloop_queue_put (run->queue, GUINT_TO_POINTER (i), &error);
        run->item_accepted[i] = ok;
        if (!ok)
          CHECK (run->item_destroyed[i] == 1, "a failed put did not free its item");
        after_suspension (ft, ok, error, iteration_of (run) != before);
        return error;
      }
    case 2: case 3:
      item = gtkloop_queue_get (run->queue, &error);
      ok = item != NULL;
      if (ok)
        got_item (run, item);
      after_suspension (ft, ok, error, iteration_of (run) != before);
      return error;
    case 4:
      {
        guint i = run->next_item++;

        ok = gtkloop_queue_put_nowait (run->queue, GUINT_TO_POINTER (i), &error);
        run->item_accepted[i] = ok;
        run->item_nowait[i] = ok;
        return handle_failure (ft, s, error);
      }
    case 5:
      item = gtkloop_queue_get_nowait (run->queue, &error);
      if (item != NULL)
        got_item (run, item);
      return handle_failure (ft, s, error);
    case 6:
      if (run->unfinished > 0)
        {
          run->unfinished--;
          gtkloop_queue_task_done (run->queue);
          return NULL;
        }
      ok = gtkloop_queue_join (run->queue, &error);
      after_suspension (ft, ok, error, iteration_of (run) != before);
      return error;
    default:
      gtkloop_queue_shutdown (run->queue, arg & 8);
      return NULL;
    }
}

/* Lock, event, semaphore, condition, barrier ---------------------------- */

static GError *
op_lock (FuzzTask *ft,
         Script   *s,
         guint     depth)
{
  FuzzRun *run = ft->run;
  Script body = take_script (s, 8);
  GError *error = NULL;
  guint64 before = iteration_of (run);
  gboolean ok;

  if (ft->holds_lock)
    return NULL;   /* not reentrant: the task would wait for itself */
  ok = gtkloop_lock_acquire (run->lock, &error);
  after_suspension (ft, ok, error, iteration_of (run) != before);
  if (!ok)
    return error;
  CHECK (!run->lock_held, "two tasks hold the lock");
  CHECK (gtkloop_lock_is_locked (run->lock), "an acquired lock is not locked");
  run->lock_held = ft->holds_lock = TRUE;
  error = run_script (ft, &body, depth + 1);
  run->lock_held = ft->holds_lock = FALSE;
  gtkloop_lock_release (run->lock);
  return error;
}

static GError *
op_event (FuzzTask *ft,
          Script   *s,
          guint     depth G_GNUC_UNUSED)
{
  FuzzRun *run = ft->run;
  guint8 arg = next_byte (s);
  GError *error = NULL;
  guint64 before = iteration_of (run);
  gboolean ok;

  switch (arg % 3)
    {
    case 0:
      gtkloop_event_set (run->event);
      CHECK (gtkloop_event_is_set (run->event), "a set event is not set");
      return NULL;
    case 1:
      gtkloop_event_clear (run->event);
      return NULL;
    default:
      ok = gtkloop_event_wait (run->event, &error);
      after_suspension (ft, ok, error, iteration_of (run) != before);
      return error;
    }
}

static GError *
op_semaphore (FuzzTask *ft,
              Script   *s,
              guint     depth)
{
  FuzzRun *run = ft->run;
  guint8 arg = next_byte (s);
  GError *error = NULL;
  guint64 before = iteration_of (run);
  gboolean ok;
  Script body;

  if ((arg & 3) == 3)
    {
      /* A release nobody acquired: one more unit for a plain semaphore;
       * a bounded one at its initial value refuses it. */
      if (run->sem_bounded && (run->sem_holders > 0 || run->sem_waiters > 0))
        return NULL;   /* would give back a holder's unit: not modelled */
      ok = gtkloop_semaphore_release (run->semaphore, &error);
      if (run->sem_bounded)
        CHECK (!ok, "a bounded semaphore went above its initial value");
      else
        {
          CHECK (ok, "releasing a plain semaphore failed");
          run->sem_capacity++;
        }
      g_clear_error (&error);
      return NULL;
    }
  body = take_script (s, 8);
  run->sem_waiters++;
  ok = gtkloop_semaphore_acquire (run->semaphore, &error);
  run->sem_waiters--;
  after_suspension (ft, ok, error, iteration_of (run) != before);
  if (!ok)
    return error;
  run->sem_holders++;
  CHECK (run->sem_holders <= run->sem_capacity, "%u tasks hold a semaphore of %u",
         run->sem_holders, run->sem_capacity);
  error = run_script (ft, &body, depth + 1);
  run->sem_holders--;
  ok = gtkloop_semaphore_release (run->semaphore, NULL);
  CHECK (ok, "releasing an acquired semaphore failed");
  return error;
}

static GError *
op_condition (FuzzTask *ft,
              Script   *s,
              guint     depth G_GNUC_UNUSED)
{
  FuzzRun *run = ft->run;
  guint8 arg = next_byte (s);
  GError *error = NULL;
  guint64 before = iteration_of (run);
  gboolean ok;

  ok = gtkloop_condition_acquire (run->condition, &error);
  after_suspension (ft, ok, error, iteration_of (run) != before);
  if (!ok)
    return error;
  switch (arg % 3)
    {
    case 0:
      before = iteration_of (run);
      ok = gtkloop_condition_wait (run->condition, &error);
      after_suspension (ft, ok, error, iteration_of (run) != before);
      /* Whatever happened, wait () gives the lock back before returning. */
      CHECK (gtkloop_condition_is_locked (run->condition), "condition wait returned without the lock");
      break;
    case 1:
      gtkloop_condition_notify (run->condition, 1 + (arg >> 2) % 2);
      break;
    default:
      gtkloop_condition_notify_all (run->condition);
      break;
    }
  gtkloop_condition_release (run->condition);
  return error;
}

static GError *
op_barrier (FuzzTask *ft,
            Script   *s,
            guint     depth G_GNUC_UNUSED)
{
  FuzzRun *run = ft->run;
  guint8 arg = next_byte (s);
  GError *error = NULL;
  guint64 before = iteration_of (run);
  guint index = G_MAXUINT;
  gboolean ok;

  switch (arg % 4)
    {
    case 0:
      gtkloop_barrier_reset (run->barrier, &error);
      return handle_failure (ft, s, error);
    case 1:
      gtkloop_barrier_abort (run->barrier, &error);
      CHECK (gtkloop_barrier_is_broken (run->barrier), "an aborted barrier is not broken");
      return handle_failure (ft, s, error);
    default:
      ok = gtkloop_barrier_wait (run->barrier, &index, &error);
      if (ok)
        CHECK (index < run->barrier_parties, "barrier index %u of %u parties", index, run->barrier_parties);
      after_suspension (ft, ok, error, iteration_of (run) != before);
      return error;
    }
}

/* Executor jobs ---------------------------------------------------------- */

static gpointer
job_work (gpointer      data,
          GCancellable *cancellable,
          GError      **error)
{
  FuzzJob *job = data;
  FuzzJobResult *result;

  if (job->work_us > 0)
    g_usleep (job->work_us);
  result = g_new0 (FuzzJobResult, 1);
  result->job = job;
  atomic_store (&job->produced, 1);
  return result;
}

static void
job_data_destroy (gpointer data)
{
  FuzzJob *job = data;
  int before = atomic_fetch_add (&job->data_destroyed, 1);

  CHECK (before == 0, "an executor job's data was freed twice");
}

static void
job_result_destroy (gpointer data)
{
  FuzzJobResult *result = data;
  int before = atomic_fetch_add (&result->job->result_destroyed, 1);

  CHECK (before == 0, "an executor job's result was freed twice");
  g_free (result);
}

static GError *
op_executor (FuzzTask *ft,
             Script   *s,
             guint     depth G_GNUC_UNUSED)
{
  FuzzRun *run = ft->run;
  guint8 arg = next_byte (s);
  FuzzJob *job = g_new0 (FuzzJob, 1);
  GtkloopFuture *f;
  GError *error = NULL;
  guint64 before;
  gboolean ok;

  job->run = run;
  job->work_us = (arg % 4) * 100;
  g_ptr_array_add (run->jobs, job);
  f = gtkloop_loop_run_in_executor (run->loop, run->executor, job_work, job,
                                    job_data_destroy, job_result_destroy);
  CHECK (f != NULL, "run_in_executor returned NULL on the loop thread");
  if (arg & 4)
    {
      gtkloop_future_cancel (f, NULL);
      CHECK (gtkloop_future_is_cancelled (f), "a cancelled job's future is not cancelled");
      ok = gtkloop_await (f, &error);   /* done: returns at once */
      CHECK (!ok, "awaiting a cancelled job succeeded");
    }
  else
    {
      before = iteration_of (run);
      ok = gtkloop_await (f, &error);
      if (ok)
        {
          FuzzJobResult *result = gtkloop_future_get_result (f, NULL);

          CHECK (result != NULL && result->job == job, "a job's future holds another job's result");
        }
      after_suspension (ft, ok, error, iteration_of (run) != before);
    }
  gtkloop_future_unref (f);
  return error;
}

/* Ending a task ---------------------------------------------------------- */

static void
value_destroy (gpointer data)
{
  FuzzValue *v = data;

  CHECK (++v->destroyed == 1, "a task's result was freed twice");
}

/* The script ---------------------------------------------------------------- */

/* Operations 9 to 21 of run_script: combinators, primitives and
 * executor jobs, in the order of their op byte (the corpus depends on it). */
typedef struct
{
  FuzzOpKind kind;
  gboolean   nests;   /* runs a body of its own (bounded by MAX_DEPTH) */
  GError  *(*run) (FuzzTask *ft, Script *s, guint depth);
} CombinatorOp;

static const CombinatorOp combinator_ops[] = {
  { FUZZ_OP_GATHER,     TRUE,  op_gather },
  { FUZZ_OP_WAIT,       TRUE,  op_wait },
  { FUZZ_OP_WAIT_FOR,   TRUE,  op_wait_for },
  { FUZZ_OP_SHIELD,     TRUE,  op_shield },
  { FUZZ_OP_TIMEOUT,    TRUE,  op_timeout },
  { FUZZ_OP_TASK_GROUP, TRUE,  op_task_group },
  { FUZZ_OP_QUEUE,      FALSE, op_queue },
  { FUZZ_OP_LOCK,       TRUE,  op_lock },
  { FUZZ_OP_EVENT,      FALSE, op_event },
  { FUZZ_OP_SEMAPHORE,  TRUE,  op_semaphore },
  { FUZZ_OP_CONDITION,  FALSE, op_condition },
  { FUZZ_OP_BARRIER,    FALSE, op_barrier },
  { FUZZ_OP_EXECUTOR,   FALSE, op_executor },
};

static GError *
run_script (FuzzTask *ft,
            Script   *s,
            guint     depth)
{
  FuzzRun *run = ft->run;
  GError *error = NULL;

  while (s->pos < s->len && run->ops_left > 0)
    {
      guint8 op = next_byte (s);
      guint8 arg;

      run->ops_left--;
      trace ("task %u depth %u: op %u (iteration %" G_GUINT64_FORMAT ", pending cancels %u)",
             ft->index, depth, op % 23, iteration_of (run), ft->pending_cancels);
      switch (op % 23)
        {
        case 0:
          count_op (run, FUZZ_OP_SLEEP);
          error = op_sleep (ft, s);
          break;
        case 1:
          count_op (run, FUZZ_OP_AWAIT);
          error = op_await (ft, s);
          break;
        case 2:
          if (depth < MAX_DEPTH)
            {
              count_op (run, FUZZ_OP_SPAWN);
              spawn (run, s, depth + 1, next_byte (s));
            }
          break;
        case 3:
          count_op (run, FUZZ_OP_CANCEL);
          cancel_task (run, next_byte (s));
          break;
        case 4:
          if (gtkloop_task_cancelling (ft->task) > 0 && ft->pending_cancels == 0)
            {
              guint before = gtkloop_task_cancelling (ft->task);

              count_op (run, FUZZ_OP_UNCANCEL);
              CHECK (gtkloop_task_uncancel (ft->task) == before - 1,
                     "uncancel did not take back one request");
            }
          else
            {
              /* Otherwise a new task-local value, for the tasks it makes. */
              FuzzValue *v = g_new0 (FuzzValue, 1);

              g_ptr_array_add (run->locals, v);
              gtkloop_task_set_local (ft->task, "fuzz", v, value_destroy);
              CHECK (gtkloop_task_get_local (ft->task, "fuzz") == v, "a task-local value set is not read back");
            }
          break;
        case 5:
          count_op (run, FUZZ_OP_CALL_SOON);
          schedule_soon (run, next_byte (s) % 3);
          break;
        case 6:
          count_op (run, FUZZ_OP_CALL_LATER);
          schedule_timer (run, FALSE, next_byte (s));
          break;
        case 7:
          count_op (run, FUZZ_OP_CALL_AT);
          schedule_timer (run, TRUE, next_byte (s));
          break;
        case 8:
          count_op (run, FUZZ_OP_HANDLE_CANCEL);
          cancel_handle (run, next_byte (s));
          break;
        case 9 ... 21:
          {
            const CombinatorOp *c = &combinator_ops[op % 23 - 9];

            /* Nesting ones run bodies of their own: bounded in depth. */
            if (c->nests && depth >= MAX_DEPTH)
              break;
            count_op (run, c->kind);
            error = c->run (ft, s, depth);
          }
          break;
        default:
          arg = next_byte (s);
          if (arg % 4 == 0)
            {
              count_op (run, FUZZ_OP_THREADSAFE);
              start_worker (run, next_byte (s));
              break;
            }
          count_op (run, FUZZ_OP_RETURN);
          if (depth > 0)
            return NULL;   /* leaves the body only */
          s->pos = s->len;
          if (arg % 4 == 1)
            {
              FuzzValue *v = g_new0 (FuzzValue, 1);

              g_ptr_array_add (run->values, v);
              gtkloop_task_return (ft->task, v, value_destroy);
            }
          else if (arg % 4 == 2)
            gtkloop_task_return_error (ft->task,
                                       g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "fuzz"));
          return NULL;
        }
      error = handle_failure (ft, s, error);
      if (error != NULL)
        return error;
    }
  return NULL;
}

static void
task_main (GtkloopTask *task,
           gpointer     data)
{
  FuzzTask *ft = data;
  GError *error;
  Script script;

  CHECK (!ft->cancelled_before_start, "a task cancelled before its first step ran");
  CHECK (!ft->started, "a task's function ran twice");
  CHECK (gtkloop_task_get_current () == task, "get_current is not the running task");
  CHECK (gtkloop_task_get_local (task, "fuzz") == ft->expected_local,
         "a task did not start with its creator's task-local value");
  ft->started = TRUE;
  script = ft->script;
  error = run_script (ft, &script, 0);
  if (error != NULL)
    {
      /* Raised to the top: returning re-raises a cancellation; other
       * errors become the task's. */
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        g_error_free (error);
      else
        gtkloop_task_return_error (task, error);
    }
  ft->ended = TRUE;
}

/* ---------------------------------------------------------------------- */
/* The driver                                                              */

static gboolean
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
stop_loop (gpointer data)
{
  gtkloop_loop_stop (data);
}

static void
stop_guard (gpointer data)
{
  FuzzRun *run = data;

  if (run->guard_stop_now)
    {
      run->stop_now_iteration = iteration_of (run);
      gtkloop_loop_stop_now (run->loop);
    }
  else
    gtkloop_loop_stop (run->loop);
}

/* Iterates the context until ms milliseconds have passed. */
static void
iterate_for (FuzzRun *run,
             guint    ms)
{
  gboolean fired = FALSE;
  GSource *source = g_timeout_source_new (ms);

  g_source_set_callback (source, set_flag, &fired, NULL);
  g_source_attach (source, run->context);
  while (!fired)
    g_main_context_iteration (run->context, TRUE);
  g_source_destroy (source);
  g_source_unref (source);
}

static void
iterate (FuzzRun *run,
         guint8   arg)
{
  if (arg % 8 == 7 && run->tasks->len > 0 && !past_time_budget (run))
    {
      /* A runner, with a timer to stop it if the task takes longer. */
      FuzzTask *ft = run->tasks->pdata[(arg >> 3) % run->tasks->len];
      guint64 guard = gtkloop_loop_call_later (run->loop, 0.003, stop_loop, run->loop, NULL);
      GError *error = NULL;

      gtkloop_loop_run_until_complete (run->loop, future_of (ft), &error);
      g_clear_error (&error);
      gtkloop_loop_cancel (run->loop, guard);
    }
  else if (arg % 8 == 6 && !past_time_budget (run))
    {
      /* run_forever, until a timer calls stop () or stop_now (). */
      guint64 guard;

      run->guard_stop_now = (arg & 0x40) != 0;
      guard = gtkloop_loop_call_later (run->loop, delay_from (arg >> 3), stop_guard, run, NULL);
      gtkloop_loop_run_forever (run->loop);
      gtkloop_loop_cancel (run->loop, guard);
    }
  else if ((arg & 0x80) && !past_time_budget (run))
    iterate_for (run, arg % 4);
  else
    for (guint i = 0; i <= arg % 4; i++)
      g_main_context_iteration (run->context, FALSE);
}

static gboolean
all_tasks_done (FuzzRun *run)
{
  for (guint i = 0; i < run->tasks->len; i++)
    if (!gtkloop_future_is_done (future_of (run->tasks->pdata[i])))
      return FALSE;
  return TRUE;
}

static void
count_unretrieved (GtkloopLoop               *loop,
                   const GtkloopErrorContext *context,
                   gpointer                   data)
{
  ((FuzzRun *) data)->n_unretrieved++;
}

static void
setup (FuzzRun *run,
       Script  *s)
{
  guint8 a = next_byte (s), b = next_byte (s);

  run->context = g_main_context_new ();
  run->loop = gtkloop_loop_new (run->context);
  gtkloop_loop_set_exception_handler (run->loop, count_unretrieved, run, NULL);
  run->recs = g_ptr_array_new_with_free_func (g_free);
  run->handles = g_ptr_array_new ();
  run->live_timers = g_ptr_array_new ();
  run->tasks = g_ptr_array_new ();
  run->jobs = g_ptr_array_new_with_free_func (g_free);
  run->values = g_ptr_array_new_with_free_func (g_free);
  run->locals = g_ptr_array_new_with_free_func (g_free);
  run->stop_now_iteration = G_MAXUINT64;
  run->executor = gtkloop_thread_executor_new (1 + a % 2);
  run->lock = gtkloop_lock_new ();
  run->event = gtkloop_event_new ();
  run->sem_capacity = 1 + (a >> 1) % 2;
  run->sem_bounded = (a >> 2) & 1;
  run->semaphore = gtkloop_semaphore_new (run->sem_capacity, run->sem_bounded);
  run->condition = gtkloop_condition_new (NULL);
  run->barrier_parties = 1 + (a >> 3) % 3;
  run->barrier = gtkloop_barrier_new (run->barrier_parties);
  run->queue = gtkloop_queue_new (b % 4, queue_item_destroy);
  run->next_item = 1;
  run->ops_left = MAX_OPS;
  run->time_budget_end = g_get_monotonic_time () + TIME_BUDGET_US;
}

static void
run_driver (FuzzRun *run,
            Script  *s)
{
  while (s->pos < s->len && run->ops_left > 0)
    {
      guint8 op = next_byte (s);
      guint8 arg = next_byte (s);

      run->ops_left--;
      trace ("driver: op %u arg %u (iteration %" G_GUINT64_FORMAT ")", op % 12, arg, iteration_of (run));
      switch (op % 12)
        {
        case 0: case 1:
          count_op (run, FUZZ_OP_SPAWN);
          spawn (run, s, 0, arg);
          break;
        case 2:
          count_op (run, FUZZ_OP_CANCEL);
          cancel_task (run, arg);
          break;
        case 3:
          count_op (run, FUZZ_OP_CALL_SOON);
          schedule_soon (run, arg % 3);
          break;
        case 4:
          count_op (run, FUZZ_OP_CALL_LATER);
          schedule_timer (run, FALSE, arg);
          break;
        case 5:
          count_op (run, FUZZ_OP_CALL_AT);
          schedule_timer (run, TRUE, arg);
          break;
        case 6:
          count_op (run, FUZZ_OP_HANDLE_CANCEL);
          cancel_handle (run, arg);
          break;
        case 7:
          count_op (run, FUZZ_OP_THREADSAFE);
          start_worker (run, arg);
          break;
        case 8:
          count_op (run, FUZZ_OP_EVENT);
          if (arg & 1)
            gtkloop_event_set (run->event);
          else
            gtkloop_event_clear (run->event);
          break;
        case 11:
          if (arg % 4 == 3)
            return;   /* close now: what is left of the input is not run */
          G_GNUC_FALLTHROUGH;
        default:
          count_op (run, FUZZ_OP_ITERATE);
          iterate (run, arg);
          break;
        }
    }

  /* Let what was started settle a little, then close whatever is left. */
  {
    gint64 end = g_get_monotonic_time () + SETTLE_US;

    while (!all_tasks_done (run) && g_get_monotonic_time () < end)
      iterate_for (run, 1);
  }
}

static void
close_and_check (FuzzRun *run)
{
  GtkloopTask *late;
  FuzzTask *late_ft;

  run->closing = TRUE;
  atomic_store (&run->close_requested, 1);
  gtkloop_loop_close (run->loop);
  run->closed = TRUE;
  CHECK (gtkloop_loop_is_closed (run->loop), "close () left the loop open");

  for (guint i = 0; i < run->tasks->len; i++)
    {
      FuzzTask *ft = run->tasks->pdata[i];

      CHECK (gtkloop_future_is_done (future_of (ft)), "task %u is not done after close", i);
      CHECK (ft->ended == ft->started, "task %u started but its function never returned", i);
    }

  /* A closed loop refuses new work cleanly. */
  late_ft = g_new0 (FuzzTask, 1);
  late_ft->run = run;
  late = gtkloop_loop_create_task (run->loop, task_main, late_ft, task_data_destroy);
  CHECK (late != NULL && gtkloop_future_is_done (GTKLOOP_FUTURE (late)),
         "a task made on a closed loop is not done");
  gtkloop_task_unref (late);
  CHECK (!late_ft->started && late_ft->destroyed == 1,
         "a task refused by a closed loop ran, or its destroy notify did not run once");
  g_free (late_ft);

  gtkloop_thread_executor_shutdown (run->executor, TRUE, FALSE);
  for (guint i = 0; i < run->n_workers; i++)
    g_thread_join (run->workers[i]->thread);
}

static void
release_and_check (FuzzRun                    *run,
                   const GtkloopDebugCounters *before)
{
  for (guint i = 0; i < run->tasks->len; i++)
    gtkloop_task_unref (((FuzzTask *) run->tasks->pdata[i])->task);
  g_clear_pointer (&run->executor, gtkloop_thread_executor_unref);
  g_clear_pointer (&run->lock, gtkloop_lock_unref);
  g_clear_pointer (&run->event, gtkloop_event_unref);
  g_clear_pointer (&run->semaphore, gtkloop_semaphore_unref);
  g_clear_pointer (&run->condition, gtkloop_condition_unref);
  g_clear_pointer (&run->barrier, gtkloop_barrier_unref);
  g_clear_pointer (&run->queue, gtkloop_queue_unref);
  g_clear_object (&run->loop);
  g_main_context_unref (run->context);

  for (guint i = 0; i < run->recs->len; i++)
    {
      CbRec *rec = run->recs->pdata[i];

      CHECK (atomic_load (&rec->destroyed) == 1, "a callback's destroy notify ran %d times",
             atomic_load (&rec->destroyed));
    }
  for (guint i = 0; i < run->tasks->len; i++)
    {
      FuzzTask *ft = run->tasks->pdata[i];

      CHECK (ft->destroyed == 1, "task %u's destroy notify ran %d times", i, ft->destroyed);
      CHECK (!ft->cancelled_before_start || !ft->started, "a task cancelled before its start ran");
      g_free (ft);
    }
  for (guint i = 0; i < run->jobs->len; i++)
    {
      FuzzJob *job = run->jobs->pdata[i];

      CHECK (atomic_load (&job->data_destroyed) == 1, "a job's data was freed %d times",
             atomic_load (&job->data_destroyed));
      CHECK (atomic_load (&job->result_destroyed) == atomic_load (&job->produced),
             "a job's result was freed %d times", atomic_load (&job->result_destroyed));
    }
  for (guint i = 0; i < run->values->len; i++)
    CHECK (((FuzzValue *) run->values->pdata[i])->destroyed == 1, "a task's result was never freed");
  for (guint i = 0; i < run->locals->len; i++)
    CHECK (((FuzzValue *) run->locals->pdata[i])->destroyed == 1, "a task-local value was never freed");
  for (guint i = 1; i < run->next_item; i++)
    {
      if (run->item_accepted[i])
        CHECK (run->item_got[i] + run->item_destroyed[i] == 1,
               "queue item %u: got %d times, freed %d times", i,
               run->item_got[i], run->item_destroyed[i]);
      else
        CHECK (run->item_got[i] == 0 && run->item_destroyed[i] == run->item_taken[i],
               "queue item %u was refused but then given, or freed %d times", i,
               run->item_destroyed[i]);
    }
  for (guint i = 0; i < run->n_workers; i++)
    {
      g_free (run->workers[i]->recs);
      g_free (run->workers[i]);
    }

  g_ptr_array_unref (run->recs);
  g_ptr_array_unref (run->handles);
  g_ptr_array_unref (run->live_timers);
  g_ptr_array_unref (run->tasks);
  g_ptr_array_unref (run->jobs);
  g_ptr_array_unref (run->values);
  g_ptr_array_unref (run->locals);

  if (gtkloop_debug_counters_enabled () && !gtkloop_debug_counters_equal (before))
    {
      g_autofree char *what = gtkloop_debug_counters_describe (before);

      fuzz_fail ("debug counters not back at the end: %s", what);
    }
}

/* A critical or an error is a failure like a broken invariant. GLib's own
 * fatal path (G_DEBUG=fatal-criticals) raises SIGTRAP, which libFuzzer
 * does not catch, so the input would be lost: abort instead. */
static void
abort_on_critical (const char     *domain,
                   GLogLevelFlags  level,
                   const char     *message,
                   gpointer        data)
{
  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    fuzz_fail ("%s-CRITICAL: %s", domain ? domain : "", message);
  g_log_default_handler (domain, level, message, data);
}

void
fuzz_scheduler_run (const guint8 *data,
                    gsize         size,
                    guint64       counts[FUZZ_N_OPS])
{
  FuzzRun *run = g_new0 (FuzzRun, 1);
  Script script = { data, size, 0 };
  GtkloopDebugCounters before;

  g_log_set_default_handler (abort_on_critical, NULL);
  gtkloop_debug_counters_snapshot (&before);
  run->counts = counts;
  current_run = run;
  setup (run, &script);
  run_driver (run, &script);
  count_op (run, FUZZ_OP_CLOSE);
  close_and_check (run);
  release_and_check (run, &before);
  current_run = NULL;
  g_free (run);
}
