/* GTK programs run gtkloop on the global default context, which
 * g_application_run () iterates: nothing more is needed to wire them up. */
#include "config.h"

#include "gtkloop/gtkloop-gtk.h"

GtkloopLoop *
gtkloop_gtk_get_loop (void)
{
  return gtkloop_loop_get_default ();
}
