/* Streams over real loopback sockets (127.0.0.1, port 0, and a Unix
 * socket in a temporary directory): an echo exchange (twin:
 * twins/stream_echo.py), lines and exact reads over a Unix socket, flow
 * control through drain, one big buffered write, one big read to the end
 * (and one a timeout interrupts, its data kept), each kind of bad input (a reset, a half-close,
 * an over-long line, a peer that never answers, a refused connection),
 * a thousand idle connections, and closing the loop with streams open.
 * Every test checks that no fd is left open. */
#include "config.h"

#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "test-util.h"

typedef struct
{
  TestFixture *fx;
  guint        fds_before;
} StreamsFixture;

/* GIO calls back in the thread-default context: make it the loop's. */
static int
setup (void **state)
{
  guint fds = test_count_open_fds ();
  TestFixture *fx;

  test_fixture_setup (state);
  fx = *state;
  g_main_context_push_thread_default (gtkloop_loop_get_context (fx->loop));
  g_object_set_data (G_OBJECT (fx->loop), "fds-before", GUINT_TO_POINTER (fds));
  return 0;
}

static int
teardown (void **state)
{
  TestFixture *fx = *state;
  guint fds = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (fx->loop), "fds-before"));

  g_main_context_pop_thread_default (gtkloop_loop_get_context (fx->loop));
  test_fixture_teardown (state);
  assert_int_equal (test_count_open_fds (), fds);
  return 0;
}

static void
assert_bytes_equal (GBytes     *bytes,
                    const char *expected)
{
  gsize len;
  const char *data;

  assert_non_null (bytes);
  data = g_bytes_get_data (bytes, &len);
  assert_int_equal (len, strlen (expected));
  assert_memory_equal (data, expected, len);
}

static GtkloopStreamServer *
start_tcp_server (GtkloopStreamHandler handler,
                  gpointer             data)
{
  g_autoptr(GError) error = NULL;
  GtkloopStreamServer *server = gtkloop_start_server (handler, data, NULL, "127.0.0.1", 0, &error);

  assert_null (error);
  assert_non_null (server);
  assert_true (gtkloop_stream_server_get_port (server) > 0);
  return server;
}

static void
connect_tcp (GtkloopStreamServer  *server,
             GtkloopStreamReader **reader,
             GtkloopStreamWriter **writer)
{
  g_autoptr(GError) error = NULL;

  assert_true (gtkloop_open_connection ("127.0.0.1", gtkloop_stream_server_get_port (server),
                                        reader, writer, &error));
  assert_null (error);
}

static void
close_server (GtkloopStreamServer *server)
{
  g_autoptr(GError) error = NULL;

  gtkloop_stream_server_close (server);
  assert_false (gtkloop_stream_server_is_serving (server));
  assert_true (gtkloop_stream_server_wait_closed (server, &error));
  gtkloop_stream_server_unref (server);
}

static void
close_writer (GtkloopStreamWriter *writer)
{
  gtkloop_stream_writer_close (writer);
  assert_true (gtkloop_stream_writer_is_closing (writer));
  assert_true (gtkloop_stream_writer_wait_closed (writer, NULL));
}

/* The twin ---------------------------------------------------------------- */

static void
echo_handler (GtkloopStreamReader *reader,
              GtkloopStreamWriter *writer,
              gpointer             data)
{
  GtkloopEvent *done = data;
  g_autoptr(GBytes) line = gtkloop_stream_reader_readline (reader, NULL);
  g_autofree char *line_text = test_py_bytes (line);
  g_autofree char *upper = g_ascii_strup (g_bytes_get_data (line, NULL), g_bytes_get_size (line));
  g_autoptr(GBytes) bye = NULL;
  g_autoptr(GBytes) rest = NULL;
  g_autofree char *bye_text = NULL;
  g_autofree char *rest_text = NULL;

  test_print (test_current, "server: got %s", line_text);
  assert_true (gtkloop_stream_writer_write (writer, upper, g_bytes_get_size (line), NULL));
  assert_true (gtkloop_stream_writer_drain (writer, NULL));
  test_print (test_current, "server: replied");
  bye = gtkloop_stream_reader_readexactly (reader, 4, NULL);
  bye_text = test_py_bytes (bye);
  test_print (test_current, "server: got %s", bye_text);
  assert_true (gtkloop_stream_writer_write_eof (writer, NULL));
  test_print (test_current, "server: eof sent");
  rest = gtkloop_stream_reader_read (reader, -1, NULL);
  rest_text = test_py_bytes (rest);
  test_print (test_current, "server: rest %s, at eof %s", rest_text,
              test_py_bool (gtkloop_stream_reader_at_eof (reader)));
  close_writer (writer);
  gtkloop_event_set (done);
}

