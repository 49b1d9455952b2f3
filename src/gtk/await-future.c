/* The shape every suspension point of gtkloop-gtk shares: refuse to run
 * outside a task, make the future, await it, and let go of it when the
 * await fails. The callers only read the result. */
#include "config.h"

#include "error-private.h"
#include "gtk-private.h"

GtkloopFuture *
gtkloop_gtk_await_new_future (const char          *function,
                              GtkloopGtkFutureNew  future_new,
                              gpointer             data,
                              GError             **error)
{
  g_autoptr(GtkloopFuture) future = NULL;

  /* Checked before the future exists: a future nobody awaits would stay
   * connected to its widget or signal, and a dialog would show for nothing. */
  if (gtkloop_task_get_current () == NULL)
    {
      gtkloop_set_not_in_task_error (error, function);
      return NULL;
    }

  future = future_new (data);
  if (!gtkloop_await (future, error))
    {
      /* Lets go of the widget, signal or dialog when the await itself was
       * refused (a nested main loop); a cancelled task has cancelled the
       * future already, and a failed one is done. */
      gtkloop_future_cancel (future, NULL);
      return NULL;
    }
  return g_steal_pointer (&future);
}
