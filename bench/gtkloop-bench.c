/* gtkloop-bench: the workloads of BENCH.md, gtkloop against raw GLib.
 *
 *   gtkloop-bench [--workload W1,W2,...] [--system gtkloop,glib]
 *                 [--n N] [--repeat K] [--timeout SECONDS]
 *
 * Every (system, workload, N, repetition) runs in a fresh child process
 * (this program re-executed through /proc/self/exe with a hidden --child
 * argument), so peak_rss_kb belongs to that measurement alone and a crash
 * or a hang costs one record, not the run. The child prints one JSON line;
 * the parent passes it on, or writes a FAILED record in its place.
 *
 * Adding a workload: write one function per system with the BenchFunc
 * signature and list it in bench_entries[]. Nothing else needs to change.
 */
#include <gtkloop/gtkloop.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef BENCH_BUILDTYPE
#define BENCH_BUILDTYPE "unknown"
#endif
#ifndef BENCH_DEBUG_COUNTERS
#define BENCH_DEBUG_COUNTERS -1
#endif

#define DEFAULT_TIMEOUT_S 120
#define STDERR_TAIL       400

/* ---------------------------------------------------------------------- */
/* Clock, failures, JSON                                                   */

static inline gint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* CPU time of the whole process (all threads), for workloads whose wall
 * time is mostly waiting. */
static inline gint64
cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* A broken benchmark must not print a plausible number: die loudly, and
 * the parent turns the exit status into a FAILED record. */
G_GNUC_NORETURN G_GNUC_PRINTF (1, 2) static void
die (const char *format,
     ...)
{
  va_list args;

  va_start (args, format);
  fputs ("gtkloop-bench: ", stderr);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
  exit (3);
}

static void
json_append_string (GString    *out,
                    const char *s)
{
  g_string_append_c (out, '"');
  for (; *s != '\0'; s++)
    {
      unsigned char c = (unsigned char) *s;

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, c);
    }
  g_string_append_c (out, '"');
}

/* NaN stands for null. %.6g keeps six significant digits, which is more
 * than the run-to-run noise of any figure here. */
static void
json_append_number (GString *out,
                    double   v)
{
  if (isnan (v) || isinf (v))
    g_string_append (out, "null");
  else
    g_string_append_printf (out, "%.6g", v);
}

/* ---------------------------------------------------------------------- */
/* Results                                                                 */

typedef struct
{
  double   ns_per_op;   /* NaN: null */
  double   p50;
  double   p99;
  double   max;
  GString *notes;
  GString *extra;       /* ",\"key\":value" fragments, workload details */
} BenchResult;

static void
result_init (BenchResult *r)
{
  r->ns_per_op = r->p50 = r->p99 = r->max = NAN;
  r->notes = g_string_new (NULL);
  r->extra = g_string_new (NULL);
}

static void
extra_key (BenchResult *r,
           const char  *key)
{
  g_string_append_c (r->extra, ',');
  json_append_string (r->extra, key);
  g_string_append_c (r->extra, ':');
}

static void
extra_number (BenchResult *r,
              const char  *key,
              double       v)
{
  extra_key (r, key);
  json_append_number (r->extra, v);
}

static void
extra_int (BenchResult *r,
           const char  *key,
           gint64       v)
{
  extra_key (r, key);
  g_string_append_printf (r->extra, "%" G_GINT64_FORMAT, v);
}

static void
extra_string (BenchResult *r,
              const char  *key,
              const char  *v)
{
  extra_key (r, key);
  json_append_string (r->extra, v);
}

static void
extra_bool (BenchResult *r,
            const char  *key,
            gboolean     v)
{
  extra_key (r, key);
  g_string_append (r->extra, v ? "true" : "false");
}

static void
add_note (BenchResult *r,
          const char  *note)
{
  if (r->notes->len > 0)
    g_string_append (r->notes, "; ");
  g_string_append (r->notes, note);
}

/* A result that came out wrong keeps its details in extra but loses its
 * headline figure, so nobody quotes a fast wrong answer. */
static void
fail_check (BenchResult *r,
            const char  *what)
{
  g_autofree char *note = g_strdup_printf ("FAILED (check): %s", what);

  r->ns_per_op = NAN;
  g_string_prepend (r->notes, r->notes->len > 0 ? "; " : "");
  g_string_prepend (r->notes, note);
}

/* ---------------------------------------------------------------------- */
/* Distributions                                                           */

typedef struct
{
  double p50;
  double p99;
  double max;
  double min;
  double mean;
  gsize  n;
} Dist;

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least p% of the sample at or
 * below it. */
static double
nearest_rank (const double *sorted,
              gsize         n,
              double        p)
{
  gsize rank = (gsize) ceil (p / 100.0 * (double) n);

  if (rank < 1)
    rank = 1;
  if (rank > n)
    rank = n;
  return sorted[rank - 1];
}

/* Sorts v in place. */
static void
dist_compute (double *v,
              gsize   n,
              Dist   *d)
{
  double sum = 0;

  d->n = n;
  if (n == 0)
    {
      d->p50 = d->p99 = d->max = d->min = d->mean = NAN;
      return;
    }
  qsort (v, n, sizeof *v, compare_double);
  for (gsize i = 0; i < n; i++)
    sum += v[i];
  d->p50 = nearest_rank (v, n, 50);
  d->p99 = nearest_rank (v, n, 99);
  d->max = v[n - 1];
  d->min = v[0];
  d->mean = sum / (double) n;
}

/* ---------------------------------------------------------------------- */
/* W1 call_soon throughput                                                 */

static struct
{
  GtkloopLoop *loop;
  GMainLoop   *ml;
  guint64      count;
  guint64      n;
} w1;

static void
w1_gtkloop_cb (gpointer data)
{
  if (++w1.count == w1.n)
    gtkloop_loop_stop (w1.loop);
}

static void
w1_report (BenchResult *r,
           guint64      n,
           gint64       t0,
           gint64       t_sched,
           gint64       t1)
{
  r->ns_per_op = (double) (t1 - t0) / (double) n;
  extra_number (r, "schedule_s", (t_sched - t0) / 1e9);
  extra_number (r, "run_s", (t1 - t_sched) / 1e9);
  if (w1.count != n)
    fail_check (r, "callback count differs from N");
}

static void
gtkloop_w1 (guint64      n,
            BenchResult *r)
{
  gint64 t0, t_sched, t1;

  w1.loop = gtkloop_loop_new (NULL);
  w1.n = n;

  t0 = now_ns ();
  for (guint64 i = 0; i < n; i++)
    gtkloop_loop_call_soon (w1.loop, w1_gtkloop_cb, NULL, NULL);
  t_sched = now_ns ();
  gtkloop_loop_run_forever (w1.loop);
  t1 = now_ns ();

  w1_report (r, n, t0, t_sched, t1);
}

static gboolean
w1_glib_cb (gpointer data)
{
  if (++w1.count == w1.n)
    g_main_loop_quit (w1.ml);
  return G_SOURCE_REMOVE;
}

static void
glib_w1 (guint64      n,
         BenchResult *r)
{
  gint64 t0, t_sched, t1;

  w1.ml = g_main_loop_new (NULL, FALSE);
  w1.n = n;

  t0 = now_ns ();
  for (guint64 i = 0; i < n; i++)
    g_idle_add (w1_glib_cb, NULL);
  t_sched = now_ns ();
  g_main_loop_run (w1.ml);
  t1 = now_ns ();

  w1_report (r, n, t0, t_sched, t1);
}

/* ---------------------------------------------------------------------- */
/* W2 timers                                                               */

/* BENCH.md's xorshift64*, seeded with 42. */
static guint64
xorshift64s (guint64 *x)
{
  *x ^= *x >> 12;
  *x ^= *x << 25;
  *x ^= *x >> 27;
  return *x * G_GUINT64_CONSTANT (0x2545F4914F6CDD1D);
}