static void
echo_twin_task (GtkloopTask *task,
                gpointer     data)
{
  g_autoptr(GtkloopEvent) done = gtkloop_event_new ();
  GtkloopStreamServer *server = start_tcp_server (echo_handler, done);
  g_autoptr(GtkloopStreamReader) reader = NULL;
  g_autoptr(GtkloopStreamWriter) writer = NULL;
  g_autoptr(GBytes) reply = NULL;
  g_autoptr(GBytes) tail = NULL;
  g_autofree char *reply_text = NULL;
  g_autofree char *tail_text = NULL;
  GInetSocketAddress *peer;

  connect_tcp (server, &reader, &writer);
  peer = G_INET_SOCKET_ADDRESS (gtkloop_stream_writer_get_peer_address (writer));
  assert_int_equal (g_inet_socket_address_get_port (peer), gtkloop_stream_server_get_port (server));
  assert_true (G_IS_SOCKET (gtkloop_stream_writer_get_socket (writer)));
  test_print (test_current, "client: connected");
  assert_true (gtkloop_stream_writer_write (writer, "hello\n", 6, NULL));
  assert_true (gtkloop_stream_writer_drain (writer, NULL));
  test_print (test_current, "client: sent hello");
  reply = gtkloop_stream_reader_readline (reader, NULL);
  reply_text = test_py_bytes (reply);
  test_print (test_current, "client: got %s", reply_text);
  assert_true (gtkloop_stream_writer_write (writer, "bye!", 4, NULL));
  assert_true (gtkloop_stream_writer_drain (writer, NULL));
  test_print (test_current, "client: sent bye!");
  tail = gtkloop_stream_reader_read (reader, -1, NULL);
  tail_text = test_py_bytes (tail);
  test_print (test_current, "client: read %s, at eof %s", tail_text,
              test_py_bool (gtkloop_stream_reader_at_eof (reader)));
  close_writer (writer);
  assert_true (gtkloop_event_wait (done, NULL));
  test_print (test_current, "client: closed, server handler done");
  close_server (server);
  test_print (test_current, "main: server closed");
}

static void
test_echo_twin (void **state)
{
  TestFixture *fx = *state;

  test_run_task (echo_twin_task, NULL);
  test_assert_matches_twin ("stream_echo", fx->out->str);
}

/* Lines and exact reads over a Unix socket ----------------------------------- */

static void
line_echo_handler (GtkloopStreamReader *reader,
                   GtkloopStreamWriter *writer,
                   gpointer             data)
{
  for (;;)
    {
      g_autoptr(GBytes) line = gtkloop_stream_reader_readline (reader, NULL);

      if (line == NULL || g_bytes_get_size (line) == 0)
        break;
      if (!gtkloop_stream_writer_write_bytes (writer, line, NULL) ||
          !gtkloop_stream_writer_drain (writer, NULL))
        break;
    }
}

