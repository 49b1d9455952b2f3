/* bench-idle.c: W10-idle, what idle stream connections cost an iteration.
 * One loopback TCP connection is always active: a byte goes to an echo
 * server and back, N times. The same N round trips are timed with one
 * idle connection open beside it, then with 10,000. Each idle connection
 * is served by a handler that sent a one-byte greeting and waits in a
 * read: the idle state of a real server. ns_per_op is a round trip with
 * the 10,000, extra.one_conn_ns with one, extra.idle_ratio the two's
 * ratio (the goal: at most 2); extra.iterations_per_op says how many GLib
 * iterations a round trip takes.
 *
 * The idle connections' far ends are held by a forked child process, so
 * that this one keeps only its own 10,000 fds. gtkloop serves with
 * gtkloop_start_server (readline in each idle handler) and connects with
 * gtkloop_open_connection; raw GLib with a GSocketService and GIO's own
 * route, g_input_stream_read_async, which attaches a source (the stream's
 * pollable source, with the socket's as its child) per pending read.
 */
#include "bench-workloads.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>
#include <gtkloop/gtkloop.h>

#define W10I_IDLE 10000
/* The child opens this many connections, then waits for their greetings
 * before the next batch: the servers' backlog (100) never fills, and no
 * connection waits a second for its SYN to be sent again. */
#define W10I_BATCH 50

/* Measured first, so that the first timed phase starts warm. */
#define W10I_WARMUP 1000

typedef struct
{
  guint16 port;
  guint32 total;   /* idle connections it should hold, in all */
} PeerRequest;

static struct
{
  /* The child holding the idle connections' far ends. */
  pid_t          peers_pid;
  int            peers_cmd;     /* PeerRequests to it; closing it ends the child */
  int            peers_ready;   /* a byte from it per request done */

  guint64        iterations;    /* GLib iterations so far */
  guint          idle;          /* idle connections greeted and reading */
  guint          idle_ended;    /* idle reads that ended */
  guint          unexpected;    /* idle reads that got data */

  /* raw GLib */
  GMainLoop     *ml;
  GInputStream  *in;            /* the active connection's client side */
  GOutputStream *out;
  guint8         byte;
  guint64        round_trips;
  guint64        n;
  gboolean       echo_ended;
} w10i;

typedef struct
{
  double one_ns;
  double idle_ns;
  double one_iterations;        /* per round trip */
  double idle_iterations;
  double rss_per_idle_b;
} W10iFigures;

/* The peers' process ------------------------------------------------------ */

/* The child: opens connections to the port it is sent, reads each one's
 * greeting, holds them, and says when the request is done. It runs only
 * system calls: it is a fork of a process that may have threads. */
G_GNUC_NORETURN static void
w10i_peers_child (int  cmd,
                  int  ready,
                  int *fds)
{
  struct sockaddr_in addr = { .sin_family = AF_INET };
  PeerRequest req;
  guint32 open = 0;

  /* This process's stdout is the record's pipe: never outlive the bench. */
  prctl (PR_SET_PDEATHSIG, SIGKILL);
  addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
  while (read (cmd, &req, sizeof req) == sizeof req)
    {
      addr.sin_port = htons (req.port);
      while (open < MIN (req.total, W10I_IDLE))
        {
          guint32 end = MIN (open + W10I_BATCH, MIN (req.total, W10I_IDLE));
          char greeting;

          for (guint32 i = open; i < end; i++)
            {
              fds[i] = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
              if (fds[i] < 0 || connect (fds[i], (struct sockaddr *) &addr, sizeof addr) != 0)
                _exit (2);
            }
          for (guint32 i = open; i < end; i++)
            if (read (fds[i], &greeting, 1) != 1)
              _exit (3);
          open = end;
        }
      if (write (ready, "", 1) != 1)
        _exit (4);
    }
  _exit (0);
}

/* Forks the child before any loop or connection exists, so it inherits
 * none of them. */
static void
w10i_peers_start (void)
{
  int cmd[2], ready[2];
  int *fds = g_new (int, W10I_IDLE);

  bench_raise_fd_limit (W10I_IDLE + 256, "W10-idle");
  if (pipe2 (cmd, O_CLOEXEC) != 0 || pipe2 (ready, O_CLOEXEC) != 0)
    bench_die ("pipe2: %s", g_strerror (errno));
  fflush (NULL);
  w10i.peers_pid = fork ();
  if (w10i.peers_pid < 0)
    bench_die ("fork: %s", g_strerror (errno));
  if (w10i.peers_pid == 0)
    {
      close (cmd[1]);
      close (ready[0]);
      w10i_peers_child (cmd[0], ready[1], fds);
    }
  close (cmd[0]);
  close (ready[1]);
  g_free (fds);
  w10i.peers_cmd = cmd[1];
  w10i.peers_ready = ready[0];
}

