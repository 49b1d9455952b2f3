/* bench-tasks.c: W3 (spawn + sleep (0) + gather), W4 (hand-off between
 * two tasks) and W7 (memory of idle suspended tasks). GLib has no
 * coroutines, so these have no raw GLib row; BENCH.md compares them with
 * the peers' table instead.
 */
#include "bench-workloads.h"

#include <gtkloop/gtkloop.h>

#include <gio/gio.h>

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

  wt.t0 = bench_now_ns ();
  for (guint64 i = 0; i < n; i++)
    children[i] = gtkloop_spawn (w3_child, GSIZE_TO_POINTER (i), NULL);
  all = gtkloop_gather ((GtkloopFuture *const *) children, (guint) n, FALSE);
  wt.ok = gtkloop_await (all, NULL);
  wt.t1 = bench_now_ns ();

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
    bench_fail_check (r, "gather failed or sum(results) != N(N-1)/2");
  else
    r->ns_per_op = (double) (wt.t1 - wt.t0) / (double) n;
  bench_extra_string (r, "mechanism", "gtkloop_spawn + gtkloop_sleep(0) + gtkloop_gather");
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
  wt.t0 = bench_now_ns ();
  b = gtkloop_spawn (w4_b, NULL, NULL);
  a = gtkloop_spawn (w4_a, NULL, NULL);
  gtkloop_await (GTKLOOP_FUTURE (a), NULL);
  gtkloop_await (GTKLOOP_FUTURE (b), NULL);
  wt.t1 = bench_now_ns ();
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
    bench_fail_check (r, "the token did not make every round");
  else
    r->ns_per_op = (double) (wt.t1 - wt.t0) / (double) n;
  bench_extra_string (r, "mechanism", "fresh GtkloopFuture per hand-off (gtkloop_await)");
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
  wt.rss0_kb = bench_current_rss_kb ();
  wt.t0 = bench_now_ns ();
  for (guint64 i = 0; i < n; i++)
    children[i] = gtkloop_spawn (w7_child, NULL, NULL);
  while (wt.started < n)
    gtkloop_sleep (0, NULL);
  wt.t1 = bench_now_ns ();
  wt.rss1_kb = bench_current_rss_kb ();

  for (guint64 i = 0; i < n; i++)
    gtkloop_task_cancel (children[i], NULL);
  all = gtkloop_gather ((GtkloopFuture *const *) children, (guint) n, TRUE);
  gtkloop_await (all, NULL);
  wt.t2 = bench_now_ns ();
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
  bench_extra_number (r, "bytes_per_task", (double) (wt.rss1_kb - wt.rss0_kb) * 1024.0 / (double) n);
  bench_extra_number (r, "cancel_s", (wt.t2 - wt.t1) / 1e9);
  bench_extra_bool (r, "cancel_ok", wt.ok);
  bench_extra_string (r, "ns_per_op_is", "spawn + suspend, per task");
  if (!wt.ok)
    bench_fail_check (r, "not every task finished by observing the cancellation");
}

const BenchEntry bench_tasks_entries[] = {
  { "gtkloop", "W3", 100000,  gtkloop_w3 },
  { "gtkloop", "W4", 1000000, gtkloop_w4 },
  { "gtkloop", "W7", 100000,  gtkloop_w7 },
  { NULL }
};
