#pragma once

/* The guard-page overflow report (fiber-overflow.c): a SIGSEGV handler on
 * an alternate signal stack that names the fiber which ran off its stack.
 * The fiber layer, above it, says which fiber that was through the lookup
 * it installs the handler with. */

#include "gtkloop/gtkloop.h"

G_BEGIN_DECLS

/* What the handler prints; filled by the lookup. */
typedef struct
{
  const char *name;     /* NULL: the fiber has a number only */
  guint64     number;   /* printed as "Task-N" when there is no name */
  gsize       size;
  const char *mode;
} GtkloopOverflowInfo;

/* Async-signal-safe: whether @addr lies in the guard region below the
 * stack the current fiber of this thread runs on, and if so which fiber
 * that is. The fiber layer answers it (fiber.c). */
typedef gboolean (*GtkloopOverflowLookup) (const void          *addr,
                                           GtkloopOverflowInfo *info);

/* Installs the process-wide SIGSEGV handler once, asking @lookup about
 * each fault, and an alternate signal stack for this thread (unless it
 * has one); FALSE with GTKLOOP_ERROR_RESOURCES when the alternate stack
 * cannot be mapped. Every caller passes the same @lookup. */
gboolean gtkloop_fiber_overflow_init_thread (GtkloopOverflowLookup   lookup,
                                             GError                **error);

G_END_DECLS
