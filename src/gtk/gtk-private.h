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

G_END_DECLS
