/* A connected socket on the loop's fd watches: asyncio's selector socket
 * transport and StreamReaderProtocol in one, shared by a stream's reader
 * and writer. A pipe to a child process is the same with read() and
 * write() for the socket calls, one way only (asyncio's pipe transports).
 *
 * Readiness comes from gtkloop_loop_add_reader/add_writer on the socket's
 * fd, not from GIO's *_async calls: each of those would add a GSource, one
 * more entry GLib polls on every iteration, while the loop's watches share
 * one epoll fd. Reading is eager, as in asyncio: the reader watch stays
 * installed and fills the buffer until it holds twice the limit; the
 * writer watch is there only while something waits to be sent.
 *
 * Writing is deferred, as uvloop does it: a write only appends to the
 * buffer and installs the writer watch, so everything written during one
 * loop iteration goes out in one send when the next finds the socket
 * writable. asyncio's selector loop sends each write at once, a system
 * call per write; an echo of 64-byte lines is five times as fast this way
 * (bench/, W10-echo). */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "destroy-notify-private.h"
#include "error-private.h"
#include "stream-transport-private.h"

#define READ_CHUNK (64 * 1024)
#define DEFAULT_HIGH_WATER (64 * 1024)

static void on_readable (gpointer data);
static void on_writable (gpointer data);

static void
close_fd (GtkloopStreamTransport *t)
{
  if (t->socket != NULL)
    g_socket_close (t->socket, NULL);
  else
    g_close (t->fd, NULL);
}

GtkloopStreamTransport *
gtkloop_stream_transport_ref (GtkloopStreamTransport *t)
{
  g_atomic_int_inc (&t->ref_count);
  return t;
}

void
gtkloop_stream_transport_unref (GtkloopStreamTransport *t)
{
  if (!g_atomic_int_dec_and_test (&t->ref_count))
    return;
  /* Every watch holds a reference, so none is left; the socket is closed
   * by the last user's release or by the loop's close. */
  g_assert (!t->reading && !t->writing);
  if (!t->closed)
    {
      close_fd (t);
      gtkloop_stream_registry_remove (t->loop, t);
    }
  g_clear_object (&t->socket);
  g_clear_object (&t->connection);
  g_clear_object (&t->peer);
  g_byte_array_unref (t->rbuf);
  g_byte_array_unref (t->wbuf);
  g_clear_error (&t->read_error);
  g_clear_error (&t->write_error);
  g_clear_pointer (&t->read_waiter, gtkloop_future_unref);
  g_ptr_array_unref (t->drain_waiters);
  gtkloop_future_unref (t->closed_future);
  g_object_unref (t->loop);
  g_free (t);
}

static void
unref_cb (gpointer data)
{
  gtkloop_stream_transport_unref (data);
}

static gboolean
start_reading (GtkloopStreamTransport *t,
               GError                **error)
{
  if (t->reading || t->eof || t->closed)
    return TRUE;
  if (!gtkloop_loop_add_reader (t->loop, t->fd, on_readable,
                                gtkloop_stream_transport_ref (t), unref_cb, error))
    return FALSE;
  t->reading = TRUE;
  return TRUE;
}

static void
stop_reading (GtkloopStreamTransport *t)
{
  if (!t->reading)
    return;
  t->reading = FALSE;
  /* The watch's reference goes with it: keep t alive until we return. */
  gtkloop_stream_transport_ref (t);
  gtkloop_loop_remove_reader (t->loop, t->fd);
  gtkloop_stream_transport_unref (t);
}

static void
stop_writing (GtkloopStreamTransport *t)
{
  if (!t->writing)
    return;
  t->writing = FALSE;
  gtkloop_stream_transport_ref (t);
  gtkloop_loop_remove_writer (t->loop, t->fd);
  gtkloop_stream_transport_unref (t);
}

static void
close_hook_cb (gpointer data)
{
  g_autoptr(GError) why = g_error_new (GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED,
                                       "The event loop was closed with the connection open");

  gtkloop_stream_transport_abort (data, g_steal_pointer (&why));
}

static GtkloopStreamTransport *
transport_new (GtkloopLoop *loop,
               int          fd)
{
  GtkloopStreamTransport *t = g_new0 (GtkloopStreamTransport, 1);

  t->ref_count = 1;
  t->loop = g_object_ref (loop);
  t->fd = fd;
  t->rbuf = g_byte_array_new ();
  t->limit = GTKLOOP_STREAM_DEFAULT_LIMIT;
  t->wbuf = g_byte_array_new ();
  t->high_water = DEFAULT_HIGH_WATER;
  t->low_water = DEFAULT_HIGH_WATER / 4;
  t->drain_waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) gtkloop_future_unref);
  t->closed_future = gtkloop_future_new (loop);
  gtkloop_stream_registry_add (loop, t, close_hook_cb);
  return t;
}

