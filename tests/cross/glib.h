/* Minimal stand-in for <glib.h>, for the cross-check harness only: just what
 * src/fiber-context-private.h uses, so the harness builds with nothing but a
 * (cross) C library. Found first because the build passes -I tests/cross. */
#pragma once
#include <stdint.h>
#include <stdlib.h>

typedef uintptr_t guintptr;
typedef uint64_t  guint64;
typedef uint8_t   guint8;

#ifdef __cplusplus
# define G_BEGIN_DECLS extern "C" {
# define G_END_DECLS   }
#else
# define G_BEGIN_DECLS
# define G_END_DECLS
#endif

#define g_assert_not_reached() abort ()
