/* GtkloopStreamReader: asyncio's StreamReader over a stream transport.
 * Reads take what the transport has buffered and wait (a suspension
 * point) only when it is not enough. Whatever a read cannot return (an
 * error, the end of the stream, a line past the limit) stays buffered. */
#include "config.h"

#include <string.h>

#include "stream-transport-private.h"

struct _GtkloopStreamReader
{
  gint                    ref_count;   /* (atomic) */
  GtkloopStreamTransport *transport;   /* (owned) one use */
};

/**
 * GtkloopStreamReader:
 *
 * asyncio's StreamReader: the reading end of a TCP or Unix connection or a
 * pipe, read from tasks. Reference counted; used on its loop's thread.
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopStreamReader, gtkloop_stream_reader,
                     gtkloop_stream_reader_ref, gtkloop_stream_reader_unref)

GtkloopStreamReader *
gtkloop_stream_reader_new (GtkloopStreamTransport *t)
{
  GtkloopStreamReader *reader = g_new0 (GtkloopStreamReader, 1);

  reader->ref_count = 1;
  reader->transport = t;
  gtkloop_stream_transport_use (t);
  return reader;
}

/**
 * gtkloop_stream_reader_ref:
 * @reader: a reader
 *
 * Takes a reference. Loop thread only; works after the loop is closed.
 *
 * Returns: (transfer full): @reader
 *
 * Since: 0.1
 */
GtkloopStreamReader *
gtkloop_stream_reader_ref (GtkloopStreamReader *reader)
{
  g_return_val_if_fail (reader != NULL, NULL);
  g_atomic_int_inc (&reader->ref_count);
  return reader;
}

/**
 * gtkloop_stream_reader_unref:
 * @reader: (transfer full): the reference to drop
 *
 * Drops a reference. A connection that neither its reader nor its writer
 * holds any more is closed once its buffer is sent. Loop thread only.
 *
 * Since: 0.1
 */
void
gtkloop_stream_reader_unref (GtkloopStreamReader *reader)
{
  g_return_if_fail (reader != NULL);
  if (!g_atomic_int_dec_and_test (&reader->ref_count))
    return;
  gtkloop_stream_transport_release (reader->transport);
  g_free (reader);
}

void
gtkloop_stream_reader_unread (GtkloopStreamReader *reader,
                              GBytes              *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data (bytes, &len);

  g_byte_array_prepend (reader->transport->rbuf, data, len);
}

/* The first n bytes of the buffer, taken out of it. */
static GBytes *
take (GtkloopStreamTransport *t,
      gsize                   n)
{
  GBytes *bytes = g_bytes_new (t->rbuf->data, n);

  g_byte_array_remove_range (t->rbuf, 0, n);
  gtkloop_stream_transport_consumed (t);
  return bytes;
}

/* The reason the stream ended early: the connection's error, or the end. */
static void
set_ended_error (GtkloopStreamTransport *t,
                 GError                **error,
                 gsize                   got,
                 const char             *wanted)
{
  if (t->read_error != NULL)
    g_propagate_error (error, g_error_copy (t->read_error));
  else
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                 "The stream ended after %" G_GSIZE_FORMAT " bytes, before %s "
                 "(they stay in the reader)", got, wanted);
}

/* read (-1): moves what comes into a buffer of its own, so the transport's
 * stays small and reading never pauses (a pause at twice the limit would
 * cost two epoll_ctl calls per chunk). Whatever stops it early, an error
 * or a cancellation, puts the data back in front of the reader's buffer. */
static GBytes *
read_to_end (GtkloopStreamTransport *t,
             GError                **error)
{
  g_autoptr(GByteArray) all = g_byte_array_new ();

  for (;;)
    {
      if (t->rbuf->len > 0)
        {
          g_byte_array_append (all, t->rbuf->data, t->rbuf->len);
          g_byte_array_set_size (t->rbuf, 0);
          gtkloop_stream_transport_consumed (t);
        }
      if (t->eof)
        break;
      if (!gtkloop_stream_transport_wait_data (t, "gtkloop_stream_reader_read", error))
        {
          g_byte_array_prepend (t->rbuf, all->data, all->len);
          return NULL;
        }
    }
  if (all->len == 0 && t->read_error != NULL)
    {
      g_propagate_error (error, g_error_copy (t->read_error));
      return NULL;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&all));
}

