#pragma once

/* Running a GDestroyNotify that may be NULL; not installed. */

#include <glib.h>

G_BEGIN_DECLS

/* Every destroy notify runs exactly once: callers clear their copy of
 * @destroy after this when the owner lives on. */
static inline void
gtkloop_destroy_notify_run (GDestroyNotify destroy,
                            gpointer       data)
{
  if (destroy != NULL)
    destroy (data);
}

G_END_DECLS