static void
unix_echo_task (GtkloopTask *task,
                gpointer     data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("gtkloop-streams-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "echo.sock", NULL);
  GtkloopStreamServer *server;
  g_autoptr(GtkloopStreamReader) reader = NULL;
  g_autoptr(GtkloopStreamWriter) writer = NULL;
  g_autoptr(GBytes) first = NULL;
  g_autoptr(GBytes) second = NULL;
  g_autoptr(GBytes) until = NULL;
  g_autoptr(GBytes) rest = NULL;

  assert_non_null (dir);
  server = gtkloop_start_unix_server (line_echo_handler, NULL, NULL, path, &error);
  assert_non_null (server);
  assert_int_equal (gtkloop_stream_server_get_port (server), 0);
  assert_true (gtkloop_open_unix_connection (path, &reader, &writer, &error));

  /* Three lines in one write: they come back as they went. */
  assert_true (gtkloop_stream_writer_write (writer, "one\ntwo\nthree;four\n", 19, NULL));
  first = gtkloop_stream_reader_readline (reader, &error);
  assert_bytes_equal (first, "one\n");
  second = gtkloop_stream_reader_readexactly (reader, 4, &error);
  assert_bytes_equal (second, "two\n");
  until = gtkloop_stream_reader_readuntil (reader, ";", 1, &error);
  assert_bytes_equal (until, "three;");
  rest = gtkloop_stream_reader_readline (reader, &error);
  assert_bytes_equal (rest, "four\n");

  close_writer (writer);
  close_server (server);
  /* The server removed its socket file. */
  assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
  assert_int_equal (g_rmdir (dir), 0);
}

static void
test_unix_echo (void **state)
{
  test_run_task (unix_echo_task, NULL);
}

/* Flow control ------------------------------------------------------------ */

#define N_LINES 20000
#define LINE "0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmn\n"

typedef struct
{
  guint lines_seen;
  guint bytes_bad;
} Counted;

/* Small kernel buffers, so that what the peer does not read yet piles up
 * in the writer's buffer rather than the kernel's. */
static void
shrink_kernel_buffers (GtkloopStreamWriter *writer)
{
  GSocket *socket = gtkloop_stream_writer_get_socket (writer);

  assert_true (g_socket_set_option (socket, SOL_SOCKET, SO_SNDBUF, 16384, NULL));
  assert_true (g_socket_set_option (socket, SOL_SOCKET, SO_RCVBUF, 16384, NULL));
}

static void
slow_counting_handler (GtkloopStreamReader *reader,
                       GtkloopStreamWriter *writer,
                       gpointer             data)
{
  Counted *counted = data;

  shrink_kernel_buffers (writer);
  for (;;)
    {
      g_autoptr(GBytes) line = gtkloop_stream_reader_readline (reader, NULL);

      if (line == NULL || g_bytes_get_size (line) == 0)
        break;
      if (g_bytes_get_size (line) != strlen (LINE))
        counted->bytes_bad++;
      /* A slow consumer: the client's buffer must fill up. */
      if (++counted->lines_seen % 500 == 0)
        gtkloop_sleep (0.001, NULL);
    }
}

static void
drain_task (GtkloopTask *task,
            gpointer     data)
{
  Counted counted = { 0 };
  GtkloopStreamServer *server = start_tcp_server (slow_counting_handler, &counted);
  g_autoptr(GtkloopStreamReader) reader = NULL;
  g_autoptr(GtkloopStreamWriter) writer = NULL;
  const gsize high = 4096, low = 1024;
  guint n_waits = 0;
  gsize largest = 0;

  connect_tcp (server, &reader, &writer);
  shrink_kernel_buffers (writer);
  gtkloop_stream_writer_set_write_buffer_limits (writer, high, low);
  for (guint i = 0; i < N_LINES; i++)
    {
      gsize size;

      assert_true (gtkloop_stream_writer_write (writer, LINE, strlen (LINE), NULL));
      size = gtkloop_stream_writer_get_write_buffer_size (writer);
      largest = MAX (largest, size);
      if (size > high)
        n_waits++;

      assert_true (gtkloop_stream_writer_drain (writer, NULL));
      /* Above the high-water mark, drain waits down to the low one. */
      if (size > high)
        assert_true (gtkloop_stream_writer_get_write_buffer_size (writer) <= low);
    }
  /* Bounded: never more than the mark and one line. */
  assert_true (largest <= high + strlen (LINE));
  assert_true (n_waits > 0);
  close_writer (writer);
  close_server (server);
  assert_int_equal (counted.lines_seen, N_LINES);
  assert_int_equal (counted.bytes_bad, 0);
}

static void
test_drain_flow_control (void **state)
{
  test_run_task (drain_task, NULL);
}

/* One big write, sent in many pieces from the buffer. */
#define BIG (4 * 1024 * 1024 + 17)

static void
big_reading_handler (GtkloopStreamReader *reader,
                     GtkloopStreamWriter *writer,
                     gpointer             data)
{
  g_autoptr(GBytes) all = gtkloop_stream_reader_readexactly (reader, BIG, NULL);
  const guint8 *bytes;
  guint *n_wrong = data;

  assert_non_null (all);
  bytes = g_bytes_get_data (all, NULL);
  for (gsize i = 0; i < BIG; i++)
    if (bytes[i] != (guint8) (i * 7))
      (*n_wrong)++;
  assert_true (gtkloop_stream_writer_write (writer, "ok\n", 3, NULL));
}

static void
big_write_task (GtkloopTask *task,
                gpointer     data)
{
  guint n_wrong = 0;
  GtkloopStreamServer *server = start_tcp_server (big_reading_handler, &n_wrong);
  g_autoptr(GtkloopStreamReader) reader = NULL;
  g_autoptr(GtkloopStreamWriter) writer = NULL;
  g_autofree guint8 *bytes = g_malloc (BIG);
  g_autoptr(GBytes) ok = NULL;

  for (gsize i = 0; i < BIG; i++)
    bytes[i] = (guint8) (i * 7);
  connect_tcp (server, &reader, &writer);
  assert_true (gtkloop_stream_writer_write (writer, bytes, BIG, NULL));
  ok = gtkloop_stream_reader_readline (reader, NULL);
  assert_bytes_equal (ok, "ok\n");
  assert_int_equal (gtkloop_stream_writer_get_write_buffer_size (writer), 0);
  close_writer (writer);
  close_server (server);
  assert_int_equal (n_wrong, 0);
}

static void
test_big_write (void **state)
{
  test_run_task (big_write_task, NULL);
}

/* read (-1) of much more than the limit ----------------------------------- */

static void
big_sending_handler (GtkloopStreamReader *reader,
                     GtkloopStreamWriter *writer,
                     gpointer             data)
{
  gboolean close_after = GPOINTER_TO_INT (data);
  g_autofree guint8 *bytes = g_malloc (BIG);
  g_autoptr(GBytes) go = gtkloop_stream_reader_readline (reader, NULL);

  for (gsize i = 0; i < BIG; i++)
    bytes[i] = (guint8) (i * 7);
  assert_true (gtkloop_stream_writer_write (writer, bytes, BIG, NULL));
  assert_true (gtkloop_stream_writer_drain (writer, NULL));
  if (close_after)
    close_writer (writer);
  else
    {
      /* Hold the connection open until the client is done. */
      g_autoptr(GBytes) rest = gtkloop_stream_reader_read (reader, -1, NULL);
    }
}

static void
assert_big_pattern (GBytes *bytes)
{
  const guint8 *data;
  gsize len;
  guint n_wrong = 0;

  assert_non_null (bytes);
  data = g_bytes_get_data (bytes, &len);
  assert_int_equal (len, BIG);
  for (gsize i = 0; i < BIG; i++)
    if (data[i] != (guint8) (i * 7))
      n_wrong++;
  assert_int_equal (n_wrong, 0);
}

static void
read_all_big_task (GtkloopTask *task,
                   gpointer     data)
{
  GtkloopStreamServer *server = start_tcp_server (big_sending_handler, GINT_TO_POINTER (TRUE));
  g_autoptr(GtkloopStreamReader) reader = NULL;
  g_autoptr(GtkloopStreamWriter) writer = NULL;
  g_autoptr(GBytes) all = NULL;
  g_autoptr(GError) error = NULL;

  connect_tcp (server, &reader, &writer);
  assert_true (gtkloop_stream_writer_write (writer, "go\n", 3, NULL));
  all = gtkloop_stream_reader_read (reader, -1, &error);
  assert_null (error);
  assert_big_pattern (all);
  assert_true (gtkloop_stream_reader_at_eof (reader));
  close_writer (writer);
  close_server (server);
}

/* 4 MiB, 64 times the limit, all in one read (-1). */
static void
test_read_all_big (void **state)
{
  test_run_task (read_all_big_task, NULL);
}

static void
read_all_interrupted_task (GtkloopTask *task,
                           gpointer     data)
{
  GtkloopStreamServer *server = start_tcp_server (big_sending_handler, GINT_TO_POINTER (FALSE));
  g_autoptr(GtkloopStreamReader) reader = NULL;
  g_autoptr(GtkloopStreamWriter) writer = NULL;
  g_autoptr(GtkloopTimeout) timeout = NULL;
  g_autoptr(GBytes) nothing = NULL;
  g_autoptr(GBytes) all = NULL;
  g_autoptr(GError) error = NULL;

  connect_tcp (server, &reader, &writer);
  assert_true (gtkloop_stream_writer_write (writer, "go\n", 3, NULL));
  /* The peer sends everything and keeps the connection open: the read
   * gathers it all, then the timeout cancels it. */
  timeout = gtkloop_timeout_new (0.5);
  nothing = gtkloop_stream_reader_read (reader, -1, &error);
  assert_null (nothing);
  assert_false (gtkloop_timeout_exit (timeout, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  /* Nothing was lost: it is all back in the reader, in order. */
  assert_int_equal (gtkloop_stream_reader_get_buffer_size (reader), BIG);
  all = gtkloop_stream_reader_readexactly (reader, BIG, NULL);
  assert_big_pattern (all);
  close_writer (writer);
  close_server (server);
}

static void
test_read_all_interrupted (void **state)
{
  test_run_task (read_all_interrupted_task, NULL);
}

/* A peer that resets ---------------------------------------------------------- */

static void
resetting_handler (GtkloopStreamReader *reader,
                   GtkloopStreamWriter *writer,
                   gpointer             data)
{
  struct linger linger = { .l_onoff = 1, .l_linger = 0 };
  g_autoptr(GBytes) line = gtkloop_stream_reader_readline (reader, NULL);
  int fd = g_socket_get_fd (gtkloop_stream_writer_get_socket (writer));

  /* Closing with a zero linger sends a reset, not an end. */
  assert_int_equal (setsockopt (fd, SOL_SOCKET, SO_LINGER, &linger, sizeof linger), 0);
  close_writer (writer);
}

static void
reset_task (GtkloopTask *task,
            gpointer     data)
{
  GtkloopStreamServer *server = start_tcp_server (resetting_handler, NULL);
  g_autoptr(GtkloopStreamReader) reader = NULL;
  g_autoptr(GtkloopStreamWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) nothing = NULL;

  connect_tcp (server, &reader, &writer);
  assert_true (gtkloop_stream_writer_write (writer, "hi\n", 3, NULL));
  nothing = gtkloop_stream_reader_read (reader, 100, &error);
  assert_null (nothing);
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED));
  g_clear_error (&error);
  /* The connection is gone both ways: writing says so too. */
  assert_false (gtkloop_stream_writer_write (writer, "more", 4, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED));
  g_clear_error (&error);
  assert_false (gtkloop_stream_writer_drain (writer, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED));
  close_writer (writer);
  close_server (server);
}

static void
test_reset_on_read (void **state)
{
  test_run_task (reset_task, NULL);
}

/* Writing only, to a peer that reset: the send fails (EPIPE or ECONNRESET). */
static void
write_after_reset_task (GtkloopTask *task,
                        gpointer     data)
{
  GtkloopStreamServer *server = start_tcp_server (resetting_handler, NULL);
  g_autoptr(GtkloopStreamReader) reader = NULL;
  g_autoptr(GtkloopStreamWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  static const char chunk[1024];
  gboolean ok = TRUE;

  connect_tcp (server, &reader, &writer);
  assert_true (gtkloop_stream_writer_write (writer, "hi\n", 3, NULL));
  gtkloop_sleep (0.05, NULL);   /* the reset has arrived; nobody reads it */
  for (int i = 0; i < 1000 && ok; i++)
    {
      ok = gtkloop_stream_writer_write (writer, chunk, sizeof chunk, &error) &&
           gtkloop_stream_writer_drain (writer, &error);
      if (ok)
        gtkloop_sleep (0.001, NULL);
    }
  assert_false (ok);
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED) ||
               g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE));
  close_writer (writer);
  close_server (server);
}

