#pragma once

#include "handle-private.h"

G_BEGIN_DECLS

/* The call_soon FIFO: a ring of handle pointers that grows by doubling.
 * Loop-thread only. */
typedef struct
{
  GtkloopHandle **ring;
  guint32         mask;    /* capacity - 1; capacity is a power of two */
  guint32         head;
  guint32         length;
} GtkloopReadyQueue;

void gtkloop_ready_queue_init  (GtkloopReadyQueue *q);
void gtkloop_ready_queue_clear (GtkloopReadyQueue *q);
void gtkloop_ready_queue_grow  (GtkloopReadyQueue *q);

static inline void
gtkloop_ready_queue_push (GtkloopReadyQueue *q,
                          GtkloopHandle     *h)
{
  if (G_UNLIKELY (q->length > q->mask))
    gtkloop_ready_queue_grow (q);
  q->ring[(q->head + q->length) & q->mask] = h;
  q->length++;
}

static inline GtkloopHandle *
gtkloop_ready_queue_pop (GtkloopReadyQueue *q)
{
  GtkloopHandle *h;

  if (q->length == 0)
    return NULL;
  h = q->ring[q->head];
  q->head = (q->head + 1) & q->mask;
  q->length--;
  return h;
}

G_END_DECLS