static guint32
w2_delay_us (guint64 *x)
{
  return (guint32) ((xorshift64s (x) >> 32) % 100001);
}

/* Run at startup by parent and child alike: a PRNG that drifted from
 * BENCH.md would make W2 silently incomparable with the peers. */
static void
check_prng (void)
{
  static const guint32 expected[] = { 45556, 29686, 78833, 91698, 13017 };
  guint64 x = 42;

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      guint32 d = w2_delay_us (&x);

      if (d != expected[i])
        die ("W2 PRNG self-check failed: delay %u is %u us, BENCH.md says %u us",
             i, d, expected[i]);
    }
}

static struct
{
  GtkloopLoop *loop;
  GMainLoop   *ml;
  guint64      n;
  guint64      target;   /* N - N/4: the timers not cancelled */
  guint64      count;
  guint32     *delay_us;
  gint64      *due;
  gint64      *fired;
  guint8      *n_fired;
} w2;

static void
w2_setup (guint64 n)
{
  guint64 x = 42;

  w2.n = n;
  w2.target = n - n / 4;
  w2.delay_us = g_new (guint32, n);
  w2.due = g_new (gint64, n);
  w2.fired = g_new (gint64, n);
  w2.n_fired = g_new0 (guint8, n);
  for (guint64 i = 0; i < n; i++)
    w2.delay_us[i] = w2_delay_us (&x);
}

static inline void
w2_fire (guint64 i)
{
  w2.fired[i] = now_ns ();
  if (w2.n_fired[i] < 255)
    w2.n_fired[i]++;
}

static void
w2_report (BenchResult *r,
           gint64       t0,
           gint64       t_sched,
           gint64       t1,
           gint64       cpu)
{
  guint64 n = w2.n;
  g_autofree double *late = g_new (double, n);
  g_autofree double *run_late = g_new (double, n);
  gsize n_late = 0, n_run = 0;
  guint64 early = 0, fired_cancelled = 0, fired_twice = 0, never_fired = 0;
  gint64 last_due = t0;
  Dist all, run;

  for (guint64 i = 0; i < n; i++)
    {
      double ms;

      last_due = MAX (last_due, w2.due[i]);

      if (i % 4 == 3)
        {
          fired_cancelled += w2.n_fired[i] != 0;
          continue;
        }
      if (w2.n_fired[i] == 0)
        {
          never_fired++;
          continue;
        }
      fired_twice += w2.n_fired[i] > 1;
      ms = (w2.fired[i] - w2.due[i]) / 1e6;
      early += w2.fired[i] < w2.due[i];
      late[n_late++] = ms;
      if (w2.due[i] >= t_sched)
        run_late[n_run++] = ms;
    }
  dist_compute (late, n_late, &all);
  dist_compute (run_late, n_run, &run);

  r->ns_per_op = (double) (t1 - t0) / (double) n;
  r->p50 = all.p50;
  r->p99 = all.p99;
  r->max = all.max;
  extra_string (r, "unit", "ms");
  extra_number (r, "min_late_ms", all.min);
  extra_number (r, "run_p50_ms", run.p50);
  extra_number (r, "run_p99_ms", run.p99);
  extra_number (r, "run_max_ms", run.max);
  extra_int (r, "run_n", (gint64) n_run);
  extra_int (r, "fired", (gint64) n_late);
  extra_int (r, "cancelled", (gint64) (n / 4));
  extra_int (r, "early", (gint64) early);
  extra_number (r, "schedule_s", (t_sched - t0) / 1e9);
  extra_number (r, "run_s", (t1 - t_sched) / 1e9);
  /* No loop can finish before the last timer is due: with delays up to
   * 100 ms and N = 200k, ns_per_op cannot go below about 500 ns. The CPU
   * the process spent is the cost that a loop controls. */
  extra_number (r, "floor_ns_per_op", (double) (last_due - t0) / (double) n);
  extra_number (r, "cpu_ns_per_op", (double) cpu / (double) n);

  if (fired_cancelled > 0)
    fail_check (r, "a cancelled timer fired");
  if (fired_twice > 0)
    fail_check (r, "a timer fired twice");
  if (never_fired > 0)
    fail_check (r, "a timer never fired");
  if (early > 0)
    add_note (r, "timers fired early");
}

static void
w2_gtkloop_cb (gpointer data)
{
  w2_fire (GPOINTER_TO_SIZE (data));
  if (++w2.count == w2.target)
    gtkloop_loop_stop (w2.loop);
}

static void
gtkloop_w2 (guint64      n,
            BenchResult *r)
{
  g_autofree guint64 *handle = g_new (guint64, n);
  gint64 t0, t_sched, t1, cpu0;

  w2_setup (n);
  w2.loop = gtkloop_loop_new (NULL);

  cpu0 = cpu_ns ();
  t0 = now_ns ();
  for (guint64 i = 0; i < n; i++)
    {
      w2.due[i] = now_ns () + (gint64) w2.delay_us[i] * 1000;
      handle[i] = gtkloop_loop_call_later (w2.loop, w2.delay_us[i] / 1e6,
                                           w2_gtkloop_cb, GSIZE_TO_POINTER (i), NULL);
    }
  for (guint64 i = 3; i < n; i += 4)
    if (!gtkloop_loop_cancel (w2.loop, handle[i]))
      die ("gtkloop_loop_cancel refused pending timer %" G_GUINT64_FORMAT, i);
  t_sched = now_ns ();
  gtkloop_loop_run_forever (w2.loop);
  t1 = now_ns ();

  w2_report (r, t0, t_sched, t1, cpu_ns () - cpu0);
}

static gboolean
w2_glib_cb (gpointer data)
{
  w2_fire (GPOINTER_TO_SIZE (data));
  if (++w2.count == w2.target)
    g_main_loop_quit (w2.ml);
  return G_SOURCE_REMOVE;
}

static void
glib_w2 (guint64      n,
         BenchResult *r)
{
  g_autofree guint *id = g_new (guint, n);
  gint64 t0, t_sched, t1, cpu0;

  w2_setup (n);
  w2.ml = g_main_loop_new (NULL, FALSE);

  cpu0 = cpu_ns ();
  t0 = now_ns ();
  for (guint64 i = 0; i < n; i++)
    {
      /* g_timeout_add takes whole ms: round up, as the peers do. */
      w2.due[i] = now_ns () + (gint64) w2.delay_us[i] * 1000;
      id[i] = g_timeout_add ((w2.delay_us[i] + 999) / 1000, w2_glib_cb, GSIZE_TO_POINTER (i));
    }
  for (guint64 i = 3; i < n; i += 4)
    g_source_remove (id[i]);
  t_sched = now_ns ();
  g_main_loop_run (w2.ml);
  t1 = now_ns ();

  w2_report (r, t0, t_sched, t1, cpu_ns () - cpu0);
  add_note (r, "g_timeout_add: whole ms, rounded up");
}

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
    die ("pthread_create: %s", g_strerror (err));
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
  extra_string (r, "worker_started", "inside the running loop");
  if (w5.count != w5.n)
    fail_check (r, "callback count differs from N");
}

static void
gtkloop_w5 (guint64      n,
            BenchResult *r)
{
  gint64 t0, t1;

  w5.loop = gtkloop_loop_new (NULL);
  w5.n = n;

  t0 = now_ns ();
  gtkloop_loop_call_soon (w5.loop, w5_gtkloop_start, w5_gtkloop_worker, NULL);
  gtkloop_loop_run_forever (w5.loop);
  t1 = now_ns ();
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

  t0 = now_ns ();
  g_idle_add_full (G_PRIORITY_DEFAULT, w5_glib_start, w5_glib_worker, NULL);
  g_main_loop_run (w5.ml);
  t1 = now_ns ();
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

  w5_poll_returned = now_ns ();
  return ret;
}

