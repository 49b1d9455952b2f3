/* The thread executor: concurrent.futures.ThreadPoolExecutor for C, and
 * run_in_executor on top of it.
 *
 * An executor is the public face of a thread pool (src/thread-pool.c,
 * which starts, wakes and retires the workers); this file makes jobs, the
 * pool's work items, of run_in_executor calls.
 *
 * A job is a future (a GtkloopFuture kind): one allocation holds the loop
 * future and the work item. Its life:
 *
 *   loop thread          run_in_executor: job submitted to the pool
 *   worker               runs func (the pool calls the item's func),
 *                        then posts the job home through the loop's
 *                        inbox (job_done)
 *   loop thread          job_come_home: the future gets the result or the
 *                        error; data_destroy runs; the future's reference
 *                        taken for the pool goes
 *
 * The inbox wakes the loop only when it is about to sleep, once, so a
 * burst of results costs one wake-up, and what one worker posts (its
 * call_soon_threadsafe calls, then its job's result) reaches the loop in
 * posting order. Data and results are freed on the loop's thread.
 *
 * Lock order: only the pool's lock, a leaf, is taken here (through the
 * pool); cancellables are cancelled, and jobs posted to loops, after it
 * is released.
 */
#include "config.h"

#include "clock-private.h"
#include "destroy-notify-private.h"
#include "executor-private.h"
#include "future-private.h"
#include "loop-private.h"
#include "thread-pool-private.h"

#define MAX_DEFAULT_WORKERS     32

typedef struct _Job Job;

struct _Job
{
  GtkloopFuture           base;             /* (loop-thread) first: a job is a future */
  GtkloopThreadPool      *pool;             /* (owned): for a cancel to withdraw the job */
  GDestroyNotify          data_destroy;     /* of item.data, run on the loop thread */
  GDestroyNotify          result_destroy;
  /* func and data; result and error are written by the worker before the
   * post and read on the loop thread after it (the inbox's publication
   * orders the two). State REMOVED: comes home cancelled, never ran. */
  GtkloopWorkItem         item;
};

struct _GtkloopThreadExecutor
{
  gint                    ref_count;        /* public references; the last one shuts down with wait */
  GtkloopThreadPool      *pool;             /* (owned) */
};

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

/**
 * GtkloopThreadExecutor:
 *
 * A pool of worker threads (concurrent.futures.ThreadPoolExecutor) for
 * blocking work, whose results come back to the loop as futures. Reference
 * counted; thread-safe.
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopThreadExecutor, gtkloop_thread_executor,
                     gtkloop_thread_executor_ref, gtkloop_thread_executor_unref)

static inline Job *
job_of_item (GtkloopWorkItem *item)
{
  return (Job *) ((char *) item - G_STRUCT_OFFSET (Job, item));
}

/* ---------------------------------------------------------------------- */
/* Life of the executor                                                    */

/**
 * gtkloop_thread_executor_new:
 * @max_workers: the most worker threads at once; 0 for min (32, number
 *   of processors + 4), as Python's ThreadPoolExecutor
 *
 * Makes an executor. Workers are started when jobs need them and retire
 * after gtkloop_thread_executor_get_idle_timeout() without work. Dropping
 * the last reference shuts it down and waits for its jobs, as leaving a
 * `with ThreadPoolExecutor() as ex:` block does, so
 * `g_autoptr(GtkloopThreadExecutor)` gives a scoped executor. Any thread. An executor belongs to no loop: closing a loop shuts down only its default executor.
 * Making one starts no thread, so the system cannot refuse it: when no
 * worker can be started for a job (pthread_create() fails), a warning
 * names the thread, and the job waits for a running worker or, if there
 * is none, its future fails with %GTKLOOP_ERROR_RESOURCES
 * (docs/failures.md).
 *
 * Returns: (transfer full): the executor, never %NULL
 *
 * Since: 0.1
 */
GtkloopThreadExecutor *
gtkloop_thread_executor_new (guint max_workers)
{
  GtkloopThreadExecutor *ex = g_new0 (GtkloopThreadExecutor, 1);

  if (max_workers == 0)
    max_workers = MIN (MAX_DEFAULT_WORKERS, g_get_num_processors () + 4);
  ex->ref_count = 1;
  ex->pool = gtkloop_thread_pool_new (max_workers);
  return ex;
}

/**
 * gtkloop_thread_executor_ref:
 * @ex: an executor
 *
 * Any thread. Jobs hold no public reference: only the program's references
 * keep an executor from being shut down. Works whether or not any loop is
 * closed.
 *
 * Returns: (transfer full): @ex
 *
 * Since: 0.1
 */
