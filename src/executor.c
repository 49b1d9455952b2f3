/* The thread executor: concurrent.futures.ThreadPoolExecutor for C, and
 * run_in_executor on top of it.
 *
 * A small pool of our own rather than GThreadPool, for three reasons,
 * two of them measured (docs/executor.md has the numbers):
 *   - a job still queued must be removable when its loop future is
 *     cancelled, its destroy notifies run at once; GThreadPool cannot
 *     take a job back out of its queue;
 *   - GThreadPool wakes its workers through a GAsyncQueue (GMutex +
 *     GCond): Debian's GLib is not instrumented, so ThreadSanitizer would
 *     not see jobs being handed over and would report every job's data;
 *   - one lock round per job on each side, and a wake-up only for a
 *     worker that is really asleep, beat GThreadPool's queue round trip.
 *
 * A job is a future (a GtkloopFuture kind): one allocation holds the loop
 * future and the work item. Its life:
 *
 *   loop thread          run_in_executor: job queued, an idle worker woken
 *                        or a new one started (up to max_workers)
 *   worker               takes it (RUNNING), runs func, marks it FINISHED
 *                        and takes the next job in the same locked step,
 *                        then posts the job home through the loop's inbox
 *   loop thread          job_come_home: the future gets the result or the
 *                        error; data_destroy runs; the pool's reference goes
 *
 * The inbox wakes the loop only when it goes from empty to non-empty, so
 * a burst of results costs one wake-up, and what one worker posts (its
 * call_soon_threadsafe calls, then its job's result) reaches the loop in
 * posting order. Data and results are freed on the loop's thread.
 *
 * Workers start on demand and retire after idle_timeout without work.
 * An idle worker sleeps on a condition variable of its own; submit pops
 * the most recently idle one and signals just that one, so a batch of
 * jobs costs at most one wake-up per sleeping worker.
 *
 * Threads end one of two ways: joined by someone waiting for them
 * (shutdown with wait, or the last unref), or detached by themselves when
 * nobody waits (idle retirement, shutdown without wait). The decision is
 * made under the lock, so no thread is ever left unjoined and undetached.
 *
 * Lock order: ex->lock is a leaf. Nothing else is taken while it is held
 * (g_object_ref is a plain atomic); cancellables are cancelled, and jobs
 * posted to loops, after it is released.
 */
#include "config.h"

#include <errno.h>
#include <time.h>

#include "clock-private.h"
#include "debug-private.h"
#include "executor-private.h"
#include "future-private.h"
#include "loop-private.h"

#define DEFAULT_IDLE_TIMEOUT_NS (G_GINT64_CONSTANT (10) * 1000 * 1000 * 1000)   /* 10 s */
#define MAX_DEFAULT_WORKERS     32

typedef struct _Job    Job;
typedef struct _Worker Worker;

typedef enum {
  JOB_QUEUED,
  JOB_RUNNING,
  JOB_FINISHED,   /* func returned; the result is on its way home */
  JOB_REMOVED,    /* taken out of the queue before it ran */
} JobState;

struct _Job
{
  GtkloopFuture           base;             /* (loop-thread) first: a job is a future */
  GtkloopThreadExecutor  *ex;               /* (owned: core reference) */
  GtkloopWorkFunc         func;
  gpointer                data;             /* freed on the loop thread */
  GDestroyNotify          data_destroy;
  GDestroyNotify          result_destroy;
  /* Written by the worker before the post; read on the loop thread after
   * it (the inbox's mutex orders the two). */
  gpointer                result;
  GError                 *error;
  gboolean                removed;          /* comes home cancelled: never ran */
  Job                    *incoming_next;    /* in ex->incoming, until moved to the queue */
  /* (lock: ex->lock) */
  Job                    *prev;
  Job                    *next;
  Worker                 *worker;           /* while RUNNING */
  guint8                  state;            /* JobState */
  gboolean                cancel_requested; /* its worker's cancellable was cancelled */
};

struct _Worker
{
  GtkloopThreadExecutor *ex;
  pthread_cond_t         cond;         /* its own wake-up, while idle */
  GCancellable          *cancellable;  /* (owned) (lock: ex->lock) what its jobs see */
  /* (lock: ex->lock) */
  Worker                *idle_prev;
  Worker                *idle_next;
  gboolean               woken;        /* taken off the idle list by a waker */
  gboolean               has_token;    /* woken to take a job: wakes the next one */
};

/* Three groups, each on cache lines of its own (the struct is allocated
 * 64-byte aligned): what every submit reads, the submission stack, and
 * the workers' lock and queue. Sharing a line with the lock, the fields
 * submit reads cost a cache miss per job while workers take jobs. */
#define CACHE_LINE 64

struct _GtkloopThreadExecutor
{
  /* Written under the lock, read without it by submit (seq_cst, so a
   * worker going idle and a submitter pushing always see each other). */
  atomic_uint     n_idle;
  atomic_uint     n_workers;     /* started or starting, not yet exited */
  atomic_bool     waking;        /* a woken worker has not taken its job yet */
  atomic_bool     shutdown;
  guint           max_workers;
  atomic_int      ref_count;     /* public references; the last one shuts down with wait */
  atomic_int      core_refs;     /* 1 for the public side, + 1 per job and per worker */

  /* Submitters push here without the lock (a CAS); whoever holds the lock
   * moves the jobs to the queue, oldest first. */
  _Atomic (Job *) incoming __attribute__ ((aligned (CACHE_LINE)));

