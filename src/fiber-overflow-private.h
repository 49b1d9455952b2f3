#pragma once

/* The guard-page overflow report (fiber-overflow.c): a SIGSEGV handler on
 * an alternate signal stack that names the fiber which ran off its stack.
 * fiber.c answers which fiber that was (gtkloop_fiber_overflow_lookup, in
 * fiber-private.h). */

#include "gtkloop/gtkloop.h"

G_BEGIN_DECLS

/* Installs the process-wide SIGSEGV handler once and an alternate signal
 * stack for this thread (unless it has one); FALSE with
 * GTKLOOP_ERROR_RESOURCES when the alternate stack cannot be mapped. */
gboolean gtkloop_fiber_overflow_init_thread (GError **error);

/* What the handler prints; filled by fiber.c. */
typedef struct
{
  const char *name;     /* NULL: the fiber has a number only */
  guint64     number;   /* printed as "Task-N" when there is no name */
  gsize       size;
  const char *mode;
} GtkloopOverflowInfo;

G_END_DECLS
