/* bench-frames.c: W8, GUI responsiveness (BENCH.md): a GTK 4 window whose
 * progress bar is animated by a tick callback; 1,000 spinners; 1 s
 * warm-up, 5 s measured.
 *   W8          1,000 tasks looping gtkloop_sleep (0) / 1,000 g_idle_add
 *   W8-idle     no spinners: the frame-clock baseline of the same run
 *   W8-backlog  W8 plus 1,000,000 call_soon callbacks queued at all times
 *               (each re-queues itself: W1's backlog, kept for 5 s)
 *   W8-flood    W8 plus a worker posting call_soon_threadsafe as fast as
 *               the loop takes them (at most 1,000,000 in flight)
 * All of these run the default context with g_main_loop_run (), as GTK's
 * g_application_run () does; W8-idle-run-forever and W8-flood-run-forever
 * are W8-idle and W8-flood with gtkloop_loop_run_forever () iterating it
 * instead, the same run's baseline and flood for that driver.
 * With no display the child re-executes itself under xvfb-run. Built only
 * when GTK 4 was found (issue 6).
 */
#include "bench-workloads.h"

#include <gtkloop/gtkloop.h>
#include <gtk/gtk.h>

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

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
  gboolean         run_forever;           /* gtkloop_loop_run_forever drives, not g_main_loop_run */
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
    bench_die ("W8: no display, even under xvfb-run");
  if (!g_file_get_contents ("/proc/self/cmdline", &cmdline, &len, NULL))
    bench_die ("W8: cannot read /proc/self/cmdline");

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
  bench_die ("W8: no display, and cannot run xvfb-run: %s", g_strerror (errno));
}

static gboolean
w8_tick (GtkWidget     *widget,
         GdkFrameClock *clock,
         gpointer       data)
{
  gint64 now = bench_now_ns ();

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
  w8.t_start = bench_now_ns ();
  w8.steps_start = w8.steps;
  w8.callbacks_start = w8.callbacks;
  return G_SOURCE_REMOVE;
}

static gboolean
w8_mark_end (gpointer data)
{
  w8.t_end = bench_now_ns ();
  w8.steps_end = w8.steps;
  w8.callbacks_end = w8.callbacks;
  w8.stop = TRUE;
  atomic_store (&w8.flood_stop, true);
  if (w8.run_forever)
    gtkloop_loop_stop (w8.loop);
  else
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
    bench_die ("W8: gtk_init_check failed (DISPLAY=%s)", g_getenv ("DISPLAY"));
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
  BenchDist d;

  w8_add_mark (W8_WARMUP_S, w8_mark_start);
  w8_add_mark (W8_WARMUP_S + W8_MEASURE_S, w8_mark_end);
  if (w8.run_forever)
    gtkloop_loop_run_forever (w8.loop);
  else
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
  bench_dist_compute (gaps, n_gaps, &d);
  fps = frames / window_s;

  r->p50 = d.p50;
  r->p99 = d.p99;
  r->max = n_gaps > 0 ? MAX (d.max, edge_max) : edge_max;
  bench_extra_string (r, "unit", "ms");
  bench_extra_int (r, "frames", (gint64) frames);
  bench_extra_number (r, "fps", fps);
  bench_extra_number (r, "window_s", window_s);
  bench_extra_int (r, "spinners", spinners);
  bench_extra_number (r, "spinner_steps_per_s", (w8.steps_end - w8.steps_start) / window_s);
  bench_extra_string (r, "renderer", g_getenv ("GSK_RENDERER") ? g_getenv ("GSK_RENDERER") : "default");
  bench_extra_bool (r, "under_xvfb_run", g_getenv ("GTKLOOP_BENCH_UNDER_XVFB") != NULL);
  bench_extra_string (r, "driver", w8.run_forever ? "gtkloop_loop_run_forever" : "g_main_loop_run");
  if (spinners > 0 && w8.steps_end > w8.steps_start)
    {
      r->ns_per_op = window_s * 1e9 / (double) (w8.steps_end - w8.steps_start);
      bench_extra_string (r, "ns_per_op_is", "wall ns per spinner step during the measured 5 s");
    }
  else
    {
      bench_extra_string (r, "ns_per_op_is", "null: no spinners");
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
    bench_die ("pthread_create: %s", g_strerror (err));
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
      t0 = bench_now_ns ();
      for (guint i = 0; i < W8_BACKLOG; i++)
        gtkloop_loop_call_soon (w8.loop, w8_backlog_cb, NULL, NULL);
      bench_extra_number (r, "backlog_schedule_s", (bench_now_ns () - t0) / 1e9);
    }
  if (mode == W8_FLOOD_MODE)
    gtkloop_loop_call_soon (w8.loop, w8_flood_start, NULL, NULL);

  w8_run_and_report (r, (guint) n);
  bench_extra_string (r, "mechanism", w8.run_forever
                      ? "gtkloop_spawn tasks looping gtkloop_sleep (0); default loop under gtkloop_loop_run_forever"
                      : "gtkloop_spawn tasks looping gtkloop_sleep (0); default loop under g_main_loop_run");

  if (mode == W8_BACKLOG_MODE)
    {
      bench_extra_int (r, "backlog", W8_BACKLOG);
      bench_extra_number (r, "callbacks_per_s", (w8.callbacks_end - w8.callbacks_start) / ((w8.t_end - w8.t_start) / 1e9));
    }
  if (mode == W8_FLOOD_MODE)
    {
      pthread_join (w8.flood_thread, NULL);
      bench_extra_int (r, "flood_limit_in_flight", W8_FLOOD_LIMIT);
      bench_extra_number (r, "callbacks_per_s", (w8.callbacks_end - w8.callbacks_start) / ((w8.t_end - w8.t_start) / 1e9));
      bench_extra_int (r, "posted", (gint64) w8.flood_posted);
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

static void
gtkloop_w8_idle_run_forever (guint64 n, BenchResult *r)
{
  w8.run_forever = TRUE;
  gtkloop_w8_common (0, W8_PLAIN, r);
}

static void
gtkloop_w8_flood_run_forever (guint64 n, BenchResult *r)
{
  w8.run_forever = TRUE;
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
  bench_extra_string (r, "mechanism", "g_idle_add at G_PRIORITY_DEFAULT_IDLE returning G_SOURCE_CONTINUE");
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

/* N is the number of spinners (unused by -idle). */
const BenchEntry bench_frames_entries[] = {
  { "gtkloop", "W8",         1000, gtkloop_w8 },
  { "glib",    "W8",         1000, glib_w8 },
  { "gtkloop", "W8-idle",    1,    gtkloop_w8_idle },
  { "glib",    "W8-idle",    1,    glib_w8_idle },
  { "gtkloop", "W8-backlog", 1000, gtkloop_w8_backlog },
  { "gtkloop", "W8-flood",   1000, gtkloop_w8_flood },
  { "gtkloop", "W8-idle-run-forever",  1, gtkloop_w8_idle_run_forever },
  { "gtkloop", "W8-flood-run-forever", 1000, gtkloop_w8_flood_run_forever },
  { NULL }
};
