/* GtkloopStreamServer: asyncio's start_server and start_unix_server. The
 * listening socket is watched by the loop's fd watches (a reader on it,
 * as asyncio's selector loop accepts); each accepted connection becomes
 * a stream transport and runs the handler as a new task. */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "destroy-notify-private.h"
#include "error-private.h"
#include "stream-transport-private.h"

#define BACKLOG 100            /* asyncio's default */
#define MAX_ACCEPTS_PER_WAKE BACKLOG

struct _GtkloopStreamServer
{
  gint                  ref_count;   /* (atomic) users, the watch, handler tasks */
  GtkloopLoop          *loop;        /* (owned) */
  GSocket              *socket;      /* (owned) listening; closed once closed */
  GSocketAddress       *address;     /* (owned) what it listens on */
  char                 *unix_path;   /* (owned) (nullable) removed on close */
  GtkloopStreamHandler  handler;
  gpointer              data;
  GDestroyNotify        destroy;
  gboolean              serving;     /* the reader watch is installed */
  gboolean              closed;
  guint                 n_handlers;  /* handler tasks not ended yet */
  GtkloopFuture        *closed_future; /* (owned) done once closed with no handler left */
};

/**
 * GtkloopStreamServer:
 *
 * asyncio's Server: a listening TCP or Unix socket whose connections each
 * run a handler task. Reference counted; used on its loop's thread.
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopStreamServer, gtkloop_stream_server,
                     gtkloop_stream_server_ref, gtkloop_stream_server_unref)

/**
 * gtkloop_stream_server_ref:
 * @server: a server
 *
 * Takes a reference. Loop thread only; works after the loop is closed.
 *
 * Returns: (transfer full): @server
 *
 * Since: 0.1
 */
GtkloopStreamServer *
gtkloop_stream_server_ref (GtkloopStreamServer *server)
{
  g_return_val_if_fail (server != NULL, NULL);
  g_atomic_int_inc (&server->ref_count);
  return server;
}

/**
 * gtkloop_stream_server_unref:
 * @server: (transfer full): the reference to drop
 *
 * Drops a reference; the last one closes the server. Loop thread only.
 *
 * Since: 0.1
 */
void
gtkloop_stream_server_unref (GtkloopStreamServer *server)
{
  g_return_if_fail (server != NULL);
  if (!g_atomic_int_dec_and_test (&server->ref_count))
    return;
  /* The watch holds a reference: the last one means it is gone. */
  gtkloop_stream_server_close (server);
  gtkloop_destroy_notify_run (server->destroy, server->data);
  g_object_unref (server->socket);
  g_object_unref (server->address);
  g_free (server->unix_path);
  gtkloop_future_unref (server->closed_future);
  g_object_unref (server->loop);
  g_free (server);
}

static void
unref_cb (gpointer data)
{
  gtkloop_stream_server_unref (data);
}

static void
settle_if_done (GtkloopStreamServer *server)
{
  if (server->closed && server->n_handlers == 0)
    gtkloop_future_set_result (server->closed_future, NULL, NULL);
}

/* Handler tasks ----------------------------------------------------------- */

typedef struct
{
  GtkloopStreamServer *server;   /* (owned) */
  GtkloopStreamReader *reader;   /* (owned) */
  GtkloopStreamWriter *writer;   /* (owned) */
} Connection;

static void
connection_free (gpointer data)
{
  Connection *c = data;

  g_clear_pointer (&c->reader, gtkloop_stream_reader_unref);
  g_clear_pointer (&c->writer, gtkloop_stream_writer_unref);
  c->server->n_handlers--;
  settle_if_done (c->server);
  gtkloop_stream_server_unref (c->server);
  g_free (c);
}

static void
run_handler (GtkloopTask *task,
             gpointer     data)
{
  Connection *c = data;

  c->server->handler (c->reader, c->writer, c->server->data);
  /* What the handler did not keep is let go now, not when the task is
   * freed: a connection nobody holds closes once its buffer is sent. */
  g_clear_pointer (&c->reader, gtkloop_stream_reader_unref);
  g_clear_pointer (&c->writer, gtkloop_stream_writer_unref);
}

static void
start_handler (GtkloopStreamServer *server,
               GSocket             *socket)
{
  GtkloopStreamTransport *t;
  Connection *c;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopTask) task = NULL;

  t = gtkloop_stream_transport_new (server->loop, socket, NULL, &error);
  if (t == NULL)
    {
      g_warning ("gtkloop: an accepted connection could not be watched: %s", error->message);
      return;
    }
  c = g_new0 (Connection, 1);
  c->server = gtkloop_stream_server_ref (server);
  c->reader = gtkloop_stream_reader_new (t);
  c->writer = gtkloop_stream_writer_new (t);
  gtkloop_stream_transport_unref (t);
  server->n_handlers++;
  task = gtkloop_loop_create_task (server->loop, run_handler, c, connection_free);
}

/* Accepting ----------------------------------------------------------------- */