static GtkloopStreamTransport *
start_or_abort (GtkloopStreamTransport *t,
                GError                **error)
{
  if (!start_reading (t, error))
    {
      gtkloop_stream_transport_abort (t, NULL);
      gtkloop_stream_transport_unref (t);
      return NULL;
    }
  return t;
}

GtkloopStreamTransport *
gtkloop_stream_transport_new (GtkloopLoop *loop,
                              GSocket     *socket,
                              GObject     *connection,
                              GError     **error)
{
  GtkloopStreamTransport *t = transport_new (loop, g_socket_get_fd (socket));

  t->socket = socket;
  t->connection = connection;
  t->peer = g_socket_get_remote_address (socket, NULL);
  g_socket_set_blocking (socket, FALSE);
  return start_or_abort (t, error);
}

GtkloopStreamTransport *
gtkloop_stream_transport_new_pipe (GtkloopLoop *loop,
                                   int          fd,
                                   gboolean     writable,
                                   GError     **error)
{
  GtkloopStreamTransport *t;

  if (!g_unix_set_fd_nonblocking (fd, TRUE, error))
    {
      g_close (fd, NULL);
      return NULL;
    }
  t = transport_new (loop, fd);
  if (writable)
    t->eof = TRUE;       /* nothing to read: no reader watch */
  else
    t->eof_requested = t->eof_sent = TRUE;   /* nothing to send */
  return start_or_abort (t, error);
}

void
gtkloop_stream_transport_use (GtkloopStreamTransport *t)
{
  t->n_users++;
  gtkloop_stream_transport_ref (t);
}

void
gtkloop_stream_transport_release (GtkloopStreamTransport *t)
{
  if (--t->n_users == 0)
    gtkloop_stream_transport_close (t);
  gtkloop_stream_transport_unref (t);
}

static void
drop_unsent (GtkloopStreamTransport *t)
{
  g_byte_array_set_size (t->wbuf, 0);
  t->wbuf_sent = 0;
}

/* Waking ---------------------------------------------------------------- */

static void
wake_reader (GtkloopStreamTransport *t)
{
  GtkloopFuture *waiter = g_steal_pointer (&t->read_waiter);

  if (waiter != NULL)
    {
      gtkloop_future_set_result (waiter, NULL, NULL);
      gtkloop_future_unref (waiter);
    }
}

static void
wake_drainers (GtkloopStreamTransport *t)
{
  g_autoptr(GPtrArray) waiters = NULL;

  if (t->drain_waiters->len == 0)
    return;
  waiters = g_steal_pointer (&t->drain_waiters);
  t->drain_waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) gtkloop_future_unref);
  for (guint i = 0; i < waiters->len; i++)
    gtkloop_future_set_result (waiters->pdata[i], NULL, NULL);
}

/* The peer's reset reads as ECONNRESET; GIO names it CONNECTION_CLOSED
 * (the same code as BROKEN_PIPE), which is what a stream reports. */
static GError *
connection_error (GError     *error,
                  const char *what)
{
  g_prefix_error (&error, "%s: ", what);
  return error;
}

/* Closing --------------------------------------------------------------- */

static void
really_close (GtkloopStreamTransport *t)
{
  if (t->closed)
    return;
  gtkloop_stream_transport_ref (t);
  stop_reading (t);
  stop_writing (t);
  t->closed = TRUE;
  t->eof = TRUE;
  close_fd (t);
  gtkloop_stream_registry_remove (t->loop, t);
  wake_reader (t);
  wake_drainers (t);
  gtkloop_future_set_result (t->closed_future, NULL, NULL);
  gtkloop_stream_transport_unref (t);
}

void
gtkloop_stream_transport_close (GtkloopStreamTransport *t)
{
  if (t->closing || t->closed)
    return;
  t->closing = TRUE;
  /* Like asyncio's transport.close: no more reading, what is buffered
   * for sending is still sent. */
  stop_reading (t);
  t->eof = TRUE;
  wake_reader (t);
  if (gtkloop_stream_transport_unsent (t) == 0)
    really_close (t);
}

void
gtkloop_stream_transport_abort (GtkloopStreamTransport *t,
                                GError                 *why)
{
  if (why != NULL)
    {
      if (t->read_error == NULL && !t->eof)
        t->read_error = g_error_copy (why);
      if (t->write_error == NULL)
        t->write_error = g_error_copy (why);
      g_error_free (why);
    }
  t->closing = TRUE;
  drop_unsent (t);
  really_close (t);
}

/* Reading --------------------------------------------------------------- */

