/* bench-streams.c: W10-echo, a loopback TCP echo of N lines of 64 bytes
 * between a gtkloop server and client in one process, the same program
 * as bench/echo-peers.py runs on Python's asyncio and uvloop: the client
 * writes each line then drains, a second task reads N lines back, the
 * server answers each line it reads with write + drain. ns_per_op is the
 * whole exchange's time divided by N; run-all.sh sets it beside the
 * peers' of the same run.
 */
#include "bench-workloads.h"

#include <string.h>

#include <gtkloop/gtkloop.h>

#define W10_LINE "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"

static struct
{
  guint64              n;
  guint64              echoed;
  guint64              received;
  gboolean             mismatch;
  gboolean             server_done;
  GtkloopStreamReader *reader;
  GtkloopStreamWriter *writer;
} w10;

G_STATIC_ASSERT (sizeof W10_LINE - 1 == 64);

static void
w10_echo_handler (GtkloopStreamReader *reader,
                  GtkloopStreamWriter *writer,
                  gpointer             data)
{
  for (;;)
    {
      g_autoptr(GBytes) line = gtkloop_stream_reader_readline (reader, NULL);

      if (line == NULL || g_bytes_get_size (line) == 0)
        break;
      w10.echoed++;
      if (!gtkloop_stream_writer_write_bytes (writer, line, NULL) ||
          !gtkloop_stream_writer_drain (writer, NULL))
        break;
    }
  gtkloop_stream_writer_close (writer);
  gtkloop_stream_writer_wait_closed (writer, NULL);
  w10.server_done = TRUE;
}

static void
w10_send (GtkloopTask *task,
          gpointer     data)
{
  for (guint64 i = 0; i < w10.n; i++)
    if (!gtkloop_stream_writer_write (w10.writer, W10_LINE, sizeof W10_LINE - 1, NULL) ||
        !gtkloop_stream_writer_drain (w10.writer, NULL))
      return;
}

static void
w10_receive (GtkloopTask *task,
             gpointer     data)
{
  for (guint64 i = 0; i < w10.n; i++)
    {
      g_autoptr(GBytes) line = gtkloop_stream_reader_readline (w10.reader, NULL);
      gsize size;
      const char *bytes = line ? g_bytes_get_data (line, &size) : NULL;

      if (bytes == NULL || size != sizeof W10_LINE - 1 || memcmp (bytes, W10_LINE, size) != 0)
        {
          w10.mismatch = TRUE;
          return;
        }
      w10.received++;
    }
}

static void
w10_main (GtkloopTask *task,
          gpointer     data)
{
  BenchResult *r = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopStreamServer) server = gtkloop_start_server (w10_echo_handler, NULL, NULL,
                                                                "127.0.0.1", 0, &error);
  g_autoptr(GtkloopTask) sender = NULL;
  g_autoptr(GtkloopTask) receiver = NULL;
  gint64 t0;

  if (server == NULL ||
      !gtkloop_open_connection ("127.0.0.1", gtkloop_stream_server_get_port (server),
                                &w10.reader, &w10.writer, &error))
    bench_die ("W10-echo: %s", error->message);

  t0 = bench_now_ns ();
  sender = gtkloop_spawn (w10_send, NULL, NULL);
  receiver = gtkloop_spawn (w10_receive, NULL, NULL);
  gtkloop_await (GTKLOOP_FUTURE (sender), NULL);
  gtkloop_await (GTKLOOP_FUTURE (receiver), NULL);
  r->ns_per_op = (double) (bench_now_ns () - t0) / (double) w10.n;

  gtkloop_stream_writer_close (w10.writer);
  gtkloop_stream_writer_wait_closed (w10.writer, NULL);
  while (!w10.server_done && gtkloop_sleep (0.001, NULL))
    ;
  gtkloop_stream_server_close (server);
  gtkloop_stream_server_wait_closed (server, NULL);
  g_clear_pointer (&w10.reader, gtkloop_stream_reader_unref);
  g_clear_pointer (&w10.writer, gtkloop_stream_writer_unref);
}

static void
gtkloop_w10 (guint64      n,
             BenchResult *r)
{
  g_autoptr(GError) error = NULL;

  w10.n = n;
  if (!gtkloop_run (w10_main, r, &error))
    bench_die ("W10-echo: %s", error->message);
  bench_extra_number (r, "lines_per_s", n / (r->ns_per_op * n / 1e9));
  bench_extra_int (r, "line_bytes", sizeof W10_LINE - 1);
  if (w10.mismatch || w10.received != n || w10.echoed != n)
    bench_fail_check (r, "an echoed line was lost or changed");
}

const BenchEntry bench_streams_entries[] = {
  { "gtkloop", "W10-echo", 100000, gtkloop_w10 },
  { NULL }
};
