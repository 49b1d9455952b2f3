/* The per-thread block heaps behind tasks, futures and fibers; see
 * slab-private.h for why they exist. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "debug-private.h"
#include "hot-tls-private.h"
#include "memory-private.h"
#include "slab-private.h"

#if GTKLOOP_HAVE_ASAN
# include <sanitizer/asan_interface.h>
#endif
#if GTKLOOP_HAVE_VALGRIND
# include <valgrind/memcheck.h>
# include <valgrind/valgrind.h>
#endif

#define ARENA_SIZE GTKLOOP_HUGE_PAGE_SIZE   /* one huge page: found by masking */
#define GRAIN      32
#define CACHE_LINE 64
#define N_CLASSES  (GTKLOOP_SLAB_MAX_BLOCK / GRAIN)

typedef struct _Block Block;
struct _Block
{
  Block *next;
};

typedef struct _SlabHeap SlabHeap;
typedef struct _ArenaHeader ArenaHeader;

/* Giving empty arenas back, in steps (see gtkloop_slab_trim_step): the
 * free and remote lists are taken off the heap first, so that they stay
 * still between steps; blocks freed meanwhile go to the heap's new lists,
 * and their arenas, not all free when the lists were taken, stay. Each
 * block read is a cache miss: the lists are walked side by side, so that
 * the misses of different lists overlap. */
typedef enum
{
  TRIM_NONE,
  TRIM_COUNT,      /* add up each arena's bytes on the taken lists */
  TRIM_SORT,       /* blocks of arenas that stay go back to the heap */
  TRIM_RELEASE,    /* unmap the rest */
} TrimPhase;

#define N_LISTS (2 * N_CLASSES)   /* free lists, then remote lists, per class */

typedef struct
{
  TrimPhase phase;
  guint     n_walking;
  guint8    walking[N_LISTS];     /* the lists not walked to their end yet */
  Block    *cursor[N_LISTS];      /* COUNT: the next block of each */
  Block    *taken[N_LISTS];
} SlabTrim;

G_STATIC_ASSERT (N_LISTS <= 256);

struct _SlabHeap
{
  /* (owner thread) */
  Block       *free[N_CLASSES];
  guint8      *bump;            /* the unused rest of the arena being carved */
  guint8      *bump_end;
  gsize        bump_used;       /* bytes of blocks carved from it */
  ArenaHeader *carving;         /* that arena, or NULL */
  ArenaHeader *arenas;          /* all of them, newest first */
  guint        n_arenas;
  SlabTrim     trim;

  /* (any thread) blocks freed by other threads, one list per class */
  _Atomic (Block *) remote[N_CLASSES] __attribute__ ((aligned (64)));

  SlabHeap *next_orphan;        /* (lock: orphans_lock) */
};

/* The first line of every arena: whose blocks these are. Arenas are
 * 2 MiB-aligned, so a block finds its header by masking its address. */
struct _ArenaHeader
{
  SlabHeap    *heap;
  ArenaHeader *next;            /* (owner) the heap's arenas */
  guint32      used;            /* (owner) bytes of blocks carved, once no longer carving */
  guint32      free;            /* (owner) trimming: its bytes on the taken lists, or RELEASE */
};

#define RELEASE G_MAXUINT32

G_STATIC_ASSERT (sizeof (ArenaHeader) <= GRAIN);

static _Thread_local SlabHeap *my_heap GTKLOOP_HOT_TLS;
_Thread_local guint gtkloop_slab_n_mapped GTKLOOP_HOT_TLS;

/* pthread, not GMutex: ThreadSanitizer sees through the former only
 * (Debian's GLib is not instrumented). */
static pthread_mutex_t orphans_lock = PTHREAD_MUTEX_INITIALIZER;
static SlabHeap *orphans;        /* (lock: orphans_lock) heaps of threads that exited */

/* A fork taken while another thread held orphans_lock would leave it
 * locked in the child, whose first new heap would then wait forever: the
 * fork waits for the lock instead, and both sides let it go. */
static void
orphans_lock_before_fork (void)
{
  pthread_mutex_lock (&orphans_lock);
}

static void
orphans_unlock_after_fork (void)
{
  pthread_mutex_unlock (&orphans_lock);
}

static void
install_fork_handlers (void)
{
  pthread_atfork (orphans_lock_before_fork, orphans_unlock_after_fork, orphans_unlock_after_fork);
}

static void
lock_orphans (void)
{
  static pthread_once_t fork_handlers_once = PTHREAD_ONCE_INIT;

  pthread_once (&fork_handlers_once, install_fork_handlers);
  pthread_mutex_lock (&orphans_lock);
}

void
gtkloop_slab_lock_orphans (void)
{
  lock_orphans ();
}

