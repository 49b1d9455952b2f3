#pragma once

#include "gtkloop/gtkloop.h"

G_BEGIN_DECLS

/* Task-local values, copy-on-write: a child task shares its parent's table
 * until either side changes it, like a copied contextvars.Context. */
typedef struct _GtkloopTaskLocals GtkloopTaskLocals;

GtkloopTaskLocals *gtkloop_task_locals_ref   (GtkloopTaskLocals  *locals);
void               gtkloop_task_locals_unref (GtkloopTaskLocals  *locals);
gpointer           gtkloop_task_locals_get   (GtkloopTaskLocals  *locals,
                                              const char         *key);
/* May replace *locals with a private copy before changing it. */
void               gtkloop_task_locals_set   (GtkloopTaskLocals **locals,
                                              const char         *key,
                                              gpointer            value,
                                              GDestroyNotify      destroy);

G_END_DECLS
