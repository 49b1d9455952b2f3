#pragma once

#if !defined (GTKLOOP_INSIDE) && !defined (GTKLOOP_COMPILATION)
# error "Only <gtkloop/gtkloop.h> can be included directly."
#endif

#include "gtkloop-types.h"
#include "gtkloop-future.h"
#include "gtkloop-version-macros.h"

G_BEGIN_DECLS

/* asyncio.gather: a future whose result is a GPtrArray* holding the n
 * futures in argument order (read each one's result). Without
 * return_exceptions it fails with the first error while the others go on;
 * cancelling it cancels them all. */
GTKLOOP_AVAILABLE_IN_ALL
GtkloopFuture *gtkloop_gather (GtkloopFuture *const *futures,
                               guint                 n,
                               gboolean              return_exceptions) G_GNUC_WARN_UNUSED_RESULT;

G_END_DECLS
