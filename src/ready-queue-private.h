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
gboolean gtkloop_ready_queue_reserve_slow (GtkloopReadyQueue *q,
                                           GError           **error);
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

/* Room for one more push, growing the ring if it is full: FALSE, with a
 * GTKLOOP_ERROR_RESOURCES error, when the bigger ring cannot be mapped
 * (the ring stays as it was). For call_soon, which can refuse; a push
 * itself never fails (a failed mapping falls back to the C heap). */
static inline gboolean
gtkloop_ready_queue_reserve (GtkloopReadyQueue *q,
                             GError           **error)
{
  if (G_LIKELY (q->length <= q->mask))
    return TRUE;
  return gtkloop_ready_queue_reserve_slow (q, error);
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
