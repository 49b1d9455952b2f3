#pragma once

#if !defined (GTKLOOP_INSIDE) && !defined (GTKLOOP_COMPILATION) && !defined (GTKLOOP_GTK_INSIDE)
# error "Only <gtkloop/gtkloop.h> can be included directly."
#endif

/* Symbols are hidden by default (meson: gnu_symbol_visibility 'hidden');
 * every public declaration carries one of these to be exported. */
#define GTKLOOP_EXPORT __attribute__ ((visibility ("default"))) extern
#define GTKLOOP_AVAILABLE_IN_ALL GTKLOOP_EXPORT
#define GTKLOOP_AVAILABLE_IN_1_0 GTKLOOP_EXPORT
