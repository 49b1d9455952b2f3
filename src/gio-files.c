/* Files, awaited: loading a whole file, replacing one atomically, copying
 * one with progress. Each is a suspension point of the current task, made
 * with the task's GCancellable, and returns only once GIO is done with the
 * operation (gtkloop_gio_operation_finish). */
#include "config.h"

#include "gio-private.h"

/* ---------------------------------------------------------------------- */
/* Loading                                                                 */

/**
 * gtkloop_file_load_bytes:
 * @file: the file
 * @etag_out: (out) (optional) (nullable): its entity tag
 * @error: return location for a #GError
 *
 * Runs g_file_load_bytes_async(), awaited: a suspension point. Inside a
 * task only: the operation's GCancellable is the task's. While the loop
 * closes, it fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full) (nullable): the file's contents, or %NULL with
 *   the error (%G_IO_ERROR_CANCELLED when the task was cancelled)
 *
 * Since: 0.1
 */
GBytes *
gtkloop_file_load_bytes (GFile  *file,
                         char  **etag_out,
                         GError **error)
{
  GtkloopFuture *operation;
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((operation = gtkloop_gio_operation_new (G_STRFUNC, error)) == NULL)
    return NULL;
  g_file_load_bytes_async (file, gtkloop_get_cancellable (),
                           gtkloop_gio_ready, gtkloop_future_ref (operation));
  if ((result = gtkloop_gio_operation_finish (operation, error)) == NULL)
    return NULL;
  return g_file_load_bytes_finish (file, result, etag_out, error);
}

/* ---------------------------------------------------------------------- */
/* Replacing, atomically                                                   */

/* g_file_replace_contents_bytes_async is not atomic when it goes wrong,
 * because of two things the local output stream does:
 *   - closing it renames the temporary file over the original, so GIO's
 *     own close after a failed write leaves half a file (a full disk);
 *   - a g_file_replace_async cancelled while it opens may drop the stream
 *     it made, whose dispose closes it — renaming an empty file over the
 *     original.
 * Closing with a cancelled GCancellable deletes the temporary file
 * instead. So this does the same steps (replace, write all, close), opens
 * without a cancellable, and abandons the stream (closes it with a
 * cancelled GCancellable) after a failed write or a cancellation. */
typedef struct
{
  GtkloopFuture     *done;          /* (owned): resolves with the new etag, or fails */
  GBytes            *contents;      /* (owned) */
  GCancellable      *cancellable;   /* (owned): the task's, at the call */
  GFileOutputStream *stream;        /* (owned) (nullable): once opened */
  GError            *error;         /* (owned) (nullable): the write's failure */
} ReplaceJob;

static void
replace_job_free (ReplaceJob *job)
{
  gtkloop_future_unref (job->done);
  g_bytes_unref (job->contents);
  g_clear_object (&job->cancellable);
  g_clear_object (&job->stream);
  g_clear_error (&job->error);
  g_free (job);
}

static void
replace_closed (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  ReplaceJob *job = data;
  GError *error = NULL;

  if (!g_output_stream_close_finish (G_OUTPUT_STREAM (source), result, &error) && job->error == NULL)
    job->error = g_steal_pointer (&error);
  g_clear_error (&error);
  if (job->error != NULL)
    gtkloop_future_set_error (job->done, g_steal_pointer (&job->error));
  else
    gtkloop_future_set_result (job->done, g_file_output_stream_get_etag (job->stream), g_free);
  replace_job_free (job);
}

/* Closes the stream so that the temporary file is deleted, not renamed;
 * job->error says why. */
static void
replace_abandon (ReplaceJob *job)
{
  g_autoptr(GCancellable) abandon = g_cancellable_new ();

  g_cancellable_cancel (abandon);
  g_output_stream_close_async (G_OUTPUT_STREAM (job->stream), G_PRIORITY_DEFAULT, abandon,
                               replace_closed, job);
}

static void
replace_written (GObject      *source,
                 GAsyncResult *result,
                 gpointer      data)
{
  ReplaceJob *job = data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, &job->error))
    {
      replace_abandon (job);
      return;
    }
  g_output_stream_close_async (G_OUTPUT_STREAM (source), G_PRIORITY_DEFAULT, job->cancellable,
                               replace_closed, job);
}

static void
replace_opened (GObject      *source,
                GAsyncResult *result,
                gpointer      data)
{
  ReplaceJob *job = data;
  gsize size;
  gconstpointer bytes;

  job->stream = g_file_replace_finish (G_FILE (source), result, &job->error);
  if (job->stream == NULL)
    {
      gtkloop_future_set_error (job->done, g_steal_pointer (&job->error));
      replace_job_free (job);
      return;
    }
  if (g_cancellable_set_error_if_cancelled (job->cancellable, &job->error))
    {
      replace_abandon (job);
      return;
    }
  bytes = g_bytes_get_data (job->contents, &size);
  g_output_stream_write_all_async (G_OUTPUT_STREAM (job->stream), bytes, size, G_PRIORITY_DEFAULT,
                                   job->cancellable, replace_written, job);
}

