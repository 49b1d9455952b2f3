/* bench-burst.c: W11-burst, whether memory goes back after a burst. In
 * one process, inside one gtkloop_run: N short tasks (each sleeps 1 ms
 * once and returns), a quiet pause, N call_soon callbacks, a quiet pause,
 * the N tasks again, a pause, then W11_SMALL tasks (within the warm
 * reserve); then gtkloop_run returns and closes its loop. The resident
 * set is read before each burst, at its peak (the most seen while it ran)
 * and W11_QUIET_S seconds after its last task or callback finished, and
 * once more after gtkloop_run has returned.
 *
 * The goal (issue 13): each "after" within twice the resident set before
 * the first burst plus the warm reserve the library keeps (docs/design.md,
 * "Giving it back after a burst"): extra.goal_met. ns_per_op is the first
 * task burst, spawn to last return, per task; extra.second_tasks_ns the
 * same after the trims, extra.callbacks_ns the callback burst per
 * callback. Each burst's minor faults and system time say what the
 * memory given back cost the next one (extra.*_minflt, *_sys_s); the
 * small burst should take none. GLib has no row: it keeps no tasks, and
 * its sources are malloc's to return.
 */
#include "bench-workloads.h"

#include <gtkloop/gtkloop.h>

#include <sys/resource.h>

/* How long the loop stays quiet before "after" is read: the library
 * trims after a second without work, in steps, within about two. */
#define W11_QUIET_S 3.0

/* The reserve, as docs/design.md states it: 8 MiB of free blocks, the
 * handle table's first chunk (6 MiB), a ready ring of 65,536 entries
 * (512 KiB) and a timer heap of as many (1 MiB). */
#define W11_RESERVE_KB (8192 + 6144 + 512 + 1024)

/* Tasks that fit in the reserve (about 700 bytes each). */
#define W11_SMALL 10000

typedef struct
{
  long    before_kb;
  long    peak_kb;
  long    after_kb;
  gint64  ns;
  long    minflt;
  double  sys_s;
} Burst;

static struct
{
  guint64 n;
  guint64 target;
  guint64 done;
  long    start_kb;
  long    before_kb;
  Burst   tasks, callbacks, tasks2, small;
  long    after_run_kb;
} wb;

static void
begin_usage (Burst *b)
{
  struct rusage u;

  getrusage (RUSAGE_SELF, &u);
  b->minflt = -u.ru_minflt;
  b->sys_s = -(u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6);
}

static void
end_usage (Burst *b)
{
  struct rusage u;

  getrusage (RUSAGE_SELF, &u);
  b->minflt += u.ru_minflt;
  b->sys_s += u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

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
  while (wb.done < wb.target)
    {
      note_peak (b);
      gtkloop_sleep (0.001, NULL);
    }
  b->ns = bench_now_ns () - t0;
  end_usage (b);
  note_peak (b);
  gtkloop_sleep (W11_QUIET_S, NULL);
  b->after_kb = bench_current_rss_kb ();
}

static void
task_burst (Burst   *b,
            guint64  n)
{
  gint64 t0;

  b->before_kb = bench_current_rss_kb ();
  wb.done = 0;
  wb.target = n;
  begin_usage (b);
  t0 = bench_now_ns ();
  for (guint64 i = 0; i < n; i++)
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

  task_burst (&wb.tasks, wb.n);

  wb.callbacks.before_kb = bench_current_rss_kb ();
  wb.done = 0;
  wb.target = wb.n;
  begin_usage (&wb.callbacks);
  t0 = bench_now_ns ();
  for (guint64 i = 0; i < wb.n; i++)
    gtkloop_loop_call_soon (loop, w11_callback, NULL, NULL);
  note_peak (&wb.callbacks);
  finish_burst (&wb.callbacks, t0);

  task_burst (&wb.tasks2, wb.n);
  task_burst (&wb.small, MIN (wb.n, W11_SMALL));
}

static void
add_burst (BenchResult *r,
           const char  *name,
           const Burst *b)
{
  g_autofree char *before = g_strdup_printf ("%s_before_kb", name);
  g_autofree char *peak = g_strdup_printf ("%s_peak_kb", name);
  g_autofree char *after = g_strdup_printf ("%s_after_kb", name);

  g_autofree char *minflt = g_strdup_printf ("%s_minflt", name);
  g_autofree char *sys = g_strdup_printf ("%s_sys_s", name);

  bench_extra_int (r, before, b->before_kb);
  bench_extra_int (r, peak, b->peak_kb);
  bench_extra_int (r, after, b->after_kb);
  bench_extra_int (r, minflt, b->minflt);
  bench_extra_number (r, sys, b->sys_s);
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
        wb.tasks2.after_kb <= goal_kb && wb.small.after_kb <= goal_kb &&
        wb.after_run_kb <= goal_kb;

  r->ns_per_op = (double) wb.tasks.ns / (double) n;
  bench_extra_int (r, "start_kb", wb.start_kb);
  bench_extra_int (r, "before_kb", wb.before_kb);
  add_burst (r, "tasks", &wb.tasks);
  add_burst (r, "callbacks", &wb.callbacks);
  add_burst (r, "tasks2", &wb.tasks2);
  add_burst (r, "small", &wb.small);
  bench_extra_int (r, "after_run_kb", wb.after_run_kb);
  bench_extra_int (r, "reserve_kb", W11_RESERVE_KB);
  bench_extra_int (r, "goal_kb", goal_kb);
  bench_extra_bool (r, "goal_met", met);
  bench_extra_number (r, "callbacks_ns", (double) wb.callbacks.ns / (double) n);
  bench_extra_number (r, "second_tasks_ns", (double) wb.tasks2.ns / (double) n);
  bench_extra_int (r, "small_n", MIN (n, W11_SMALL));
  bench_extra_number (r, "quiet_s", W11_QUIET_S);
  bench_extra_string (r, "ns_per_op_is", "first task burst, spawn to last return, per task");
}

const BenchEntry bench_burst_entries[] = {
  { "gtkloop", "W11-burst", 1000000, gtkloop_w11 },
  { NULL }
};
