/* bench-threads.c: the threads layer. W5, call_soon_threadsafe from one
 * worker thread: throughput, and (W5-lat) the wake-up latency of an idle
 * loop; W6, the executor round trip, and W6-gthreadpool, the same
 * futures on GThreadPool; W5-exec, W5 while an executor runs jobs.
 */
#include "bench-workloads.h"

#include <gtkloop/gtkloop.h>

#include <errno.h>
#include <pthread.h>
#include <time.h>

/* ---------------------------------------------------------------------- */
/* W5 call_soon_threadsafe: throughput and wake-up latency                 */

#define W5_LAT_INTERVAL_NS (100 * 1000)

static struct
{
  GtkloopLoop *loop;
  GMainLoop   *ml;
  guint64      n;
  guint64      count;     /* loop thread only */
  pthread_t    worker;
  gint64      *t_post;    /* W5-lat: written by the worker before posting */
  gint64      *latency;   /* W5-lat: written by the loop */
  gint64      *in_loop;   /* W5-lat: poll() returning to callback */
  gint64      *in_post;   /* W5-lat: the worker's post call, wake-up included */
} w5;

static void
w5_gtkloop_cb (gpointer data)
{
  if (++w5.count == w5.n)
    gtkloop_loop_stop (w5.loop);
}

static gpointer
w5_gtkloop_worker (gpointer data)
{
  for (guint64 i = 0; i < w5.n; i++)
    gtkloop_loop_call_soon_threadsafe (w5.loop, w5_gtkloop_cb, NULL, NULL);
  return NULL;
}

static gboolean
w5_glib_cb (gpointer data)
{
  if (++w5.count == w5.n)
    g_main_loop_quit (w5.ml);
  return G_SOURCE_REMOVE;
}

static gpointer
w5_glib_worker (gpointer data)
{
  for (guint64 i = 0; i < w5.n; i++)
    g_main_context_invoke (NULL, w5_glib_cb, NULL);
  return NULL;
}

static void
w5_start_worker (void *(*worker) (void *))
{
  int err = pthread_create (&w5.worker, NULL, worker, NULL);

  if (err != 0)
    bench_die ("pthread_create: %s", g_strerror (err));
}

/* Both systems start the worker from inside the running loop: GLib must
 * (g_main_context_invoke runs the callback inline on a thread that can
 * acquire the context), and gtkloop then posts against a live consumer
 * in the same way. */
static void
w5_gtkloop_start (gpointer worker)
{
  w5_start_worker (worker);
}

static gboolean
w5_glib_start (gpointer worker)
{
  w5_start_worker (worker);
  return G_SOURCE_REMOVE;
}

static void
w5_report (BenchResult *r,
           gint64       t0,
           gint64       t1)
{
  r->ns_per_op = (double) (t1 - t0) / (double) w5.n;
  bench_extra_string (r, "worker_started", "inside the running loop");
  if (w5.count != w5.n)
    bench_fail_check (r, "callback count differs from N");
}

static void
gtkloop_w5 (guint64      n,
            BenchResult *r)
{
  gint64 t0, t1;

  w5.loop = gtkloop_loop_new (NULL);
  w5.n = n;

  t0 = bench_now_ns ();
  gtkloop_loop_call_soon (w5.loop, w5_gtkloop_start, w5_gtkloop_worker, NULL);
  gtkloop_loop_run_forever (w5.loop);
  t1 = bench_now_ns ();
  pthread_join (w5.worker, NULL);

  w5_report (r, t0, t1);
}

static void
glib_w5 (guint64      n,
         BenchResult *r)
{
  gint64 t0, t1;

  w5.ml = g_main_loop_new (NULL, FALSE);
  w5.n = n;

  t0 = bench_now_ns ();
  g_idle_add_full (G_PRIORITY_DEFAULT, w5_glib_start, w5_glib_worker, NULL);
  g_main_loop_run (w5.ml);
  t1 = bench_now_ns ();
  pthread_join (w5.worker, NULL);

  w5_report (r, t0, t1);
}