/* GIO's error for errno, as g_socket_receive and g_socket_send give it. */
static void
set_errno_error (GError **error,
                 int      errsv)
{
  g_set_error_literal (error, G_IO_ERROR, g_io_error_from_errno (errsv), g_strerror (errsv));
}

static gssize
receive_some (GtkloopStreamTransport *t,
              char                   *buffer,
              gsize                   len,
              GError                **error)
{
  gssize n;

  if (t->socket != NULL)
    return g_socket_receive (t->socket, buffer, len, NULL, error);
  do
    n = read (t->fd, buffer, len);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    set_errno_error (error, errno);
  return n;
}

static void
on_readable (gpointer data)
{
  GtkloopStreamTransport *t = data;
  g_autoptr(GError) error = NULL;
  /* On the loop's own stack (a callback, not a task): the buffer then
   * grows by what came, not by a whole chunk per read. */
  char chunk[READ_CHUNK];
  gssize n;

  n = receive_some (t, chunk, sizeof chunk, &error);
  if (n < 0 && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return;
  if (n > 0)
    g_byte_array_append (t->rbuf, (const guint8 *) chunk, n);

  gtkloop_stream_transport_ref (t);
  if (n < 0)
    {
      t->read_error = connection_error (g_steal_pointer (&error), "Could not read from the connection");
      t->eof = TRUE;
      stop_reading (t);
      /* The connection is gone both ways: nothing buffered can be sent. */
      if (t->write_error == NULL)
        t->write_error = g_error_copy (t->read_error);
      drop_unsent (t);
      stop_writing (t);
      wake_drainers (t);
    }
  else if (n == 0)
    {
      t->eof = TRUE;
      stop_reading (t);
    }
  else if (t->rbuf->len > 2 * t->limit)
    stop_reading (t);   /* asyncio's pause_reading: resumed as the reader takes data */
  wake_reader (t);
  gtkloop_stream_transport_unref (t);
}

gboolean
gtkloop_stream_check_in_task (const char *function,
                              GError    **error)
{
  if (gtkloop_task_get_current () == NULL)
    {
      gtkloop_set_not_in_task_error (error, function);
      return FALSE;
    }
  return TRUE;
}

gboolean
gtkloop_stream_transport_wait_data (GtkloopStreamTransport *t,
                                    const char             *function,
                                    GError                **error)
{
  g_autoptr(GtkloopFuture) waiter = NULL;
  gboolean ok;

  if (t->eof)
    return TRUE;
  if (t->read_waiter != NULL)
    {
      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE,
                   "%s: another task is already waiting for data on this stream", function);
      return FALSE;
    }
  if (!start_reading (t, error))
    return FALSE;
  waiter = gtkloop_future_new (t->loop);
  t->read_waiter = gtkloop_future_ref (waiter);
  gtkloop_stream_transport_ref (t);
  ok = gtkloop_await (waiter, error);
  if (t->read_waiter == waiter)
    g_clear_pointer (&t->read_waiter, gtkloop_future_unref);
  gtkloop_stream_transport_unref (t);
  return ok;
}

void
gtkloop_stream_transport_consumed (GtkloopStreamTransport *t)
{
  if (!t->reading && !t->eof && t->rbuf->len <= t->limit)
    start_reading (t, NULL);
}

/* Writing --------------------------------------------------------------- */

static void
after_sent (GtkloopStreamTransport *t)
{
  if (gtkloop_stream_transport_unsent (t) <= t->low_water)
    wake_drainers (t);
  if (gtkloop_stream_transport_unsent (t) > 0)
    return;
  stop_writing (t);
  if (t->closing)
    really_close (t);
  else if (t->eof_requested && !t->eof_sent)
    {
      t->eof_sent = TRUE;
      if (t->socket != NULL)
        g_socket_shutdown (t->socket, FALSE, TRUE, NULL);
      else
        really_close (t);   /* a pipe ends by closing */
    }
}

static void
write_failed (GtkloopStreamTransport *t,
              GError                 *error)
{
  t->write_error = connection_error (error, "Could not write to the connection");
  drop_unsent (t);
  stop_writing (t);
  wake_drainers (t);
  if (t->closing)
    really_close (t);
}

/* write() to a pipe whose reader has gone raises SIGPIPE, which kills a
 * C program by default; g_socket_send avoids it with MSG_NOSIGNAL, a
 * pipe cannot. So the write runs with SIGPIPE blocked in this thread, and
 * the SIGPIPE it raised (EPIPE says so) is taken back before unblocking:
 * the write fails with the error, nothing else happens. */