  pthread_mutex_t lock __attribute__ ((aligned (CACHE_LINE)));
  pthread_cond_t  exit_cond;     /* a worker left (for joiners) */

  /* (lock: lock) */
  gint64          idle_timeout_ns;
  Job            *queue_head;
  Job            *queue_tail;
  guint           n_queued;
  Worker         *idle_head;     /* most recently idle first */
  Worker         *idle_tail;
  guint           n_running;     /* jobs running now */
  guint           n_joiners;     /* threads waiting to join exiting workers */
  GArray         *exited;        /* of pthread_t: exited workers for the joiners */
  GtkloopExecutorStats stats;
};

static atomic_uint n_live_executors;
static atomic_uint n_live_threads;

/* The worker the calling thread is, if any: shutdown (wait) from a job
 * must not wait for its own thread. */
static _Thread_local Worker *current_worker;

static gboolean job_cancel   (GtkloopFuture *f,
                              const char    *msg);
static void     job_finalize (GtkloopFuture *f);

static const GtkloopFutureClass job_class = {
  /* Whole cache lines (the slab then starts it on one): a worker writes
   * its job's result while the loop thread fills in the next job, which
   * would otherwise share a line with it. */
  .instance_size = (sizeof (Job) + 63) & ~(gsize) 63,
  .unretrieved_error_message = "Future exception was never retrieved",
  .cancel = job_cancel,
  .finalize = job_finalize,
};

G_DEFINE_BOXED_TYPE (GtkloopThreadExecutor, gtkloop_thread_executor,
                     gtkloop_thread_executor_ref, gtkloop_thread_executor_unref)

static void
lock (GtkloopThreadExecutor *ex)
{
  pthread_mutex_lock (&ex->lock);
}

static void
unlock (GtkloopThreadExecutor *ex)
{
  pthread_mutex_unlock (&ex->lock);
}

static void
cond_init_monotonic (pthread_cond_t *cond)
{
  pthread_condattr_t attr;

  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (cond, &attr);
  pthread_condattr_destroy (&attr);
}