/* W5-lat: posts 100 us apart to an idle loop; the callback's delay after
 * the post is one cold wake-up. A poll function that notes when poll()
 * returns splits it into the kernel's part (post until the loop thread
 * is back from poll) and the loop's part (from there to the callback);
 * it costs one clock read per GLib iteration, for either system. */

static gint64 w5_poll_returned;

static gint
w5_timed_poll (GPollFD *fds,
               guint    nfds,
               gint     timeout)
{
  gint ret = g_poll (fds, nfds, timeout);

  w5_poll_returned = bench_now_ns ();
  return ret;
}

static inline void
w5_lat_record (guint64 i)
{
  gint64 now = bench_now_ns ();

  w5.latency[i] = now - w5.t_post[i];
  w5.in_loop[i] = now - w5_poll_returned;
}

static void
w5_lat_gtkloop_cb (gpointer data)
{
  w5_lat_record (GPOINTER_TO_SIZE (data));
  if (++w5.count == w5.n)
    gtkloop_loop_stop (w5.loop);
}

static gboolean
w5_lat_glib_cb (gpointer data)
{
  w5_lat_record (GPOINTER_TO_SIZE (data));
  if (++w5.count == w5.n)
    g_main_loop_quit (w5.ml);
  return G_SOURCE_REMOVE;
}

static void
w5_lat_sleep_until (struct timespec *next)
{
  next->tv_nsec += W5_LAT_INTERVAL_NS;
  if (next->tv_nsec >= 1000000000)
    {
      next->tv_nsec -= 1000000000;
      next->tv_sec++;
    }
  while (clock_nanosleep (CLOCK_MONOTONIC, TIMER_ABSTIME, next, NULL) == EINTR)
    ;
}

static gpointer
w5_lat_gtkloop_worker (gpointer data)
{
  struct timespec next;

  clock_gettime (CLOCK_MONOTONIC, &next);
  for (guint64 i = 0; i < w5.n; i++)
    {
      w5_lat_sleep_until (&next);
      w5.t_post[i] = bench_now_ns ();
      gtkloop_loop_call_soon_threadsafe (w5.loop, w5_lat_gtkloop_cb, GSIZE_TO_POINTER (i), NULL);
      w5.in_post[i] = bench_now_ns () - w5.t_post[i];
    }
  return NULL;
}

static gpointer
w5_lat_glib_worker (gpointer data)
{
  struct timespec next;

  clock_gettime (CLOCK_MONOTONIC, &next);
  for (guint64 i = 0; i < w5.n; i++)
    {
      w5_lat_sleep_until (&next);
      w5.t_post[i] = bench_now_ns ();
      g_main_context_invoke (NULL, w5_lat_glib_cb, GSIZE_TO_POINTER (i));
      w5.in_post[i] = bench_now_ns () - w5.t_post[i];
    }
  return NULL;
}

static void
w5_lat_setup (guint64 n)
{
  w5.n = n;
  w5.t_post = g_new0 (gint64, n);
  w5.latency = g_new0 (gint64, n);
  w5.in_loop = g_new0 (gint64, n);
  w5.in_post = g_new0 (gint64, n);
  g_main_context_set_poll_func (NULL, w5_timed_poll);
}

