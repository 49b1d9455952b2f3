#include "config.h"

#include "gtkloop/gtkloop.h"

/**
 * gtkloop_error_quark:
 *
 * The #GQuark behind %GTKLOOP_ERROR; use the macro. Any thread; needs no
 * loop, so a closed one changes nothing.
 *
 * Returns: the error domain of #GtkloopError
 *
 * Since: 0.1
 */
G_DEFINE_QUARK (gtkloop-error-quark, gtkloop_error)
