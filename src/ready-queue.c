/* The ready queue: callbacks in the order call_soon was called. */
#include "config.h"

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

void
gtkloop_ready_queue_grow (GtkloopReadyQueue *q)
{
  guint32 capacity = q->mask + 1;
  GtkloopHandle **ring;

  if (capacity >= (1u << 31))
    g_error ("gtkloop: the ready queue cannot hold more than 2^31 callbacks");

  /* Unwrap into a ring twice the size, oldest first. */
  ring = gtkloop_table_alloc (sizeof (GtkloopHandle *) * capacity * 2, TRUE);
  for (guint32 i = 0; i < q->length; i++)
    ring[i] = q->ring[(q->head + i) & q->mask];
  gtkloop_table_free (q->ring, sizeof (GtkloopHandle *) * capacity);
  q->ring = ring;
  q->mask = capacity * 2 - 1;
  q->head = 0;
}