GtkloopThreadExecutor *
gtkloop_thread_executor_ref (GtkloopThreadExecutor *ex)
{
  g_return_val_if_fail (ex != NULL, NULL);
  g_atomic_int_inc (&ex->ref_count);
  return ex;
}

/* The pool outlives the executor while jobs or workers hold it. */
static void
executor_free (GtkloopThreadExecutor *ex)
{
  gtkloop_thread_pool_unref (ex->pool);
  g_free (ex);
}

/**
 * gtkloop_thread_executor_unref:
 * @ex: (transfer full): the reference to drop
 *
 * Drops a reference. The last one shuts the executor down with `wait`
 * (queued jobs still run) and returns once its threads have ended; so do
 * not drop it on a loop's thread while that loop's jobs need the loop. Any
 * thread. An executor belongs to no loop, so closing one changes nothing
 * here.
 *
 * Since: 0.1
 */
void
gtkloop_thread_executor_unref (GtkloopThreadExecutor *ex)
{
  g_return_if_fail (ex != NULL);

  if (!g_atomic_int_dec_and_test (&ex->ref_count))
    return;
  gtkloop_thread_executor_shutdown (ex, TRUE, FALSE);
  executor_free (ex);
}

/* The last reference of a loop's default executor goes without waiting
 * for jobs: shut down, and join the threads only if none is busy (they
 * are then exiting within microseconds); busy ones detach themselves. */
static void
release_without_waiting (GtkloopThreadExecutor *ex)
{
  if (!g_atomic_int_dec_and_test (&ex->ref_count))
    return;
  gtkloop_thread_executor_shutdown (ex, FALSE, FALSE);
  gtkloop_thread_pool_join_if_idle (ex->pool);
  executor_free (ex);
}

/**
 * gtkloop_thread_executor_get_max_workers:
 * @ex: an executor
 *
 * The most worker threads the executor runs at once. Any thread. An
 * executor belongs to no loop, so closing one changes nothing here.
 *
 * Returns: the most worker threads the executor runs at once
 *
 * Since: 0.1
 */
guint
gtkloop_thread_executor_get_max_workers (GtkloopThreadExecutor *ex)
{
  g_return_val_if_fail (ex != NULL, 0);
  return gtkloop_thread_pool_get_max_workers (ex->pool);
}

/**
 * gtkloop_thread_executor_get_n_workers:
 * @ex: an executor
 *
 * How many worker threads the executor has now. Any thread. An executor
 * belongs to no loop, so closing one changes nothing here.
 *
 * Returns: how many worker threads are alive now (started and not yet
 *   exited)
 *
 * Since: 0.1
 */
guint
gtkloop_thread_executor_get_n_workers (GtkloopThreadExecutor *ex)
{
  g_return_val_if_fail (ex != NULL, 0);
  return gtkloop_thread_pool_get_n_workers (ex->pool);
}

/**
 * gtkloop_thread_executor_set_idle_timeout:
 * @ex: an executor
 * @seconds: how long a worker waits for a job before it exits; default 10
 *
 * Takes effect for workers that go idle after the call. Any thread. An
 * executor belongs to no loop, so closing one changes nothing here.
 *
 * Since: 0.1
 */
void
gtkloop_thread_executor_set_idle_timeout (GtkloopThreadExecutor *ex,
                                          double                 seconds)
{
  g_return_if_fail (ex != NULL);
  g_return_if_fail (seconds >= 0);

  gtkloop_thread_pool_set_idle_timeout (ex->pool, gtkloop_clock_seconds_to_ns_ceil (seconds));
}

/**
 * gtkloop_thread_executor_get_idle_timeout:
 * @ex: an executor
 *
 * How long an idle worker waits for work before its thread ends. Any
 * thread. An executor belongs to no loop, so closing one changes nothing
 * here.
 *
 * Returns: seconds a worker waits for a job before it exits
 *
 * Since: 0.1
 */
double
gtkloop_thread_executor_get_idle_timeout (GtkloopThreadExecutor *ex)
{
  g_return_val_if_fail (ex != NULL, 0);
  return gtkloop_thread_pool_get_idle_timeout (ex->pool) / 1e9;
}

/**
 * gtkloop_thread_executor_is_shutdown:
 * @ex: an executor
 *
 * Whether gtkloop_thread_executor_shutdown() was called. Any thread. An
 * executor belongs to no loop, so closing one changes nothing here.
 *
 * Returns: %TRUE once gtkloop_thread_executor_shutdown() was called (by
 *   you, by the last unref, or by the close of the loop whose default
 *   executor it is)
 *
 * Since: 0.1
 */
