#pragma once

/* The umbrella header of gtkloop-gtk-1, gtkloop's GTK 4 integration. */

#include <gtk/gtk.h>
#include <gtkloop/gtkloop.h>

#define GTKLOOP_GTK_INSIDE
# include "gtkloop-version-macros.h"
#undef GTKLOOP_GTK_INSIDE

G_BEGIN_DECLS

/**
 * gtkloop_gtk_get_loop:
 *
 * The loop GTK's main thread runs: gtkloop_loop_get_default() on the
 * global default context, which g_application_run() iterates.
 *
 * Returns: (transfer none): the loop
 */
GTKLOOP_AVAILABLE_IN_ALL
GtkloopLoop *gtkloop_gtk_get_loop (void);

G_END_DECLS
