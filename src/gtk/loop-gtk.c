/* GTK programs run gtkloop on the global default context, which
 * g_application_run () iterates: nothing more is needed to wire them up. */
#include "config.h"

#include "gtk-private.h"

/**
 * gtkloop_gtk_get_loop:
 *
 * The loop GTK's main thread runs: gtkloop_loop_get_default() on the
 * global default context, which g_application_run() iterates. Call it on
 * the main thread (on another thread it is that thread's default loop).
 *
 * |[<!-- language="C" -->
 * status = g_application_run (G_APPLICATION (app), argc, argv);
 * gtkloop_loop_close (gtkloop_gtk_get_loop ());   // finish what is pending
 * ]|
 *
 * Loop thread only: GTK's thread. Once closed, it stays GTK's loop,
 * closed.
 *
 * Returns: (transfer none): the loop
 *
 * Since: 0.1
 */
GtkloopLoop *
gtkloop_gtk_get_loop (void)
{
  return gtkloop_loop_get_default ();
}