static inline void
w5_lat_record (guint64 i)
{
  gint64 now = now_ns ();

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
      w5.t_post[i] = now_ns ();
      gtkloop_loop_call_soon_threadsafe (w5.loop, w5_lat_gtkloop_cb, GSIZE_TO_POINTER (i), NULL);
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
      w5.t_post[i] = now_ns ();
      g_main_context_invoke (NULL, w5_lat_glib_cb, GSIZE_TO_POINTER (i));
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
  g_main_context_set_poll_func (NULL, w5_timed_poll);
}

static void
w5_lat_report (BenchResult *r)
{
  g_autofree double *us = g_new (double, w5.n);
  Dist d, wake, in_loop;

  for (guint64 i = 0; i < w5.n; i++)
    us[i] = (w5.latency[i] - w5.in_loop[i]) / 1e3;
  dist_compute (us, w5.n, &wake);
  for (guint64 i = 0; i < w5.n; i++)
    us[i] = w5.in_loop[i] / 1e3;
  dist_compute (us, w5.n, &in_loop);
  for (guint64 i = 0; i < w5.n; i++)
    us[i] = w5.latency[i] / 1e3;
  dist_compute (us, w5.n, &d);
  r->ns_per_op = d.mean * 1e3;
  r->p50 = d.p50;
  r->p99 = d.p99;
  r->max = d.max;
  extra_string (r, "unit", "us");
  extra_string (r, "ns_per_op_is", "mean wake-up latency in ns");
  extra_number (r, "min_us", d.min);
  extra_number (r, "mean_us", d.mean);
  extra_number (r, "to_poll_return_p50_us", wake.p50);
  extra_number (r, "poll_return_to_cb_p50_us", in_loop.p50);
  extra_number (r, "poll_return_to_cb_p99_us", in_loop.p99);
  extra_int (r, "interval_us", W5_LAT_INTERVAL_NS / 1000);
  extra_string (r, "worker_started", "inside the running loop");
  if (w5.count != w5.n)
    fail_check (r, "callback count differs from N");
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

/* ---------------------------------------------------------------------- */
/* W3, W4, W7: tasks. GLib has no coroutines, so these have no raw GLib   */
/* row; BENCH.md compares them with the peers' table instead.             */

static struct
{
  guint64        n;
  gint64         t0, t1, t2;
  gboolean       ok;
  long           rss0_kb, rss1_kb;
  guint64        started;
  guint64        saw_cancel;
  /* W4 */
  GtkloopFuture *box_a;
  GtkloopFuture *box_b;
  guint64        token_sum;
} wt;

static long
current_rss_kb (void)
{
  long pages_total = 0, pages_resident = 0;
  FILE *f = fopen ("/proc/self/statm", "r");

  if (f == NULL)
    return -1;
  if (fscanf (f, "%ld %ld", &pages_total, &pages_resident) != 2)
    pages_resident = -1;
  fclose (f);
  return pages_resident < 0 ? -1 : pages_resident * (sysconf (_SC_PAGESIZE) / 1024);
}

static void
w3_child (GtkloopTask *task,
          gpointer     data)
{
  gtkloop_sleep (0, NULL);
  gtkloop_task_return (task, data, NULL);
}

static void
w3_main (GtkloopTask *task,
         gpointer     data)
{
  guint64 n = wt.n;
  GtkloopTask **children = g_new (GtkloopTask *, n);
  g_autoptr(GtkloopFuture) all = NULL;
  guint64 sum = 0;

  wt.t0 = now_ns ();
  for (guint64 i = 0; i < n; i++)
    children[i] = gtkloop_spawn (w3_child, GSIZE_TO_POINTER (i), NULL);
  all = gtkloop_gather ((GtkloopFuture *const *) children, (guint) n, FALSE);
  wt.ok = gtkloop_await (all, NULL);
  wt.t1 = now_ns ();

  for (guint64 i = 0; i < n; i++)
    {
      sum += GPOINTER_TO_SIZE (gtkloop_future_get_result (GTKLOOP_FUTURE (children[i]), NULL));
      gtkloop_task_unref (children[i]);
    }
  g_free (children);
  wt.ok = wt.ok && sum == n * (n - 1) / 2;
}

static void
gtkloop_w3 (guint64      n,
            BenchResult *r)
{
  wt.n = n;
  if (!gtkloop_run (w3_main, NULL, NULL) || !wt.ok)
    fail_check (r, "gather failed or sum(results) != N(N-1)/2");
  else
    r->ns_per_op = (double) (wt.t1 - wt.t0) / (double) n;
  extra_string (r, "mechanism", "gtkloop_spawn + gtkloop_sleep(0) + gtkloop_gather");
}

/* W4: a fresh future per hand-off, as BENCH.md writes it. */
static void
w4_b (GtkloopTask *task,
      gpointer     data)
{
  for (guint64 i = 0; i < wt.n / 2; i++)
    {
      gpointer v;

      if (!gtkloop_await (wt.box_b, NULL))
        return;
      v = gtkloop_future_get_result (wt.box_b, NULL);
      gtkloop_future_unref (wt.box_b);
      wt.box_b = gtkloop_future_new (NULL);
      gtkloop_future_set_result (wt.box_a, v, NULL);
    }
}

static void
w4_a (GtkloopTask *task,
      gpointer     data)
{
  for (guint64 i = 0; i < wt.n / 2; i++)
    {
      wt.box_a = gtkloop_future_new (NULL);
      gtkloop_future_set_result (wt.box_b, GSIZE_TO_POINTER (i), NULL);
      if (!gtkloop_await (wt.box_a, NULL))
        return;
      wt.token_sum += GPOINTER_TO_SIZE (gtkloop_future_get_result (wt.box_a, NULL));
      gtkloop_future_unref (wt.box_a);
    }
}

static void
w4_main (GtkloopTask *task,
         gpointer     data)
{
  g_autoptr(GtkloopTask) b = NULL;
  g_autoptr(GtkloopTask) a = NULL;

  wt.box_b = gtkloop_future_new (NULL);
  wt.t0 = now_ns ();
  b = gtkloop_spawn (w4_b, NULL, NULL);
  a = gtkloop_spawn (w4_a, NULL, NULL);
  gtkloop_await (GTKLOOP_FUTURE (a), NULL);
  gtkloop_await (GTKLOOP_FUTURE (b), NULL);
  wt.t1 = now_ns ();
  g_clear_pointer (&wt.box_b, gtkloop_future_unref);
}

static void
gtkloop_w4 (guint64      n,
            BenchResult *r)
{
  guint64 rounds;

  wt.n = n;
  rounds = n / 2;
  if (!gtkloop_run (w4_main, NULL, NULL) || wt.token_sum != rounds * (rounds - 1) / 2)
    fail_check (r, "the token did not make every round");
  else
    r->ns_per_op = (double) (wt.t1 - wt.t0) / (double) n;
  extra_string (r, "mechanism", "fresh GtkloopFuture per hand-off (gtkloop_await)");
}

/* W7: N tasks each awaiting a future of its own that never completes. */
static void
w7_child (GtkloopTask *task,
          gpointer     data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopFuture) never = gtkloop_future_new (NULL);

  wt.started++;
  if (!gtkloop_await (never, &error) && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    wt.saw_cancel++;
}

static void
w7_main (GtkloopTask *task,
         gpointer     data)
{
  guint64 n = wt.n;
  GtkloopTask **children = g_new (GtkloopTask *, n);
  g_autoptr(GtkloopFuture) all = NULL;
  guint64 cancelled = 0;

  gtkloop_sleep (0, NULL);
  wt.rss0_kb = current_rss_kb ();
  wt.t0 = now_ns ();
  for (guint64 i = 0; i < n; i++)
    children[i] = gtkloop_spawn (w7_child, NULL, NULL);
  while (wt.started < n)
    gtkloop_sleep (0, NULL);
  wt.t1 = now_ns ();
  wt.rss1_kb = current_rss_kb ();

  for (guint64 i = 0; i < n; i++)
    gtkloop_task_cancel (children[i], NULL);
  all = gtkloop_gather ((GtkloopFuture *const *) children, (guint) n, TRUE);
  gtkloop_await (all, NULL);
  wt.t2 = now_ns ();
  for (guint64 i = 0; i < n; i++)
    {
      cancelled += gtkloop_future_is_cancelled (GTKLOOP_FUTURE (children[i]));
      gtkloop_task_unref (children[i]);
    }
  g_free (children);
  wt.ok = cancelled == n && wt.saw_cancel == n;
}

static void
gtkloop_w7 (guint64      n,
            BenchResult *r)
{
  wt.n = n;
  gtkloop_run (w7_main, NULL, NULL);
  r->ns_per_op = (double) (wt.t1 - wt.t0) / (double) n;
  extra_number (r, "bytes_per_task", (double) (wt.rss1_kb - wt.rss0_kb) * 1024.0 / (double) n);
  extra_number (r, "cancel_s", (wt.t2 - wt.t1) / 1e9);
  extra_bool (r, "cancel_ok", wt.ok);
  extra_string (r, "ns_per_op_is", "spawn + suspend, per task");
  if (!wt.ok)
    fail_check (r, "not every task finished by observing the cancellation");
}

/* ---------------------------------------------------------------------- */
/* Threads layer (src/executor.c): W6 executor round trip, its GThreadPool */
/* counterpart under gtkloop futures (W6-gthreadpool: why the executor is  */
/* a pool of its own), and W5-exec (W5 while an executor runs jobs).       */

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

  w6.t0 = now_ns ();
  for (guint64 first = 0; first < w6.n && w6.ok; first += W6_BATCH)
    w6.ok = w6_batch (ex, w6_job, first, (guint) MIN (W6_BATCH, w6.n - first));
  w6.t1 = now_ns ();
  gtkloop_thread_executor_unref (ex);
}