static void
test_reset_on_write (void **state)
{
  test_run_task (write_after_reset_task, NULL);
}

/* A half-close ------------------------------------------------------------- */

static void
half_closing_handler (GtkloopStreamReader *reader,
                      GtkloopStreamWriter *writer,
                      gpointer             data)
{
  g_autoptr(GBytes) question = NULL;

  /* What is written before the end arrives first; then the end. */
  assert_true (gtkloop_stream_writer_write (writer, "tail", 4, NULL));
  assert_true (gtkloop_stream_writer_write_eof (writer, NULL));
  assert_false (gtkloop_stream_writer_write (writer, "x", 1, NULL));
  /* This side still reads. */
  question = gtkloop_stream_reader_readline (reader, NULL);
  assert_bytes_equal (question, "still there?\n");
  close_writer (writer);
}

static void
half_close_task (GtkloopTask *task,
                 gpointer     data)
{
  GtkloopStreamServer *server = start_tcp_server (half_closing_handler, NULL);
  g_autoptr(GtkloopStreamReader) reader = NULL;
  g_autoptr(GtkloopStreamWriter) writer = NULL;
  g_autoptr(GBytes) tail = NULL;
  g_autoptr(GBytes) end = NULL;
  g_autoptr(GBytes) end_line = NULL;
  g_autoptr(GBytes) after_close = NULL;

  connect_tcp (server, &reader, &writer);
  tail = gtkloop_stream_reader_readexactly (reader, 4, NULL);
  assert_bytes_equal (tail, "tail");
  end = gtkloop_stream_reader_read (reader, 100, NULL);
  assert_bytes_equal (end, "");
  end_line = gtkloop_stream_reader_readline (reader, NULL);
  assert_bytes_equal (end_line, "");
  assert_true (gtkloop_stream_reader_at_eof (reader));
  /* The other direction is open. */
  assert_true (gtkloop_stream_writer_write (writer, "still there?\n", 13, NULL));
  assert_true (gtkloop_stream_writer_drain (writer, NULL));
  close_writer (writer);
  after_close = gtkloop_stream_reader_read (reader, -1, NULL);
  assert_bytes_equal (after_close, "");
  close_server (server);
}

