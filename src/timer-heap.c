/* The timer heap: 4-ary, deadlines inline. A 4-ary heap has half the
 * levels of a binary one, and a node's four children share one cache line,
 * so a pop touches one line per level. */
#include "config.h"

#include <string.h>

#include "timer-heap-private.h"

#define ARITY 4
#define CACHE_LINE 64

/* Children of i are ARITY i + 1 .. ARITY i + ARITY: with items[1] on a line
 * boundary, each such group is exactly one line on 64-bit hosts (on
 * 32-bit ones an entry is 12 bytes: still correct, just not line-sized). */
G_STATIC_ASSERT (sizeof (GtkloopTimerEntry) * ARITY <= CACHE_LINE);

static inline gboolean
fires_before (const GtkloopTimerEntry *a,
              const GtkloopTimerEntry *b)
{
  return a->when_ns < b->when_ns ||
         (a->when_ns == b->when_ns && a->handle->timer_seq < b->handle->timer_seq);
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

/* The smallest of the children first .. first + ARITY - 1, all present:
 * a tournament, whose independent compares the CPU overlaps. */
static inline guint32
best_of_full_group (const GtkloopTimerEntry *items,
                    guint32                  first)
{
  guint32 a = fires_before (&items[first + 1], &items[first]) ? first + 1 : first;
  guint32 b = fires_before (&items[first + 3], &items[first + 2]) ? first + 3 : first + 2;

  return fires_before (&items[b], &items[a]) ? b : a;
}

/* Bottom-up: the entry being placed came from the bottom of the heap, so
 * it nearly always belongs near the bottom again. Walk the hole down along
 * the smallest children without comparing against it, then bring it up
 * from the leaf (rarely more than a step). */
static void
sift_down (GtkloopTimerHeap *heap,
           guint32           start)
{
  GtkloopTimerEntry *items = heap->items;
  GtkloopTimerEntry e = items[start];
  guint32 n = heap->length;
  guint32 i = start;

  for (;;)
    {
      guint32 first = ARITY * i + 1;
      guint32 best;

      if (first >= n)
        break;
      if (first + ARITY <= n)
        {
          /* The next level's line is one of four: ask for all of them
           * now, so a big heap pays about one memory latency per pop
           * instead of one per level. */
          if (ARITY * (first + ARITY - 1) + 1 < n)
            for (guint32 c = first; c < first + ARITY; c++)
              __builtin_prefetch (&items[ARITY * c + 1]);
          best = best_of_full_group (items, first);
        }
      else
        {
          best = first;
          for (guint32 c = first + 1; c < n; c++)
            if (fires_before (&items[c], &items[best]))
              best = c;
        }
      items[i] = items[best];
      i = best;
    }

  while (i > start)
    {
      guint32 parent = (i - 1) / ARITY;

      if (!fires_before (&e, &items[parent]))
        break;
      items[i] = items[parent];
      i = parent;
    }
  items[i] = e;
}

void
gtkloop_timer_heap_init (GtkloopTimerHeap *heap)
{
  memset (heap, 0, sizeof *heap);
}

void
gtkloop_timer_heap_clear (GtkloopTimerHeap *heap)
{
  g_free (heap->block);
  gtkloop_timer_heap_init (heap);
}

/* items sits one entry short of a line boundary inside its block, so
 * items[1] starts a line. realloc keeps big blocks page-aligned plus the
 * same header (mremap, no copy), so the shift rarely has to move. */
static GtkloopTimerEntry *
line_aligned_items (gpointer block)
{
  guintptr first_child = ((guintptr) block + sizeof (GtkloopTimerEntry) + CACHE_LINE - 1) & ~(guintptr) (CACHE_LINE - 1);

  return (GtkloopTimerEntry *) (first_child - sizeof (GtkloopTimerEntry));
}

static void
resize (GtkloopTimerHeap *heap,
        guint32           capacity)
{
  gsize old_shift = heap->block ? (guint8 *) heap->items - (guint8 *) heap->block : 0;
  GtkloopTimerEntry *items;
  guint8 *block;

  /* Room for the shift: up to one line. */
  block = g_realloc (heap->block, (gsize) capacity * sizeof (GtkloopTimerEntry) + CACHE_LINE);
  items = line_aligned_items (block);
  if ((guint8 *) items != block + old_shift && heap->length > 0)
    memmove (items, block + old_shift, heap->length * sizeof (GtkloopTimerEntry));
  heap->block = block;
  heap->items = items;
  heap->capacity = capacity;
}

static void
grow (GtkloopTimerHeap *heap)
{
  guint32 capacity = MAX (64, heap->capacity * 2);

  if (capacity <= heap->capacity)
    g_error ("gtkloop: more than %u timers are scheduled at once", heap->capacity);
  resize (heap, capacity);
}

/* realloc gives a big block's tail back (mremap) where it stands. */
void
gtkloop_timer_heap_shrink (GtkloopTimerHeap *heap,
                           guint32           capacity)
{
  g_return_if_fail (capacity >= heap->length && capacity <= heap->capacity);
  resize (heap, capacity);
}

void
gtkloop_timer_heap_push (GtkloopTimerHeap *heap,
                         GtkloopHandle    *h,
                         gint64            when_ns)
{
  if (heap->length == heap->capacity)
    grow (heap);
  heap->items[heap->length] = (GtkloopTimerEntry) { when_ns, h };
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
    {
      sift_down (heap, 0);
      /* The caller looks at the top's handle (its state) next, and the
       * top after that is one of the root's children: start loading their
       * handles, which sit anywhere in the handle table. */
      for (guint32 i = 0; i <= ARITY && i < heap->length; i++)
        __builtin_prefetch (heap->items[i].handle);
    }
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
