/* Streams, awaited: reading an input stream in chunks. A suspension point
 * of the current task, made with the task's GCancellable; it returns only
 * once GIO is done with the read, so a cancelled read leaves the stream
 * free for the next one. */
#include "config.h"

#include "gio-private.h"

/**
 * gtkloop_input_stream_read_bytes:
 * @stream: the stream to read
 * @count: the most bytes to read
 * @error: return location for a #GError
 *
 * Runs g_input_stream_read_bytes_async(), awaited: a suspension point. GIO
 * reads into a buffer of its own on the heap, so this is safe on any task
 * stack. Inside a task only: the operation's GCancellable is the task's.
 * While the loop closes, it fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full) (nullable): up to @count bytes; an empty
 *   #GBytes at the end of the stream; %NULL with the error
 *   (%G_IO_ERROR_CANCELLED when the task was cancelled)
 *
 * Since: 0.1
 */
GBytes *
gtkloop_input_stream_read_bytes (GInputStream *stream,
                                 gsize         count,
                                 GError      **error)
{
  GtkloopFuture *operation;
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (G_IS_INPUT_STREAM (stream), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((operation = gtkloop_gio_operation_new (G_STRFUNC, error)) == NULL)
    return NULL;
  g_input_stream_read_bytes_async (stream, count, G_PRIORITY_DEFAULT, gtkloop_get_cancellable (),
                                   gtkloop_gio_ready, gtkloop_future_ref (operation));
  if ((result = gtkloop_gio_operation_finish (operation, error)) == NULL)
    return NULL;
  return g_input_stream_read_bytes_finish (stream, result, error);
}