static void
test_half_close (void **state)
{
  test_run_task (half_close_task, NULL);
}

/* Early end: readexactly and readuntil keep the partial data ----------------- */

static void
short_handler (GtkloopStreamReader *reader,
               GtkloopStreamWriter *writer,
               gpointer             data)
{
  assert_true (gtkloop_stream_writer_write (writer, (const char *) data, strlen (data), NULL));
  close_writer (writer);
}

static void
partial_task (GtkloopTask *task,
              gpointer     data)
{
  GtkloopStreamServer *server = start_tcp_server (short_handler, "no separator here");
  g_autoptr(GtkloopStreamReader) reader = NULL;
  g_autoptr(GtkloopStreamWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) partial = NULL;

  connect_tcp (server, &reader, &writer);
  assert_null (gtkloop_stream_reader_readexactly (reader, 100, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT));
  g_clear_error (&error);
  assert_null (gtkloop_stream_reader_readuntil (reader, "\r\n", 2, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT));
  assert_false (gtkloop_stream_reader_at_eof (reader));
  partial = gtkloop_stream_reader_read (reader, -1, NULL);
  assert_bytes_equal (partial, "no separator here");
  assert_true (gtkloop_stream_reader_at_eof (reader));
  close_writer (writer);
  close_server (server);
}

