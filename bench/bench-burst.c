/* bench-burst.c: W11-burst, whether memory goes back after a burst. In
 * one process, inside one gtkloop_run: N short tasks (each sleeps 1 ms
 * once and returns), a quiet pause, N call_soon callbacks, a quiet pause,
 * the N tasks again (does the burst after a trim stay fast?), a pause;
 * then gtkloop_run returns and closes its loop. The resident set is read
 * before each burst, at its peak (the most seen while it ran) and
 * W11_QUIET_S seconds after its last task or callback finished, and once
 * more after gtkloop_run has returned.
 *
 * The goal (issue 13): each "after" within twice the resident set before
 * the first burst plus the warm reserve the library keeps (docs/design.md,
 * "Where the memory comes from"): extra.goal_met. ns_per_op is the first
 * task burst, spawn to last return, per task; extra.second_tasks_ns the
 * same after the trims, extra.callbacks_ns the callback burst per
 * callback. GLib has no row: it keeps no tasks, and its sources are
 * malloc's to return.
 */
#include "bench-workloads.h"

#include <gtkloop/gtkloop.h>

/* How long the loop stays quiet before "after" is read: the library
 * trims after a second without work, in steps, within about two. */
#define W11_QUIET_S 3.0

/* The reserve, as docs/design.md states it: 8 MiB of free blocks, the
 * handle table's first chunk (6 MiB), a ready ring of 65,536 entries
 * (512 KiB) and a timer heap of as many (1 MiB). */
#define W11_RESERVE_KB (8192 + 6144 + 512 + 1024)

typedef struct
{
  long    before_kb;
  long    peak_kb;
  long    after_kb;
  gint64  ns;
} Burst;

static struct
{
  guint64 n;
  guint64 done;
  long    start_kb;
  long    before_kb;
  Burst   tasks, callbacks, tasks2;
  long    after_run_kb;
} wb;

static void
note_peak (Burst *b)
{
  long kb = bench_current_rss_kb ();

  if (kb > b->peak_kb)
    b->peak_kb = kb;
}

static void
w11_task (GtkloopTask *task,
          gpointer     data)
{
  gtkloop_sleep (0.001, NULL);
  wb.done++;
}

static void
w11_callback (gpointer data)
{
  wb.done++;
}

/* Until the burst's last task or callback is done, reading the resident
 * set at every wake-up of the main task; then the quiet pause. */
static void
finish_burst (Burst  *b,
              gint64  t0)
{
  while (wb.done < wb.n)
    {
      note_peak (b);
      gtkloop_sleep (0.01, NULL);
    }
  b->ns = bench_now_ns () - t0;
  note_peak (b);
  gtkloop_sleep (W11_QUIET_S, NULL);
  b->after_kb = bench_current_rss_kb ();
}

static void
task_burst (Burst *b)
{
  gint64 t0;

  b->before_kb = bench_current_rss_kb ();
  wb.done = 0;
  t0 = bench_now_ns ();
  for (guint64 i = 0; i < wb.n; i++)
    gtkloop_task_unref (gtkloop_spawn (w11_task, NULL, NULL));
  note_peak (b);
  finish_burst (b, t0);
}

static void
w11_main (GtkloopTask *task,
          gpointer     data)
{
  GtkloopLoop *loop = gtkloop_loop_get_running ();
  gint64 t0;

  gtkloop_sleep (0, NULL);
  wb.before_kb = bench_current_rss_kb ();

  task_burst (&wb.tasks);

  wb.callbacks.before_kb = bench_current_rss_kb ();
  wb.done = 0;
  t0 = bench_now_ns ();
  for (guint64 i = 0; i < wb.n; i++)
    gtkloop_loop_call_soon (loop, w11_callback, NULL, NULL);
  note_peak (&wb.callbacks);
  finish_burst (&wb.callbacks, t0);

  task_burst (&wb.tasks2);
}

static void
add_burst (BenchResult *r,
           const char  *name,
           const Burst *b)
{
  g_autofree char *before = g_strdup_printf ("%s_before_kb", name);
  g_autofree char *peak = g_strdup_printf ("%s_peak_kb", name);
  g_autofree char *after = g_strdup_printf ("%s_after_kb", name);

  bench_extra_int (r, before, b->before_kb);
  bench_extra_int (r, peak, b->peak_kb);
  bench_extra_int (r, after, b->after_kb);
}

static void
gtkloop_w11 (guint64      n,
             BenchResult *r)
{
  long goal_kb;
  gboolean met;

  wb.n = n;
  wb.start_kb = bench_current_rss_kb ();
  if (!gtkloop_run (w11_main, NULL, NULL))
    bench_fail_check (r, "the main task failed");
  wb.after_run_kb = bench_current_rss_kb ();

  goal_kb = 2 * wb.before_kb + W11_RESERVE_KB;
  met = wb.tasks.after_kb <= goal_kb && wb.callbacks.after_kb <= goal_kb &&
        wb.tasks2.after_kb <= goal_kb && wb.after_run_kb <= goal_kb;

  r->ns_per_op = (double) wb.tasks.ns / (double) n;
  bench_extra_int (r, "start_kb", wb.start_kb);
  bench_extra_int (r, "before_kb", wb.before_kb);
  add_burst (r, "tasks", &wb.tasks);
  add_burst (r, "callbacks", &wb.callbacks);
  add_burst (r, "tasks2", &wb.tasks2);
  bench_extra_int (r, "after_run_kb", wb.after_run_kb);
  bench_extra_int (r, "reserve_kb", W11_RESERVE_KB);
  bench_extra_int (r, "goal_kb", goal_kb);
  bench_extra_bool (r, "goal_met", met);
  bench_extra_number (r, "callbacks_ns", (double) wb.callbacks.ns / (double) n);
  bench_extra_number (r, "second_tasks_ns", (double) wb.tasks2.ns / (double) n);
  bench_extra_number (r, "quiet_s", W11_QUIET_S);
  bench_extra_string (r, "ns_per_op_is", "first task burst, spawn to last return, per task");
}

const BenchEntry bench_burst_entries[] = {
  { "gtkloop", "W11-burst", 1000000, gtkloop_w11 },
  { NULL }
};
