#pragma once

/* Thread futures' private side (src/thread-future.c); not installed. */

#include <glib.h>

G_BEGIN_DECLS

/* Statistics for tests: live thread futures in the process. */
guint    gtkloop_thread_future_debug_n_live (void);

G_END_DECLS
