#pragma once

/* The umbrella header of gtkloop's core library (GLib/GIO only).
 * Programs include this one; the others refuse to be included directly. */

#define GTKLOOP_INSIDE
# include "gtkloop-version-macros.h"
# include "gtkloop-version.h"
# include "gtkloop-types.h"
# include "gtkloop-error.h"
# include "gtkloop-loop.h"
# include "gtkloop-signals.h"
# include "gtkloop-future.h"
# include "gtkloop-task.h"
# include "gtkloop-combinators.h"
# include "gtkloop-sync.h"
# include "gtkloop-executor.h"
# include "gtkloop-gio.h"
# include "gtkloop-streams.h"
# include "gtkloop-subprocess.h"
#undef GTKLOOP_INSIDE
