#pragma once

/* Unix signals on the loop: asyncio's loop.add_signal_handler and
 * loop.remove_signal_handler. The callback runs on the loop's thread as
 * a loop callback, never inside the signal handler. */

#if !defined (GTKLOOP_INSIDE) && !defined (GTKLOOP_COMPILATION)
# error "Only <gtkloop/gtkloop.h> can be included directly."
#endif

#include <glib.h>

#include "gtkloop-types.h"
#include "gtkloop-loop.h"
#include "gtkloop-version-macros.h"

G_BEGIN_DECLS

GTKLOOP_AVAILABLE_IN_ALL
gboolean gtkloop_loop_add_signal_handler    (GtkloopLoop     *loop,
                                             int              signum,
                                             GtkloopCallback  cb,
                                             gpointer         data,
                                             GDestroyNotify   destroy,
                                             GError         **error);
GTKLOOP_AVAILABLE_IN_ALL
gboolean gtkloop_loop_remove_signal_handler (GtkloopLoop     *loop,
                                             int              signum);

G_END_DECLS