static void
w6_report (BenchResult *r)
{
  guint64 n = w6.n;

  extra_int (r, "workers", w6.workers);
  extra_int (r, "batch", W6_BATCH);
  if (!w6.ok || w6.sum != n * (n - 1) / 2 + n)
    fail_check (r, "a job failed or sum != N(N-1)/2 + N");
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
  extra_string (r, "mechanism", "gtkloop_loop_run_in_executor on a 4-worker GtkloopThreadExecutor, "
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

  w6.t0 = now_ns ();
  for (guint64 first = 0; first < n; first += W6_BATCH)
    w6_glib_batch (pool, first, (guint) MIN (W6_BATCH, n - first));
  w6.t1 = now_ns ();

  w6.ok = TRUE;
  w6.workers = g_thread_pool_get_num_threads (pool);
  g_thread_pool_free (pool, FALSE, TRUE);
  g_main_loop_unref (w6.ml);
  w6_report (r);
  extra_string (r, "mechanism", "GThreadPool (4, exclusive) + g_idle_add back");
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

  w6.t0 = now_ns ();
  for (guint64 first = 0; first < w6.n && w6.ok; first += W6_BATCH)
    w6.ok = w6_gtp_batch (pool, first, (guint) MIN (W6_BATCH, w6.n - first));
  w6.t1 = now_ns ();
  g_thread_pool_free (pool, FALSE, TRUE);
}

static void
gtkloop_w6_gthreadpool (guint64      n,
                        BenchResult *r)
{
  w6.n = n;
  gtkloop_run (w6_gtp_main, NULL, NULL);
  w6_report (r);
  extra_string (r, "mechanism", "gtkloop futures + gather; GThreadPool (4, exclusive) jobs; "
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
  gint64 end = now_ns () + W5X_JOB_NS;

  while (now_ns () < end)
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
  extra_int (r, "jobs_done", (gint64) w5x.jobs_done);
  extra_number (r, "jobs_per_s", w5x.jobs_done / ((t1 - t0) / 1e9));
  extra_int (r, "job_ns", W5X_JOB_NS);
  extra_int (r, "jobs_in_flight", W5X_IN_FLIGHT);
}

static void
gtkloop_w5_exec (guint64      n,
                 BenchResult *r)
{
  gint64 t0, t1;

  w5.loop = gtkloop_loop_new (NULL);
  w5.n = n;
  w5x.ex = gtkloop_thread_executor_new (1);

  t0 = now_ns ();
  for (int i = 0; i < W5X_IN_FLIGHT; i++)
    w5x_submit ();
  gtkloop_loop_call_soon (w5.loop, w5_gtkloop_start, w5_gtkloop_worker, NULL);
  gtkloop_loop_run_forever (w5.loop);
  t1 = now_ns ();
  pthread_join (w5.worker, NULL);

  w5x.stopping = TRUE;
  gtkloop_thread_executor_shutdown (w5x.ex, FALSE, TRUE);
  gtkloop_loop_close (w5.loop);
  gtkloop_thread_executor_unref (w5x.ex);
  w5x_report (r, t0, t1);
  extra_string (r, "executor", "GtkloopThreadExecutor (1)");
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

  t0 = now_ns ();
  for (int i = 0; i < W5X_IN_FLIGHT; i++)
    g_thread_pool_push (w5x.pool, GINT_TO_POINTER (1), NULL);
  g_idle_add_full (G_PRIORITY_DEFAULT, w5_glib_start, w5_glib_worker, NULL);
  g_main_loop_run (w5.ml);
  t1 = now_ns ();
  pthread_join (w5.worker, NULL);

  w5x.stopping = TRUE;
  g_thread_pool_free (w5x.pool, TRUE, TRUE);
  w5x_report (r, t0, t1);
  extra_string (r, "executor", "GThreadPool (1, exclusive) + g_idle_add back");
}

/* W8 (issue 6) begin */
/* ---------------------------------------------------------------------- */
/* W8 GUI responsiveness (BENCH.md): a GTK 4 window whose progress bar is  */
/* animated by a tick callback; 1,000 spinners; 1 s warm-up, 5 s measured. */
/*   W8          1,000 tasks looping gtkloop_sleep (0) / 1,000 g_idle_add   */
/*   W8-idle     no spinners: the frame-clock baseline of the same run      */
/*   W8-backlog  W8 plus 1,000,000 call_soon callbacks queued at all times  */
/*               (each re-queues itself: W1's backlog, kept for 5 s)        */
/*   W8-flood    W8 plus a worker posting call_soon_threadsafe as fast as   */
/*               the loop takes them (at most 1,000,000 in flight)          */
/* With no display the child re-executes itself under xvfb-run.           */

#if BENCH_HAVE_GTK
#include <gtk/gtk.h>
#include <sched.h>
#include <stdatomic.h>

#define W8_WARMUP_S    1.0
#define W8_MEASURE_S   5.0
#define W8_BACKLOG     1000000
#define W8_FLOOD_LIMIT 1000000
#define W8_MAX_TICKS   4096

typedef enum { W8_PLAIN, W8_BACKLOG_MODE, W8_FLOOD_MODE } W8Mode;

static struct
{
  GtkloopLoop     *loop;
  GMainLoop       *ml;
  GtkWidget       *bar;
  gint64           ticks[W8_MAX_TICKS];   /* every tick, ns */
  gsize            n_ticks;
  gint64           t_start, t_end;        /* the measured window, as it really fell */
  guint64          steps;                 /* spinner steps, loop thread */
  guint64          steps_start, steps_end;
  guint64          callbacks;             /* backlog or flood callbacks run, loop thread */
  guint64          callbacks_start, callbacks_end;
  gboolean         stop;                  /* loop thread */
  atomic_bool      flood_stop;
  atomic_ullong    flood_done;            /* written by the loop, read by the worker */
  guint64          flood_posted;          /* worker only */
  pthread_t        flood_thread;
} w8;

/* BENCH.md: "W8 needs a display and runs under xvfb-run when there is
 * none". Re-executes this child, same arguments, under xvfb-run; the
 * record it prints goes to the same stdout. */
static void
w8_ensure_display (void)
{
  g_autofree char *cmdline = NULL;
  g_autoptr(GPtrArray) argv = NULL;
  gsize len = 0;

  if (g_getenv ("DISPLAY") != NULL || g_getenv ("WAYLAND_DISPLAY") != NULL)
    {
      g_setenv ("GSK_RENDERER", "cairo", FALSE);   /* no GL under Xvfb */
      return;
    }
  if (g_getenv ("GTKLOOP_BENCH_UNDER_XVFB") != NULL)
    die ("W8: no display, even under xvfb-run");
  if (!g_file_get_contents ("/proc/self/cmdline", &cmdline, &len, NULL))
    die ("W8: cannot read /proc/self/cmdline");

  argv = g_ptr_array_new ();
  g_ptr_array_add (argv, (char *) "xvfb-run");
  g_ptr_array_add (argv, (char *) "-a");
  g_ptr_array_add (argv, (char *) "-s");
  g_ptr_array_add (argv, (char *) "-screen 0 1280x1024x24");
  g_ptr_array_add (argv, (char *) "env");
  g_ptr_array_add (argv, (char *) "GSK_RENDERER=cairo");
  g_ptr_array_add (argv, (char *) "GTKLOOP_BENCH_UNDER_XVFB=1");
  g_ptr_array_add (argv, (char *) "/proc/self/exe");   /* env runs it: our own binary */
  {
    g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
    gsize skip = strlen (cmdline) + 1;   /* argv[0] */

    if (exe != NULL)
      argv->pdata[argv->len - 1] = g_steal_pointer (&exe);
    for (gsize i = skip; i < len; i += strlen (cmdline + i) + 1)
      g_ptr_array_add (argv, cmdline + i);
  }
  g_ptr_array_add (argv, NULL);
  fflush (stdout);
  execvp ("xvfb-run", (char **) argv->pdata);
  die ("W8: no display, and cannot run xvfb-run: %s", g_strerror (errno));
}

static gboolean
w8_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  gint64 now = now_ns ();

  if (w8.n_ticks < W8_MAX_TICKS)
    w8.ticks[w8.n_ticks++] = now;
  gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (w8.bar), fmod (now / 1e9, 1.0));
  return G_SOURCE_CONTINUE;
}

