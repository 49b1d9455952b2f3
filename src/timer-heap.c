/* The timer heap. Ordering is (when_ns, seq): seq is taken from a per-loop
 * counter at scheduling time, which keeps equal deadlines in FIFO order. */
#include "config.h"

#include "timer-heap-private.h"

static inline gboolean
fires_before (const GtkloopHandle *a,
              const GtkloopHandle *b)
{
  return a->when_ns < b->when_ns || (a->when_ns == b->when_ns && a->seq < b->seq);
}

static void
sift_up (GtkloopTimerHeap *heap,
         guint32           i)
{
  GtkloopHandle *h = heap->items[i];

  while (i > 0)
    {
      guint32 parent = (i - 1) / 2;

      if (!fires_before (h, heap->items[parent]))
        break;
      heap->items[i] = heap->items[parent];
      i = parent;
    }
  heap->items[i] = h;
}

static void
sift_down (GtkloopTimerHeap *heap,
           guint32           i)
{
  GtkloopHandle *h = heap->items[i];
  guint32 n = heap->length;

  for (;;)
    {
      guint32 child = 2 * i + 1;

      if (child >= n)
        break;
      if (child + 1 < n && fires_before (heap->items[child + 1], heap->items[child]))
        child++;
      if (!fires_before (heap->items[child], h))
        break;
      heap->items[i] = heap->items[child];
      i = child;
    }
  heap->items[i] = h;
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
                         GtkloopHandle    *h)
{
  if (heap->length == heap->capacity)
    {
      heap->capacity = MAX (64, heap->capacity * 2);
      heap->items = g_renew (GtkloopHandle *, heap->items, heap->capacity);
    }
  heap->items[heap->length++] = h;
  sift_up (heap, heap->length - 1);
}

GtkloopHandle *
gtkloop_timer_heap_pop (GtkloopTimerHeap *heap)
{
  GtkloopHandle *top;

  if (heap->length == 0)
    return NULL;
  top = heap->items[0];
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
      GtkloopHandle *h = heap->items[i];

      if (h->state == HANDLE_CANCELLED)
        gtkloop_handle_free (table, h);
      else
        heap->items[kept++] = h;
    }
  heap->length = kept;
  heap->n_cancelled = 0;
  for (guint32 i = kept / 2; i-- > 0;)
    sift_down (heap, i);
}