static void
test_partial_at_eof (void **state)
{
  test_run_task (partial_task, NULL);
}

/* An over-long line ---------------------------------------------------------- */

static void
long_line_handler (GtkloopStreamReader *reader,
                   GtkloopStreamWriter *writer,
                   gpointer             data)
{
  gsize len = GPOINTER_TO_SIZE (data);
  g_autofree char *line = g_malloc (len);

  memset (line, 'x', len - 1);
  line[len - 1] = '\n';
  assert_true (gtkloop_stream_writer_write (writer, line, len, NULL));
  assert_true (gtkloop_stream_writer_write (writer, "short\n", 6, NULL));
  assert_true (gtkloop_stream_writer_drain (writer, NULL));
  close_writer (writer);
}

static void
long_line_task (GtkloopTask *task,
                gpointer     data)
{
  const gsize len = GTKLOOP_STREAM_DEFAULT_LIMIT + 5000;
  GtkloopStreamServer *server = start_tcp_server (long_line_handler, GSIZE_TO_POINTER (len));
  g_autoptr(GtkloopStreamReader) reader = NULL;
  g_autoptr(GtkloopStreamWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) kept = NULL;
  g_autoptr(GBytes) next = NULL;
  const char *data_kept;

  connect_tcp (server, &reader, &writer);
  assert_int_equal (gtkloop_stream_reader_get_limit (reader), 64 * 1024);
  assert_null (gtkloop_stream_reader_readline (reader, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE));
  assert_non_null (strstr (error->message, "limit"));
  /* Nothing was lost: the whole line is still there. */
  assert_true (gtkloop_stream_reader_get_buffer_size (reader) > GTKLOOP_STREAM_DEFAULT_LIMIT);
  kept = gtkloop_stream_reader_readexactly (reader, len, NULL);
  assert_non_null (kept);
  data_kept = g_bytes_get_data (kept, NULL);
  assert_int_equal (data_kept[0], 'x');
  assert_int_equal (data_kept[len - 2], 'x');
  assert_int_equal (data_kept[len - 1], '\n');
  next = gtkloop_stream_reader_readline (reader, NULL);
  assert_bytes_equal (next, "short\n");
  close_writer (writer);
  close_server (server);
}

static void
test_line_too_long (void **state)
{
  test_run_task (long_line_task, NULL);
}

/* A small limit: a separator found past it is refused too. */
static void
small_limit_task (GtkloopTask *task,
                  gpointer     data)
{
  GtkloopStreamServer *server = start_tcp_server (short_handler, "0123456789abcdef;rest");
  g_autoptr(GtkloopStreamReader) reader = NULL;
  g_autoptr(GtkloopStreamWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) all = NULL;

  connect_tcp (server, &reader, &writer);
  gtkloop_stream_reader_set_limit (reader, 8);
  gtkloop_sleep (0.05, NULL);   /* everything has arrived */
  assert_null (gtkloop_stream_reader_readuntil (reader, ";", 1, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE));
  gtkloop_stream_reader_set_limit (reader, 64);
  all = gtkloop_stream_reader_readuntil (reader, ";", 1, NULL);
  assert_bytes_equal (all, "0123456789abcdef;");
  close_writer (writer);
  close_server (server);
}

static void
test_small_limit (void **state)
{
  test_run_task (small_limit_task, NULL);
}

/* A peer that never answers ------------------------------------------------ */

