/* Signal arguments that outlive their emission: a task started by a signal
 * runs on a later loop iteration, when the emission's own GValues are gone. */
#include "config.h"

#include "gtk-private.h"

static void
clear_value (gpointer value)
{
  g_value_unset (value);
}

GArray *
gtkloop_gtk_copy_signal_args (guint         n_param_values,
                              const GValue *param_values)
{
  guint n = n_param_values > 0 ? n_param_values - 1 : 0;
  GArray *args = g_array_sized_new (FALSE, TRUE, sizeof (GValue), n);

  g_array_set_clear_func (args, clear_value);
  for (guint i = 1; i < n_param_values; i++)
    {
      GValue copy = G_VALUE_INIT;

      /* g_value_copy copies boxed values and strings and references
       * objects, also for arguments flagged G_SIGNAL_TYPE_STATIC_SCOPE. */
      g_value_init (&copy, G_VALUE_TYPE (&param_values[i]));
      g_value_copy (&param_values[i], &copy);
      g_array_append_val (args, copy);
    }
  return args;
}

char *
gtkloop_gtk_signal_label (gpointer    instance,
                          const char *detailed_signal)
{
  return g_strdup_printf ("%s::%s", G_OBJECT_TYPE_NAME (instance), detailed_signal);
}
