#pragma once

#include "handle-private.h"

G_BEGIN_DECLS

/* The call_later / call_at timers: a binary min-heap on (deadline, seq),
 * so timers with equal deadlines fire in the order they were scheduled.
 * Cancelled timers stay in the heap, marked, until they reach the top or a
 * compaction drops them (cheap cancel; see gtkloop_timer_heap_compact).
 * Loop-thread only. */
typedef struct
{
  GtkloopHandle **items;
  guint32         length;
  guint32         capacity;
  guint32         n_cancelled;
} GtkloopTimerHeap;

void           gtkloop_timer_heap_init    (GtkloopTimerHeap *heap);
void           gtkloop_timer_heap_clear   (GtkloopTimerHeap *heap);
void           gtkloop_timer_heap_push    (GtkloopTimerHeap *heap,
                                           GtkloopHandle    *h);
GtkloopHandle *gtkloop_timer_heap_pop     (GtkloopTimerHeap *heap);
void           gtkloop_timer_heap_compact (GtkloopTimerHeap   *heap,
                                           GtkloopHandleTable *table);

static inline GtkloopHandle *
gtkloop_timer_heap_peek (GtkloopTimerHeap *heap)
{
  return heap->length ? heap->items[0] : NULL;
}

/* Compaction pays when most of the heap is dead weight. */
static inline gboolean
gtkloop_timer_heap_wants_compaction (GtkloopTimerHeap *heap)
{
  return heap->n_cancelled >= 1024 && heap->n_cancelled * 2 > heap->length;
}

G_END_DECLS