void
gtkloop_slab_unlock_orphans (void)
{
  pthread_mutex_unlock (&orphans_lock);
}

static void heap_trim (SlabHeap *heap);

/* A thread that exits gives back what its heap no longer uses, keeping
 * the reserve for whoever adopts it. */
static void
orphan_heap (gpointer data)
{
  SlabHeap *heap = data;

  my_heap = NULL;
  heap_trim (heap);
  lock_orphans ();
  heap->next_orphan = orphans;
  orphans = heap;
  pthread_mutex_unlock (&orphans_lock);
}

static GPrivate heap_key = G_PRIVATE_INIT (orphan_heap);

static SlabHeap *
heap_get_slow (void)
{
  SlabHeap *heap;

  lock_orphans ();
  heap = orphans;
  if (heap != NULL)
    orphans = heap->next_orphan;
  pthread_mutex_unlock (&orphans_lock);

  if (heap == NULL)
    heap = g_aligned_alloc0 (1, sizeof (SlabHeap), CACHE_LINE);   /* remote[] on lines of its own */
  heap->next_orphan = NULL;
  gtkloop_slab_n_mapped += heap->n_arenas;
  my_heap = heap;
  g_private_set (&heap_key, heap);
  return heap;
}

static inline SlabHeap *
heap_get (void)
{
  SlabHeap *heap = my_heap;

  return G_LIKELY (heap != NULL) ? heap : heap_get_slow ();
}

static inline guint
class_of (gsize size)
{
  return size == 0 ? 0 : (guint) ((size - 1) / GRAIN);
}

gsize
gtkloop_slab_block_size (gsize size)
{
  return size > GTKLOOP_SLAB_MAX_BLOCK ? size : (class_of (size) + 1) * GRAIN;
}

/* The link of a free block is the one part the heap itself reads and
 * writes; the sanitizers are told around each access. */
static inline Block *
read_link (Block *b)
{
  Block *next;

#if GTKLOOP_HAVE_VALGRIND
  VALGRIND_MAKE_MEM_DEFINED (b, sizeof *b);
#endif
  next = b->next;
#if GTKLOOP_HAVE_VALGRIND
  VALGRIND_MAKE_MEM_NOACCESS (b, sizeof *b);
#endif
  return next;
}

static inline void
write_link (Block *b,
            Block *next)
{
#if GTKLOOP_HAVE_ASAN
  /* A block of fewer than 8 bytes had part of its link word poisoned. */
  ASAN_UNPOISON_MEMORY_REGION (b, sizeof *b);
#endif
#if GTKLOOP_HAVE_VALGRIND
  VALGRIND_MAKE_MEM_UNDEFINED (b, sizeof *b);
#endif
  b->next = next;
#if GTKLOOP_HAVE_VALGRIND
  VALGRIND_MAKE_MEM_NOACCESS (b, sizeof *b);
#endif
}

static inline ArenaHeader *
arena_of (gconstpointer block)
{
  return (ArenaHeader *) ((guintptr) block & ~(guintptr) (ARENA_SIZE - 1));
}

static void
new_arena (SlabHeap *heap)
{
  /* The first arena stays on small pages: a thread with a handful of
   * tasks should not pay a 2 MiB huge page for them. */
  guint8 *arena = gtkloop_table_alloc (ARENA_SIZE, heap->n_arenas > 0);
  ArenaHeader *header = (ArenaHeader *) arena;

  if (heap->carving != NULL)
    heap->carving->used = (guint32) heap->bump_used;
  header->heap = heap;
  header->next = heap->arenas;
  heap->arenas = header;
  heap->carving = header;
  heap->bump_used = 0;
  heap->bump = arena + GRAIN;
  heap->bump_end = arena + ARENA_SIZE;
  heap->n_arenas++;
  gtkloop_slab_n_mapped++;
#if GTKLOOP_HAVE_ASAN
  ASAN_POISON_MEMORY_REGION (heap->bump, heap->bump_end - heap->bump);
#endif
#if GTKLOOP_HAVE_VALGRIND
  VALGRIND_MAKE_MEM_NOACCESS (heap->bump, heap->bump_end - heap->bump);
#endif
}

/* A fresh block from the newest arena, or NULL when it has no room.
 * Blocks of whole cache lines start on one: objects handed between threads
 * (executor jobs) then never share a line with a neighbour. */
static inline guint8 *
carve (SlabHeap *heap,
       gsize     size)
{
  guint8 *start = heap->bump;

  if (size % CACHE_LINE == 0)
    start = (guint8 *) (((guintptr) start + CACHE_LINE - 1) & ~(guintptr) (CACHE_LINE - 1));
  if (start == NULL || start > heap->bump_end || (gsize) (heap->bump_end - start) < size)
    return NULL;
  heap->bump = start + size;
  heap->bump_used += size;
  return start;
}