gboolean
gtkloop_thread_executor_is_shutdown (GtkloopThreadExecutor *ex)
{
  g_return_val_if_fail (ex != NULL, FALSE);
  return gtkloop_thread_pool_is_shutdown (ex->pool);
}

void
gtkloop_thread_executor_get_stats (GtkloopThreadExecutor *ex,
                                   GtkloopExecutorStats  *stats)
{
  gtkloop_thread_pool_get_stats (ex->pool, stats);
}

guint
gtkloop_executor_debug_n_executors (void)
{
  /* An executor's memory is its pool's: counted until the pool goes. */
  return gtkloop_thread_pool_debug_n_pools ();
}

guint
gtkloop_executor_debug_n_threads (void)
{
  return gtkloop_thread_pool_debug_n_threads ();
}

/**
 * gtkloop_thread_executor_shutdown:
 * @ex: an executor
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
 * one of the executor's own jobs, @wait waits for the other workers. Any
 * thread. An executor belongs to no loop, so closing one changes nothing
 * here.
 *
 * Since: 0.1
 */
void
gtkloop_thread_executor_shutdown (GtkloopThreadExecutor *ex,
                                  gboolean               wait,
                                  gboolean               cancel_futures)
{
  g_return_if_fail (ex != NULL);

  /* Removed jobs go home cancelled (job_done), to be settled on their
   * loops. */
  gtkloop_thread_pool_shutdown (ex->pool, wait, cancel_futures);
}

/* ---------------------------------------------------------------------- */
/* Jobs: the worker side                                                   */

static void job_come_home (gpointer data);
static void job_release   (gpointer data);

/* After the job ran (on its worker), or when a shutdown took it out of
 * the queue. */
static void
job_done (GtkloopWorkItem *item)
{
  Job *job = job_of_item (item);

  /* The future's reference taken for the pool goes with the post (to
   * job_release). A loop closed with jobs in flight waits for them (see
   * shutdown_for_close), so a refusal means the loop was closed from a
   * thread that could not run it: then the data and the result are freed
   * here, on the worker. */
  if (!gtkloop_loop_post_quiet (job->base.loop, job_come_home, job, job_release))
    job_release (job);
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

  if (job->item.state == GTKLOOP_WORK_ITEM_REMOVED)
    gtkloop_future_finish_cancelled (f, NULL);
  else if (job->item.error != NULL)
    gtkloop_future_reject (f, g_steal_pointer (&job->item.error));
  else if (gtkloop_future_is_pending (f))
    {
      gtkloop_future_resolve (f, g_steal_pointer (&job->item.result), job->result_destroy);
      job->result_destroy = NULL;
    }
  /* Whatever was not taken (the future was cancelled while the job ran)
   * is freed by job_release. */
  gtkloop_destroy_notify_run (job->data_destroy, g_steal_pointer (&job->item.data));
  job->data_destroy = NULL;
}

static void
job_free_leftovers (Job *job)
{
  if (job->result_destroy && job->item.result != NULL)
    job->result_destroy (job->item.result);
  job->item.result = NULL;
  job->result_destroy = NULL;
  g_clear_error (&job->item.error);
  gtkloop_destroy_notify_run (job->data_destroy, job->item.data);
  job->item.data = NULL;
  job->data_destroy = NULL;
}

/* Not inlined into job_done, whose common path it would slow down. */
G_GNUC_NO_INLINE static void
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

  /* Nothing is left to free: every job ends in job_release, which frees
   * the leftovers before it drops the reference the pool held, the one
   * this finalize follows. */
  gtkloop_thread_pool_unref (job->pool);
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
  GCancellable *cancellable;
  gboolean removed;

  if (!gtkloop_future_is_pending (f))
    return FALSE;

  removed = gtkloop_thread_pool_withdraw (job->pool, &job->item, &cancellable);

  gtkloop_future_finish_cancelled (f, msg);
  if (cancellable != NULL)
    {
      /* Handlers connected to it run here, on the loop's thread. */
      g_cancellable_cancel (cancellable);
      g_object_unref (cancellable);
    }
  if (removed)
    {
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
  gtkloop_destroy_notify_run (data_destroy, data);
  return f;
}