static gssize
write_pipe (int           fd,
            const guint8 *data,
            gsize         len,
            GError      **error)
{
  sigset_t sigpipe, old_mask, pending;
  gboolean was_pending;
  gssize n;
  int errsv;

  sigemptyset (&sigpipe);
  sigaddset (&sigpipe, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &sigpipe, &old_mask);
  sigpending (&pending);
  was_pending = sigismember (&pending, SIGPIPE);
  do
    n = write (fd, data, len);
  while (n < 0 && errno == EINTR);
  errsv = errno;
  if (n < 0 && errsv == EPIPE && !was_pending)
    {
      const struct timespec now = { 0, 0 };

      while (sigtimedwait (&sigpipe, NULL, &now) < 0 && errno == EINTR)
        ;
    }
  pthread_sigmask (SIG_SETMASK, &old_mask, NULL);
  if (n < 0)
    set_errno_error (error, errsv);
  return n;
}

static gssize
send_some (GtkloopStreamTransport *t,
           const guint8           *data,
           gsize                   len)
{
  g_autoptr(GError) error = NULL;
  gssize n = t->socket != NULL ? g_socket_send (t->socket, (const char *) data, len, NULL, &error)
                               : write_pipe (t->fd, data, len, &error);

  if (n >= 0)
    return n;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK))
    return 0;
  write_failed (t, g_steal_pointer (&error));
  return -1;
}

static void
on_writable (gpointer data)
{
  GtkloopStreamTransport *t = data;
  gssize n;

  gtkloop_stream_transport_ref (t);
  n = send_some (t, t->wbuf->data + t->wbuf_sent, gtkloop_stream_transport_unsent (t));
  if (n > 0)
    {
      /* Moving the rest to the front only once half is sent keeps a big
       * buffer from being moved on every send. */
      t->wbuf_sent += n;
      if (t->wbuf_sent == t->wbuf->len)
        drop_unsent (t);
      else if (t->wbuf_sent >= t->wbuf->len / 2)
        {
          g_byte_array_remove_range (t->wbuf, 0, t->wbuf_sent);
          t->wbuf_sent = 0;
        }
      after_sent (t);
    }
  gtkloop_stream_transport_unref (t);
}

gboolean
gtkloop_stream_transport_write (GtkloopStreamTransport *t,
                                const guint8           *data,
                                gsize                   len,
                                GError                **error)
{
  if (t->write_error != NULL)
    {
      g_propagate_error (error, g_error_copy (t->write_error));
      return FALSE;
    }
  if (t->eof_requested)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                           "Cannot write to a stream after write_eof");
      return FALSE;
    }
  if (t->closing || t->closed)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                           "Cannot write to a stream that is closing");
      return FALSE;
    }
  if (len == 0)
    return TRUE;
  g_byte_array_append (t->wbuf, data, len);
  if (!t->writing)
    {
      GError *local = NULL;

      if (!gtkloop_loop_add_writer (t->loop, t->fd, on_writable,
                                    gtkloop_stream_transport_ref (t), unref_cb, &local))
        {
          write_failed (t, g_error_copy (local));
          g_propagate_error (error, local);
          return FALSE;
        }
      t->writing = TRUE;
    }
  return TRUE;
}

gboolean
gtkloop_stream_transport_drain (GtkloopStreamTransport *t,
                                GError                **error)
{
  if (!gtkloop_stream_check_in_task ("gtkloop_stream_writer_drain", error))
    return FALSE;
  while (t->write_error == NULL && gtkloop_stream_transport_unsent (t) > t->high_water && !t->closed)
    {
      g_autoptr(GtkloopFuture) waiter = gtkloop_future_new (t->loop);
      gboolean ok;

      g_ptr_array_add (t->drain_waiters, gtkloop_future_ref (waiter));
      gtkloop_stream_transport_ref (t);
      ok = gtkloop_await (waiter, error);
      g_ptr_array_remove (t->drain_waiters, waiter);
      gtkloop_stream_transport_unref (t);
      if (!ok)
        return FALSE;
      if (gtkloop_stream_transport_unsent (t) > t->low_water && t->write_error == NULL && !t->closed)
        continue;
      break;
    }
  if (t->write_error != NULL)
    {
      g_propagate_error (error, g_error_copy (t->write_error));
      return FALSE;
    }
  return TRUE;
}

gboolean
gtkloop_stream_transport_write_eof (GtkloopStreamTransport *t,
                                    GError                **error)
{
  if (t->write_error != NULL)
    {
      g_propagate_error (error, g_error_copy (t->write_error));
      return FALSE;
    }
  if (t->closing || t->closed)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CLOSED,
                           "Cannot end a stream that is closing");
      return FALSE;
    }
  if (t->eof_requested)
    return TRUE;
  t->eof_requested = TRUE;
  if (gtkloop_stream_transport_unsent (t) == 0)
    after_sent (t);
  return TRUE;
}