/* Takes a block of class c; *fresh tells whether it was never used (and
 * so is still zero). */
static Block *
take_block (SlabHeap *heap,
            guint     c,
            gboolean *fresh)
{
  gsize size = (gsize) (c + 1) * GRAIN;
  Block *b = heap->free[c];

  *fresh = FALSE;
  if (G_LIKELY (b != NULL))
    {
      heap->free[c] = read_link (b);
      return b;
    }
  if (atomic_load_explicit (&heap->remote[c], memory_order_relaxed) != NULL)
    {
      b = atomic_exchange_explicit (&heap->remote[c], NULL, memory_order_acquire);
      heap->free[c] = read_link (b);
      return b;
    }
  b = (Block *) carve (heap, size);
  if (b == NULL)
    {
      new_arena (heap);   /* the old arena's tail (< 2 KiB) is left unused */
      b = (Block *) carve (heap, size);
    }
  *fresh = TRUE;
  return b;
}

static gpointer
slab_alloc (gsize    size,
            gboolean zeroed)
{
  gboolean fresh;
  Block *b;

  if (size > GTKLOOP_SLAB_MAX_BLOCK)
    return zeroed ? g_malloc0 (size) : g_malloc (size);

  b = take_block (heap_get (), class_of (size), &fresh);
#if GTKLOOP_HAVE_ASAN
  ASAN_UNPOISON_MEMORY_REGION (b, size);
#endif
#if GTKLOOP_HAVE_VALGRIND
  VALGRIND_MALLOCLIKE_BLOCK (b, size, 0, fresh);
#endif
  if (zeroed && !fresh)
    memset (b, 0, size);
  return b;
}

gpointer
gtkloop_slab_alloc (gsize size)
{
  return slab_alloc (size, FALSE);
}

gpointer
gtkloop_slab_alloc0 (gsize size)
{
  return slab_alloc (size, TRUE);
}

void
gtkloop_slab_free (gpointer mem,
                   gsize    size)
{
  ArenaHeader *arena;
  Block *b = mem;
  guint c;

  if (mem == NULL)
    return;
  if (size > GTKLOOP_SLAB_MAX_BLOCK)
    {
      g_free (mem);
      return;
    }

  c = class_of (size);
  arena = arena_of (mem);
#if GTKLOOP_HAVE_VALGRIND
  VALGRIND_FREELIKE_BLOCK (mem, 0);
#endif
#if GTKLOOP_HAVE_ASAN
  /* All but the link, which a freeing thread writes and the owner reads
   * while neither owns the block (and ASan poisons in 8-byte units). */
  ASAN_POISON_MEMORY_REGION ((guint8 *) mem + sizeof (Block), gtkloop_slab_block_size (size) - sizeof (Block));
#endif

  if (arena->heap == my_heap)
    {
      write_link (b, arena->heap->free[c]);
      arena->heap->free[c] = b;
    }
  else
    {
      SlabHeap *heap = arena->heap;
      Block *head = atomic_load_explicit (&heap->remote[c], memory_order_relaxed);

      /* A push-only stack: the owner takes the whole list at once with an
       * exchange, so no block is popped singly and ABA cannot happen. */
      do
        write_link (b, head);
      while (!atomic_compare_exchange_weak_explicit (&heap->remote[c], &head, b,
                                                     memory_order_release, memory_order_relaxed));
    }
}

/* ---------------------------------------------------------------------- */
/* Giving memory back                                                      */

static inline guint32
arena_used (SlabHeap    *heap,
            ArenaHeader *arena)
{
  return arena == heap->carving ? (guint32) heap->bump_used : arena->used;
}

static void
walk_all_lists (SlabTrim *t)
{
  t->n_walking = 0;
  for (guint l = 0; l < N_LISTS; l++)
    {
      t->cursor[l] = t->taken[l];
      if (t->taken[l] != NULL)
        t->walking[t->n_walking++] = l;
    }
}

static void
trim_begin (SlabHeap *heap)
{
  SlabTrim *t = &heap->trim;

  for (guint c = 0; c < N_CLASSES; c++)
    {
      t->taken[c] = heap->free[c];
      heap->free[c] = NULL;
      t->taken[N_CLASSES + c] = atomic_exchange_explicit (&heap->remote[c], NULL, memory_order_acquire);
    }
  for (ArenaHeader *a = heap->arenas; a != NULL; a = a->next)
    a->free = 0;
  walk_all_lists (t);
  t->phase = TRIM_COUNT;
}

