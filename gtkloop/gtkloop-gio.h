#pragma once

#if !defined (GTKLOOP_INSIDE) && !defined (GTKLOOP_COMPILATION)
# error "Only <gtkloop/gtkloop.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gtkloop-types.h"
#include "gtkloop-future.h"
#include "gtkloop-version-macros.h"

G_BEGIN_DECLS

/* GIO, awaited: any _async/_finish pair becomes a suspension point of
 * the current task, cancelled with the task. See docs/io.md.
 *
 *   g_file_load_contents_async (file, gtkloop_get_cancellable (),
 *                               gtkloop_gio_ready, gtkloop_gio_begin ());
 *   g_autoptr(GAsyncResult) res = gtkloop_await_gio (&error);
 *   if (res == NULL || !g_file_load_contents_finish (file, res, …, &error))
 *     …
 *
 * GIO delivers the result to the thread-default GMainContext of the
 * moment of the call: it must be the task's loop's context (it is under
 * gtkloop_run, in loop threads, and for the default loop of the main
 * thread). */

/* The current task's GCancellable, read now (a task gets a fresh one after
 * gtkloop_task_uncancel), or NULL outside a task. Transfer none. */
GTKLOOP_AVAILABLE_IN_ALL
GCancellable  *gtkloop_get_cancellable (void);

/* The user_data for gtkloop_gio_ready: a new pending operation of the
 * current task, which gtkloop_await_gio then awaits. NULL with a critical
 * outside a task, or when the task has begun one it has not awaited yet
 * (for several at once, see gtkloop_gio_future_new). */
GTKLOOP_AVAILABLE_IN_ALL
gpointer       gtkloop_gio_begin       (void);

/* The GAsyncReadyCallback: completes the future given as @future with
 * @result (the future holds a reference on it), then drops the reference
 * to @future it was given. A future already done or cancelled just lets
 * the result go; a NULL @future (a refused gtkloop_gio_begin) is ignored. */
GTKLOOP_AVAILABLE_IN_ALL
void           gtkloop_gio_ready       (GObject       *source,
                                        GAsyncResult  *result,
                                        gpointer       future);

/* Awaits the operation begun last by this task: a suspension point.
 * Returns its GAsyncResult (transfer full) for the *_finish call; NULL with
 * G_IO_ERROR_CANCELLED when the task is cancelled, GTKLOOP_ERROR_NOT_IN_TASK
 * outside a task, GTKLOOP_ERROR_INVALID_STATE when nothing was begun. */
GTKLOOP_AVAILABLE_IN_ALL
GAsyncResult  *gtkloop_await_gio       (GError       **error) G_GNUC_WARN_UNUSED_RESULT;

/* Several operations in flight: a pending future that gtkloop_gio_ready
 * completes with the GAsyncResult. Pass gtkloop_future_ref (f) as the
 * callback's user_data, then await f (gtkloop_await_result). NULL @loop:
 * the default loop. */
GTKLOOP_AVAILABLE_IN_ALL
GtkloopFuture *gtkloop_gio_future_new  (GtkloopLoop   *loop) G_GNUC_WARN_UNUSED_RESULT;

/* gtkloop_await, then the result: a suspension point for any future.
 * Returns @f's result (transfer none: @f keeps it), or NULL with the error.
 * A future that succeeded with a NULL result also gives NULL, with no
 * error set: test the error, not the pointer, when NULL is a valid result. */
GTKLOOP_AVAILABLE_IN_ALL
gpointer       gtkloop_await_result    (GtkloopFuture *f,
                                        GError       **error);

/* Ready-made awaitables: each is its GIO call, made with the current
 * task's cancellable and awaited; a suspension point. */

/* g_file_load_bytes_async: the whole file. @etag_out: (nullable). */
GTKLOOP_AVAILABLE_IN_ALL
GBytes        *gtkloop_file_load_bytes (GFile         *file,
                                        char         **etag_out,
                                        GError       **error) G_GNUC_WARN_UNUSED_RESULT;

/* g_file_replace_contents_bytes_async's arguments, but atomic in every
 * outcome: when it returns, @file has either all of @contents or what it
 * had before (a cancelled or failed write leaves no partial file and no
 * temporary one). */
GTKLOOP_AVAILABLE_IN_ALL
gboolean       gtkloop_file_replace_contents_bytes (GFile            *file,
                                                    GBytes           *contents,
                                                    const char       *etag,
                                                    gboolean          make_backup,
                                                    GFileCreateFlags  flags,
                                                    char            **new_etag,
                                                    GError          **error);

/* g_file_copy_async. @progress_callback (nullable) runs on the loop's
 * thread with the bytes copied so far and the total, only while this call
 * waits: never after it returned. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean       gtkloop_file_copy       (GFile                 *source,
                                        GFile                 *destination,
                                        GFileCopyFlags         flags,
                                        GFileProgressCallback  progress_callback,
                                        gpointer               progress_callback_data,
                                        GError               **error);

/* g_resolver_lookup_by_name_async. @resolver: (nullable) for the default.
 * Returns a GList of GInetAddress (transfer full: free it with
 * g_resolver_free_addresses), or NULL with the error. */
GTKLOOP_AVAILABLE_IN_ALL
GList         *gtkloop_resolver_lookup_by_name (GResolver   *resolver,
                                                const char  *hostname,
                                                GError     **error) G_GNUC_WARN_UNUSED_RESULT;

/* g_input_stream_read_bytes_async: up to @count bytes; an empty GBytes at
 * the end of the stream; NULL with the error. */
GTKLOOP_AVAILABLE_IN_ALL
GBytes        *gtkloop_input_stream_read_bytes (GInputStream  *stream,
                                                gsize          count,
                                                GError       **error) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
