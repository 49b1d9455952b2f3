#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* g_main_context_new (), but a missing fd is an error rather than an
 * abort: GLib ends the process when it cannot make a context's wake-up fd
 * (an eventfd, or a pipe), so the calls that make a context of their own
 * (gtkloop_run, gtkloop_loop_thread_start) check first that one fd can be
 * had. NULL with GTKLOOP_ERROR_RESOURCES, naming function, if not. */
GMainContext *gtkloop_context_new (const char *function,
                                   GError    **error);

G_END_DECLS