static void
w5_lat_report (BenchResult *r)
{
  g_autofree double *us = g_new (double, w5.n);
  BenchDist d, wake, in_loop, in_post;

  for (guint64 i = 0; i < w5.n; i++)
    us[i] = (w5.latency[i] - w5.in_loop[i]) / 1e3;
  bench_dist_compute (us, w5.n, &wake);
  for (guint64 i = 0; i < w5.n; i++)
    us[i] = w5.in_loop[i] / 1e3;
  bench_dist_compute (us, w5.n, &in_loop);
  for (guint64 i = 0; i < w5.n; i++)
    us[i] = w5.in_post[i] / 1e3;
  bench_dist_compute (us, w5.n, &in_post);
  for (guint64 i = 0; i < w5.n; i++)
    us[i] = w5.latency[i] / 1e3;
  bench_dist_compute (us, w5.n, &d);
  r->ns_per_op = d.mean * 1e3;
  r->p50 = d.p50;
  r->p99 = d.p99;
  r->max = d.max;
  bench_extra_string (r, "unit", "us");
  bench_extra_string (r, "ns_per_op_is", "mean wake-up latency in ns");
  bench_extra_number (r, "min_us", d.min);
  bench_extra_number (r, "mean_us", d.mean);
  bench_extra_number (r, "to_poll_return_p50_us", wake.p50);
  bench_extra_number (r, "poll_return_to_cb_p50_us", in_loop.p50);
  bench_extra_number (r, "poll_return_to_cb_p99_us", in_loop.p99);
  bench_extra_number (r, "post_call_p50_us", in_post.p50);
  bench_extra_int (r, "interval_us", W5_LAT_INTERVAL_NS / 1000);
  bench_extra_string (r, "worker_started", "inside the running loop");
  if (w5.count != w5.n)
    bench_fail_check (r, "callback count differs from N");
}

static void
gtkloop_w5_lat (guint64      n,
                BenchResult *r)
{
  w5_lat_setup (n);
  w5.loop = gtkloop_loop_new (NULL);

  gtkloop_loop_call_soon (w5.loop, w5_gtkloop_start, w5_lat_gtkloop_worker, NULL);
  gtkloop_loop_run_forever (w5.loop);
  pthread_join (w5.worker, NULL);

  w5_lat_report (r);
}

static void
glib_w5_lat (guint64      n,
             BenchResult *r)
{
  w5_lat_setup (n);
  w5.ml = g_main_loop_new (NULL, FALSE);

  g_idle_add_full (G_PRIORITY_DEFAULT, w5_glib_start, w5_lat_glib_worker, NULL);
  g_main_loop_run (w5.ml);
  pthread_join (w5.worker, NULL);

  w5_lat_report (r);
}

/* glib-queue (BENCH.md's mapping): the simplest peer of an inbox. A
 * mutex-protected GQueue of posted items, g_main_context_wakeup only when
 * a post finds it empty, one GSource that swaps the queue out and runs
 * it. Items are the posts' indices (W5-lat) or nothing in particular
 * (W5); the GQueue's node is the one allocation per post. */

typedef struct
{
  GSource   source;
  void    (*run) (gpointer item);
} W5QueueSource;

static struct
{
  pthread_mutex_t lock;
  GQueue          items;   /* (lock: lock) */
} w5q = { PTHREAD_MUTEX_INITIALIZER, G_QUEUE_INIT };

static void
w5q_post (gpointer item)
{
  gboolean was_empty;

  pthread_mutex_lock (&w5q.lock);
  was_empty = w5q.items.length == 0;
  g_queue_push_tail (&w5q.items, item);
  pthread_mutex_unlock (&w5q.lock);
  if (was_empty)
    g_main_context_wakeup (NULL);
}

static gboolean
w5q_has_items (void)
{
  gboolean any;

  pthread_mutex_lock (&w5q.lock);
  any = w5q.items.length > 0;
  pthread_mutex_unlock (&w5q.lock);
  return any;
}

static gboolean
w5q_prepare (GSource *source,
             gint    *timeout)
{
  *timeout = -1;
  return w5q_has_items ();
}

static gboolean
w5q_check (GSource *source)
{
  return w5q_has_items ();
}