static void
silent_handler (GtkloopStreamReader *reader,
                GtkloopStreamWriter *writer,
                gpointer             data)
{
  g_autoptr(GBytes) all = gtkloop_stream_reader_read (reader, -1, NULL);   /* until the client goes */
}

static void
timeout_task (GtkloopTask *task,
              gpointer     data)
{
  GtkloopStreamServer *server = start_tcp_server (silent_handler, NULL);
  g_autoptr(GtkloopStreamReader) reader = NULL;
  g_autoptr(GtkloopStreamWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopTimeout) timeout = NULL;
  g_autoptr(GBytes) line = NULL;

  connect_tcp (server, &reader, &writer);
  timeout = gtkloop_timeout_new (0.05);
  line = gtkloop_stream_reader_readline (reader, &error);
  assert_null (line);
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  /* The scope's error is in/out: the body's cancellation becomes the timeout. */
  assert_false (gtkloop_timeout_exit (timeout, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  /* The stream is usable afterwards. */
  assert_true (gtkloop_stream_writer_write (writer, "late\n", 5, NULL));
  close_writer (writer);
  close_server (server);
}

static void
test_timeout (void **state)
{
  test_run_task (timeout_task, NULL);
}

/* Connection refused --------------------------------------------------------- */

static void
refused_task (GtkloopTask *task,
              gpointer     data)
{
  g_autoptr(GtkloopStreamReader) reader = NULL;
  g_autoptr(GtkloopStreamWriter) writer = NULL;
  g_autoptr(GError) error = NULL;
  GtkloopStreamServer *server = start_tcp_server (silent_handler, NULL);
  guint16 port = gtkloop_stream_server_get_port (server);
  g_autofree char *missing = g_build_filename (g_get_tmp_dir (), "gtkloop-no-such-socket", NULL);

  close_server (server);   /* now nobody listens on port */
  assert_false (gtkloop_open_connection ("127.0.0.1", port, &reader, &writer, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED));
  assert_null (reader);
  assert_null (writer);
  g_clear_error (&error);
  assert_false (gtkloop_open_unix_connection (missing, &reader, &writer, &error));
  assert_non_null (error);
}

static void
test_connection_refused (void **state)
{
  test_run_task (refused_task, NULL);
}

/* A thousand idle connections --------------------------------------------------- */

#define N_IDLE 1000

static void
thousand_task (GtkloopTask *task,
               gpointer     data)
{
  GtkloopStreamServer *server = start_tcp_server (line_echo_handler, NULL);
  GtkloopStreamReader **readers = g_new0 (GtkloopStreamReader *, N_IDLE);
  GtkloopStreamWriter **writers = g_new0 (GtkloopStreamWriter *, N_IDLE);
  g_autoptr(GBytes) echo = NULL;

  for (guint i = 0; i < N_IDLE; i++)
    connect_tcp (server, &readers[i], &writers[i]);
  gtkloop_sleep (0.01, NULL);   /* every handler waits in readline */
  assert_true (gtkloop_stream_writer_write (writers[N_IDLE / 2], "ping\n", 5, NULL));
  echo = gtkloop_stream_reader_readline (readers[N_IDLE / 2], NULL);
  assert_bytes_equal (echo, "ping\n");
  for (guint i = 0; i < N_IDLE; i++)
    {
      gtkloop_stream_writer_close (writers[i]);
      gtkloop_stream_writer_unref (writers[i]);
      gtkloop_stream_reader_unref (readers[i]);
    }
  close_server (server);   /* waits for the thousand handlers to see the end */
  g_free (readers);
  g_free (writers);
}

static void
test_thousand_idle (void **state)
{
  test_raise_fd_limit (4 * N_IDLE);
  test_run_task (thousand_task, NULL);
}

/* Closing the loop with streams open ------------------------------------------- */

typedef struct
{
  GtkloopStreamServer *server;
  GtkloopStreamReader *reader;
  GtkloopStreamWriter *writer;
  DestroyCounter       destroyed;
} LeftOpen;

static void
leave_open_task (GtkloopTask *task,
                 gpointer     data)
{
  LeftOpen *open = data;
  g_autoptr(GError) error = NULL;

  open->server = gtkloop_start_server (silent_handler, &open->destroyed, test_destroy_count,
                                       "127.0.0.1", 0, &error);
  assert_non_null (open->server);
  connect_tcp (open->server, &open->reader, &open->writer);
  assert_true (gtkloop_stream_writer_write (open->writer, "unread\n", 7, NULL));
  gtkloop_sleep (0.01, NULL);
}

static void
test_loop_close_closes_streams (void **state)
{
  TestFixture *fx = *state;
  LeftOpen open = { 0 };

  test_run_task (leave_open_task, &open);
  gtkloop_loop_close (fx->loop);
  assert_false (gtkloop_stream_server_is_serving (open.server));
  assert_true (gtkloop_stream_writer_is_closing (open.writer));
  assert_true (gtkloop_stream_reader_at_eof (open.reader));
  assert_int_equal (open.destroyed.count, 0);
  gtkloop_stream_server_unref (open.server);
  assert_int_equal (open.destroyed.count, 1);
  gtkloop_stream_reader_unref (open.reader);
  gtkloop_stream_writer_unref (open.writer);
}

/* Misuse -------------------------------------------------------------------- */

static void
outside_task_handler (GtkloopStreamReader *reader,
                      GtkloopStreamWriter *writer,
                      gpointer             data)
{
  *(GtkloopStreamReader **) data = gtkloop_stream_reader_ref (reader);
}

static void
test_outside_task (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GError) error = NULL;
  GtkloopStreamReader *reader = NULL, *client_reader = NULL;
  GtkloopStreamWriter *client_writer = NULL;
  GtkloopStreamServer *server;

  assert_false (gtkloop_open_connection ("127.0.0.1", 1, &client_reader, &client_writer, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_NOT_IN_TASK));
  g_clear_error (&error);

  /* Outside a task the server goes on the default loop: the fixture's. */
  server = gtkloop_start_server (outside_task_handler, &reader, NULL, "127.0.0.1", 0, &error);
  assert_non_null (server);
  g_clear_error (&error);
  assert_false (gtkloop_stream_server_wait_closed (server, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_NOT_IN_TASK));
  g_clear_error (&error);
  assert_null (gtkloop_start_server (outside_task_handler, NULL, NULL, "not-an-address", 0, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  gtkloop_stream_server_close (server);
  gtkloop_stream_server_unref (server);
  (void) fx;
}

/* GIO's first connection opens fds it keeps for good (its worker
 * thread's context): open them before any test counts. */
static void
warm_up_task (GtkloopTask *task,
              gpointer     data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopStreamServer) server = gtkloop_start_server (silent_handler, NULL, NULL,
                                                                "127.0.0.1", 0, &error);
  g_autoptr(GtkloopStreamReader) reader = NULL;
  g_autoptr(GtkloopStreamWriter) writer = NULL;

  g_assert_nonnull (server);
  if (gtkloop_open_connection ("127.0.0.1", gtkloop_stream_server_get_port (server),
                               &reader, &writer, &error))
    gtkloop_stream_writer_close (writer);
  gtkloop_stream_server_close (server);
}

static int
warm_up (void **state)
{
  return gtkloop_run (warm_up_task, NULL, NULL) ? 0 : -1;
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_echo_twin, setup, teardown),
    cmocka_unit_test_setup_teardown (test_unix_echo, setup, teardown),
    cmocka_unit_test_setup_teardown (test_drain_flow_control, setup, teardown),
    cmocka_unit_test_setup_teardown (test_big_write, setup, teardown),
    cmocka_unit_test_setup_teardown (test_read_all_big, setup, teardown),
    cmocka_unit_test_setup_teardown (test_read_all_interrupted, setup, teardown),
    cmocka_unit_test_setup_teardown (test_reset_on_read, setup, teardown),
    cmocka_unit_test_setup_teardown (test_reset_on_write, setup, teardown),
    cmocka_unit_test_setup_teardown (test_half_close, setup, teardown),
    cmocka_unit_test_setup_teardown (test_partial_at_eof, setup, teardown),
    cmocka_unit_test_setup_teardown (test_line_too_long, setup, teardown),
    cmocka_unit_test_setup_teardown (test_small_limit, setup, teardown),
    cmocka_unit_test_setup_teardown (test_timeout, setup, teardown),
    cmocka_unit_test_setup_teardown (test_connection_refused, setup, teardown),
    cmocka_unit_test_setup_teardown (test_thousand_idle, setup, teardown),
    cmocka_unit_test_setup_teardown (test_loop_close_closes_streams, setup, teardown),
    cmocka_unit_test_setup_teardown (test_outside_task, setup, teardown),
  };

  /* GTKLOOP_TEST_FILTER=test_name runs one test (cmocka's pattern). */
  if (g_getenv ("GTKLOOP_TEST_FILTER") != NULL)
    cmocka_set_test_filter (g_getenv ("GTKLOOP_TEST_FILTER"));
  return cmocka_run_group_tests (tests, warm_up, NULL);
}