/* Every arena whose blocks are all on the taken lists is empty. The
 * reserve is GTKLOOP_SLAB_RESERVE_ARENAS arenas' worth of free blocks:
 * those of arenas that stay anyway (a live block keeps them) count first,
 * then empty arenas are kept, newest first, until it is full; the other
 * empty ones go. The one being carved stops being carved if it goes. */
static void
trim_choose (SlabHeap *heap)
{
  gsize spare = 0;

  for (ArenaHeader *a = heap->arenas; a != NULL; a = a->next)
    if (a->free != arena_used (heap, a))
      spare += a->free;

  for (ArenaHeader *a = heap->arenas; a != NULL; a = a->next)
    {
      if (a->free != arena_used (heap, a))
        continue;
      if (spare < GTKLOOP_SLAB_RESERVE_ARENAS * ARENA_SIZE)
        {
          spare += ARENA_SIZE;
          continue;
        }
      a->free = RELEASE;
      if (a == heap->carving)
        {
          heap->carving = NULL;
          heap->bump = heap->bump_end = NULL;
          heap->bump_used = 0;
        }
    }
}

static void
release_arena (ArenaHeader *arena)
{
#if GTKLOOP_HAVE_ASAN
  /* Whatever is mapped here next must not inherit the blocks' poison. */
  ASAN_UNPOISON_MEMORY_REGION (arena, ARENA_SIZE);
#endif
  gtkloop_table_free (arena, ARENA_SIZE);
}

/* One step of a trim of @heap: about @budget blocks looked at, or as many
 * arenas unmapped. */
static gboolean
trim_step (SlabHeap *heap,
           guint     budget)
{
  SlabTrim *t = &heap->trim;

  if (t->phase == TRIM_NONE)
    trim_begin (heap);

  if (t->phase == TRIM_COUNT)
    {
      while (t->n_walking > 0)
        {
          guint round = t->n_walking;

          for (guint k = 0; k < t->n_walking;)
            {
              guint l = t->walking[k];
              Block *b = t->cursor[l];

              arena_of (b)->free += (l % N_CLASSES + 1) * GRAIN;
              t->cursor[l] = read_link (b);
              if (t->cursor[l] == NULL)
                t->walking[k] = t->walking[--t->n_walking];
              else
                k++;
            }
          if (budget <= round)
            return TRUE;
          budget -= round;
        }
      trim_choose (heap);
      walk_all_lists (t);
      t->phase = TRIM_SORT;
    }

  if (t->phase == TRIM_SORT)
    {
      while (t->n_walking > 0)
        {
          guint round = t->n_walking;

          for (guint k = 0; k < t->n_walking;)
            {
              guint l = t->walking[k];
              guint c = l % N_CLASSES;
              Block *b = t->taken[l];

              t->taken[l] = read_link (b);
              if (arena_of (b)->free != RELEASE)
                {
                  write_link (b, heap->free[c]);
                  heap->free[c] = b;
                }
              if (t->taken[l] == NULL)
                t->walking[k] = t->walking[--t->n_walking];
              else
                k++;
            }
          if (budget <= round)
            return TRUE;
          budget -= round;
        }
      t->phase = TRIM_RELEASE;
    }

  /* An unmap costs about as much as walking a few hundred blocks. */
  budget = MAX (budget / 256, 1);
  for (ArenaHeader **p = &heap->arenas; *p != NULL;)
    {
      ArenaHeader *a = *p;

      if (a->free != RELEASE)
        {
          p = &a->next;
          continue;
        }
      *p = a->next;
      heap->n_arenas--;
      release_arena (a);
      if (--budget == 0)
        return TRUE;
    }
  t->phase = TRIM_NONE;
  return FALSE;
}

static void
heap_trim (SlabHeap *heap)
{
  while (trim_step (heap, G_MAXUINT))
    ;
}

gboolean
gtkloop_slab_trim_step (void)
{
  SlabHeap *heap = my_heap;

  return heap != NULL && trim_step (heap, GTKLOOP_SLAB_TRIM_STEP_BLOCKS);
}

void
gtkloop_slab_trim (void)
{
  if (my_heap != NULL)
    heap_trim (my_heap);
}

gboolean
gtkloop_slab_over_reserve (void)
{
  SlabHeap *heap = my_heap;

  return heap != NULL && heap->n_arenas > GTKLOOP_SLAB_RESERVE_ARENAS;
}

void
gtkloop_slab_get_stats (GtkloopSlabStats *stats)
{
  SlabHeap *heap = my_heap;

  memset (stats, 0, sizeof *stats);
  if (heap == NULL)
    return;
  stats->n_arenas = heap->n_arenas;
  stats->mapped_bytes = (gsize) heap->n_arenas * ARENA_SIZE;
  stats->trimming = heap->trim.phase != TRIM_NONE;
}
