/* Minimal stand-in for the meson-generated config.h, for the cross-check
 * harness only (tests/cross/fiber-switch-check.c). Selects the assembly
 * fiber back end so src/fiber-context-private.h declares exactly what the
 * library uses. */
#pragma once
#define GTKLOOP_FIBER_ASM 1
#define GTKLOOP_DEBUG_COUNTERS 0
#define GTKLOOP_HAVE_ASAN 0
#define GTKLOOP_HAVE_TSAN 0
#define GTKLOOP_HAVE_VALGRIND 0
