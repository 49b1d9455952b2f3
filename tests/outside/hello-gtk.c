/* Compiles and links against gtkloop-gtk-1 alone, from pkg-config. */
#include <gtkloop/gtkloop-gtk.h>

int
main (void)
{
  return gtkloop_gtk_get_loop != NULL ? 0 : 1;
}