/* Asks the child to hold @total idle connections to @port in all; its
 * byte on peers_ready says they are all greeted. */
static void
w10i_peers_request (guint16 port,
                    guint32 total)
{
  PeerRequest req = { port, total };

  if (write (w10i.peers_cmd, &req, sizeof req) != sizeof req)
    bench_die ("W10-idle: the peers' process is gone");
}

static void
w10i_peers_read_ready (void)
{
  char byte;

  if (read (w10i.peers_ready, &byte, 1) != 1)
    bench_die ("W10-idle: the peers' process ended early");
}

/* Ends the child, which closes the far ends: every idle read sees the end
 * of its stream. */
static void
w10i_peers_stop (void)
{
  int status;

  close (w10i.peers_cmd);
  close (w10i.peers_ready);
  while (waitpid (w10i.peers_pid, &status, 0) < 0)
    if (errno != EINTR)
      bench_die ("waitpid: %s", g_strerror (errno));
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    bench_die ("W10-idle: the peers' process failed (wait status 0x%x)", status);
}

/* Counting iterations -------------------------------------------------- */

/* Prepared first on every iteration of its context, never ready. */
static gboolean
w10i_count_prepare (GSource *source,
                    gint    *timeout)
{
  w10i.iterations++;
  *timeout = -1;
  return FALSE;
}

