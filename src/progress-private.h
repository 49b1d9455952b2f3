#pragma once

/* Progress channels' private side (src/progress.c); not installed. */

#include <glib.h>

G_BEGIN_DECLS

/* Statistics for tests: live progress objects in the process. */
guint    gtkloop_progress_debug_n_live      (void);

G_END_DECLS
