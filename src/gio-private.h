#pragma once

/* What the ready-made GIO awaitables share (gio-files.c, gio-streams.c,
 * gio-resolver.c); not installed. */

#include "gtkloop/gtkloop.h"

G_BEGIN_DECLS

/* A future for one GIO operation on the current task's loop; NULL with
 * GTKLOOP_ERROR_NOT_IN_TASK (naming function) outside a task. */
GtkloopFuture *gtkloop_gio_operation_new    (const char     *function,
                                             GError        **error);

/* Awaits operation (transfer full) and returns its GAsyncResult (transfer
 * full), or NULL with the error. After a cancellation it also waits for
 * GIO's callback before returning, so GIO is done with the operation: the
 * stream is no longer busy, the temporary file is gone, no progress call
 * comes later. */
GAsyncResult  *gtkloop_gio_operation_finish (GtkloopFuture  *operation,
                                             GError        **error);

/* The same wait for any future that GIO callbacks complete: TRUE if f
 * finished with a result; after a failed await, f is done (or, on a loop
 * that is closing, cancelled) when this returns. */
gboolean       gtkloop_gio_await_settled    (GtkloopFuture  *f,
                                             GError        **error);

G_END_DECLS