/* The measuring marks are GLib timeouts at G_PRIORITY_HIGH: instruments,
 * outside the system being measured, dispatched as soon as they are due. */
static gboolean
w8_mark_start (gpointer data)
{
  w8.t_start = now_ns ();
  w8.steps_start = w8.steps;
  w8.callbacks_start = w8.callbacks;
  return G_SOURCE_REMOVE;
}

static gboolean
w8_mark_end (gpointer data)
{
  w8.t_end = now_ns ();
  w8.steps_end = w8.steps;
  w8.callbacks_end = w8.callbacks;
  w8.stop = TRUE;
  atomic_store (&w8.flood_stop, true);
  g_main_loop_quit (w8.ml);
  return G_SOURCE_REMOVE;
}

static void
w8_add_mark (double       after_s,
             GSourceFunc  func)
{
  GSource *source = g_timeout_source_new ((guint) (after_s * 1000));

  g_source_set_priority (source, G_PRIORITY_HIGH);
  g_source_set_callback (source, func, NULL, NULL);
  g_source_attach (source, NULL);
  g_source_unref (source);
}

/* The window; then the run: warm-up, measure, report. */
static void
w8_open_window (void)
{
  GtkWidget *window;

  w8_ensure_display ();
  if (!gtk_init_check ())
    die ("W8: gtk_init_check failed (DISPLAY=%s)", g_getenv ("DISPLAY"));
  window = gtk_window_new ();
  gtk_window_set_default_size (GTK_WINDOW (window), 400, 60);
  w8.bar = gtk_progress_bar_new ();
  gtk_window_set_child (GTK_WINDOW (window), w8.bar);
  gtk_widget_add_tick_callback (w8.bar, w8_tick, NULL, NULL);
  gtk_window_present (GTK_WINDOW (window));
  w8.ml = g_main_loop_new (NULL, FALSE);
}

static void
w8_run_and_report (BenchResult *r,
                   guint        spinners)
{
  double window_s, fps;
  g_autofree double *gaps = g_new (double, W8_MAX_TICKS + 1);
  gsize n_gaps = 0, frames = 0;
  double edge_max = 0;
  gint64 first = 0, last = 0;
  Dist d;

  w8_add_mark (W8_WARMUP_S, w8_mark_start);
  w8_add_mark (W8_WARMUP_S + W8_MEASURE_S, w8_mark_end);
  g_main_loop_run (w8.ml);

  window_s = (w8.t_end - w8.t_start) / 1e9;
  for (gsize i = 0; i < w8.n_ticks; i++)
    {
      gint64 t = w8.ticks[i];

      if (t < w8.t_start || t > w8.t_end)
        continue;
      if (frames > 0)
        gaps[n_gaps++] = (t - last) / 1e6;
      else
        first = t;
      last = t;
      frames++;
    }
  /* BENCH.md: the gaps before the first and after the last tick count
   * toward max; with no tick at all, max is the whole window. */
  edge_max = frames > 0 ? MAX (first - w8.t_start, w8.t_end - last) / 1e6 : window_s * 1e3;
  dist_compute (gaps, n_gaps, &d);
  fps = frames / window_s;

  r->p50 = d.p50;
  r->p99 = d.p99;
  r->max = n_gaps > 0 ? MAX (d.max, edge_max) : edge_max;
  extra_string (r, "unit", "ms");
  extra_int (r, "frames", (gint64) frames);
  extra_number (r, "fps", fps);
  extra_number (r, "window_s", window_s);
  extra_int (r, "spinners", spinners);
  extra_number (r, "spinner_steps_per_s", (w8.steps_end - w8.steps_start) / window_s);
  extra_string (r, "renderer", g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "default");
  extra_bool (r, "under_xvfb_run", g_getenv ("GTKLOOP_BENCH_UNDER_XVFB") != NULL);
  if (spinners > 0 && w8.steps_end > w8.steps_start)
    {
      r->ns_per_op = window_s * 1e9 / (double) (w8.steps_end - w8.steps_start);
      extra_string (r, "ns_per_op_is", "wall ns per spinner step during the measured 5 s");
    }
  else
    {
      extra_string (r, "ns_per_op_is", "null: no spinners");
    }
}

/* gtkloop ---------------------------------------------------------------- */

static void
w8_spinner (GtkloopTask *task,
            gpointer     data)
{
  while (!w8.stop && gtkloop_sleep (0, NULL))
    w8.steps++;
}

static void
w8_backlog_cb (gpointer data)
{
  w8.callbacks++;
  if (!w8.stop)
    gtkloop_loop_call_soon (w8.loop, w8_backlog_cb, NULL, NULL);
}

static void
w8_flood_cb (gpointer data)
{
  w8.callbacks++;
  atomic_store_explicit (&w8.flood_done, w8.callbacks, memory_order_relaxed);
}

static gpointer
w8_flood_worker (gpointer data)
{
  while (!atomic_load_explicit (&w8.flood_stop, memory_order_relaxed))
    {
      /* As fast as the loop takes them, and never more than a million
       * waiting: an unbounded flood would only measure malloc. */
      if (w8.flood_posted - atomic_load_explicit (&w8.flood_done, memory_order_relaxed) >= W8_FLOOD_LIMIT)
        {
          sched_yield ();
          continue;
        }
      gtkloop_loop_call_soon_threadsafe (w8.loop, w8_flood_cb, NULL, NULL);
      w8.flood_posted++;
    }
  return NULL;
}

