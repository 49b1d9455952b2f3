/* A program outside the tree, built only from pkg-config's answer. */
#include <gtkloop/gtkloop.h>

static void
hello (GtkloopTask *task,
       gpointer     data)
{
  if (gtkloop_sleep (0.001, NULL))
    g_print ("hello from a task\n");
}

int
main (void)
{
  return gtkloop_run (hello, NULL, NULL) ? 0 : 1;
}