static gboolean
w5q_dispatch (GSource     *source,
              GSourceFunc  callback,
              gpointer     user_data)
{
  W5QueueSource *self = (W5QueueSource *) source;
  GQueue batch;

  pthread_mutex_lock (&w5q.lock);
  batch = w5q.items;
  g_queue_init (&w5q.items);
  pthread_mutex_unlock (&w5q.lock);
  while (batch.length > 0)
    self->run (g_queue_pop_head (&batch));
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs w5q_funcs = { w5q_prepare, w5q_check, w5q_dispatch, NULL, NULL, NULL };

static void
w5q_attach (void (*run) (gpointer item))
{
  GSource *source = g_source_new (&w5q_funcs, sizeof (W5QueueSource));

  ((W5QueueSource *) source)->run = run;
  g_source_attach (source, NULL);
  g_source_unref (source);
}

static void
w5q_cb (gpointer item)
{
  if (++w5.count == w5.n)
    g_main_loop_quit (w5.ml);
}

static gpointer
w5q_worker (gpointer data)
{
  for (guint64 i = 0; i < w5.n; i++)
    w5q_post (NULL);
  return NULL;
}

static void
glib_queue_w5 (guint64      n,
               BenchResult *r)
{
  gint64 t0, t1;

  w5.ml = g_main_loop_new (NULL, FALSE);
  w5.n = n;
  w5q_attach (w5q_cb);

  t0 = bench_now_ns ();
  g_idle_add_full (G_PRIORITY_DEFAULT, w5_glib_start, w5q_worker, NULL);
  g_main_loop_run (w5.ml);
  t1 = bench_now_ns ();
  pthread_join (w5.worker, NULL);

  w5_report (r, t0, t1);
  bench_extra_string (r, "mechanism", "mutex + GQueue, g_main_context_wakeup when it was empty, one GSource");
}

static void
w5q_lat_cb (gpointer item)
{
  w5_lat_record (GPOINTER_TO_SIZE (item));
  if (++w5.count == w5.n)
    g_main_loop_quit (w5.ml);
}

static gpointer
w5q_lat_worker (gpointer data)
{
  struct timespec next;

  clock_gettime (CLOCK_MONOTONIC, &next);
  for (guint64 i = 0; i < w5.n; i++)
    {
      w5_lat_sleep_until (&next);
      w5.t_post[i] = bench_now_ns ();
      w5q_post (GSIZE_TO_POINTER (i));
      w5.in_post[i] = bench_now_ns () - w5.t_post[i];
    }
  return NULL;
}

static void
glib_queue_w5_lat (guint64      n,
                   BenchResult *r)
{
  w5_lat_setup (n);
  w5.ml = g_main_loop_new (NULL, FALSE);
  w5q_attach (w5q_lat_cb);

  g_idle_add_full (G_PRIORITY_DEFAULT, w5_glib_start, w5q_lat_worker, NULL);
  g_main_loop_run (w5.ml);
  pthread_join (w5.worker, NULL);

  w5_lat_report (r);
  bench_extra_string (r, "mechanism", "mutex + GQueue, g_main_context_wakeup when it was empty, one GSource");
}

/* ---------------------------------------------------------------------- */
/* Executor (src/executor.c on src/thread-pool.c): W6 round trip, its     */
/* GThreadPool counterpart under gtkloop futures (W6-gthreadpool: why the  */
/* executor is a pool of its own), and W5-exec (W5 while an executor runs  */
/* jobs).                                                                  */

#define W6_BATCH    1000
#define W6_WORKERS  4
#define W6_WARM_UP  8

static struct
{
  guint64      n;
  gint64       t0, t1;
  guint64      sum;
  gboolean     ok;
  guint        workers;
  GtkloopLoop *loop;
  /* glib */
  GMainLoop   *ml;
  guint        pending;   /* main thread only */
} w6;

static gpointer
w6_job (gpointer      data,
        GCancellable *cancellable,
        GError      **error)
{
  return GSIZE_TO_POINTER (GPOINTER_TO_SIZE (data) + 1);
}

/* The warm-up jobs take a moment, so each of the 8 submissions finds no
 * idle worker and all 4 get started. */
static gpointer
w6_warm_up_job (gpointer      data,
                GCancellable *cancellable,
                GError      **error)
{
  g_usleep (2000);
  return NULL;
}

static gboolean
w6_batch (GtkloopThreadExecutor *ex,
          GtkloopWorkFunc        func,
          guint64                first,
          guint                  count)
{
  GtkloopFuture *futures[W6_BATCH];
  GtkloopFuture *all;
  gboolean ok;

  for (guint i = 0; i < count; i++)
    futures[i] = gtkloop_loop_run_in_executor (w6.loop, ex, func, GSIZE_TO_POINTER (first + i), NULL, NULL);
  all = gtkloop_gather (futures, count, FALSE);
  ok = gtkloop_await (all, NULL);
  gtkloop_future_unref (all);
  for (guint i = 0; i < count; i++)
    {
      if (func == w6_job)
        w6.sum += GPOINTER_TO_SIZE (gtkloop_future_get_result (futures[i], NULL));
      gtkloop_future_unref (futures[i]);
    }
  return ok;
}

static void
w6_main (GtkloopTask *task,
         gpointer     data)
{
  GtkloopThreadExecutor *ex = gtkloop_thread_executor_new (W6_WORKERS);

  w6.loop = gtkloop_loop_get_running ();
  w6.ok = w6_batch (ex, w6_warm_up_job, 0, W6_WARM_UP);
  w6.workers = gtkloop_thread_executor_get_n_workers (ex);

  w6.t0 = bench_now_ns ();
  for (guint64 first = 0; first < w6.n && w6.ok; first += W6_BATCH)
    w6.ok = w6_batch (ex, w6_job, first, (guint) MIN (W6_BATCH, w6.n - first));
  w6.t1 = bench_now_ns ();
  gtkloop_thread_executor_unref (ex);
}

static void
w6_report (BenchResult *r)
{
  guint64 n = w6.n;

  bench_extra_int (r, "workers", w6.workers);
  bench_extra_int (r, "batch", W6_BATCH);
  if (!w6.ok || w6.sum != n * (n - 1) / 2 + n)
    bench_fail_check (r, "a job failed or sum != N(N-1)/2 + N");
  else
    r->ns_per_op = (double) (w6.t1 - w6.t0) / (double) n;
}

static void
gtkloop_w6 (guint64      n,
            BenchResult *r)
{
  w6.n = n;
  gtkloop_run (w6_main, NULL, NULL);
  w6_report (r);
  bench_extra_string (r, "mechanism", "gtkloop_loop_run_in_executor on a 4-worker GtkloopThreadExecutor, "
                                      "batches awaited with gtkloop_gather");
}

/* glib: GThreadPool (4, exclusive), each job g_idle_add ()s its result
 * back to the main context; a batch ends when its 1,000 idles have run.
 * Tokens are x + 1: GThreadPool refuses NULL data. */
static gboolean
w6_glib_home (gpointer data)
{
  w6.sum += GPOINTER_TO_SIZE (data);
  if (--w6.pending == 0)
    g_main_loop_quit (w6.ml);
  return G_SOURCE_REMOVE;
}

static void
w6_glib_job (gpointer data,
             gpointer user_data)
{
  g_idle_add (w6_glib_home, data);   /* job (x) = x + 1 = the token */
}

static void
w6_glib_batch (GThreadPool *pool,
               guint64      first,
               guint        count)
{
  w6.pending = count;
  for (guint i = 0; i < count; i++)
    g_thread_pool_push (pool, GSIZE_TO_POINTER (first + i + 1), NULL);
  g_main_loop_run (w6.ml);
}

static void
glib_w6 (guint64      n,
         BenchResult *r)
{
  /* Exclusive: its 4 threads start at once. */
  GThreadPool *pool = g_thread_pool_new (w6_glib_job, NULL, W6_WORKERS, TRUE, NULL);

  w6.n = n;
  w6.ml = g_main_loop_new (NULL, FALSE);
  w6_glib_batch (pool, 0, W6_WARM_UP);
  w6.sum = 0;

  w6.t0 = bench_now_ns ();
  for (guint64 first = 0; first < n; first += W6_BATCH)
    w6_glib_batch (pool, first, (guint) MIN (W6_BATCH, n - first));
  w6.t1 = bench_now_ns ();

  w6.ok = TRUE;
  w6.workers = g_thread_pool_get_num_threads (pool);
  g_thread_pool_free (pool, FALSE, TRUE);
  g_main_loop_unref (w6.ml);
  w6_report (r);
  bench_extra_string (r, "mechanism", "GThreadPool (4, exclusive) + g_idle_add back");
}

/* W6-gthreadpool: what run_in_executor would cost on GThreadPool: the
 * same gtkloop futures and gather, jobs pushed to GThreadPool (4,
 * exclusive), results home through call_soon_threadsafe. It could not
 * take a queued job back out on cancel; this measures only its speed. */
typedef struct
{
  GtkloopFuture *future;
  gsize          x;
} W6Item;

static void
w6_gtp_home (gpointer data)
{
  W6Item *item = data;

  gtkloop_future_set_result (item->future, GSIZE_TO_POINTER (item->x + 1), NULL);
  gtkloop_future_unref (item->future);
  g_free (item);
}

static void
w6_gtp_job (gpointer data,
            gpointer user_data)
{
  gtkloop_loop_call_soon_threadsafe (w6.loop, w6_gtp_home, data, NULL);
}

static gboolean
w6_gtp_batch (GThreadPool *pool,
              guint64      first,
              guint        count)
{
  GtkloopFuture *futures[W6_BATCH];
  GtkloopFuture *all;
  gboolean ok;

  for (guint i = 0; i < count; i++)
    {
      W6Item *item = g_new (W6Item, 1);

      futures[i] = gtkloop_future_new (w6.loop);
      item->future = gtkloop_future_ref (futures[i]);
      item->x = first + i;
      g_thread_pool_push (pool, item, NULL);
    }
  all = gtkloop_gather (futures, count, FALSE);
  ok = gtkloop_await (all, NULL);
  gtkloop_future_unref (all);
  for (guint i = 0; i < count; i++)
    {
      w6.sum += GPOINTER_TO_SIZE (gtkloop_future_get_result (futures[i], NULL));
      gtkloop_future_unref (futures[i]);
    }
  return ok;
}

static void
w6_gtp_main (GtkloopTask *task,
             gpointer     data)
{
  GThreadPool *pool = g_thread_pool_new (w6_gtp_job, NULL, W6_WORKERS, TRUE, NULL);

  w6.loop = gtkloop_loop_get_running ();
  w6.ok = w6_gtp_batch (pool, 0, W6_WARM_UP);
  w6.sum = 0;
  w6.workers = g_thread_pool_get_num_threads (pool);

  w6.t0 = bench_now_ns ();
  for (guint64 first = 0; first < w6.n && w6.ok; first += W6_BATCH)
    w6.ok = w6_gtp_batch (pool, first, (guint) MIN (W6_BATCH, w6.n - first));
  w6.t1 = bench_now_ns ();
  g_thread_pool_free (pool, FALSE, TRUE);
}

static void
gtkloop_w6_gthreadpool (guint64      n,
                        BenchResult *r)
{
  w6.n = n;
  gtkloop_run (w6_gtp_main, NULL, NULL);
  w6_report (r);
  bench_extra_string (r, "mechanism", "gtkloop futures + gather; GThreadPool (4, exclusive) jobs; "
                                      "results home with call_soon_threadsafe");
}

/* W5-exec: W5 (one thread posting N call_soon_threadsafe as fast as it
 * can) while one executor worker runs a stream of 2 us jobs, 8 in flight,
 * whose results come home through the same inbox. */
#define W5X_JOB_NS     2000
#define W5X_IN_FLIGHT  8

static struct
{
  GtkloopThreadExecutor *ex;
  GThreadPool           *pool;
  gboolean               stopping;    /* main thread only */
  guint64                jobs_done;   /* main thread only */
} w5x;

static void
w5x_spin (void)
{
  gint64 end = bench_now_ns () + W5X_JOB_NS;

  while (bench_now_ns () < end)
    ;
}

static gpointer
w5x_job (gpointer      data,
         GCancellable *cancellable,
         GError      **error)
{
  w5x_spin ();
  return NULL;
}

static void w5x_submit (void);

static void
w5x_job_done (GtkloopFuture *f,
              gpointer       data)
{
  w5x.jobs_done++;
  if (!w5x.stopping)
    w5x_submit ();
}

static void
w5x_submit (void)
{
  GtkloopFuture *f = gtkloop_loop_run_in_executor (w5.loop, w5x.ex, w5x_job, NULL, NULL, NULL);

  gtkloop_future_add_done_callback (f, w5x_job_done, NULL, NULL);
  gtkloop_future_unref (f);
}

static void
w5x_report (BenchResult *r,
            gint64       t0,
            gint64       t1)
{
  w5_report (r, t0, t1);
  bench_extra_int (r, "jobs_done", (gint64) w5x.jobs_done);
  bench_extra_number (r, "jobs_per_s", w5x.jobs_done / ((t1 - t0) / 1e9));
  bench_extra_int (r, "job_ns", W5X_JOB_NS);
  bench_extra_int (r, "jobs_in_flight", W5X_IN_FLIGHT);
}

static void
gtkloop_w5_exec (guint64      n,
                 BenchResult *r)
{
  gint64 t0, t1;

  w5.loop = gtkloop_loop_new (NULL);
  w5.n = n;
  w5x.ex = gtkloop_thread_executor_new (1);

  t0 = bench_now_ns ();
  for (int i = 0; i < W5X_IN_FLIGHT; i++)
    w5x_submit ();
  gtkloop_loop_call_soon (w5.loop, w5_gtkloop_start, w5_gtkloop_worker, NULL);
  gtkloop_loop_run_forever (w5.loop);
  t1 = bench_now_ns ();
  pthread_join (w5.worker, NULL);

  w5x.stopping = TRUE;
  gtkloop_thread_executor_shutdown (w5x.ex, FALSE, TRUE);
  gtkloop_loop_close (w5.loop);
  gtkloop_thread_executor_unref (w5x.ex);
  w5x_report (r, t0, t1);
  bench_extra_string (r, "executor", "GtkloopThreadExecutor (1)");
}

static gboolean
w5x_glib_home (gpointer data)
{
  w5x.jobs_done++;
  if (!w5x.stopping)
    g_thread_pool_push (w5x.pool, GINT_TO_POINTER (1), NULL);
  return G_SOURCE_REMOVE;
}

static void
w5x_glib_job (gpointer data,
              gpointer user_data)
{
  w5x_spin ();
  g_idle_add (w5x_glib_home, NULL);
}

static void
glib_w5_exec (guint64      n,
              BenchResult *r)
{
  gint64 t0, t1;

  w5.ml = g_main_loop_new (NULL, FALSE);
  w5.n = n;
  w5x.pool = g_thread_pool_new (w5x_glib_job, NULL, 1, TRUE, NULL);

  t0 = bench_now_ns ();
  for (int i = 0; i < W5X_IN_FLIGHT; i++)
    g_thread_pool_push (w5x.pool, GINT_TO_POINTER (1), NULL);
  g_idle_add_full (G_PRIORITY_DEFAULT, w5_glib_start, w5_glib_worker, NULL);
  g_main_loop_run (w5.ml);
  t1 = bench_now_ns ();
  pthread_join (w5.worker, NULL);

  w5x.stopping = TRUE;
  g_thread_pool_free (w5x.pool, TRUE, TRUE);
  w5x_report (r, t0, t1);
  bench_extra_string (r, "executor", "GThreadPool (1, exclusive) + g_idle_add back");
}

/* The threads rows, in the order gtkloop-bench has always listed them. */
const BenchEntry bench_threads_entries[] = {
  { "gtkloop", "W5",             1000000, gtkloop_w5 },
  { "glib",    "W5",             1000000, glib_w5 },
  { "glib-queue", "W5",          1000000, glib_queue_w5 },
  { "gtkloop", "W5-lat",         10000,   gtkloop_w5_lat },
  { "glib",    "W5-lat",         10000,   glib_w5_lat },
  { "glib-queue", "W5-lat",      10000,   glib_queue_w5_lat },
  { "gtkloop", "W6",             100000,  gtkloop_w6 },
  { "glib",    "W6",             100000,  glib_w6 },
  { "gtkloop", "W6-gthreadpool", 100000,  gtkloop_w6_gthreadpool },
  { "gtkloop", "W5-exec",        1000000, gtkloop_w5_exec },
  { "glib",    "W5-exec",        1000000, glib_w5_exec },
  { NULL }
};