static void
w8_flood_start (gpointer data)
{
  int err = pthread_create (&w8.flood_thread, NULL, w8_flood_worker, NULL);

  if (err != 0)
    die ("pthread_create: %s", g_strerror (err));
}

static void
gtkloop_w8_common (guint64      n,
                   W8Mode       mode,
                   BenchResult *r)
{
  gint64 t0;

  w8_open_window ();
  /* A GTK program's loop: the default loop of the main thread, driven
   * by GLib's main loop as g_application_run () would. */
  w8.loop = gtkloop_loop_get_default ();
  for (guint64 i = 0; i < n; i++)
    gtkloop_task_unref (gtkloop_spawn (w8_spinner, NULL, NULL));
  if (mode == W8_BACKLOG_MODE)
    {
      t0 = now_ns ();
      for (guint i = 0; i < W8_BACKLOG; i++)
        gtkloop_loop_call_soon (w8.loop, w8_backlog_cb, NULL, NULL);
      extra_number (r, "backlog_schedule_s", (now_ns () - t0) / 1e9);
    }
  if (mode == W8_FLOOD_MODE)
    gtkloop_loop_call_soon (w8.loop, w8_flood_start, NULL, NULL);

  w8_run_and_report (r, (guint) n);
  extra_string (r, "mechanism", "gtkloop_spawn tasks looping gtkloop_sleep (0); default loop under g_main_loop_run");

  if (mode == W8_BACKLOG_MODE)
    {
      extra_int (r, "backlog", W8_BACKLOG);
      extra_number (r, "callbacks_per_s", (w8.callbacks_end - w8.callbacks_start) / ((w8.t_end - w8.t_start) / 1e9));
    }
  if (mode == W8_FLOOD_MODE)
    {
      pthread_join (w8.flood_thread, NULL);
      extra_int (r, "flood_limit_in_flight", W8_FLOOD_LIMIT);
      extra_number (r, "callbacks_per_s", (w8.callbacks_end - w8.callbacks_start) / ((w8.t_end - w8.t_start) / 1e9));
      extra_int (r, "posted", (gint64) w8.flood_posted);
    }
}

static void
gtkloop_w8 (guint64 n, BenchResult *r)
{
  gtkloop_w8_common (n, W8_PLAIN, r);
}

static void
gtkloop_w8_idle (guint64 n, BenchResult *r)
{
  gtkloop_w8_common (0, W8_PLAIN, r);
}

static void
gtkloop_w8_backlog (guint64 n, BenchResult *r)
{
  gtkloop_w8_common (n, W8_BACKLOG_MODE, r);
}

static void
gtkloop_w8_flood (guint64 n, BenchResult *r)
{
  gtkloop_w8_common (n, W8_FLOOD_MODE, r);
}

/* raw GLib: "gtk4-glib-idle", 1,000 g_idle_add at G_PRIORITY_DEFAULT_IDLE */

static gboolean
w8_glib_spinner (gpointer data)
{
  w8.steps++;
  return w8.stop ? G_SOURCE_REMOVE : G_SOURCE_CONTINUE;
}

static void
glib_w8_common (guint64      n,
                BenchResult *r)
{
  w8_open_window ();
  for (guint64 i = 0; i < n; i++)
    g_idle_add_full (G_PRIORITY_DEFAULT_IDLE, w8_glib_spinner, NULL, NULL);
  w8_run_and_report (r, (guint) n);
  extra_string (r, "mechanism", "g_idle_add at G_PRIORITY_DEFAULT_IDLE returning G_SOURCE_CONTINUE");
}

static void
glib_w8 (guint64 n, BenchResult *r)
{
  glib_w8_common (n, r);
}

static void
glib_w8_idle (guint64 n, BenchResult *r)
{
  glib_w8_common (0, r);
}

#endif /* BENCH_HAVE_GTK */
/* W8 (issue 6) end */

/* ---------------------------------------------------------------------- */
/* The table: one row per (system, workload)                               */

typedef void (*BenchFunc) (guint64      n,
                           BenchResult *r);

typedef struct
{
  const char *system;
  const char *workload;
  guint64     default_n;   /* BENCH.md's N */
  BenchFunc   run;
} BenchEntry;

/* Workloads run in the order of their first row here; W3, W4, W6, W7 and
 * W8 slot in as further rows. */
static const BenchEntry bench_entries[] = {
  { "gtkloop", "W1",     1000000, gtkloop_w1 },
  { "glib",    "W1",     1000000, glib_w1 },
  { "gtkloop", "W2",     200000,  gtkloop_w2 },
  { "glib",    "W2",     200000,  glib_w2 },
  { "gtkloop", "W5",     1000000, gtkloop_w5 },
  { "glib",    "W5",     1000000, glib_w5 },
  { "gtkloop", "W3",     100000,  gtkloop_w3 },
  { "gtkloop", "W4",     1000000, gtkloop_w4 },
  { "gtkloop", "W5-lat", 10000,   gtkloop_w5_lat },
  { "glib",    "W5-lat", 10000,   glib_w5_lat },
  { "gtkloop", "W7",     100000,  gtkloop_w7 },
  /* Threads layer */
  { "gtkloop", "W6",     100000,  gtkloop_w6 },
  { "glib",    "W6",     100000,  glib_w6 },
  { "gtkloop", "W6-gthreadpool", 100000, gtkloop_w6_gthreadpool },
  { "gtkloop", "W5-exec", 1000000, gtkloop_w5_exec },
  { "glib",    "W5-exec", 1000000, glib_w5_exec },
  /* W8 rows (issue 6) begin: GTK 4 under Xvfb; N is the number of spinners (unused by -idle) */
#if BENCH_HAVE_GTK
  { "gtkloop", "W8",         1000, gtkloop_w8 },
  { "glib",    "W8",         1000, glib_w8 },
  { "gtkloop", "W8-idle",    1,    gtkloop_w8_idle },
  { "glib",    "W8-idle",    1,    glib_w8_idle },
  { "gtkloop", "W8-backlog", 1000, gtkloop_w8_backlog },
  { "gtkloop", "W8-flood",   1000, gtkloop_w8_flood },
#endif
  /* W8 rows (issue 6) end */
};

static const char *const bench_systems[] = { "gtkloop", "glib", NULL };

static const BenchEntry *
find_entry (const char *system,
            const char *workload)
{
  for (guint i = 0; i < G_N_ELEMENTS (bench_entries); i++)
    if (g_ascii_strcasecmp (bench_entries[i].system, system) == 0 &&
        g_ascii_strcasecmp (bench_entries[i].workload, workload) == 0)
      return &bench_entries[i];
  return NULL;
}

/* ---------------------------------------------------------------------- */
/* Record metadata, shared by child records and FAILED records             */