static void
on_acceptable (gpointer data)
{
  GtkloopStreamServer *server = data;

  gtkloop_stream_server_ref (server);
  for (int i = 0; i < MAX_ACCEPTS_PER_WAKE && server->serving; i++)
    {
      g_autoptr(GError) error = NULL;
      GSocket *socket = g_socket_accept (server->socket, NULL, &error);

      if (socket == NULL)
        {
          /* Out of fds and the like: the connection waits in the backlog
           * and the next iteration tries again, as asyncio does. */
          if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK) &&
              gtkloop_loop_get_debug (server->loop))
            g_message ("gtkloop: accept failed: %s", error->message);
          break;
        }
      start_handler (server, socket);
    }
  gtkloop_stream_server_unref (server);
}

static void
close_hook_cb (gpointer data)
{
  gtkloop_stream_server_close (data);
}

static GtkloopStreamServer *
server_new (GtkloopStreamHandler  handler,
            gpointer              data,
            GDestroyNotify        destroy,
            GSocketAddress       *address,
            const char           *unix_path,
            const char           *function,
            GError              **error)
{
  GtkloopTask *current = gtkloop_task_get_current ();
  GtkloopLoop *loop = current != NULL ? gtkloop_future_get_loop (GTKLOOP_FUTURE (current))
                                      : gtkloop_loop_get_default ();
  GSocketFamily family = g_socket_address_get_family (address);
  g_autoptr(GSocket) socket = NULL;
  GtkloopStreamServer *server;

  socket = g_socket_new (family, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_DEFAULT, error);
  if (socket == NULL)
    goto failed;
  g_socket_set_blocking (socket, FALSE);
  g_socket_set_listen_backlog (socket, BACKLOG);
  if (!g_socket_bind (socket, address, family != G_SOCKET_FAMILY_UNIX, error) ||
      !g_socket_listen (socket, error))
    {
      g_socket_close (socket, NULL);
      goto failed;
    }

  server = g_new0 (GtkloopStreamServer, 1);
  server->ref_count = 1;
  server->loop = g_object_ref (loop);
  server->socket = g_steal_pointer (&socket);
  server->address = g_socket_get_local_address (server->socket, NULL);
  if (server->address == NULL)
    server->address = g_object_ref (address);
  server->unix_path = g_strdup (unix_path);
  server->handler = handler;
  server->data = data;
  server->destroy = destroy;
  server->closed_future = gtkloop_future_new (loop);
  if (!gtkloop_loop_add_reader (loop, g_socket_get_fd (server->socket), on_acceptable,
                                gtkloop_stream_server_ref (server), unref_cb, error))
    {
      g_prefix_error (error, "%s: ", function);
      gtkloop_stream_server_unref (server);
      return NULL;
    }
  server->serving = TRUE;
  gtkloop_stream_registry_add (loop, server, close_hook_cb);
  return server;

failed:
  g_prefix_error (error, "%s: ", function);
  gtkloop_destroy_notify_run (destroy, data);
  return NULL;
}

/**
 * gtkloop_start_server: (skip)
 * @handler: (scope notified) (closure data) (destroy destroy): the body
 *   of the task run for each accepted connection
 * @data: data for @handler
 * @destroy: (nullable): frees @data once, when the server is freed
 * @host: (nullable): a numeric address or "localhost"; %NULL: every
 *   IPv4 interface
 * @port: the TCP port; 0: any free one (see gtkloop_stream_server_get_port())
 * @error: return location for a #GError
 *
 * asyncio.start_server(), on the current task's loop (outside a task, the
 * default loop). Listening starts at once.
 *
 * Task bodies are C only, so bindings do not get this call (it is
 * `(skip)`ped): CPython 3.11 keeps one frame stack per thread, and two
 * task bodies written in Python that suspend would interleave on it and
 * crash the interpreter. Python gets tasks from the asyncio binding. Loop thread only. A closed loop refuses with %GTKLOOP_ERROR_CLOSED; closing the loop closes the server.
 *
 * Returns: (transfer full): the server, or %NULL with the error (and
 *   @destroy run): an address in use, a host that is not numeric, no
 *   socket or no epoll fd to be had (GIO's %G_IO_ERROR_TOO_MANY_OPEN_FILES
 *   and the like, or %GTKLOOP_ERROR_RESOURCES)
 *
 * Since: 0.1
 */
GtkloopStreamServer *
gtkloop_start_server (GtkloopStreamHandler  handler,
                      gpointer              data,
                      GDestroyNotify        destroy,
                      const char           *host,
                      guint16               port,
                      GError              **error)
{
  g_autoptr(GInetAddress) inet = NULL;
  g_autoptr(GSocketAddress) address = NULL;

  g_return_val_if_fail (handler != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (host == NULL)
    inet = g_inet_address_new_any (G_SOCKET_FAMILY_IPV4);
  else if (g_str_equal (host, "localhost"))
    inet = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  else
    inet = g_inet_address_new_from_string (host);
  if (inet == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   "%s: \"%s\" is not a numeric address", G_STRFUNC, host);
      gtkloop_destroy_notify_run (destroy, data);
      return NULL;
    }
  address = g_inet_socket_address_new (inet, port);
  return server_new (handler, data, destroy, address, NULL, G_STRFUNC, error);
}