static gboolean
w10i_count_dispatch (GSource     *source,
                     GSourceFunc  callback,
                     gpointer     data)
{
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs w10i_count_funcs = {
  .prepare = w10i_count_prepare,
  .dispatch = w10i_count_dispatch,
};

static GSource *
w10i_count_iterations (GMainContext *context)
{
  GSource *source = g_source_new (&w10i_count_funcs, sizeof (GSource));

  g_source_set_priority (source, G_MININT);
  g_source_attach (source, context);
  return source;
}

static void
w10i_report (BenchResult       *r,
             const W10iFigures *f)
{
  r->ns_per_op = f->idle_ns;
  bench_extra_number (r, "one_conn_ns", f->one_ns);
  bench_extra_number (r, "idle_ratio", f->idle_ns / f->one_ns);
  bench_extra_int (r, "idle_connections", W10I_IDLE);
  bench_extra_number (r, "iterations_per_op", f->idle_iterations);
  bench_extra_number (r, "one_conn_iterations_per_op", f->one_iterations);
  bench_extra_number (r, "ns_per_iteration", f->idle_ns / f->idle_iterations);
  bench_extra_number (r, "rss_per_idle_conn_b", f->rss_per_idle_b);
  if (w10i.idle != W10I_IDLE)
    bench_fail_check (r, "not every idle connection was served");
  if (w10i.unexpected > 0)
    bench_fail_check (r, "an idle connection received data");
}

/* gtkloop ------------------------------------------------------------------ */

static void
w10i_gtkloop_idle_handler (GtkloopStreamReader *reader,
                           GtkloopStreamWriter *writer,
                           gpointer             data)
{
  g_autoptr(GBytes) line = NULL;

  if (!gtkloop_stream_writer_write (writer, "+", 1, NULL))
    return;
  w10i.idle++;
  line = gtkloop_stream_reader_readline (reader, NULL);
  if (line == NULL || g_bytes_get_size (line) > 0)
    w10i.unexpected++;
  w10i.idle_ended++;
}

static void
w10i_gtkloop_echo_handler (GtkloopStreamReader *reader,
                           GtkloopStreamWriter *writer,
                           gpointer             data)
{
  for (;;)
    {
      g_autoptr(GBytes) byte = gtkloop_stream_reader_read (reader, 1, NULL);

      if (byte == NULL || g_bytes_get_size (byte) == 0 ||
          !gtkloop_stream_writer_write_bytes (writer, byte, NULL))
        break;
    }
}

static void
w10i_gtkloop_on_ready (gpointer data)
{
  GtkloopFuture *ready = data;

  w10i_peers_read_ready ();
  gtkloop_loop_remove_reader (gtkloop_future_get_loop (ready), w10i.peers_ready);
  gtkloop_future_set_result (ready, NULL, NULL);
}

/* Has the child hold @total idle connections to @server and waits until
 * each one's handler waits in its read. */
static void
w10i_gtkloop_hold_idle (GtkloopStreamServer *server,
                        guint32              total)
{
  GtkloopLoop *loop = gtkloop_loop_get_running ();
  g_autoptr(GtkloopFuture) ready = gtkloop_future_new (loop);

  w10i_peers_request (gtkloop_stream_server_get_port (server), total);
  if (!gtkloop_loop_add_reader (loop, w10i.peers_ready, w10i_gtkloop_on_ready,
                                gtkloop_future_ref (ready),
                                (GDestroyNotify) gtkloop_future_unref, NULL) ||
      !gtkloop_await (ready, NULL))
    bench_die ("W10-idle: waiting for the peers failed");
}

/* ns per round trip of @n, and GLib iterations per round trip. */
static double
w10i_gtkloop_round_trips (GtkloopStreamReader *reader,
                          GtkloopStreamWriter *writer,
                          guint64              n,
                          double              *iterations)
{
  guint64 it0 = w10i.iterations;
  gint64 t0 = bench_now_ns ();

  for (guint64 i = 0; i < n; i++)
    {
      g_autoptr(GBytes) byte = NULL;

      if (!gtkloop_stream_writer_write (writer, "x", 1, NULL) ||
          (byte = gtkloop_stream_reader_read (reader, 1, NULL)) == NULL ||
          g_bytes_get_size (byte) != 1)
        bench_die ("W10-idle: the echo broke off");
    }
  t0 = bench_now_ns () - t0;
  if (iterations != NULL)
    *iterations = (double) (w10i.iterations - it0) / (double) n;
  return (double) t0 / (double) n;
}

typedef struct
{
  guint64     n;
  W10iFigures f;
} W10iRun;

static void
w10i_gtkloop_main (GtkloopTask *task,
                   gpointer     data)
{
  W10iRun *run = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopStreamServer) echo = NULL;
  g_autoptr(GtkloopStreamServer) idle = NULL;
  g_autoptr(GtkloopStreamReader) reader = NULL;
  g_autoptr(GtkloopStreamWriter) writer = NULL;
  GSource *counter;
  long rss0;

  echo = gtkloop_start_server (w10i_gtkloop_echo_handler, NULL, NULL, "127.0.0.1", 0, &error);
  if (echo != NULL)
    idle = gtkloop_start_server (w10i_gtkloop_idle_handler, NULL, NULL, "127.0.0.1", 0, &error);
  if (idle == NULL ||
      !gtkloop_open_connection ("127.0.0.1", gtkloop_stream_server_get_port (echo),
                                &reader, &writer, &error))
    bench_die ("W10-idle: %s", error->message);
  counter = w10i_count_iterations (gtkloop_loop_get_context (gtkloop_loop_get_running ()));

  w10i_gtkloop_hold_idle (idle, 1);
  w10i_gtkloop_round_trips (reader, writer, W10I_WARMUP, NULL);
  run->f.one_ns = w10i_gtkloop_round_trips (reader, writer, run->n, &run->f.one_iterations);
  rss0 = bench_current_rss_kb ();
  w10i_gtkloop_hold_idle (idle, W10I_IDLE);
  run->f.rss_per_idle_b = (bench_current_rss_kb () - rss0) * 1024.0 / (W10I_IDLE - 1);
  run->f.idle_ns = w10i_gtkloop_round_trips (reader, writer, run->n, &run->f.idle_iterations);

  g_source_destroy (counter);
  g_source_unref (counter);
  w10i_peers_stop ();
  gtkloop_stream_writer_close (writer);
  gtkloop_stream_server_close (echo);
  gtkloop_stream_server_close (idle);
  if (!gtkloop_stream_server_wait_closed (echo, &error) ||
      !gtkloop_stream_server_wait_closed (idle, &error))
    bench_die ("W10-idle: %s", error->message);
}

static void
gtkloop_w10i (guint64      n,
              BenchResult *r)
{
  g_autoptr(GError) error = NULL;
  W10iRun run = { n };

  w10i_peers_start ();
  if (!gtkloop_run (w10i_gtkloop_main, &run, &error))
    bench_die ("W10-idle: %s", error->message);
  w10i_report (r, &run.f);
  if (w10i.idle_ended != w10i.idle)
    bench_fail_check (r, "an idle handler did not see its stream end");
}

/* raw GLib ----------------------------------------------------------------- */