static void
iso8601_utc_now (char *buf,
                 gsize size)
{
  time_t t = time (NULL);
  struct tm tm;

  gmtime_r (&t, &tm);
  strftime (buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The machine's load when the measurement started: these machines are
 * shared, and a loaded one explains an outlier. */
static void
append_loadavg (GString *out)
{
  double l1 = NAN, l5 = NAN, l15 = NAN;
  FILE *f = fopen ("/proc/loadavg", "r");

  if (f != NULL)
    {
      if (fscanf (f, "%lf %lf %lf", &l1, &l5, &l15) != 3)
        l1 = l5 = l15 = NAN;
      fclose (f);
    }
  g_string_append (out, "[");
  json_append_number (out, l1);
  g_string_append (out, ",");
  json_append_number (out, l5);
  g_string_append (out, ",");
  json_append_number (out, l15);
  g_string_append (out, "]");
}

static void
append_meta (BenchResult *r,
             const char  *run_id,
             int          rep,
             const char  *date,
             const char  *loadavg)
{
  extra_string (r, "run_id", run_id);
  extra_int (r, "rep", rep);
  extra_string (r, "date", date);
  extra_key (r, "loadavg");
  g_string_append (r->extra, loadavg);
  extra_string (r, "build", BENCH_BUILDTYPE);
  if (BENCH_DEBUG_COUNTERS >= 0)
    extra_bool (r, "debug_counters", BENCH_DEBUG_COUNTERS);
}

static void
print_record (const char  *system,
              const char  *workload,
              guint64      n,
              BenchResult *r,
              long         peak_rss_kb)
{
  GString *line = g_string_new ("{\"system\":");

  json_append_string (line, system);
  g_string_append (line, ",\"workload\":");
  json_append_string (line, workload);
  g_string_append_printf (line, ",\"n\":%" G_GUINT64_FORMAT ",\"ns_per_op\":", n);
  json_append_number (line, r->ns_per_op);
  g_string_append (line, ",\"p50\":");
  json_append_number (line, r->p50);
  g_string_append (line, ",\"p99\":");
  json_append_number (line, r->p99);
  g_string_append (line, ",\"max\":");
  json_append_number (line, r->max);
  g_string_append_printf (line, ",\"peak_rss_kb\":%ld,\"notes\":", peak_rss_kb);
  json_append_string (line, r->notes->str);
  /* extra holds ",k:v" fragments: its first comma becomes the brace. */
  g_string_append (line, ",\"extra\":{");
  g_string_append (line, r->extra->len > 0 ? r->extra->str + 1 : "");
  g_string_append (line, "}}\n");
  fputs (line->str, stdout);
  fflush (stdout);
  g_string_free (line, TRUE);
}

/* ---------------------------------------------------------------------- */
/* Child: one measurement                                                  */

static int
child_main (const char *system,
            const char *workload,
            guint64     n,
            const char *run_id,
            int         rep)
{
  const BenchEntry *entry = find_entry (system, workload);
  g_autoptr(GString) loadavg = g_string_new (NULL);
  BenchResult r;
  struct rusage ru0, ru;
  char date[32];

  if (entry == NULL)
    die ("no benchmark for system %s, workload %s", system, workload);

  iso8601_utc_now (date, sizeof date);
  append_loadavg (loadavg);
  result_init (&r);

  getrusage (RUSAGE_SELF, &ru0);
  entry->run (n, &r);
  getrusage (RUSAGE_SELF, &ru);

  /* Page faults cost about 2 us each in these VMs: a workload that
   * touches fresh memory shows it here. Covers the whole run function,
   * setup included. */
  extra_int (&r, "minflt", ru.ru_minflt - ru0.ru_minflt);
  extra_number (&r, "cpu_user_s", (ru.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
                                  (ru.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6);
  extra_number (&r, "cpu_sys_s", (ru.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
                                 (ru.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6);
  append_meta (&r, run_id, rep, date, loadavg->str);
  print_record (entry->system, entry->workload, n, &r, ru.ru_maxrss);
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Parent: one child per measurement                                       */

static volatile sig_atomic_t interrupted;

/* Busy time of all CPUs, in seconds, from /proc/stat: user, nice, system,
 * irq, softirq and steal (guest time is inside user). */
static double
machine_busy_s (void)
{
  unsigned long long v[8] = { 0 };
  FILE *f = fopen ("/proc/stat", "r");
  int got = 0;

  if (f != NULL)
    {
      got = fscanf (f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
                    &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
      fclose (f);
    }
  if (got != 8)
    return NAN;
  return (double) (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double) sysconf (_SC_CLK_TCK);
}

static void
on_sigint (int signum)
{
  interrupted = 1;
}

static void
print_failed (const BenchEntry *entry,
              guint64           n,
              const char       *run_id,
              int               rep,
              const char       *date,
              const char       *loadavg,
              const char       *why,
              const GString    *err,
              long              peak_rss_kb)
{
  BenchResult r;
  g_autoptr(GString) tail = g_string_new (NULL);
  const char *start = err->str;

  if (err->len > STDERR_TAIL)
    start = err->str + err->len - STDERR_TAIL;
  g_string_append (tail, start);
  g_strstrip (tail->str);
  tail->len = strlen (tail->str);
  g_string_replace (tail, "\n", " | ", 0);

  result_init (&r);
  g_string_printf (r.notes, "FAILED (%s): %s", why, tail->str);
  append_meta (&r, run_id, rep, date, loadavg);
  print_record (entry->system, entry->workload, n, &r, peak_rss_kb);
}

static void
describe_status (int      status,
                 char    *buf,
                 gsize    size)
{
  if (WIFSIGNALED (status))
    g_snprintf (buf, size, "signal %d, %s%s", WTERMSIG (status),
                g_strsignal (WTERMSIG (status)), WCOREDUMP (status) ? ", core dumped" : "");
  else if (WIFEXITED (status))
    g_snprintf (buf, size, "exit status %d", WEXITSTATUS (status));
  else
    g_snprintf (buf, size, "wait status 0x%x", status);
}

/* Runs one measurement in a child, passes its record to stdout (its
 * stderr to ours), or writes a FAILED record. */
static void
run_child (const BenchEntry *entry,
           guint64           n,
           const char       *run_id,
           int               rep,
           int               timeout_s)
{
  int out_pipe[2], err_pipe[2];
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) err = g_string_new (NULL);
  g_autoptr(GString) loadavg = g_string_new (NULL);
  g_autofree char *n_str = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  g_autofree char *rep_str = g_strdup_printf ("%d", rep);
  char date[32];
  gint64 deadline;
  gboolean timed_out = FALSE;
  struct rusage ru;
  int status = 0;
  pid_t pid;
  char *line;
  double busy0, others;
  gint64 wall0;

  iso8601_utc_now (date, sizeof date);
  append_loadavg (loadavg);
  busy0 = machine_busy_s ();
  wall0 = now_ns ();

  if (pipe2 (out_pipe, O_CLOEXEC) != 0 || pipe2 (err_pipe, O_CLOEXEC) != 0)
    die ("pipe2: %s", g_strerror (errno));

  pid = fork ();
  if (pid < 0)
    die ("fork: %s", g_strerror (errno));
  if (pid == 0)
    {
      char *argv[] = {
        (char *) "gtkloop-bench", (char *) "--child",
        (char *) entry->system, (char *) entry->workload, n_str,
        (char *) run_id, rep_str, NULL
      };

      dup2 (out_pipe[1], STDOUT_FILENO);
      dup2 (err_pipe[1], STDERR_FILENO);
      signal (SIGINT, SIG_DFL);
      execv ("/proc/self/exe", argv);
      _exit (127);
    }
  close (out_pipe[1]);
  close (err_pipe[1]);

  deadline = now_ns () + (gint64) timeout_s * G_GINT64_CONSTANT (1000000000);
  {
    struct pollfd fds[2] = {
      { .fd = out_pipe[0], .events = POLLIN },
      { .fd = err_pipe[0], .events = POLLIN },
    };
    GString *sinks[2] = { out, err };
    int open_fds = 2;

    while (open_fds > 0)
      {
        gint64 left_ms = (deadline - now_ns ()) / 1000000;
        int ready;

        if (left_ms <= 0 || interrupted)
          {
            timed_out = !interrupted;
            kill (pid, SIGKILL);
            break;
          }
        ready = poll (fds, 2, (int) MIN (left_ms, 1000));
        if (ready < 0 && errno != EINTR)
          die ("poll: %s", g_strerror (errno));
        for (int i = 0; i < 2 && ready > 0; i++)
          {
            char buf[4096];
            ssize_t got;

            if (fds[i].fd < 0 || fds[i].revents == 0)
              continue;
            got = read (fds[i].fd, buf, sizeof buf);
            if (got > 0)
              g_string_append_len (sinks[i], buf, got);
            else if (got == 0 || errno != EINTR)
              {
                close (fds[i].fd);
                fds[i].fd = -1;
                open_fds--;
              }
          }
      }
    for (int i = 0; i < 2; i++)
      if (fds[i].fd >= 0)
        close (fds[i].fd);
  }
  while (wait4 (pid, &status, 0, &ru) < 0)
    if (errno != EINTR)
      die ("wait4: %s", g_strerror (errno));

  if (err->len > 0)
    fputs (err->str, stderr);

  /* What else the machine ran meanwhile, in CPUs (1.0: one core busy with
   * other work). These machines are shared: a high figure explains an
   * outlier better than loadavg, which lags by a minute. */
  others = (machine_busy_s () - busy0 -
            (ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
             ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6)) /
           ((now_ns () - wall0) / 1e9);
  others = MAX (others, 0.0);

  line = strchr (out->str, '{');
  if (timed_out)
    {
      g_autofree char *why = g_strdup_printf ("timed out after %d s", timeout_s);

      print_failed (entry, n, run_id, rep, date, loadavg->str, why, err, ru.ru_maxrss);
    }
  else if (interrupted)
    print_failed (entry, n, run_id, rep, date, loadavg->str, "interrupted", err, ru.ru_maxrss);
  else if (!WIFEXITED (status) || WEXITSTATUS (status) != 0 || line == NULL)
    {
      char why[128];

      if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
        g_strlcpy (why, "no record printed", sizeof why);
      else
        describe_status (status, why, sizeof why);
      print_failed (entry, n, run_id, rep, date, loadavg->str, why, err, ru.ru_maxrss);
    }
  else
    {
      g_autoptr(GString) record = g_string_new (line);
      char *end = strchr (record->str, '\n');

      if (end != NULL)
        g_string_truncate (record, end - record->str);
      /* The child's line ends with the close of extra and of the record. */
      if (g_str_has_suffix (record->str, "}}"))
        {
          g_autoptr(GString) add = g_string_new (",\"others_cpu\":");

          json_append_number (add, others);
          g_string_insert (record, record->len - 2, add->str);
        }
      g_string_append_c (record, '\n');
      fputs (record->str, stdout);
      fflush (stdout);
    }
}

/* ---------------------------------------------------------------------- */
/* Command line                                                            */

static void
usage (FILE *to)
{
  fputs ("Usage: gtkloop-bench [--workload W1,W2,...] [--system gtkloop,glib]\n"
         "                     [--n N] [--repeat K] [--timeout SECONDS]\n"
         "Runs BENCH.md's workloads, each measurement in its own process, and\n"
         "prints one JSON line per measurement on stdout.\n"
         "Workloads:", to);
  for (guint i = 0; i < G_N_ELEMENTS (bench_entries); i++)
    if (i == 0 || strcmp (bench_entries[i].workload, bench_entries[i - 1].workload) != 0)
      fprintf (to, " %s (N=%" G_GUINT64_FORMAT ")",
               bench_entries[i].workload, bench_entries[i].default_n);
  fputs ("\nSystems: gtkloop, glib\n", to);
}

/* Splits comma lists, accumulating over repeated options. */
static void
add_list (GPtrArray  *into,
          const char *arg)
{
  g_auto(GStrv) parts = g_strsplit (arg, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_ptr_array_add (into, g_strdup (parts[i]));
    }
}

static gboolean
list_has (GPtrArray  *list,
          const char *name)
{
  for (guint i = 0; i < list->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (list, i), name) == 0)
      return TRUE;
  return FALSE;
}

static guint64
parse_count (const char *option,
             const char *arg)
{
  char *end = NULL;
  guint64 v;

  errno = 0;
  v = g_ascii_strtoull (arg, &end, 10);
  if (errno != 0 || end == arg || *end != '\0' || v == 0)
    {
      fprintf (stderr, "gtkloop-bench: %s wants a positive integer, not '%s'\n", option, arg);
      exit (2);
    }
  return v;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) workloads = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) systems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) order = g_ptr_array_new ();
  g_autofree char *run_id = NULL;
  guint64 n_override = 0;
  guint64 repeat = 1;
  guint64 timeout_s = DEFAULT_TIMEOUT_S;
  char stamp[32];

  check_prng ();

  if (argc >= 5 && strcmp (argv[1], "--child") == 0)
    return child_main (argv[2], argv[3], parse_count ("--child N", argv[4]),
                       argc >= 6 ? argv[5] : "", argc >= 7 ? atoi (argv[6]) : 1);

  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *value = NULL;
      const char *options[] = { "--workload", "--system", "--n", "--repeat", "--timeout" };
      guint which = G_N_ELEMENTS (options);

      if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0)
        {
          usage (stdout);
          return 0;
        }
      for (guint k = 0; k < G_N_ELEMENTS (options); k++)
        {
          gsize len = strlen (options[k]);

          if (strncmp (arg, options[k], len) == 0 && (arg[len] == '=' || arg[len] == '\0'))
            {
              which = k;
              if (arg[len] == '=')
                value = arg + len + 1;
              else if (i + 1 < argc)
                value = argv[++i];
              break;
            }
        }
      if (which == G_N_ELEMENTS (options) || value == NULL)
        {
          fprintf (stderr, "gtkloop-bench: bad argument '%s'\n", arg);
          usage (stderr);
          return 2;
        }
      switch (which)
        {
        case 0: add_list (workloads, value); break;
        case 1: add_list (systems, value); break;
        case 2: n_override = parse_count ("--n", value); break;
        case 3: repeat = parse_count ("--repeat", value); break;
        case 4: timeout_s = parse_count ("--timeout", value); break;
        default: g_assert_not_reached ();
        }
    }

  for (guint i = 0; i < workloads->len; i++)
    {
      gboolean known = FALSE;

      for (guint k = 0; k < G_N_ELEMENTS (bench_entries); k++)
        known = known || g_ascii_strcasecmp (bench_entries[k].workload, g_ptr_array_index (workloads, i)) == 0;
      if (!known)
        {
          fprintf (stderr, "gtkloop-bench: unknown workload '%s'\n", (char *) g_ptr_array_index (workloads, i));
          usage (stderr);
          return 2;
        }
    }
  for (guint i = 0; i < systems->len; i++)
    if (!g_strv_contains ((const char *const *) bench_systems, g_ptr_array_index (systems, i)))
      {
        fprintf (stderr, "gtkloop-bench: unknown system '%s'\n", (char *) g_ptr_array_index (systems, i));
        usage (stderr);
        return 2;
      }

  /* Table order, so each workload's systems run back to back and the
   * ratio compares neighbours in time. */
  for (guint i = 0; i < G_N_ELEMENTS (bench_entries); i++)
    if ((workloads->len == 0 || list_has (workloads, bench_entries[i].workload)) &&
        (systems->len == 0 || list_has (systems, bench_entries[i].system)))
      g_ptr_array_add (order, (gpointer) &bench_entries[i]);
  if (order->len == 0)
    {
      fprintf (stderr, "gtkloop-bench: nothing to run for that workload and system\n");
      return 2;
    }

  {
    time_t t = time (NULL);
    struct tm tm;

    gmtime_r (&t, &tm);
    strftime (stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
    run_id = g_strdup_printf ("%s-%d", stamp, (int) getpid ());
  }
  signal (SIGINT, on_sigint);

  /* Repetitions outermost: a burst of load on the shared machine then
   * spoils one repetition of everything rather than every repetition of
   * one workload. */
  for (guint64 rep = 1; rep <= repeat && !interrupted; rep++)
    for (guint i = 0; i < order->len && !interrupted; i++)
      {
        const BenchEntry *entry = g_ptr_array_index (order, i);
        guint64 n = n_override ? n_override : entry->default_n;

        fprintf (stderr, "gtkloop-bench: %s %s n=%" G_GUINT64_FORMAT " rep %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "\n",
                 entry->system, entry->workload, n, rep, repeat);
        run_child (entry, n, run_id, (int) rep, (int) timeout_s);
      }
  return interrupted ? 130 : 0;
}
