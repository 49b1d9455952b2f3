/* GtkloopStreamWriter: asyncio's StreamWriter over a stream transport.
 * Writing never blocks (what the socket does not take is buffered);
 * drain is the flow control, a suspension point while the buffer is over
 * the high-water mark. */
#include "config.h"

#include "stream-transport-private.h"

struct _GtkloopStreamWriter
{
  gint                    ref_count;   /* (atomic) */
  GtkloopStreamTransport *transport;   /* (owned) one use */
};

/**
 * GtkloopStreamWriter:
 *
 * asyncio's StreamWriter: the writing end of a TCP or Unix connection or a
 * pipe, with a buffer drained by the loop. Reference counted; used on its
 * loop's thread.
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopStreamWriter, gtkloop_stream_writer,
                     gtkloop_stream_writer_ref, gtkloop_stream_writer_unref)

GtkloopStreamWriter *
gtkloop_stream_writer_new (GtkloopStreamTransport *t)
{
  GtkloopStreamWriter *writer = g_new0 (GtkloopStreamWriter, 1);

  writer->ref_count = 1;
  writer->transport = t;
  gtkloop_stream_transport_use (t);
  return writer;
}

/**
 * gtkloop_stream_writer_ref:
 * @writer: a writer
 *
 * Takes a reference. Loop thread only; works after the loop is closed.
 *
 * Returns: (transfer full): @writer
 *
 * Since: 0.1
 */
GtkloopStreamWriter *
gtkloop_stream_writer_ref (GtkloopStreamWriter *writer)
{
  g_return_val_if_fail (writer != NULL, NULL);
  g_atomic_int_inc (&writer->ref_count);
  return writer;
}

/**
 * gtkloop_stream_writer_unref:
 * @writer: (transfer full): the reference to drop
 *
 * Drops a reference. A connection that neither its reader nor its writer
 * holds any more is closed once its buffer is sent. Loop thread only.
 *
 * Since: 0.1
 */
void
gtkloop_stream_writer_unref (GtkloopStreamWriter *writer)
{
  g_return_if_fail (writer != NULL);
  if (!g_atomic_int_dec_and_test (&writer->ref_count))
    return;
  gtkloop_stream_transport_release (writer->transport);
  g_free (writer);
}

/**
 * gtkloop_stream_writer_write:
 * @writer: a writer
 * @data: (array length=len) (element-type guint8): the bytes to send
 * @len: how many
 * @error: return location for a #GError
 *
 * asyncio's StreamWriter.write(): sends what the socket takes now and
 * buffers the rest; never blocks. Follow it with
 * gtkloop_stream_writer_drain() to keep the buffer bounded. Loop thread
 * only.
 *
 * Returns: %FALSE with the error once the connection is lost
 *   (%G_IO_ERROR_CONNECTION_CLOSED / %G_IO_ERROR_BROKEN_PIPE, the same
 *   code), or %G_IO_ERROR_CLOSED after write_eof or close
 *
 * Since: 0.1
 */
gboolean
gtkloop_stream_writer_write (GtkloopStreamWriter *writer,
                             const void          *data,
                             gsize                len,
                             GError             **error)
{
  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return gtkloop_stream_transport_write (writer->transport, data, len, error);
}

/**
 * gtkloop_stream_writer_write_bytes:
 * @writer: a writer
 * @bytes: the data
 * @error: return location for a #GError
 *
 * Calls gtkloop_stream_writer_write() with the contents of @bytes. Loop
 * thread only. Closing the loop aborts the connection with
 * %GTKLOOP_ERROR_CLOSED; afterwards this works as on any closed stream.
 *
 * Returns: as gtkloop_stream_writer_write()
 *
 * Since: 0.1
 */
gboolean
gtkloop_stream_writer_write_bytes (GtkloopStreamWriter *writer,
                                   GBytes              *bytes,
                                   GError             **error)
{
  gsize len;
  gconstpointer data;

  g_return_val_if_fail (bytes != NULL, FALSE);
  data = g_bytes_get_data (bytes, &len);
  return gtkloop_stream_writer_write (writer, data, len, error);
}

/**
 * gtkloop_stream_writer_drain:
 * @writer: a writer
 * @error: return location for a #GError
 *
 * asyncio's StreamWriter.drain(): returns at once while the buffer is at
 * most the high-water mark; above it, a suspension point until the buffer
 * is down to the low-water mark. Inside a task only. Closing the loop
 * aborts the connection with %GTKLOOP_ERROR_CLOSED, and while the loop
 * closes a wait fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: %FALSE with the error of a lost connection, or
 *   %G_IO_ERROR_CANCELLED
 *
 * Since: 0.1
 */
gboolean
gtkloop_stream_writer_drain (GtkloopStreamWriter *writer,
                             GError             **error)
{
  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return gtkloop_stream_transport_drain (writer->transport, error);
}

/**
 * gtkloop_stream_writer_write_eof:
 * @writer: a writer
 * @error: return location for a #GError
 *
 * Shuts the sending side down once the buffer is sent (the peer reads the
 * end); this side can still read. Loop thread only. Closing the loop
 * aborts the connection with %GTKLOOP_ERROR_CLOSED; afterwards this works
 * as on any closed stream.
 *
 * Returns: %TRUE if the end was queued; %FALSE with @error if the writer is closing or closed
 *
 * Since: 0.1
 */
