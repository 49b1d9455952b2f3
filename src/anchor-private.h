#pragma once

/* A weak back-reference for combinators.
 *
 * A combinator's outer object (a gather, a shield, an as_completed
 * iterator) holds its children, and each child's done callback must reach
 * the outer. If that callback held a reference, a child that never
 * completes would keep outer and child alive forever through each other:
 * Python's garbage collector breaks such cycles, C has none. So the
 * callbacks hold an anchor instead: a small refcounted cell pointing at
 * the outer, cleared when the outer is freed. */

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  gint     ref_count;   /* (atomic): callbacks may be freed with a future on any thread */
  gpointer target;      /* (nullable) (unowned): NULL once the outer is gone */
} GtkloopAnchor;

static inline GtkloopAnchor *
gtkloop_anchor_new (gpointer target)
{
  GtkloopAnchor *anchor = g_new (GtkloopAnchor, 1);

  anchor->ref_count = 1;
  anchor->target = target;
  return anchor;
}

static inline gpointer
gtkloop_anchor_ref (GtkloopAnchor *anchor)
{
  g_atomic_int_inc (&anchor->ref_count);
  return anchor;
}

/* A GDestroyNotify. */
static inline void
gtkloop_anchor_unref (gpointer anchor)
{
  if (g_atomic_int_dec_and_test (&((GtkloopAnchor *) anchor)->ref_count))
    g_free (anchor);
}

/* The outer is being freed: later callbacks find nothing. */
static inline void
gtkloop_anchor_drop (GtkloopAnchor *anchor)
{
  anchor->target = NULL;
  gtkloop_anchor_unref (anchor);
}

G_END_DECLS
