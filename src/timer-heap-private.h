#pragma once

#include "handle-private.h"

G_BEGIN_DECLS

/* The call_later / call_at timers: a 4-ary min-heap on (deadline, seq),
 * so timers with equal deadlines fire in the order they were scheduled.
 * The deadlines live in the heap array itself: sifting compares
 * contiguous memory, and chases a handle pointer only between equal
 * deadlines (with 200,000 timers, a chase per comparison was most of W2's
 * time). An entry is 16
 * bytes and the array is placed so that a node's four children fill one
 * 64-byte cache line; the scheduling order, needed only between equal
 * deadlines, stays on the handle (timer_seq). Cancelled timers stay in the
 * heap, marked on their handle, until they reach the top or a compaction
 * drops them (cheap cancel; see gtkloop_timer_heap_compact).
 * Loop-thread only. */
typedef struct
{
  gint64         when_ns;   /* deadline on CLOCK_MONOTONIC */
  GtkloopHandle *handle;    /* its timer_seq breaks ties */
} GtkloopTimerEntry;

typedef struct
{
  GtkloopTimerEntry *items;      /* items[1] starts a cache line */
  gpointer           block;      /* (owned) what items points into */
  guint32            length;
  guint32            capacity;
  guint32            n_cancelled;
} GtkloopTimerHeap;

void           gtkloop_timer_heap_init    (GtkloopTimerHeap *heap);
void           gtkloop_timer_heap_clear   (GtkloopTimerHeap *heap);
void           gtkloop_timer_heap_push    (GtkloopTimerHeap *heap,
                                           GtkloopHandle    *h,
                                           gint64            when_ns);
GtkloopHandle *gtkloop_timer_heap_pop     (GtkloopTimerHeap *heap);
void           gtkloop_timer_heap_compact (GtkloopTimerHeap   *heap,
                                           GtkloopHandleTable *table);
/* Room for @capacity entries (at least the length) instead of more. */
void           gtkloop_timer_heap_shrink  (GtkloopTimerHeap *heap,
                                           guint32           capacity);

static inline GtkloopHandle *
gtkloop_timer_heap_peek (GtkloopTimerHeap *heap)
{
  return heap->length ? heap->items[0].handle : NULL;
}

/* The first deadline; G_MAXINT64 when there is no timer. */
static inline gint64
gtkloop_timer_heap_first_when (GtkloopTimerHeap *heap)
{
  return heap->length ? heap->items[0].when_ns : G_MAXINT64;
}

/* Compaction pays when most of the heap is dead weight. */
static inline gboolean
gtkloop_timer_heap_wants_compaction (GtkloopTimerHeap *heap)
{
  return heap->n_cancelled >= 1024 && heap->n_cancelled * 2 > heap->length;
}

G_END_DECLS
