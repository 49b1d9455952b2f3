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
gboolean gtkloop_ready_queue_try_grow (GtkloopReadyQueue *q);
/* A ring of @capacity entries (a power of two, at least the length) in
 * place of a bigger one, the entries kept in order. */
void gtkloop_ready_queue_shrink (GtkloopReadyQueue *q,
                                 guint32            capacity);

static inline gsize
gtkloop_ready_queue_get_bytes (const GtkloopReadyQueue *q)
{
  return sizeof (GtkloopHandle *) * ((gsize) q->mask + 1);
}

static inline void
gtkloop_ready_queue_push (GtkloopReadyQueue *q,
                          GtkloopHandle     *h)
{
  if (G_UNLIKELY (q->length > q->mask))
    gtkloop_ready_queue_grow (q);
  q->ring[(q->head + q->length) & q->mask] = h;
  q->length++;
}

/* The same for call_soon, which can refuse: FALSE, with errno set and
 * nothing pushed, when the ring is full and a bigger one cannot be
 * mapped. gtkloop_ready_queue_push () itself never fails: its failed
 * mapping falls back to the C heap. Same fast path, no check more. */
static inline gboolean
gtkloop_ready_queue_try_push (GtkloopReadyQueue *q,
                              GtkloopHandle     *h)
{
  if (G_UNLIKELY (q->length > q->mask) && !gtkloop_ready_queue_try_grow (q))
    return FALSE;
  q->ring[(q->head + q->length) & q->mask] = h;
  q->length++;
  return TRUE;
}

/* The oldest entry, left in the queue (NULL when empty). */
static inline GtkloopHandle *
gtkloop_ready_queue_peek (const GtkloopReadyQueue *q)
{
  return q->length > 0 ? q->ring[q->head] : NULL;
}

#define GTKLOOP_READY_PREFETCH_DISTANCE 4

static inline GtkloopHandle *
gtkloop_ready_queue_pop (GtkloopReadyQueue *q)
{
  GtkloopHandle *h;

  if (q->length == 0)
    return NULL;
  h = q->ring[q->head];
  /* Handles queued far apart in time (timers firing in deadline order)
   * sit far apart in memory: start loading one that runs a little later. */
  if (q->length > GTKLOOP_READY_PREFETCH_DISTANCE)
    __builtin_prefetch (q->ring[(q->head + GTKLOOP_READY_PREFETCH_DISTANCE) & q->mask]);
  q->head = (q->head + 1) & q->mask;
  q->length--;
  return h;
}

G_END_DECLS