/* One accepted connection and the byte its reads go to. */
typedef struct
{
  GSocketConnection *connection;
  guint8             byte;
} W10iGlibConn;

static GInputStream *
w10i_conn_in (W10iGlibConn *c)
{
  return g_io_stream_get_input_stream (G_IO_STREAM (c->connection));
}

static GOutputStream *
w10i_conn_out (W10iGlibConn *c)
{
  return g_io_stream_get_output_stream (G_IO_STREAM (c->connection));
}

static W10iGlibConn *
w10i_conn_new (GSocketConnection *connection)
{
  W10iGlibConn *c = g_new0 (W10iGlibConn, 1);

  c->connection = g_object_ref (connection);
  return c;
}

static void
w10i_conn_free (W10iGlibConn *c)
{
  g_object_unref (c->connection);
  g_free (c);
}

static void
w10i_glib_idle_read_done (GObject      *stream,
                          GAsyncResult *result,
                          gpointer      data)
{
  if (g_input_stream_read_finish (G_INPUT_STREAM (stream), result, NULL) != 0)
    w10i.unexpected++;
  w10i_conn_free (data);
  if (++w10i.idle_ended == w10i.idle)
    g_main_loop_quit (w10i.ml);
}

static gboolean
w10i_glib_idle_incoming (GSocketService    *service,
                         GSocketConnection *connection,
                         GObject           *source,
                         gpointer           data)
{
  W10iGlibConn *c = w10i_conn_new (connection);

  /* One byte into an empty socket buffer: it does not block. */
  if (g_output_stream_write (w10i_conn_out (c), "+", 1, NULL, NULL) != 1)
    bench_die ("W10-idle: a greeting failed");
  w10i.idle++;
  g_input_stream_read_async (w10i_conn_in (c), &c->byte, 1, G_PRIORITY_DEFAULT, NULL,
                             w10i_glib_idle_read_done, c);
  return TRUE;
}

static void w10i_glib_echo_read (W10iGlibConn *c);

static void
w10i_glib_echo_write_done (GObject      *stream,
                           GAsyncResult *result,
                           gpointer      data)
{
  if (g_output_stream_write_finish (G_OUTPUT_STREAM (stream), result, NULL) != 1)
    {
      w10i.echo_ended = TRUE;
      w10i_conn_free (data);
      return;
    }
  w10i_glib_echo_read (data);
}

static void
w10i_glib_echo_read_done (GObject      *stream,
                          GAsyncResult *result,
                          gpointer      data)
{
  W10iGlibConn *c = data;

  if (g_input_stream_read_finish (G_INPUT_STREAM (stream), result, NULL) != 1)
    {
      w10i.echo_ended = TRUE;
      w10i_conn_free (c);
      return;
    }
  g_output_stream_write_async (w10i_conn_out (c), &c->byte, 1, G_PRIORITY_DEFAULT, NULL,
                               w10i_glib_echo_write_done, c);
}

static void
w10i_glib_echo_read (W10iGlibConn *c)
{
  g_input_stream_read_async (w10i_conn_in (c), &c->byte, 1, G_PRIORITY_DEFAULT, NULL,
                             w10i_glib_echo_read_done, c);
}

static gboolean
w10i_glib_echo_incoming (GSocketService    *service,
                         GSocketConnection *connection,
                         GObject           *source,
                         gpointer           data)
{
  w10i_glib_echo_read (w10i_conn_new (connection));
  return TRUE;
}

/* A service on 127.0.0.1 and a free port, with gtkloop's backlog (GLib's
 * default is 10). */
static GSocketService *
w10i_glib_service (GCallback  incoming,
                   guint16   *port)
{
  GSocketService *service = g_socket_service_new ();
  g_autoptr(GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GError) error = NULL;

  g_socket_listener_set_backlog (G_SOCKET_LISTENER (service), 100);
  if (!g_socket_listener_add_address (G_SOCKET_LISTENER (service), address,
                                      G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT,
                                      NULL, &bound, &error))
    bench_die ("W10-idle: %s", error->message);
  *port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (service, "incoming", incoming, NULL);
  return service;
}

static gboolean
w10i_glib_on_ready (gint         fd,
                    GIOCondition condition,
                    gpointer     data)
{
  w10i_peers_read_ready ();
  g_main_loop_quit (w10i.ml);
  return G_SOURCE_REMOVE;
}

static void
w10i_glib_hold_idle (guint16 port,
                     guint32 total)
{
  w10i_peers_request (port, total);
  g_unix_fd_add (w10i.peers_ready, G_IO_IN, w10i_glib_on_ready, NULL);
  g_main_loop_run (w10i.ml);
}