/**
 * gtkloop_loop_run_in_executor:
 * @loop: the loop whose future it is; call on its thread
 * @ex: (nullable): the executor; %NULL for the loop's default one
 * @func: (scope notified) (closure data) (destroy data_destroy): the
 *   job, run on a worker thread
 * @data: data for @func
 * @data_destroy: (nullable): frees @data on the loop's thread once the
 *   job has run, or when it is taken out of the queue
 * @result_destroy: (nullable) (scope async) (type GtkloopValueDestroyNotify):
 *   frees @func's result on the loop's thread (with the future, or at once if the future was
 *   cancelled meanwhile)
 *
 * asyncio's loop.run_in_executor(). The future completes on @loop's thread
 * with @func's result or error. Cancelling it while the job waits in the
 * queue takes the job out (its @data_destroy runs at once); while it runs,
 * cancels the #GCancellable @func was given. In both cases the future ends
 * cancelled at once. Results come home through the loop's inbox, in the
 * order each worker produced them, after what that worker posted with
 * gtkloop_loop_call_soon_threadsafe() while running the job. Loop thread
 * only.
 *
 * Returns: (transfer full): the future; failed with %GTKLOOP_ERROR_CLOSED
 *   if @ex (or the default executor) is shut down or @loop is closed, with
 *   %GTKLOOP_ERROR_RESOURCES if no worker thread could be started; %NULL
 *   (with a critical) when called from another thread
 *
 * Since: 0.1
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
      gtkloop_destroy_notify_run (data_destroy, data);
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
  job->pool = ex->pool;
  gtkloop_thread_pool_ref (ex->pool);
  job->item.func = func;
  job->item.data = data;
  job->item.done = job_done;
  job->data_destroy = data_destroy;
  job->result_destroy = result_destroy;
  gtkloop_future_ref (&job->base);   /* the pool's, until the job is home */

  switch (gtkloop_thread_pool_submit (ex->pool, &job->item))
    {
    case GTKLOOP_THREAD_POOL_SUBMITTED:
      state->n_inflight++;
      break;
    case GTKLOOP_THREAD_POOL_SHUT_DOWN:
      gtkloop_future_reject (&job->base, g_error_new_literal (GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED,
                                                              "cannot schedule new futures after shutdown"));
      job_release (job);
      break;
    case GTKLOOP_THREAD_POOL_NO_THREAD:
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
 * @func: (scope notified) (closure data) (destroy data_destroy): the job,
 *   run on a worker thread
 * @data: data for @func
 * @data_destroy: (nullable): as for gtkloop_loop_run_in_executor()
 * @result_destroy: (nullable) (scope async) (type GtkloopValueDestroyNotify):
 *   as for gtkloop_loop_run_in_executor()
 *
 * asyncio.to_thread(): gtkloop_loop_run_in_executor() on the running loop
 * (or, outside one, gtkloop_loop_get_default()) with its default executor.
 * Await the future in a task. Loop thread only. On a closed loop the
 * future comes back failed with %GTKLOOP_ERROR_CLOSED.
 *
 * Returns: (transfer full): the future
 *
 * Since: 0.1
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

/* Once per process. Not inlined: its local, whose address is taken,
 * would cost run_in_executor a stack protector on every call. */
G_GNUC_NO_INLINE static void
install_close_hooks (void)
{
  GtkloopLoopCloseHooks hooks = { .shutdown_executor = shutdown_for_close };

  gtkloop_loop_set_close_hooks (&hooks);
}

static GtkloopLoopExecutors *
loop_executors (GtkloopLoop *loop)
{
  static gsize hooks_installed;

  if (g_once_init_enter (&hooks_installed))
    {
      install_close_hooks ();
      g_once_init_leave (&hooks_installed, 1);
    }
  if (loop->executor == NULL)
    loop->executor = g_new0 (GtkloopLoopExecutors, 1);
  return loop->executor;
}

/**
 * gtkloop_loop_set_default_executor:
 * @loop: the loop
 * @ex: (nullable): the executor run_in_executor uses when given %NULL;
 *   %NULL to go back to one made on first use
 *
 * asyncio's loop.set_default_executor(). The loop takes a reference. The
 * previous default is released without waiting: if that was its last
 * reference it is shut down (jobs already submitted still come home).
 * Loop-thread only. Closing the loop shuts down its default executor.
 *
 * Since: 0.1
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
 * @loop: the loop
 *
 * The executor run_in_executor uses when given %NULL, made on first use.
 * Loop-thread only.
 *
 * Returns: (transfer none) (nullable): the executor; %NULL once the loop
 *   is closing or closed
 *
 * Since: 0.1
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
