/* The timer heap: 4-ary, keys inline. A 4-ary heap has half the levels of
 * a binary one, and a node's four children share one or two cache lines,
 * so a pop touches about half as many lines. */
#include "config.h"

#include "timer-heap-private.h"

#define ARITY 4

static inline gboolean
fires_before (const GtkloopTimerEntry *a,
              const GtkloopTimerEntry *b)
{
  return a->when_ns < b->when_ns || (a->when_ns == b->when_ns && a->seq < b->seq);
}

static void
sift_up (GtkloopTimerHeap *heap,
         guint32           i)
{
  GtkloopTimerEntry e = heap->items[i];

  while (i > 0)
    {
      guint32 parent = (i - 1) / ARITY;

      if (!fires_before (&e, &heap->items[parent]))
        break;
      heap->items[i] = heap->items[parent];
      i = parent;
    }
  heap->items[i] = e;
}

static void
sift_down (GtkloopTimerHeap *heap,
           guint32           i)
{
  GtkloopTimerEntry e = heap->items[i];
  guint32 n = heap->length;

  for (;;)
    {
      guint32 first = ARITY * i + 1;
      guint32 last = MIN (first + ARITY, n);
      guint32 best;

      if (first >= n)
        break;
      best = first;
      for (guint32 c = first + 1; c < last; c++)
        if (fires_before (&heap->items[c], &heap->items[best]))
          best = c;
      if (!fires_before (&heap->items[best], &e))
        break;
      heap->items[i] = heap->items[best];
      i = best;
    }
  heap->items[i] = e;
}

void
gtkloop_timer_heap_init (GtkloopTimerHeap *heap)
{
  memset (heap, 0, sizeof *heap);
}

void
gtkloop_timer_heap_clear (GtkloopTimerHeap *heap)
{
  g_free (heap->items);
  gtkloop_timer_heap_init (heap);
}

void
gtkloop_timer_heap_push (GtkloopTimerHeap *heap,
                         GtkloopHandle    *h,
                         gint64            when_ns,
                         guint64           seq)
{
  if (heap->length == heap->capacity)
    {
      heap->capacity = MAX (64, heap->capacity * 2);
      heap->items = g_renew (GtkloopTimerEntry, heap->items, heap->capacity);
    }
  heap->items[heap->length] = (GtkloopTimerEntry) { when_ns, seq, h };
  sift_up (heap, heap->length++);
}

GtkloopHandle *
gtkloop_timer_heap_pop (GtkloopTimerHeap *heap)
{
  GtkloopHandle *top;

  if (heap->length == 0)
    return NULL;
  top = heap->items[0].handle;
  heap->items[0] = heap->items[--heap->length];
  if (heap->length > 0)
    sift_down (heap, 0);
  if (top->state == HANDLE_CANCELLED)
    heap->n_cancelled--;
  return top;
}

/* Drops every cancelled timer (freeing its slot) and rebuilds the heap in
 * O(n). Their destroy notifies already ran when they were cancelled. */
void
gtkloop_timer_heap_compact (GtkloopTimerHeap   *heap,
                            GtkloopHandleTable *table)
{
  guint32 kept = 0;

  for (guint32 i = 0; i < heap->length; i++)
    {
      GtkloopHandle *h = heap->items[i].handle;

      if (h->state == HANDLE_CANCELLED)
        gtkloop_handle_free (table, h);
      else
        heap->items[kept++] = heap->items[i];
    }
  heap->length = kept;
  heap->n_cancelled = 0;
  for (guint32 i = kept / ARITY + 1; i-- > 0;)
    if (i < kept)
      sift_down (heap, i);
}