static void w10i_glib_client_write (void);

static void
w10i_glib_client_read_done (GObject      *stream,
                            GAsyncResult *result,
                            gpointer      data)
{
  if (g_input_stream_read_finish (G_INPUT_STREAM (stream), result, NULL) != 1)
    bench_die ("W10-idle: the echo broke off");
  if (++w10i.round_trips == w10i.n)
    g_main_loop_quit (w10i.ml);
  else
    w10i_glib_client_write ();
}

static void
w10i_glib_client_write_done (GObject      *stream,
                             GAsyncResult *result,
                             gpointer      data)
{
  if (g_output_stream_write_finish (G_OUTPUT_STREAM (stream), result, NULL) != 1)
    bench_die ("W10-idle: the echo broke off");
  g_input_stream_read_async (w10i.in, &w10i.byte, 1, G_PRIORITY_DEFAULT, NULL,
                             w10i_glib_client_read_done, NULL);
}

static void
w10i_glib_client_write (void)
{
  g_output_stream_write_async (w10i.out, "x", 1, G_PRIORITY_DEFAULT, NULL,
                               w10i_glib_client_write_done, NULL);
}

static double
w10i_glib_round_trips (guint64  n,
                       double  *iterations)
{
  guint64 it0 = w10i.iterations;
  gint64 t0 = bench_now_ns ();

  w10i.round_trips = 0;
  w10i.n = n;
  w10i_glib_client_write ();
  g_main_loop_run (w10i.ml);
  t0 = bench_now_ns () - t0;
  if (iterations != NULL)
    *iterations = (double) (w10i.iterations - it0) / (double) n;
  return (double) t0 / (double) n;
}

static void
glib_w10i (guint64      n,
           BenchResult *r)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GSocketService) echo = NULL;
  g_autoptr(GSocketService) idle = NULL;
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  g_autoptr(GInetAddress) loopback = NULL;
  g_autoptr(GSocketAddress) echo_address = NULL;
  W10iFigures f;
  guint16 echo_port, idle_port;
  GSource *counter;
  long rss0;

  w10i_peers_start ();
  w10i.ml = g_main_loop_new (NULL, FALSE);
  echo = w10i_glib_service (G_CALLBACK (w10i_glib_echo_incoming), &echo_port);
  idle = w10i_glib_service (G_CALLBACK (w10i_glib_idle_incoming), &idle_port);
  loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  echo_address = g_inet_socket_address_new (loopback, echo_port);
  client = g_socket_client_new ();
  connection = g_socket_client_connect (client, G_SOCKET_CONNECTABLE (echo_address), NULL, &error);
  if (connection == NULL)
    bench_die ("W10-idle: %s", error->message);
  w10i.in = g_io_stream_get_input_stream (G_IO_STREAM (connection));
  w10i.out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  counter = w10i_count_iterations (NULL);

  w10i_glib_hold_idle (idle_port, 1);
  w10i_glib_round_trips (W10I_WARMUP, NULL);
  f.one_ns = w10i_glib_round_trips (n, &f.one_iterations);
  rss0 = bench_current_rss_kb ();
  w10i_glib_hold_idle (idle_port, W10I_IDLE);
  f.rss_per_idle_b = (bench_current_rss_kb () - rss0) * 1024.0 / (W10I_IDLE - 1);
  f.idle_ns = w10i_glib_round_trips (n, &f.idle_iterations);

  g_source_destroy (counter);
  g_source_unref (counter);
  /* Every idle read sees the end; the last one quits. */
  w10i_peers_stop ();
  g_main_loop_run (w10i.ml);
  g_io_stream_close (G_IO_STREAM (connection), NULL, NULL);
  while (!w10i.echo_ended)
    g_main_context_iteration (NULL, TRUE);
  g_socket_service_stop (echo);
  g_socket_service_stop (idle);
  g_socket_listener_close (G_SOCKET_LISTENER (echo));
  g_socket_listener_close (G_SOCKET_LISTENER (idle));
  g_clear_pointer (&w10i.ml, g_main_loop_unref);
  w10i_report (r, &f);
}

/* Raw GLib polls 10,000 sources per iteration: fewer round trips keep its
 * run to seconds. */
const BenchEntry bench_idle_entries[] = {
  { "gtkloop", "W10-idle", 20000, gtkloop_w10i },
  { "glib",    "W10-idle", 500,   glib_w10i },
  { NULL }
};