static struct timespec
deadline_after (gint64 ns)
{
  struct timespec ts;
  gint64 when;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  when = (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec + ns;
  ts.tv_sec = when / 1000000000;
  ts.tv_nsec = when % 1000000000;
  return ts;
}

/* ---------------------------------------------------------------------- */
/* Life of the executor                                                    */

static void
core_ref (GtkloopThreadExecutor *ex)
{
  atomic_fetch_add_explicit (&ex->core_refs, 1, memory_order_relaxed);
}

static void
core_unref (GtkloopThreadExecutor *ex)
{
  if (atomic_fetch_sub_explicit (&ex->core_refs, 1, memory_order_acq_rel) != 1)
    return;

  g_assert (ex->n_workers == 0 && ex->queue_head == NULL && ex->incoming == NULL);
  g_array_unref (ex->exited);
  pthread_cond_destroy (&ex->exit_cond);
  pthread_mutex_destroy (&ex->lock);
  atomic_fetch_sub (&n_live_executors, 1);
  g_aligned_free (ex);
}

/**
 * gtkloop_thread_executor_new:
 * @max_workers: the most worker threads at once; 0 for min (32, number
 *   of processors + 4), as Python's ThreadPoolExecutor
 *
 * Makes an executor. Workers are started when jobs need them and retire
 * after gtkloop_thread_executor_get_idle_timeout() without work. Dropping
 * the last reference shuts it down and waits for its jobs, as leaving a
 * `with ThreadPoolExecutor() as ex:` block does, so
 * `g_autoptr(GtkloopThreadExecutor)` gives a scoped executor. Any thread.
 *
 * Returns: (transfer full): the executor
 *
 * Since: 1.0
 */
GtkloopThreadExecutor *
gtkloop_thread_executor_new (guint max_workers)
{
  GtkloopThreadExecutor *ex = g_aligned_alloc0 (1, sizeof (GtkloopThreadExecutor), CACHE_LINE);

  if (max_workers == 0)
    max_workers = MIN (MAX_DEFAULT_WORKERS, g_get_num_processors () + 4);
  atomic_init (&ex->ref_count, 1);
  atomic_init (&ex->core_refs, 1);
  ex->max_workers = max_workers;
  ex->idle_timeout_ns = DEFAULT_IDLE_TIMEOUT_NS;
  ex->exited = g_array_new (FALSE, FALSE, sizeof (pthread_t));
  pthread_mutex_init (&ex->lock, NULL);
  cond_init_monotonic (&ex->exit_cond);
  atomic_fetch_add (&n_live_executors, 1);
  return ex;
}

/**
 * gtkloop_thread_executor_ref:
 *
 * Any thread. Jobs hold no public reference: only the program's
 * references keep an executor from being shut down.
 *
 * Returns: (transfer full): @ex
 *
 * Since: 1.0
 */
GtkloopThreadExecutor *
gtkloop_thread_executor_ref (GtkloopThreadExecutor *ex)
{
  g_return_val_if_fail (ex != NULL, NULL);
  atomic_fetch_add_explicit (&ex->ref_count, 1, memory_order_relaxed);
  return ex;
}

/**
 * gtkloop_thread_executor_unref:
 *
 * Drops a reference. The last one shuts the executor down with `wait`
 * (queued jobs still run) and returns once its threads have ended; so do
 * not drop it on a loop's thread while that loop's jobs need the loop.
 *
 * Since: 1.0
 */
void
gtkloop_thread_executor_unref (GtkloopThreadExecutor *ex)
{
  g_return_if_fail (ex != NULL);

  if (atomic_fetch_sub_explicit (&ex->ref_count, 1, memory_order_acq_rel) != 1)
    return;
  gtkloop_thread_executor_shutdown (ex, TRUE, FALSE);
  core_unref (ex);
}

static void join_exited (GtkloopThreadExecutor *ex,
                         gboolean               only_if_idle);

/* The last reference of a loop's default executor goes without waiting
 * for jobs: shut down, and join the threads only if none is busy (they
 * are then exiting within microseconds); busy ones detach themselves. */
static void
release_without_waiting (GtkloopThreadExecutor *ex)
{
  if (atomic_fetch_sub_explicit (&ex->ref_count, 1, memory_order_acq_rel) != 1)
    return;
  gtkloop_thread_executor_shutdown (ex, FALSE, FALSE);
  join_exited (ex, TRUE);
  core_unref (ex);
}

/**
 * gtkloop_thread_executor_get_max_workers:
 *
 * Returns: the most worker threads the executor runs at once
 */
guint
gtkloop_thread_executor_get_max_workers (GtkloopThreadExecutor *ex)
{
  g_return_val_if_fail (ex != NULL, 0);
  return ex->max_workers;
}

/**
 * gtkloop_thread_executor_get_n_workers:
 *
 * Returns: how many worker threads are alive now (started and not yet
 *   exited)
 */
guint
gtkloop_thread_executor_get_n_workers (GtkloopThreadExecutor *ex)
{
  guint n;

  g_return_val_if_fail (ex != NULL, 0);
  lock (ex);
  n = ex->n_workers;
  unlock (ex);
  return n;
}

/**
 * gtkloop_thread_executor_set_idle_timeout:
 * @seconds: how long a worker waits for a job before it exits; default 10
 *
 * Takes effect for workers that go idle after the call.
 */
void
gtkloop_thread_executor_set_idle_timeout (GtkloopThreadExecutor *ex,
                                          double                 seconds)
{
  g_return_if_fail (ex != NULL);
  g_return_if_fail (seconds >= 0);

  lock (ex);
  ex->idle_timeout_ns = gtkloop_clock_seconds_to_ns_ceil (seconds);
  unlock (ex);
}

/**
 * gtkloop_thread_executor_get_idle_timeout:
 *
 * Returns: seconds a worker waits for a job before it exits
 *
 * Since: 1.0
 */
double
gtkloop_thread_executor_get_idle_timeout (GtkloopThreadExecutor *ex)
{
  gint64 ns;

  g_return_val_if_fail (ex != NULL, 0);
  lock (ex);
  ns = ex->idle_timeout_ns;
  unlock (ex);
  return ns / 1e9;
}

/**
 * gtkloop_thread_executor_is_shutdown:
 *
 * Returns: %TRUE once gtkloop_thread_executor_shutdown() was called (by
 *   you, by the last unref, or by the close of the loop whose default
 *   executor it is)
 *
 * Since: 1.0
 */
gboolean
gtkloop_thread_executor_is_shutdown (GtkloopThreadExecutor *ex)
{
  gboolean shutdown;

  g_return_val_if_fail (ex != NULL, FALSE);
  lock (ex);
  shutdown = ex->shutdown;
  unlock (ex);
  return shutdown;
}

void
gtkloop_thread_executor_get_stats (GtkloopThreadExecutor *ex,
                                   GtkloopExecutorStats  *stats)
{
  lock (ex);
  *stats = ex->stats;
  stats->n_idle = ex->n_idle;
  unlock (ex);
}

guint
gtkloop_executor_debug_n_executors (void)
{
  return atomic_load (&n_live_executors);
}

guint
gtkloop_executor_debug_n_threads (void)
{
  return atomic_load (&n_live_threads);
}

/* ---------------------------------------------------------------------- */
/* The queue and the idle list                                             */

/* HOLDS: ex->lock */
static void
queue_push_unlocked (GtkloopThreadExecutor *ex,
                     Job                   *job)
{
  job->prev = ex->queue_tail;
  job->next = NULL;
  if (ex->queue_tail)
    ex->queue_tail->next = job;
  else
    ex->queue_head = job;
  ex->queue_tail = job;
  ex->n_queued++;
  job->state = JOB_QUEUED;
}

/* Moves what submitters pushed to the end of the queue, oldest first.
 * HOLDS: ex->lock */
static void
flush_incoming_unlocked (GtkloopThreadExecutor *ex)
{
  Job *pushed = atomic_exchange_explicit (&ex->incoming, NULL, memory_order_acquire);
  Job *oldest_first = NULL;

  while (pushed != NULL)
    {
      Job *next = pushed->incoming_next;

      pushed->incoming_next = oldest_first;
      oldest_first = pushed;
      pushed = next;
    }
  while (oldest_first != NULL)
    {
      Job *next = oldest_first->incoming_next;

      oldest_first->incoming_next = NULL;
      queue_push_unlocked (ex, oldest_first);
      ex->stats.n_jobs++;
      oldest_first = next;
    }
}

/* HOLDS: ex->lock */
static gboolean
has_work_unlocked (GtkloopThreadExecutor *ex)
{
  return ex->queue_head != NULL || atomic_load_explicit (&ex->incoming, memory_order_relaxed) != NULL;
}

/* HOLDS: ex->lock */
static void
queue_unlink_unlocked (GtkloopThreadExecutor *ex,
                       Job                   *job)
{
  if (job->prev)
    job->prev->next = job->next;
  else
    ex->queue_head = job->next;
  if (job->next)
    job->next->prev = job->prev;
  else
    ex->queue_tail = job->prev;
  job->prev = job->next = NULL;
  ex->n_queued--;
}

/* HOLDS: ex->lock */
static void
idle_push_unlocked (GtkloopThreadExecutor *ex,
                    Worker                *w)
{
  w->idle_prev = NULL;
  w->idle_next = ex->idle_head;
  if (ex->idle_head)
    ex->idle_head->idle_prev = w;
  else
    ex->idle_tail = w;
  ex->idle_head = w;
  ex->n_idle++;
  w->woken = FALSE;
}

/* HOLDS: ex->lock */
static void
idle_remove_unlocked (GtkloopThreadExecutor *ex,
                      Worker                *w)
{
  if (w->idle_prev)
    w->idle_prev->idle_next = w->idle_next;
  else
    ex->idle_head = w->idle_next;
  if (w->idle_next)
    w->idle_next->idle_prev = w->idle_prev;
  else
    ex->idle_tail = w->idle_prev;
  w->idle_prev = w->idle_next = NULL;
  ex->n_idle--;
}

/* Signalled under the lock: once woken is set the worker may run, finish
 * and exit, so its condition variable is not ours to touch afterwards.
 * HOLDS: ex->lock */
static void
wake_one_unlocked (GtkloopThreadExecutor *ex,
                   gboolean               token)
{
  Worker *w = ex->idle_head;

  idle_remove_unlocked (ex, w);
  w->woken = TRUE;
  w->has_token = token;
  ex->stats.n_wakes++;
  pthread_cond_signal (&w->cond);
}

/* Wakes are passed along: submit wakes one idle worker (the token holder)
 * and no other while that one has not taken its job; once it has, it
 * wakes the next if work is still queued. A burst of submissions thus
 * costs its thread one wake-up at most, and workers join one by one as
 * long as there is work for them.
 * HOLDS: ex->lock */
static void
wake_with_token_unlocked (GtkloopThreadExecutor *ex)
{
  if (ex->idle_head == NULL || atomic_load (&ex->waking))
    return;
  atomic_store (&ex->waking, TRUE);
  wake_one_unlocked (ex, TRUE);
}

/* HOLDS: ex->lock */
static void
wake_all_unlocked (GtkloopThreadExecutor *ex)
{
  while (ex->idle_head != NULL)
    wake_one_unlocked (ex, FALSE);
}

/* ---------------------------------------------------------------------- */
/* Workers                                                                 */

/* HOLDS: ex->lock */
static Job *
take_job_unlocked (GtkloopThreadExecutor *ex,
                   Worker                *w)
{
  Job *job;

  if (ex->queue_head == NULL)
    flush_incoming_unlocked (ex);
  job = ex->queue_head;
  if (w->has_token)
    {
      /* Pass the wake-up on: the next idle worker, if work is left. The
       * clear comes before the look at incoming, and submit pushes before
       * it looks at waking (all seq_cst): a job pushed meanwhile is seen
       * here or wakes a worker there, never neither. */
      w->has_token = FALSE;
      atomic_store (&ex->waking, FALSE);
      if (job != NULL && (job->next != NULL || atomic_load (&ex->incoming) != NULL))
        wake_with_token_unlocked (ex);
    }
  if (job == NULL)
    return NULL;
  queue_unlink_unlocked (ex, job);
  job->state = JOB_RUNNING;
  job->worker = w;
  ex->n_running++;
  return job;
}

/* Sleeps until woken for a job or the idle timeout passes. FALSE: the
 * worker should retire (timed out with nothing to do).
 * HOLDS: ex->lock */
static gboolean
idle_wait_unlocked (GtkloopThreadExecutor *ex,
                    Worker                *w)
{
  struct timespec deadline = deadline_after (ex->idle_timeout_ns);

  idle_push_unlocked (ex, w);
  /* n_idle went up (seq_cst) before this look at incoming; submit pushes
   * (seq_cst) before it looks at n_idle: one of the two sees the other. */
  if (atomic_load (&ex->incoming) != NULL)
    {
      idle_remove_unlocked (ex, w);
      return TRUE;
    }
  while (!w->woken)
    {
      int rc = pthread_cond_timedwait (&w->cond, &ex->lock, &deadline);

      if (rc == ETIMEDOUT && !w->woken)
        {
          idle_remove_unlocked (ex, w);
          return has_work_unlocked (ex) || ex->shutdown;
        }
    }
  return TRUE;   /* the waker took us off the idle list */
}

/* The next job, waiting for one if need be; NULL when the worker should
 * exit (shut down with an empty queue, or idle too long).
 * HOLDS: ex->lock */
static Job *
wait_for_job_unlocked (GtkloopThreadExecutor *ex,
                       Worker                *w)
{
  for (;;)
    {
      Job *job = take_job_unlocked (ex, w);

      if (job != NULL)
        return job;
      if (ex->shutdown)
        return NULL;
      if (!idle_wait_unlocked (ex, w))
        {
          ex->stats.n_retired++;
          return NULL;
        }
    }
}

/* Returns TRUE if the job's cancellable was cancelled while it ran: the
 * worker then needs a fresh one.
 * HOLDS: ex->lock */
static gboolean
finish_job_unlocked (GtkloopThreadExecutor *ex,
                     Job                   *job)
{
  job->state = JOB_FINISHED;
  job->worker = NULL;
  ex->n_running--;
  return job->cancel_requested;
}

static void job_come_home (gpointer data);
static void job_release   (gpointer data);

static void
post_home (Job *job)
{
  /* The pool's reference goes with the post. A loop closed with jobs in
   * flight waits for them (see shutdown_for_close), so a refusal means
   * the loop was closed from a thread that could not run it: then the
   * data and the result are freed here, on the worker. */
  if (!gtkloop_loop_post_quiet (job->base.loop, job_come_home, job, job_release))
    job_release (job);
}

static void
run_job (Worker *w,
         Job    *job)
{
  GError *error = NULL;

  job->result = job->func (job->data, w->cancellable, &error);
  job->error = error;
}

static void
replace_cancellable (Worker *w)
{
  GCancellable *fresh = g_cancellable_new ();
  GCancellable *old;

  lock (w->ex);
  old = w->cancellable;
  w->cancellable = fresh;
  unlock (w->ex);
  g_object_unref (old);
}

/* Nobody waits to join this thread: detach it, so it frees itself.
 * Otherwise hand its id to the joiners.
 * HOLDS: ex->lock */
static void
leave_unlocked (GtkloopThreadExecutor *ex)
{
  pthread_t self = pthread_self ();

  ex->n_workers--;
  if (ex->n_joiners > 0)
    g_array_append_val (ex->exited, self);
  else
    pthread_detach (self);
  pthread_cond_broadcast (&ex->exit_cond);
}

static void *
worker_main (void *data)
{
  Worker *w = data;
  GtkloopThreadExecutor *ex = w->ex;
  Job *job, *next;

  current_worker = w;
  pthread_setname_np (pthread_self (), "gtkloop-worker");
  w->cancellable = g_cancellable_new ();

  lock (ex);
  job = wait_for_job_unlocked (ex, w);
  unlock (ex);

  while (job != NULL)
    {
      gboolean cancelled;

      run_job (w, job);

      /* Finishing this job and taking the next is one locked step. */
      lock (ex);
      cancelled = finish_job_unlocked (ex, job);
      next = cancelled ? NULL : take_job_unlocked (ex, w);
      unlock (ex);

      post_home (job);
      if (cancelled)
        replace_cancellable (w);
      if (next == NULL)
        {
          lock (ex);
          next = wait_for_job_unlocked (ex, w);
          unlock (ex);
        }
      job = next;
    }

  lock (ex);
  leave_unlocked (ex);
  unlock (ex);

  current_worker = NULL;
  g_object_unref (w->cancellable);
  pthread_cond_destroy (&w->cond);
  g_free (w);
  atomic_fetch_sub (&n_live_threads, 1);
  core_unref (ex);
  return NULL;
}

/* FALSE if no thread could be started. */
static gboolean
spawn_worker (GtkloopThreadExecutor *ex)
{
  Worker *w = g_new0 (Worker, 1);
  pthread_t thread;
  int err;

  w->ex = ex;
  cond_init_monotonic (&w->cond);
  core_ref (ex);
  atomic_fetch_add (&n_live_threads, 1);
  err = pthread_create (&thread, NULL, worker_main, w);
  if (err == 0)
    return TRUE;

  g_warning ("gtkloop: cannot start an executor worker thread: %s", g_strerror (err));
  atomic_fetch_sub (&n_live_threads, 1);
  pthread_cond_destroy (&w->cond);
  g_free (w);
  lock (ex);
  ex->n_workers--;
  unlock (ex);
  core_unref (ex);
  return FALSE;
}

typedef enum {
  SUBMIT_OK,
  SUBMIT_SHUT_DOWN,
  SUBMIT_NO_THREAD,
} SubmitResult;

/* Loop thread. Queues the job; wakes an idle worker, or starts one if
 * none is idle and the pool may grow (Python's _adjust_thread_count). */
/* Takes the job back if it is still queued. HOLDS: ex->lock */
static gboolean
take_back_unlocked (GtkloopThreadExecutor *ex,
                    Job                   *job)
{
  if (job->state != JOB_QUEUED)
    return FALSE;
  flush_incoming_unlocked (ex);
  queue_unlink_unlocked (ex, job);
  job->state = JOB_REMOVED;
  return TRUE;
}

static SubmitResult
submit (GtkloopThreadExecutor *ex,
        Job                   *job)
{
  gboolean spawn = FALSE;
  Job *head;

  if (atomic_load (&ex->shutdown))
    return SUBMIT_SHUT_DOWN;

  /* The push takes no lock: a burst of submissions does not contend with
   * the workers taking jobs. */
  job->state = JOB_QUEUED;
  head = atomic_load_explicit (&ex->incoming, memory_order_relaxed);
  do
    job->incoming_next = head;
  while (!atomic_compare_exchange_weak (&ex->incoming, &head, job));

  /* The lock only to wake a sleeping worker or to start one. */
  if (atomic_load (&ex->n_idle) > 0)
    {
      if (!atomic_load (&ex->waking))
        {
          lock (ex);
          wake_with_token_unlocked (ex);
          unlock (ex);
        }
    }
  else if (atomic_load (&ex->n_workers) < ex->max_workers)
    {
      lock (ex);
      if (ex->n_idle == 0 && ex->n_workers < ex->max_workers)
        {
          ex->n_workers++;
          ex->stats.n_spawns++;
          spawn = TRUE;
        }
      else
        wake_with_token_unlocked (ex);
      unlock (ex);
    }

  /* Shut down meanwhile: take the job back unless a worker has it (or a
   * shutdown with cancel_futures took it and sends it home cancelled). */
  if (atomic_load (&ex->shutdown))
    {
      gboolean taken_back;

      lock (ex);
      taken_back = take_back_unlocked (ex, job);
      unlock (ex);
      if (taken_back)
        return SUBMIT_SHUT_DOWN;
    }

  if (!spawn || spawn_worker (ex))
    return SUBMIT_OK;

  /* No thread: the job waits for a running worker, if there is one. */
  lock (ex);
  if (ex->n_workers == 0 && take_back_unlocked (ex, job))
    {
      unlock (ex);
      return SUBMIT_NO_THREAD;
    }
  unlock (ex);
  return SUBMIT_OK;
}

/* ---------------------------------------------------------------------- */
/* Shutdown                                                                */

/* Joins the workers that have exited and waits for the others to exit.
 * With only_if_idle, does nothing while a job runs or waits (those
 * workers detach themselves when they are done). A worker calling this
 * for its own executor waits for the others only. */
static void
join_exited (GtkloopThreadExecutor *ex,
             gboolean               only_if_idle)
{
  guint self = current_worker != NULL && current_worker->ex == ex ? 1 : 0;

  lock (ex);
  if (only_if_idle && (ex->n_running > 0 || has_work_unlocked (ex)))
    {
      unlock (ex);
      return;
    }
  ex->n_joiners++;
  while (ex->n_workers > self || ex->exited->len > 0)
    {
      if (ex->exited->len > 0)
        {
          g_autoptr(GArray) exited = ex->exited;

          ex->exited = g_array_new (FALSE, FALSE, sizeof (pthread_t));
          unlock (ex);
          for (guint i = 0; i < exited->len; i++)
            pthread_join (g_array_index (exited, pthread_t, i), NULL);
          lock (ex);
          continue;
        }
      pthread_cond_wait (&ex->exit_cond, &ex->lock);
    }
  ex->n_joiners--;
  unlock (ex);
}

/* HOLDS: ex->lock */
static Job *
steal_queue_unlocked (GtkloopThreadExecutor *ex)
{
  Job *head;

  flush_incoming_unlocked (ex);
  head = ex->queue_head;
  for (Job *job = head; job != NULL; job = job->next)
    {
      job->state = JOB_REMOVED;
      ex->stats.n_removed++;
    }
  ex->queue_head = ex->queue_tail = NULL;
  ex->n_queued = 0;
  return head;
}

/**
 * gtkloop_thread_executor_shutdown:
 * @wait: return only once every job has run and the threads have ended
 * @cancel_futures: take the jobs that have not started out of the queue;
 *   their loop futures end cancelled and their data destroy notifies run,
 *   on their loops' threads
 *
 * As Python's Executor.shutdown (3.9+): afterwards run_in_executor on this
 * executor returns a future failed with %GTKLOOP_ERROR_CLOSED. Jobs left
 * in the queue still run unless @cancel_futures; running jobs finish. May
 * be called more than once, from any thread. With @wait, do not call it on
 * the thread of a loop whose jobs need that loop to finish. Called from
 * one of the executor's own jobs, @wait waits for the other workers.
 *
 * Since: 1.0
 */
void
gtkloop_thread_executor_shutdown (GtkloopThreadExecutor *ex,
                                  gboolean               wait,
                                  gboolean               cancel_futures)
{
  Job *removed = NULL;

  g_return_if_fail (ex != NULL);

  lock (ex);
  ex->shutdown = TRUE;
  if (cancel_futures)
    removed = steal_queue_unlocked (ex);
  wake_all_unlocked (ex);
  unlock (ex);

  /* Removed jobs go home cancelled, to be settled on their loops. */
  while (removed != NULL)
    {
      Job *job = removed;

      removed = job->next;
      job->prev = job->next = NULL;
      job->removed = TRUE;
      post_home (job);
    }

  if (wait)
    join_exited (ex, FALSE);
}

/* ---------------------------------------------------------------------- */
/* Jobs: the loop side                                                     */

static GtkloopLoopExecutors *loop_executors (GtkloopLoop *loop);

/* Loop thread: delivers the outcome, frees the data. The job itself goes
 * in job_release, which the inbox runs right after this (or alone, if the
 * loop is closed from another thread before it could run this). */
static void
job_come_home (gpointer data)
{
  Job *job = data;
  GtkloopFuture *f = &job->base;
  GtkloopLoopExecutors *state = f->loop->executor;

  if (state != NULL)
    state->n_inflight--;

  if (job->removed)
    gtkloop_future_finish_cancelled (f, NULL);
  else if (job->error != NULL)
    gtkloop_future_reject (f, g_steal_pointer (&job->error));
  else if (gtkloop_future_is_pending (f))
    {
      gtkloop_future_resolve (f, g_steal_pointer (&job->result), job->result_destroy);
      job->result_destroy = NULL;
    }
  /* Whatever was not taken (the future was cancelled while the job ran)
   * is freed by job_release. */
  if (job->data_destroy)
    job->data_destroy (g_steal_pointer (&job->data));
  job->data_destroy = NULL;
}

static void
job_free_leftovers (Job *job)
{
  if (job->result_destroy && job->result != NULL)
    job->result_destroy (job->result);
  job->result = NULL;
  job->result_destroy = NULL;
  g_clear_error (&job->error);
  if (job->data_destroy)
    job->data_destroy (job->data);
  job->data = NULL;
  job->data_destroy = NULL;
}

static void
job_release (gpointer data)
{
  Job *job = data;

  job_free_leftovers (job);
  gtkloop_future_unref (&job->base);
}

static void
job_finalize (GtkloopFuture *f)
{
  Job *job = (Job *) f;

  job_free_leftovers (job);
  core_unref (job->ex);
}

/* The loop future's cancel: a queued job leaves the queue and settles at
 * once; a running job sees its cancellable cancelled. Either way the
 * future ends cancelled now, as asyncio's wrapped future does; a result
 * that comes home later is freed on the loop thread. */
static gboolean
job_cancel (GtkloopFuture *f,
            const char    *msg)
{
  Job *job = (Job *) f;
  GtkloopThreadExecutor *ex = job->ex;
  GCancellable *cancellable = NULL;
  gboolean removed = FALSE;

  if (!gtkloop_future_is_pending (f))
    return FALSE;

  lock (ex);
  if (take_back_unlocked (ex, job))
    {
      ex->stats.n_removed++;
      removed = TRUE;
    }
  else if (job->state == JOB_RUNNING)
    {
      job->cancel_requested = TRUE;
      cancellable = g_object_ref (job->worker->cancellable);
    }
  unlock (ex);

  gtkloop_future_finish_cancelled (f, msg);
  if (cancellable != NULL)
    {
      /* Handlers connected to it run here, on the loop's thread. */
      g_cancellable_cancel (cancellable);
      g_object_unref (cancellable);
    }
  if (removed)
    {
      job->removed = TRUE;
      job_come_home (job);
      job_release (job);
    }
  return TRUE;
}

static GtkloopFuture *
failed_future (GtkloopLoop    *loop,
               gpointer        data,
               GDestroyNotify  data_destroy,
               GError         *error)
{
  GtkloopFuture *f = gtkloop_future_new (loop);

  gtkloop_future_reject (f, error);
  if (data_destroy)
    data_destroy (data);
  return f;
}

/**
 * gtkloop_loop_run_in_executor:
 * @loop: the loop whose future it is; call on its thread
 * @ex: (nullable): the executor; %NULL for the loop's default one
 * @func: (scope notified): the job, run on a worker thread
 * @data: (closure func): its data
 * @data_destroy: (destroy data) (nullable): frees @data on the loop's
 *   thread once the job has run, or when it is taken out of the queue
 * @result_destroy: (nullable): frees @func's result on the loop's thread
 *   (with the future, or at once if the future was cancelled meanwhile)
 *
 * asyncio's loop.run_in_executor(). The future completes on @loop's
 * thread with @func's result or error. Cancelling it while the job waits
 * in the queue takes the job out (its @data_destroy runs at once); while
 * it runs, cancels the #GCancellable @func was given. In both cases the
 * future ends cancelled at once. Results come home through the loop's
 * inbox, in the order each worker produced them, after what that worker
 * posted with gtkloop_loop_call_soon_threadsafe() while running the job.
 *
 * Returns: (transfer full): the future; failed with %GTKLOOP_ERROR_CLOSED
 *   if @ex (or the default executor) is shut down or @loop is closed, with
 *   %GTKLOOP_ERROR_RESOURCES if no worker thread could be started; %NULL
 *   (with a critical) when called from another thread
 *
 * Since: 1.0
 */
GtkloopFuture *
gtkloop_loop_run_in_executor (GtkloopLoop           *loop,
                              GtkloopThreadExecutor *ex,
                              GtkloopWorkFunc        func,
                              gpointer               data,
                              GDestroyNotify         data_destroy,
                              GDestroyNotify         result_destroy)
{
  GtkloopLoopExecutors *state;
  Job *job;

  /* Not GTKLOOP_IS_LOOP: a type check per job is measurable in W6. */
  g_return_val_if_fail (loop != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  if (!gtkloop_loop_check_callable (loop, G_STRFUNC, FALSE))
    {
      if (data_destroy)
        data_destroy (data);
      return NULL;
    }
  if (gtkloop_loop_is_closed (loop))
    return failed_future (loop, data, data_destroy,
                          g_error_new_literal (GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED,
                                               "The event loop is closed"));
  state = loop_executors (loop);
  if (ex == NULL)
    {
      if (state->closing)
        return failed_future (loop, data, data_destroy,
                              g_error_new_literal (GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED,
                                                   "Executor shutdown has been called"));
      if (state->default_executor == NULL)
        state->default_executor = gtkloop_thread_executor_new (0);
      ex = state->default_executor;
    }

  job = (Job *) gtkloop_future_new_of_class (&job_class, loop);
  job->ex = ex;
  core_ref (ex);
  job->func = func;
  job->data = data;
  job->data_destroy = data_destroy;
  job->result_destroy = result_destroy;
  gtkloop_future_ref (&job->base);   /* the pool's, until the job is home */

  switch (submit (ex, job))
    {
    case SUBMIT_OK:
      state->n_inflight++;
      break;
    case SUBMIT_SHUT_DOWN:
      gtkloop_future_reject (&job->base, g_error_new_literal (GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED,
                                                              "cannot schedule new futures after shutdown"));
      job_release (job);
      break;
    case SUBMIT_NO_THREAD:
    default:
      gtkloop_future_reject (&job->base, g_error_new_literal (GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES,
                                                              "cannot start a worker thread"));
      job_release (job);
      break;
    }
  return &job->base;
}

/**
 * gtkloop_to_thread:
 * @func: (scope notified): the job
 * @data: (closure func)
 * @data_destroy: (destroy data) (nullable)
 * @result_destroy: (nullable)
 *
 * asyncio.to_thread(): gtkloop_loop_run_in_executor() on the running loop
 * (or, outside one, gtkloop_loop_get_default()) with its default executor.
 * Await the future in a task.
 *
 * Returns: (transfer full): the future
 *
 * Since: 1.0
 */
GtkloopFuture *
gtkloop_to_thread (GtkloopWorkFunc func,
                   gpointer        data,
                   GDestroyNotify  data_destroy,
                   GDestroyNotify  result_destroy)
{
  GtkloopLoop *loop = gtkloop_loop_get_running ();

  if (loop == NULL)
    loop = gtkloop_loop_get_default ();
  return gtkloop_loop_run_in_executor (loop, NULL, func, data, data_destroy, result_destroy);
}

/* ---------------------------------------------------------------------- */
/* The loop's default executor                                             */

static void shutdown_for_close (GtkloopLoop *loop);

static GtkloopLoopExecutors *
loop_executors (GtkloopLoop *loop)
{
  static gsize hooks_installed;

  if (g_once_init_enter (&hooks_installed))
    {
      GtkloopLoopCloseHooks hooks = { .shutdown_executor = shutdown_for_close };

      gtkloop_loop_set_close_hooks (&hooks);
      g_once_init_leave (&hooks_installed, 1);
    }
  if (loop->executor == NULL)
    loop->executor = g_new0 (GtkloopLoopExecutors, 1);
  return loop->executor;
}

/**
 * gtkloop_loop_set_default_executor:
 * @ex: (nullable): the executor run_in_executor uses when given %NULL;
 *   %NULL to go back to one made on first use
 *
 * asyncio's loop.set_default_executor(). The loop takes a reference. The
 * previous default is released without waiting: if that was its last
 * reference it is shut down (jobs already submitted still come home).
 * Loop-thread only.
 *
 * Since: 1.0
 */
void
gtkloop_loop_set_default_executor (GtkloopLoop           *loop,
                                   GtkloopThreadExecutor *ex)
{
  GtkloopLoopExecutors *state;
  GtkloopThreadExecutor *old;

  g_return_if_fail (GTKLOOP_IS_LOOP (loop));

  if (!gtkloop_loop_check_callable (loop, G_STRFUNC, TRUE))
    return;
  state = loop_executors (loop);
  if (state->closing)
    {
      g_critical ("%s: the event loop is closing", G_STRFUNC);
      return;
    }
  old = state->default_executor;
  state->default_executor = ex ? gtkloop_thread_executor_ref (ex) : NULL;
  if (old != NULL)
    release_without_waiting (old);
}

/**
 * gtkloop_loop_get_default_executor:
 *
 * The executor run_in_executor uses when given %NULL, made on first use.
 * Loop-thread only.
 *
 * Returns: (transfer none) (nullable): the executor; %NULL once the loop
 *   is closing or closed
 *
 * Since: 1.0
 */
GtkloopThreadExecutor *
gtkloop_loop_get_default_executor (GtkloopLoop *loop)
{
  GtkloopLoopExecutors *state;

  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), NULL);

  if (!gtkloop_loop_check_callable (loop, G_STRFUNC, FALSE) || gtkloop_loop_is_closed (loop))
    return NULL;
  state = loop_executors (loop);
  if (state->closing)
    return NULL;
  if (state->default_executor == NULL)
    state->default_executor = gtkloop_thread_executor_new (0);
  return state->default_executor;
}

