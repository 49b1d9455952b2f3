#pragma once

/* The wording of errors that several rooms report the same way, core and
 * gtkloop-gtk alike; not installed. */

#include "gtkloop/gtkloop-error.h"

G_BEGIN_DECLS

/* A suspension point (or anything that must run on a task's fiber) called
 * from plain code: the error, and the same text for a critical. */
#define GTKLOOP_NOT_IN_TASK_FORMAT "%s: called outside a task"

static inline void
gtkloop_set_not_in_task_error (GError    **error,
                               const char *function)
{
  g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_NOT_IN_TASK,
               GTKLOOP_NOT_IN_TASK_FORMAT, function);
}

G_END_DECLS