/**
 * gtkloop_stream_reader_read:
 * @reader: a reader
 * @n: the most bytes to return; -1: everything up to the end
 * @error: return location for a #GError
 *
 * asyncio's StreamReader.read(). A suspension point while nothing is
 * buffered. Inside a task only. Closing the loop aborts the connection
 * with %GTKLOOP_ERROR_CLOSED, and while the loop closes a wait fails at
 * once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full): up to @n bytes; empty at the end of the
 *   stream; %NULL with the error of a lost connection once what came
 *   before it has been read
 *
 * Since: 0.1
 */
GBytes *
gtkloop_stream_reader_read (GtkloopStreamReader *reader,
                            gssize               n,
                            GError             **error)
{
  GtkloopStreamTransport *t;

  g_return_val_if_fail (reader != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  t = reader->transport;

  if (!gtkloop_stream_check_in_task (G_STRFUNC, error))
    return NULL;
  if (n == 0)
    return g_bytes_new (NULL, 0);
  if (n < 0)
    return read_to_end (t, error);
  while (t->rbuf->len == 0 && !t->eof)
    if (!gtkloop_stream_transport_wait_data (t, G_STRFUNC, error))
      return NULL;
  if (t->rbuf->len == 0 && t->read_error != NULL)
    {
      g_propagate_error (error, g_error_copy (t->read_error));
      return NULL;
    }
  return take (t, MIN ((gsize) n, t->rbuf->len));
}

/**
 * gtkloop_stream_reader_readexactly:
 * @reader: a reader
 * @n: how many bytes
 * @error: return location for a #GError
 *
 * asyncio's StreamReader.readexactly(). When the stream ends first it
 * fails with %G_IO_ERROR_PARTIAL_INPUT (asyncio's IncompleteReadError) and
 * the bytes that did come stay in the reader: gtkloop_stream_reader_read
 * (reader, -1) returns them. Inside a task only. Closing the loop aborts
 * the connection with %GTKLOOP_ERROR_CLOSED, and while the loop closes a
 * wait fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full): @n bytes, or %NULL with the error
 *
 * Since: 0.1
 */
GBytes *
gtkloop_stream_reader_readexactly (GtkloopStreamReader *reader,
                                   gsize                n,
                                   GError             **error)
{
  GtkloopStreamTransport *t;

  g_return_val_if_fail (reader != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  t = reader->transport;

  if (!gtkloop_stream_check_in_task (G_STRFUNC, error))
    return NULL;
  while (t->rbuf->len < n && !t->eof)
    if (!gtkloop_stream_transport_wait_data (t, G_STRFUNC, error))
      return NULL;
  if (t->rbuf->len < n)
    {
      g_autofree char *wanted = g_strdup_printf ("the %" G_GSIZE_FORMAT " expected", n);

      set_ended_error (t, error, t->rbuf->len, wanted);
      return NULL;
    }
  return take (t, n);
}

/**
 * gtkloop_stream_reader_readuntil:
 * @reader: a reader
 * @separator: (array length=separator_len) (element-type guint8): the
 *   bytes that end the chunk
 * @separator_len: the separator's length, at least 1
 * @error: return location for a #GError
 *
 * asyncio's StreamReader.readuntil(). Fails with
 * %G_IO_ERROR_MESSAGE_TOO_LARGE (asyncio's LimitOverrunError) when the
 * separator is not within the reader's limit, and with
 * %G_IO_ERROR_PARTIAL_INPUT (IncompleteReadError) when the stream ends
 * without it; in both cases the data stays in the reader. Inside a task
 * only. Closing the loop aborts the connection with %GTKLOOP_ERROR_CLOSED,
 * and while the loop closes a wait fails at once with
 * %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full): the data up to and including @separator
 *
 * Since: 0.1
 */
GBytes *
gtkloop_stream_reader_readuntil (GtkloopStreamReader *reader,
                                 const void          *separator,
                                 gsize                separator_len,
                                 GError             **error)
{
  GtkloopStreamTransport *t;
  gsize searched = 0;   /* where no separator can start any more */

  g_return_val_if_fail (reader != NULL, NULL);
  g_return_val_if_fail (separator != NULL && separator_len > 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  t = reader->transport;

  if (!gtkloop_stream_check_in_task (G_STRFUNC, error))
    return NULL;
  for (;;)
    {
      const guint8 *found = NULL;

      if (t->rbuf->len >= separator_len)
        {
          found = memmem (t->rbuf->data + searched, t->rbuf->len - searched,
                          separator, separator_len);
          searched = t->rbuf->len - separator_len + 1;
        }
      if (found != NULL)
        {
          gsize at = found - t->rbuf->data;

          if (at > t->limit)
            {
              g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                           "The separator was found after %" G_GSIZE_FORMAT " bytes, past the "
                           "limit of %" G_GSIZE_FORMAT " (the data stays in the reader)",
                           at, t->limit);
              return NULL;
            }
          return take (t, at + separator_len);
        }
      if (t->rbuf->len > t->limit)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_MESSAGE_TOO_LARGE,
                       "No separator within the limit of %" G_GSIZE_FORMAT " bytes "
                       "(%u buffered, which stay in the reader)", t->limit, t->rbuf->len);
          return NULL;
        }
      if (t->eof)
        {
          set_ended_error (t, error, t->rbuf->len, "the separator");
          return NULL;
        }
      if (!gtkloop_stream_transport_wait_data (t, G_STRFUNC, error))
        return NULL;
    }
}

