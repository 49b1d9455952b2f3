/* bench-timers.c: W2, timers. N timers with BENCH.md's PRNG delays, every
 * fourth cancelled before the loop runs; reports how late each fired,
 * overall and for those that came due while the loop ran.
 * gtkloop_loop_call_later + gtkloop_loop_cancel against g_timeout_add.
 */
#include "bench-workloads.h"

#include <gtkloop/gtkloop.h>

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
    w2.delay_us[i] = bench_prng_delay_us (&x);
}

static inline void
w2_fire (guint64 i)
{
  w2.fired[i] = bench_now_ns ();
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
  BenchDist all, run;

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
  bench_dist_compute (late, n_late, &all);
  bench_dist_compute (run_late, n_run, &run);

  r->ns_per_op = (double) (t1 - t0) / (double) n;
  r->p50 = all.p50;
  r->p99 = all.p99;
  r->max = all.max;
  bench_extra_string (r, "unit", "ms");
  bench_extra_number (r, "min_late_ms", all.min);
  bench_extra_number (r, "run_p50_ms", run.p50);
  bench_extra_number (r, "run_p99_ms", run.p99);
  bench_extra_number (r, "run_max_ms", run.max);
  bench_extra_int (r, "run_n", (gint64) n_run);
  bench_extra_int (r, "fired", (gint64) n_late);
  bench_extra_int (r, "cancelled", (gint64) (n / 4));
  bench_extra_int (r, "early", (gint64) early);
  bench_extra_number (r, "schedule_s", (t_sched - t0) / 1e9);
  bench_extra_number (r, "run_s", (t1 - t_sched) / 1e9);
  /* No loop can finish before the last timer is due: with delays up to
   * 100 ms and N = 200k, ns_per_op cannot go below about 500 ns. The CPU
   * the process spent is the cost that a loop controls. */
  bench_extra_number (r, "floor_ns_per_op", (double) (last_due - t0) / (double) n);
  bench_extra_number (r, "cpu_ns_per_op", (double) cpu / (double) n);

  if (fired_cancelled > 0)
    bench_fail_check (r, "a cancelled timer fired");
  if (fired_twice > 0)
    bench_fail_check (r, "a timer fired twice");
  if (never_fired > 0)
    bench_fail_check (r, "a timer never fired");
  if (early > 0)
    bench_add_note (r, "timers fired early");
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

  cpu0 = bench_cpu_ns ();
  t0 = bench_now_ns ();
  for (guint64 i = 0; i < n; i++)
    {
      w2.due[i] = bench_now_ns () + (gint64) w2.delay_us[i] * 1000;
      handle[i] = gtkloop_loop_call_later (w2.loop, w2.delay_us[i] / 1e6,
                                           w2_gtkloop_cb, GSIZE_TO_POINTER (i), NULL);
    }
  for (guint64 i = 3; i < n; i += 4)
    if (!gtkloop_loop_cancel (w2.loop, handle[i]))
      bench_die ("gtkloop_loop_cancel refused pending timer %" G_GUINT64_FORMAT, i);
  t_sched = bench_now_ns ();
  gtkloop_loop_run_forever (w2.loop);
  t1 = bench_now_ns ();

  w2_report (r, t0, t_sched, t1, bench_cpu_ns () - cpu0);
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

  cpu0 = bench_cpu_ns ();
  t0 = bench_now_ns ();
  for (guint64 i = 0; i < n; i++)
    {
      /* g_timeout_add takes whole ms: round up, as the peers do. */
      w2.due[i] = bench_now_ns () + (gint64) w2.delay_us[i] * 1000;
      id[i] = g_timeout_add ((w2.delay_us[i] + 999) / 1000, w2_glib_cb, GSIZE_TO_POINTER (i));
    }
  for (guint64 i = 3; i < n; i += 4)
    g_source_remove (id[i]);
  t_sched = bench_now_ns ();
  g_main_loop_run (w2.ml);
  t1 = bench_now_ns ();

  w2_report (r, t0, t_sched, t1, bench_cpu_ns () - cpu0);
  bench_add_note (r, "g_timeout_add: whole ms, rounded up");
}

const BenchEntry bench_timers_entries[] = {
  { "gtkloop", "W2", 200000, gtkloop_w2 },
  { "glib",    "W2", 200000, glib_w2 },
  { NULL }
};