/**
 * gtkloop_start_unix_server: (skip)
 * @handler: (scope notified) (closure data) (destroy destroy): the body
 *   of the task run for each accepted connection
 * @data: data for @handler
 * @destroy: (nullable): frees @data once, when the server is freed
 * @path: where the socket file goes; a stale socket file there is
 *   replaced, and the file is removed when the server closes
 * @error: return location for a #GError
 *
 * asyncio.start_unix_server(), as gtkloop_start_server().
 *
 * Task bodies are C only, so bindings do not get this call (it is
 * `(skip)`ped): CPython 3.11 keeps one frame stack per thread, and two
 * task bodies written in Python that suspend would interleave on it and
 * crash the interpreter. Python gets tasks from the asyncio binding. Loop thread only.
 *
 * Returns: the server, listening; %NULL with @error
 *
 * Since: 0.1
 */
GtkloopStreamServer *
gtkloop_start_unix_server (GtkloopStreamHandler  handler,
                           gpointer              data,
                           GDestroyNotify        destroy,
                           const char           *path,
                           GError              **error)
{
  g_autoptr(GSocketAddress) address = NULL;
  struct stat st;

  g_return_val_if_fail (handler != NULL, NULL);
  g_return_val_if_fail (path != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  /* As asyncio: a socket file left by an earlier server is in the way. */
  if (stat (path, &st) == 0 && S_ISSOCK (st.st_mode))
    unlink (path);
  address = g_unix_socket_address_new (path);
  return server_new (handler, data, destroy, address, path, G_STRFUNC, error);
}

/**
 * gtkloop_stream_server_get_port:
 * @server: a server
 *
 * The TCP port the server listens on; 0 for a Unix socket. Loop thread
 * only. Closing the loop closes the server; afterwards this answers as for
 * a closed server.
 *
 * Returns: the TCP port bound, or 0 for a Unix socket
 *
 * Since: 0.1
 */
guint16
gtkloop_stream_server_get_port (GtkloopStreamServer *server)
{
  g_return_val_if_fail (server != NULL, 0);
  if (!G_IS_INET_SOCKET_ADDRESS (server->address))
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (server->address));
}

/**
 * gtkloop_stream_server_get_address:
 * @server: a server
 *
 * The address the server listens on (for a TCP server on port 0, with the
 * port it got). Loop thread only. Closing the loop closes the server;
 * afterwards this answers as for a closed server.
 *
 * Returns: (transfer none): the listening address
 *
 * Since: 0.1
 */
GSocketAddress *
gtkloop_stream_server_get_address (GtkloopStreamServer *server)
{
  g_return_val_if_fail (server != NULL, NULL);
  return server->address;
}

/**
 * gtkloop_stream_server_is_serving:
 * @server: a server
 *
 * Whether the server accepts connections. Loop thread only. Closing the
 * loop closes the server; afterwards this answers as for a closed server.
 *
 * Returns: %TRUE until gtkloop_stream_server_close()
 *
 * Since: 0.1
 */
gboolean
gtkloop_stream_server_is_serving (GtkloopStreamServer *server)
{
  g_return_val_if_fail (server != NULL, FALSE);
  return server->serving;
}

/**
 * gtkloop_stream_server_close:
 * @server: a server
 *
 * asyncio's Server.close(): stops listening and closes the listening
 * socket; connections already accepted go on. Loop thread only.
 *
 * Since: 0.1
 */
void
gtkloop_stream_server_close (GtkloopStreamServer *server)
{
  g_return_if_fail (server != NULL);
  if (server->closed)
    return;
  server->closed = TRUE;
  gtkloop_stream_server_ref (server);
  if (server->serving)
    {
      server->serving = FALSE;
      gtkloop_loop_remove_reader (server->loop, g_socket_get_fd (server->socket));
    }
  g_socket_close (server->socket, NULL);
  if (server->unix_path != NULL)
    unlink (server->unix_path);
  gtkloop_stream_registry_remove (server->loop, server);
  settle_if_done (server);
  gtkloop_stream_server_unref (server);
}

/**
 * gtkloop_stream_server_wait_closed:
 * @server: a server
 * @error: return location for a #GError
 *
 * A suspension point: waits until the server is closed and every handler
 * task it started has ended (Python 3.12's meaning; 3.11 did not wait for
 * the handlers). Inside a task only.
 *
 * Returns: %TRUE once the server is closed; %FALSE with %G_IO_ERROR_CANCELLED if the task was cancelled
 *
 * Since: 0.1
 */
gboolean
gtkloop_stream_server_wait_closed (GtkloopStreamServer *server,
                                   GError             **error)
{
  g_autoptr(GtkloopFuture) shielded = NULL;

  g_return_val_if_fail (server != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!gtkloop_stream_check_in_task (G_STRFUNC, error))
    return FALSE;
  shielded = gtkloop_shield (server->closed_future);
  return gtkloop_await (shielded, error);
}