/**
 * gtkloop_stream_reader_readline:
 * @reader: a reader
 * @error: return location for a #GError
 *
 * asyncio's StreamReader.readline(): a line with its "\n", or at the end
 * of the stream the partial line (empty when nothing is left). A line
 * longer than the limit fails with %G_IO_ERROR_MESSAGE_TOO_LARGE and stays
 * in the reader (asyncio drops it; here nothing is lost). Inside a task
 * only. Closing the loop aborts the connection with %GTKLOOP_ERROR_CLOSED,
 * and while the loop closes a wait fails at once with
 * %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full): the line, or %NULL with the error
 *
 * Since: 0.1
 */
GBytes *
gtkloop_stream_reader_readline (GtkloopStreamReader *reader,
                                GError             **error)
{
  GError *local = NULL;
  GBytes *line;

  g_return_val_if_fail (reader != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  line = gtkloop_stream_reader_readuntil (reader, "\n", 1, &local);
  if (line == NULL && g_error_matches (local, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT))
    {
      g_error_free (local);
      return take (reader->transport, reader->transport->rbuf->len);
    }
  if (local != NULL)
    g_propagate_error (error, local);
  return line;
}

/**
 * gtkloop_stream_reader_at_eof:
 * @reader: a reader
 *
 * Whether the buffer is empty and the other end has finished sending
 * (asyncio's at_eof()). Loop thread only. Closing the loop aborts the
 * connection with %GTKLOOP_ERROR_CLOSED; afterwards this works as on any
 * closed stream.
 *
 * Returns: %TRUE once the peer's end was reached and nothing is left to
 *   read
 *
 * Since: 0.1
 */
gboolean
gtkloop_stream_reader_at_eof (GtkloopStreamReader *reader)
{
  g_return_val_if_fail (reader != NULL, FALSE);
  return reader->transport->eof && reader->transport->rbuf->len == 0;
}

/**
 * gtkloop_stream_reader_get_limit:
 * @reader: a reader
 *
 * The line limit: readline() and readuntil() fail past it. Loop thread
 * only. Closing the loop aborts the connection with %GTKLOOP_ERROR_CLOSED;
 * afterwards this works as on any closed stream.
 *
 * Returns: the longest line (or readuntil() chunk) the reader takes
 *
 * Since: 0.1
 */
gsize
gtkloop_stream_reader_get_limit (GtkloopStreamReader *reader)
{
  g_return_val_if_fail (reader != NULL, 0);
  return reader->transport->limit;
}

/**
 * gtkloop_stream_reader_set_limit:
 * @reader: a reader
 * @limit: the longest line (or readuntil() chunk) the reader takes
 *
 * Sets the line limit (default %GTKLOOP_STREAM_DEFAULT_LIMIT). Loop thread
 * only. Closing the loop aborts the connection with %GTKLOOP_ERROR_CLOSED;
 * afterwards this works as on any closed stream.
 *
 * Since: 0.1
 */
void
gtkloop_stream_reader_set_limit (GtkloopStreamReader *reader,
                                 gsize                limit)
{
  g_return_if_fail (reader != NULL);
  g_return_if_fail (limit > 0);
  reader->transport->limit = limit;
  gtkloop_stream_transport_consumed (reader->transport);
}

/**
 * gtkloop_stream_reader_get_buffer_size:
 * @reader: a reader
 *
 * How many bytes are buffered and not read yet. Loop thread only. Closing
 * the loop aborts the connection with %GTKLOOP_ERROR_CLOSED; afterwards
 * this works as on any closed stream.
 *
 * Returns: the bytes received and not read yet
 *
 * Since: 0.1
 */
gsize
gtkloop_stream_reader_get_buffer_size (GtkloopStreamReader *reader)
{
  g_return_val_if_fail (reader != NULL, 0);
  return reader->transport->rbuf->len;
}
