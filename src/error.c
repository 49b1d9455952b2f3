#include "config.h"

#include "gtkloop/gtkloop.h"

/**
 * gtkloop_error_quark:
 *
 * Returns: the error domain of #GtkloopError.
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (gtkloop-error-quark, gtkloop_error)