gboolean
gtkloop_stream_writer_write_eof (GtkloopStreamWriter *writer,
                                 GError             **error)
{
  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  return gtkloop_stream_transport_write_eof (writer->transport, error);
}

/**
 * gtkloop_stream_writer_close:
 * @writer: a writer
 *
 * asyncio's StreamWriter.close(): reading stops (the reader sees the end),
 * the buffer is still sent, then the socket is closed. Loop thread only.
 *
 * Since: 0.1
 */
void
gtkloop_stream_writer_close (GtkloopStreamWriter *writer)
{
  g_return_if_fail (writer != NULL);
  gtkloop_stream_transport_close (writer->transport);
}

/**
 * gtkloop_stream_writer_wait_closed:
 * @writer: a writer
 * @error: return location for a #GError
 *
 * A suspension point: waits until the socket is closed. Inside a task
 * only.
 *
 * Returns: %TRUE once the socket is closed; %FALSE with %G_IO_ERROR_CANCELLED if the task was cancelled
 *
 * Since: 0.1
 */
gboolean
gtkloop_stream_writer_wait_closed (GtkloopStreamWriter *writer,
                                   GError             **error)
{
  g_autoptr(GtkloopFuture) shielded = NULL;

  g_return_val_if_fail (writer != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!gtkloop_stream_check_in_task (G_STRFUNC, error))
    return FALSE;
  /* Shielded: a cancelled wait must not cancel the connection's future. */
  shielded = gtkloop_shield (writer->transport->closed_future);
  return gtkloop_await (shielded, error);
}

/**
 * gtkloop_stream_writer_is_closing:
 * @writer: a writer
 *
 * Whether the writer is closed or closing (asyncio's is_closing()). Loop
 * thread only. Closing the loop aborts the connection with
 * %GTKLOOP_ERROR_CLOSED; afterwards this works as on any closed stream.
 *
 * Returns: %TRUE once gtkloop_stream_writer_close() was called or the
 *   connection was lost
 *
 * Since: 0.1
 */
gboolean
gtkloop_stream_writer_is_closing (GtkloopStreamWriter *writer)
{
  g_return_val_if_fail (writer != NULL, FALSE);
  return writer->transport->closing || writer->transport->closed;
}

/**
 * gtkloop_stream_writer_get_peer_address:
 * @writer: a writer
 *
 * The address of the other end. Loop thread only. Closing the loop aborts
 * the connection with %GTKLOOP_ERROR_CLOSED; afterwards this works as on
 * any closed stream.
 *
 * Returns: (transfer none) (nullable): the peer's address, as connected
 *
 * Since: 0.1
 */
GSocketAddress *
gtkloop_stream_writer_get_peer_address (GtkloopStreamWriter *writer)
{
  g_return_val_if_fail (writer != NULL, NULL);
  return writer->transport->peer;
}

/**
 * gtkloop_stream_writer_get_socket:
 * @writer: a writer
 *
 * The connection's socket, for options and addresses; do not read or write
 * it. Loop thread only. Closing the loop aborts the connection with
 * %GTKLOOP_ERROR_CLOSED; afterwards this works as on any closed stream.
 *
 * Returns: (transfer none): the socket (non-blocking; do not read or write
 *   it)
 *
 * Since: 0.1
 */
GSocket *
gtkloop_stream_writer_get_socket (GtkloopStreamWriter *writer)
{
  g_return_val_if_fail (writer != NULL, NULL);
  return writer->transport->socket;
}

/**
 * gtkloop_stream_writer_set_write_buffer_limits:
 * @writer: a writer
 * @high: the high-water mark; 0 for the default (64 KiB, or 4 * @low)
 * @low: the low-water mark; 0 for @high / 4
 *
 * asyncio's set_write_buffer_limits(): gtkloop_stream_writer_drain() waits
 * while the buffer is above @high, until it is down to @low. Loop thread
 * only. Closing the loop aborts the connection with %GTKLOOP_ERROR_CLOSED;
 * afterwards this works as on any closed stream.
 *
 * Since: 0.1
 */
void
gtkloop_stream_writer_set_write_buffer_limits (GtkloopStreamWriter *writer,
                                               gsize                high,
                                               gsize                low)
{
  GtkloopStreamTransport *t;

  g_return_if_fail (writer != NULL);
  t = writer->transport;
  if (high == 0)
    high = low > 0 ? 4 * low : 64 * 1024;
  if (low == 0 || low > high)
    low = high / 4;
  t->high_water = high;
  t->low_water = low;
}

/**
 * gtkloop_stream_writer_get_write_buffer_size:
 * @writer: a writer
 *
 * How many written bytes are not sent yet. Loop thread only. Closing the
 * loop aborts the connection with %GTKLOOP_ERROR_CLOSED; afterwards this
 * works as on any closed stream.
 *
 * Returns: the bytes written and not sent yet
 *
 * Since: 0.1
 */
gsize
gtkloop_stream_writer_get_write_buffer_size (GtkloopStreamWriter *writer)
{
  g_return_val_if_fail (writer != NULL, 0);
  return gtkloop_stream_transport_unsent (writer->transport);
}
