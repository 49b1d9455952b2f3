#pragma once

#if !defined (GTKLOOP_INSIDE) && !defined (GTKLOOP_COMPILATION) && !defined (GTKLOOP_GTK_INSIDE)
# error "Only <gtkloop/gtkloop.h> can be included directly."
#endif

/* Symbols are hidden by default (meson: gnu_symbol_visibility 'hidden');
 * every public declaration carries one of these to be exported. */

/**
 * GTKLOOP_EXPORT:
 *
 * Exports a declaration from the shared library, whose other symbols are
 * hidden. Declarations use the GTKLOOP_AVAILABLE_IN_* macros, which say
 * when the symbol came as well.
 *
 * Since: 0.1
 */
#define GTKLOOP_EXPORT __attribute__ ((visibility ("default"))) extern

/**
 * GTKLOOP_AVAILABLE_IN_ALL:
 *
 * Marks a declaration available since the first release, 0.1: everything
 * public today. A symbol added in a later release X.Y gets a
 * `GTKLOOP_AVAILABLE_IN_X_Y` macro of its own and `Since: X.Y` (see
 * docs/reference.md).
 *
 * Since: 0.1
 */
#define GTKLOOP_AVAILABLE_IN_ALL GTKLOOP_EXPORT

/**
 * GTKLOOP_AVAILABLE_IN_1_0:
 *
 * The same as %GTKLOOP_AVAILABLE_IN_ALL. It was defined before the
 * releases were numbered from 0.1, is used by no declaration, and stays
 * so that code naming it still builds; do not use it on new ones.
 *
 * Since: 0.1
 */
#define GTKLOOP_AVAILABLE_IN_1_0 GTKLOOP_EXPORT
