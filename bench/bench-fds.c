/* bench-fds.c: W9-fds, what idle watched fds cost an iteration. One
 * eventfd is always ready: its reader reads it and writes it again, so
 * every GLib iteration polls, dispatches and runs that one callback. The
 * same N iterations run with only that fd watched, then with 10,000 idle
 * eventfds watched beside it; ns_per_op is the cost of an iteration with
 * the idle fds, extra.one_fd_ns without them, extra.idle_ratio the two's
 * ratio (the goal: at most 2). gtkloop watches with
 * gtkloop_loop_add_reader (one epoll fd in GLib's poll); raw GLib with one
 * g_unix_fd_add source per fd (GLib's poll walks every one).
 */
#include "bench-workloads.h"

#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <glib-unix.h>
#include <gtkloop/gtkloop.h>

#define W9_IDLE_FDS 10000

static struct
{
  GtkloopLoop *loop;
  GMainLoop   *ml;
  int          active;
  guint64      count;
  guint64      n;
} w9;

static int *
w9_open_idle_fds (void)
{
  int *fds = g_new (int, W9_IDLE_FDS);

  bench_raise_fd_limit (W9_IDLE_FDS + 256, "W9-fds");
  for (int i = 0; i < W9_IDLE_FDS; i++)
    if ((fds[i] = eventfd (0, EFD_NONBLOCK | EFD_CLOEXEC)) < 0)
      bench_die ("eventfd: %s", g_strerror (errno));
  return fds;
}

static void
w9_close_fds (int *fds)
{
  for (int i = 0; i < W9_IDLE_FDS; i++)
    close (fds[i]);
  g_free (fds);
}

/* Reads the active fd and makes it ready again; FALSE at the N-th. */
static gboolean
w9_step (void)
{
  eventfd_t value;

  eventfd_read (w9.active, &value);
  if (++w9.count == w9.n)
    return FALSE;
  eventfd_write (w9.active, 1);
  return TRUE;
}

static void
w9_report (BenchResult *r,
           double       one_fd_ns,
           double       idle_fds_ns)
{
  r->ns_per_op = idle_fds_ns;
  bench_extra_number (r, "one_fd_ns", one_fd_ns);
  bench_extra_number (r, "idle_ratio", idle_fds_ns / one_fd_ns);
  bench_extra_int (r, "idle_fds", W9_IDLE_FDS);
}

/* gtkloop ------------------------------------------------------------------ */

static void
w9_gtkloop_cb (gpointer data)
{
  if (!w9_step ())
    gtkloop_loop_stop (w9.loop);
}

static void
w9_gtkloop_noop (gpointer data)
{
}

/* ns per iteration of N, with idle_fds (nullable) watched as well. */
static double
w9_gtkloop_measure (guint64  n,
                    int     *idle_fds)
{
  gint64 t0;

  w9.loop = gtkloop_loop_new (NULL);
  w9.active = eventfd (1, EFD_NONBLOCK | EFD_CLOEXEC);
  w9.count = 0;
  w9.n = n;
  for (int i = 0; idle_fds != NULL && i < W9_IDLE_FDS; i++)
    if (!gtkloop_loop_add_reader (w9.loop, idle_fds[i], w9_gtkloop_noop, NULL, NULL, NULL))
      bench_die ("add_reader failed");
  if (!gtkloop_loop_add_reader (w9.loop, w9.active, w9_gtkloop_cb, NULL, NULL, NULL))
    bench_die ("add_reader failed");

  t0 = bench_now_ns ();
  gtkloop_loop_run_forever (w9.loop);
  t0 = bench_now_ns () - t0;

  gtkloop_loop_close (w9.loop);
  g_clear_object (&w9.loop);
  close (w9.active);
  return (double) t0 / (double) n;
}

static void
gtkloop_w9 (guint64      n,
            BenchResult *r)
{
  int *idle_fds = w9_open_idle_fds ();
  double one_fd = w9_gtkloop_measure (n, NULL);
  double idle = w9_gtkloop_measure (n, idle_fds);

  w9_close_fds (idle_fds);
  w9_report (r, one_fd, idle);
  if (w9.count != n)
    bench_fail_check (r, "callback count differs from N");
}

/* raw GLib ----------------------------------------------------------------- */

static gboolean
w9_glib_cb (gint         fd,
            GIOCondition condition,
            gpointer     data)
{
  if (!w9_step ())
    g_main_loop_quit (w9.ml);
  return G_SOURCE_CONTINUE;
}

static gboolean
w9_glib_noop (gint         fd,
              GIOCondition condition,
              gpointer     data)
{
  return G_SOURCE_CONTINUE;
}

static double
w9_glib_measure (guint64  n,
                 int     *idle_fds)
{
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint));
  gint64 t0;
  guint id;

  w9.ml = g_main_loop_new (NULL, FALSE);
  w9.active = eventfd (1, EFD_NONBLOCK | EFD_CLOEXEC);
  w9.count = 0;
  w9.n = n;
  for (int i = 0; idle_fds != NULL && i < W9_IDLE_FDS; i++)
    {
      id = g_unix_fd_add (idle_fds[i], G_IO_IN, w9_glib_noop, NULL);
      g_array_append_val (ids, id);
    }
  id = g_unix_fd_add (w9.active, G_IO_IN, w9_glib_cb, NULL);
  g_array_append_val (ids, id);

  t0 = bench_now_ns ();
  g_main_loop_run (w9.ml);
  t0 = bench_now_ns () - t0;

  for (guint i = 0; i < ids->len; i++)
    g_source_remove (g_array_index (ids, guint, i));
  g_array_unref (ids);
  g_clear_pointer (&w9.ml, g_main_loop_unref);
  close (w9.active);
  return (double) t0 / (double) n;
}

static void
glib_w9 (guint64      n,
         BenchResult *r)
{
  int *idle_fds = w9_open_idle_fds ();
  double one_fd = w9_glib_measure (n, NULL);
  double idle = w9_glib_measure (n, idle_fds);

  w9_close_fds (idle_fds);
  w9_report (r, one_fd, idle);
  if (w9.count != n)
    bench_fail_check (r, "callback count differs from N");
}

/* Raw GLib walks 10,000 sources per iteration: fewer iterations keep its
 * run to seconds. */
const BenchEntry bench_fds_entries[] = {
  { "gtkloop", "W9-fds", 100000, gtkloop_w9 },
  { "glib",    "W9-fds", 2000,   glib_w9 },
  { NULL }
};
