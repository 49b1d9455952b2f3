/* The ready queue: callbacks in the order call_soon was called. */
#include "config.h"

#include "ready-queue-private.h"

#define INITIAL_CAPACITY 256

void
gtkloop_ready_queue_init (GtkloopReadyQueue *q)
{
  q->ring = g_new (GtkloopHandle *, INITIAL_CAPACITY);
  q->mask = INITIAL_CAPACITY - 1;
  q->head = 0;
  q->length = 0;
}

void
gtkloop_ready_queue_clear (GtkloopReadyQueue *q)
{
  g_clear_pointer (&q->ring, g_free);
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
  ring = g_new (GtkloopHandle *, capacity * 2);
  for (guint32 i = 0; i < q->length; i++)
    ring[i] = q->ring[(q->head + i) & q->mask];
  g_free (q->ring);
  q->ring = ring;
  q->mask = capacity * 2 - 1;
  q->head = 0;
}
