/* bench-callbacks.c: W1, call_soon throughput. N callbacks are queued
 * before the loop runs; the N-th stops it. gtkloop_loop_call_soon against
 * one g_idle_add per callback.
 */
#include "bench-workloads.h"

#include <gtkloop/gtkloop.h>

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
  bench_extra_number (r, "schedule_s", (t_sched - t0) / 1e9);
  bench_extra_number (r, "run_s", (t1 - t_sched) / 1e9);
  if (w1.count != n)
    bench_fail_check (r, "callback count differs from N");
}

static void
gtkloop_w1 (guint64      n,
            BenchResult *r)
{
  gint64 t0, t_sched, t1;

  w1.loop = gtkloop_loop_new (NULL);
  w1.n = n;

  t0 = bench_now_ns ();
  for (guint64 i = 0; i < n; i++)
    gtkloop_loop_call_soon (w1.loop, w1_gtkloop_cb, NULL, NULL);
  t_sched = bench_now_ns ();
  gtkloop_loop_run_forever (w1.loop);
  t1 = bench_now_ns ();

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

  t0 = bench_now_ns ();
  for (guint64 i = 0; i < n; i++)
    g_idle_add (w1_glib_cb, NULL);
  t_sched = bench_now_ns ();
  g_main_loop_run (w1.ml);
  t1 = bench_now_ns ();

  w1_report (r, n, t0, t_sched, t1);
}

const BenchEntry bench_callbacks_entries[] = {
  { "gtkloop", "W1", 1000000, gtkloop_w1 },
  { "glib",    "W1", 1000000, glib_w1 },
  { NULL }
};
