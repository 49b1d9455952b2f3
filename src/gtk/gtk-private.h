#pragma once

/* Helpers shared by the files of gtkloop-gtk-1; not installed. */

#include "gtkloop/gtkloop-gtk.h"

G_BEGIN_DECLS

/* Copies of param_values[1..n_param_values-1] (everything after the
 * instance): objects referenced, boxed types and strings copied. The
 * array unsets its values when freed. */
GArray *gtkloop_gtk_copy_signal_args (guint         n_param_values,
                                      const GValue *param_values);

/* "GtkButton::clicked" for a task's name. */
char   *gtkloop_gtk_signal_label     (gpointer      instance,
                                      const char   *detailed_signal);

/* Makes the future a suspension point awaits, from its arguments. */
typedef GtkloopFuture *(*GtkloopGtkFutureNew) (gpointer data);

/* gtkloop_await_frame () and its kind: %NULL with @error set (named after
 * @function) outside a task, before any future is made; otherwise awaits
 * what @future_new makes and returns it finished with a result (transfer
 * full), or %NULL with @error set, the future cancelled, when the await
 * failed. */
GtkloopFuture *gtkloop_gtk_await_new_future (const char          *function,
                                             GtkloopGtkFutureNew  future_new,
                                             gpointer             data,
                                             GError             **error);

G_END_DECLS
