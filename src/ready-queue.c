/* The ready queue: callbacks in the order call_soon was called. */
#include "config.h"

#include <string.h>

#include "memory-private.h"
#include "ready-queue-private.h"

#define INITIAL_CAPACITY 256

void
gtkloop_ready_queue_init (GtkloopReadyQueue *q)
{
  q->ring = gtkloop_table_alloc (sizeof (GtkloopHandle *) * INITIAL_CAPACITY, FALSE);
  q->mask = INITIAL_CAPACITY - 1;
  q->head = 0;
  q->length = 0;
}

void
gtkloop_ready_queue_clear (GtkloopReadyQueue *q)
{
  gtkloop_table_free (q->ring, sizeof (GtkloopHandle *) * (q->mask + 1));
  q->ring = NULL;
  q->mask = 0;
  q->head = 0;
  q->length = 0;
}

/* When may_fail, a failed mapping leaves the ring as it is (FALSE, errno
 * set); otherwise it falls back to the C heap (memory-private.h). */
static gboolean
grow (GtkloopReadyQueue *q,
      gboolean           may_fail,
      GError           **error)
{
  guint32 capacity = q->mask + 1;
  guint32 wrapped;
  gsize old_size = sizeof (GtkloopHandle *) * capacity;
  GtkloopHandle **ring;

  if (capacity >= (1u << 31))
    g_error ("gtkloop: the ready queue cannot hold more than 2^31 callbacks");

  /* Twice the size, the entries left where they are (big rings move
   * their pages instead of copying them); only the part that had wrapped
   * round to the start goes on after the old end. */
  ring = may_fail ? gtkloop_table_try_grow (q->ring, old_size, old_size * 2, TRUE, error)
                  : gtkloop_table_grow (q->ring, old_size, old_size * 2, TRUE);
  if (ring == NULL)
    return FALSE;
  q->ring = ring;
  wrapped = q->head + q->length > capacity ? q->head + q->length - capacity : 0;
  memcpy (q->ring + capacity, q->ring, sizeof (GtkloopHandle *) * wrapped);
  q->mask = capacity * 2 - 1;
  return TRUE;
}

void
gtkloop_ready_queue_grow (GtkloopReadyQueue *q)
{
  grow (q, FALSE, NULL);
}

gboolean
gtkloop_ready_queue_try_grow (GtkloopReadyQueue *q)
{
  return grow (q, TRUE, NULL);
}

void
gtkloop_ready_queue_shrink (GtkloopReadyQueue *q,
                            guint32            capacity)
{
  GtkloopHandle **ring;
  guint32 first;

  g_return_if_fail (capacity >= q->length && capacity <= q->mask && (capacity & (capacity - 1)) == 0);

  ring = gtkloop_table_alloc (sizeof (GtkloopHandle *) * capacity, FALSE);
  first = MIN (q->length, q->mask + 1 - q->head);
  memcpy (ring, q->ring + q->head, sizeof (GtkloopHandle *) * first);
  memcpy (ring + first, q->ring, sizeof (GtkloopHandle *) * (q->length - first));
  gtkloop_table_free (q->ring, gtkloop_ready_queue_get_bytes (q));
  q->ring = ring;
  q->mask = capacity - 1;
  q->head = 0;
}