/**
 * gtkloop_file_replace_contents_bytes:
 * @file: the file to write
 * @contents: what it will hold
 * @etag: (nullable): the entity tag it must still have, or %NULL
 * @make_backup: keep the old contents as a backup (`file~`)
 * @flags: how to create it
 * @new_etag: (out) (optional) (nullable): its new entity tag
 * @error: return location for a #GError
 *
 * Replaces @file's contents as g_file_replace_contents_bytes_async() does
 * (a temporary file renamed over @file when complete), awaited: a
 * suspension point. It is atomic in every outcome: when it returns, @file
 * holds either all of @contents or what it held before, and no temporary
 * file is left — also when the write fails or the task is cancelled. A
 * cancellation that arrives after the rename still fails this call with
 * %G_IO_ERROR_CANCELLED, with @file already replaced. Inside a task only:
 * the operation's GCancellable is the task's. While the loop closes, it
 * fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE once @file holds @contents
 *
 * Since: 0.1
 */
gboolean
gtkloop_file_replace_contents_bytes (GFile            *file,
                                     GBytes           *contents,
                                     const char       *etag,
                                     gboolean          make_backup,
                                     GFileCreateFlags  flags,
                                     char            **new_etag,
                                     GError          **error)
{
  g_autoptr(GtkloopFuture) done = NULL;
  ReplaceJob *job;

  g_return_val_if_fail (G_IS_FILE (file), FALSE);
  g_return_val_if_fail (contents != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((done = gtkloop_gio_operation_new (G_STRFUNC, error)) == NULL)
    return FALSE;
  job = g_new0 (ReplaceJob, 1);
  job->done = gtkloop_future_ref (done);
  job->contents = g_bytes_ref (contents);
  job->cancellable = g_object_ref (gtkloop_get_cancellable ());
  /* No cancellable: see above; the cancellation is seen once it opened. */
  g_file_replace_async (file, etag, make_backup, flags, G_PRIORITY_DEFAULT,
                        NULL, replace_opened, job);

  if (!gtkloop_gio_await_settled (done, error))
    return FALSE;
  if (new_etag != NULL)
    *new_etag = g_strdup (gtkloop_future_get_result (done, NULL));
  return TRUE;
}

/* ---------------------------------------------------------------------- */
/* Copying with progress                                                   */

/* Owned by GIO's side: freed when the copy calls back. GIO delivers the
 * progress calls in idles queued before its completion's, so none comes
 * after copy_ready. */
typedef struct
{
  GtkloopFuture         *done;          /* (owned) */
  GCancellable          *cancellable;   /* (owned) */
  GFileProgressCallback  progress;
  gpointer               progress_data;
} CopyJob;

static void
copy_progress (goffset  current_num_bytes,
               goffset  total_num_bytes,
               gpointer data)
{
  CopyJob *job = data;

  /* Only while gtkloop_file_copy waits and the task was not cancelled. */
  if (!gtkloop_future_is_done (job->done) && !g_cancellable_is_cancelled (job->cancellable))
    job->progress (current_num_bytes, total_num_bytes, job->progress_data);
}

static void
copy_ready (GObject      *source,
            GAsyncResult *result,
            gpointer      data)
{
  CopyJob *job = data;

  gtkloop_gio_ready (source, result, g_steal_pointer (&job->done));
  g_object_unref (job->cancellable);
  g_free (job);
}

/**
 * gtkloop_file_copy:
 * @source: the file to copy
 * @destination: where to
 * @flags: as for g_file_copy()
 * @progress_callback: (nullable) (scope call) (closure progress_callback_data):
 *   called on the loop's thread
 *   with the bytes copied so far and the total, only while this call
 *   waits and the task is not cancelled
 * @progress_callback_data: its data; it is used while the task is
 *   suspended, so it must not point into a SHARED task's stack
 * @error: return location for a #GError
 *
 * Runs g_file_copy_async(), awaited: a suspension point. Inside a task
 * only: the operation's GCancellable is the task's. While the loop closes,
 * it fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE once @destination is a copy of @source
 *
 * Since: 0.1
 */
gboolean
gtkloop_file_copy (GFile                 *source,
                   GFile                 *destination,
                   GFileCopyFlags         flags,
                   GFileProgressCallback  progress_callback,
                   gpointer               progress_callback_data,
                   GError               **error)
{
  GtkloopFuture *operation;
  g_autoptr(GAsyncResult) result = NULL;
  CopyJob *job;

  g_return_val_if_fail (G_IS_FILE (source), FALSE);
  g_return_val_if_fail (G_IS_FILE (destination), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((operation = gtkloop_gio_operation_new (G_STRFUNC, error)) == NULL)
    return FALSE;
  job = g_new0 (CopyJob, 1);
  job->done = gtkloop_future_ref (operation);
  job->cancellable = g_object_ref (gtkloop_get_cancellable ());
  job->progress = progress_callback;
  job->progress_data = progress_callback_data;
  g_file_copy_async (source, destination, flags, G_PRIORITY_DEFAULT, job->cancellable,
                     progress_callback ? copy_progress : NULL, job, copy_ready, job);

  if ((result = gtkloop_gio_operation_finish (operation, error)) == NULL)
    return FALSE;
  return g_file_copy_finish (source, result, error);
}