GtkloopThreadExecutor *
gtkloop_loop_peek_default_executor (GtkloopLoop *loop)
{
  GtkloopLoopExecutors *state = loop->executor;

  return state ? state->default_executor : NULL;
}

/* Runs the loop's context until every job submitted from this loop has
 * come home, so their results reach the loop thread (and are freed there)
 * and what they post still runs; GTK keeps drawing meanwhile, since the
 * whole context iterates. As asyncio.run (), this waits for jobs that are
 * still queued, too. */
static void
wait_for_jobs (GtkloopLoop          *loop,
               GtkloopLoopExecutors *state)
{
  GMainContext *context = loop->context;

  if (state->n_inflight == 0)
    return;
  if (!g_main_context_acquire (context))
    {
      g_critical ("gtkloop_loop_close: %u executor job%s still running, and another thread is "
                  "iterating the loop's context: their data and results will be freed on the "
                  "worker threads", state->n_inflight, state->n_inflight == 1 ? " is" : "s are");
      return;
    }
  while (state->n_inflight > 0)
    g_main_context_iteration (context, TRUE);
  g_main_context_release (context);
}

/* The close hook: after the tasks have finished (their awaited jobs were
 * cancelled with them), shut the default executor down, let every job
 * still in flight come home, then let the default executor go without
 * waiting for anything but idle threads to exit. */
static void
shutdown_for_close (GtkloopLoop *loop)
{
  GtkloopLoopExecutors *state = loop->executor;
  GtkloopThreadExecutor *ex;

  if (state == NULL)
    return;

  state->closing = TRUE;
  if (state->default_executor != NULL)
    gtkloop_thread_executor_shutdown (state->default_executor, FALSE, FALSE);
  wait_for_jobs (loop, state);
  ex = g_steal_pointer (&state->default_executor);
  if (ex != NULL)
    release_without_waiting (ex);
  loop->executor = NULL;
  g_free (state);
}
