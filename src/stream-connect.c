/* asyncio's open_connection and open_unix_connection: GIO's
 * GSocketClient connects (awaited through the GIO adapter, so the task's
 * cancellation reaches it), then the socket goes to a stream transport
 * on the loop's fd watches. */
#include "config.h"

#include "gio-private.h"
#include "stream-transport-private.h"

static gboolean
connect_to (GSocketConnectable   *target,
            const char           *function,
            GtkloopStreamReader **reader,
            GtkloopStreamWriter **writer,
            GError              **error)
{
  g_autoptr(GSocketClient) client = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GSocketConnection) connection = NULL;
  GtkloopFuture *operation;
  GtkloopStreamTransport *t;
  GSocket *socket;

  if ((operation = gtkloop_gio_operation_new (function, error)) == NULL)
    return FALSE;
  client = g_socket_client_new ();
  g_socket_client_connect_async (client, target, gtkloop_get_cancellable (),
                                 gtkloop_gio_ready, gtkloop_future_ref (operation));
  if ((result = gtkloop_gio_operation_finish (operation, error)) == NULL)
    return FALSE;
  connection = g_socket_client_connect_finish (client, result, error);
  if (connection == NULL)
    return FALSE;

  socket = g_object_ref (g_socket_connection_get_socket (connection));
  t = gtkloop_stream_transport_new (gtkloop_future_get_loop (GTKLOOP_FUTURE (gtkloop_task_get_current ())),
                                    socket, G_OBJECT (g_steal_pointer (&connection)), error);
  if (t == NULL)
    return FALSE;
  *reader = gtkloop_stream_reader_new (t);
  *writer = gtkloop_stream_writer_new (t);
  gtkloop_stream_transport_unref (t);
  return TRUE;
}

/**
 * gtkloop_open_connection:
 * @host: a host name or numeric address
 * @port: the TCP port
 * @reader: (out) (transfer full): the connection's reader
 * @writer: (out) (transfer full): its writer
 * @error: return location for a #GError
 *
 * asyncio.open_connection(): a suspension point of the current task,
 * cancelled with it. Inside a task only. While the loop closes, it fails
 * at once with %G_IO_ERROR_CANCELLED, as every suspension point does.
 *
 * Returns: %TRUE with a new reader and writer; %FALSE with the error
 *   (%G_IO_ERROR_CONNECTION_REFUSED, a name that does not resolve,
 *   %G_IO_ERROR_CANCELLED, %GTKLOOP_ERROR_NOT_IN_TASK, no socket to be had
 *   (GIO's error for the errno), no epoll fd (%GTKLOOP_ERROR_RESOURCES))
 *
 * Since: 0.1
 */
gboolean
gtkloop_open_connection (const char           *host,
                         guint16               port,
                         GtkloopStreamReader **reader,
                         GtkloopStreamWriter **writer,
                         GError              **error)
{
  g_autoptr(GSocketConnectable) target = NULL;

  g_return_val_if_fail (host != NULL, FALSE);
  g_return_val_if_fail (reader != NULL && writer != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  target = g_network_address_new (host, port);
  return connect_to (target, G_STRFUNC, reader, writer, error);
}

/**
 * gtkloop_open_unix_connection:
 * @path: the socket's path
 * @reader: (out) (transfer full): the connection's reader
 * @writer: (out) (transfer full): its writer
 * @error: return location for a #GError
 *
 * asyncio.open_unix_connection(), as gtkloop_open_connection(). Inside a
 * task only. While the loop closes, it fails at once with
 * %G_IO_ERROR_CANCELLED, as every suspension point does.
 *
 * Returns: %TRUE with both streams set; %FALSE with @error
 *
 * Since: 0.1
 */
gboolean
gtkloop_open_unix_connection (const char           *path,
                              GtkloopStreamReader **reader,
                              GtkloopStreamWriter **writer,
                              GError              **error)
{
  g_autoptr(GSocketConnectable) target = NULL;

  g_return_val_if_fail (path != NULL, FALSE);
  g_return_val_if_fail (reader != NULL && writer != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  target = G_SOCKET_CONNECTABLE (g_unix_socket_address_new (path));
  return connect_to (target, G_STRFUNC, reader, writer, error);
}
