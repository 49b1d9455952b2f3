/* Big zeroed tables, mapped directly so they can use huge pages; from the
 * C heap when a mapping fails and the caller cannot refuse. */
#include "config.h"

#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>

#include "gtkloop/gtkloop.h"

#include "memory-private.h"

#define HUGE_PAGE_SIZE GTKLOOP_HUGE_PAGE_SIZE

static gsize
round_up (gsize size)
{
  return (size + HUGE_PAGE_SIZE - 1) & ~(HUGE_PAGE_SIZE - 1);
}

/* Tables taken from the C heap because a mapping failed. Rare (only
 * after a failure), so one lock and a set are enough; n_heap_tables keeps
 * the common free and grow off the lock. */
static GMutex heap_tables_lock;
static GHashTable *heap_tables;   /* (owned) pointers, under heap_tables_lock */
static atomic_uint n_heap_tables;

static gpointer
heap_table_new (gsize size)
{
  gpointer mem = g_aligned_alloc0 (1, size, HUGE_PAGE_SIZE);

  g_mutex_lock (&heap_tables_lock);
  if (heap_tables == NULL)
    heap_tables = g_hash_table_new (NULL, NULL);
  g_hash_table_add (heap_tables, mem);
  atomic_fetch_add (&n_heap_tables, 1);
  g_mutex_unlock (&heap_tables_lock);
  return mem;
}

/* TRUE (and mem forgotten) if mem came from heap_table_new. */
static gboolean
heap_table_forget (gpointer mem)
{
  gboolean found = FALSE;

  if (atomic_load (&n_heap_tables) == 0)
    return FALSE;
  g_mutex_lock (&heap_tables_lock);
  if (heap_tables != NULL && g_hash_table_remove (heap_tables, mem))
    {
      atomic_fetch_sub (&n_heap_tables, 1);
      found = TRUE;
    }
  g_mutex_unlock (&heap_tables_lock);
  return found;
}

static gboolean
heap_table_contains (gpointer mem)
{
  gboolean found;

  if (atomic_load (&n_heap_tables) == 0)
    return FALSE;
  g_mutex_lock (&heap_tables_lock);
  found = heap_tables != NULL && g_hash_table_contains (heap_tables, mem);
  g_mutex_unlock (&heap_tables_lock);
  return found;
}

gpointer
gtkloop_table_try_alloc (gsize    size,
                         gboolean huge_pages,
                         GError **error)
{
  gsize mapped;
  guint8 *map, *aligned;

  if (size < HUGE_PAGE_SIZE)
    return g_malloc0 (size);

  /* Map one huge page more than needed and trim, to get 2 MiB alignment:
   * a huge page can only back an aligned 2 MiB range. */
  size = round_up (size);
  mapped = size + HUGE_PAGE_SIZE;
  map = mmap (NULL, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (map == MAP_FAILED)
    {
      int saved_errno = errno;

      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES,
                   "Could not map %" G_GSIZE_FORMAT " bytes for the loop's tables: %s",
                   mapped, g_strerror (saved_errno));
      errno = saved_errno;   /* for callers that pass no error */
      return NULL;
    }

  aligned = (guint8 *) (((guintptr) map + HUGE_PAGE_SIZE - 1) & ~(guintptr) (HUGE_PAGE_SIZE - 1));
  if (aligned > map)
    munmap (map, aligned - map);
  if (aligned + size < map + mapped)
    munmap (aligned + size, (map + mapped) - (aligned + size));
#ifdef MADV_HUGEPAGE
  if (huge_pages)
    madvise (aligned, size, MADV_HUGEPAGE);
#endif
  return aligned;
}

gpointer
gtkloop_table_alloc (gsize    size,
                     gboolean huge_pages)
{
  g_autoptr(GError) error = NULL;
  gpointer mem = gtkloop_table_try_alloc (size, huge_pages, &error);

  if (mem != NULL)
    return mem;
  /* The heap may still have room (glibc's malloc falls back to brk when
   * mmap fails); if it has none either, g_malloc's abort is GLib's rule. */
  g_warning ("gtkloop: %s; the table comes from the C heap instead", error->message);
  return heap_table_new (round_up (size));
}

void
gtkloop_table_free (gpointer mem,
                    gsize    size)
{
  if (mem == NULL)
    return;
  if (size < HUGE_PAGE_SIZE)
    g_free (mem);
  else if (heap_table_forget (mem))
    g_aligned_free (mem);
  else
    munmap (mem, round_up (size));
}

void
gtkloop_table_advise_huge (gpointer mem,
                           gsize    offset,
                           gsize    size)
{
  g_return_if_fail (size >= HUGE_PAGE_SIZE && offset % HUGE_PAGE_SIZE == 0);
#ifdef MADV_HUGEPAGE
  if (offset < size)
    madvise ((guint8 *) mem + offset, round_up (size) - offset, MADV_HUGEPAGE);
#endif
}

/* Contents of the table mem (old_size bytes) moved into grown, mem
 * freed. */
static void
move_table (gpointer mem,
            gsize    old_size,
            gpointer grown)
{
  if (old_size < HUGE_PAGE_SIZE)
    {
      memcpy (grown, mem, old_size);
      g_free (mem);
      return;
    }
  /* Move the old pages over the start of the new mapping: page tables
   * change hands, no byte is copied and no page is touched again. Heap
   * memory is not ours to remap. */
  if (heap_table_contains (mem) || heap_table_contains (grown) ||
      mremap (mem, round_up (old_size), round_up (old_size),
              MREMAP_MAYMOVE | MREMAP_FIXED, grown) == MAP_FAILED)
    {
      memcpy (grown, mem, old_size);
      gtkloop_table_free (mem, old_size);
    }
}

gpointer
gtkloop_table_try_grow (gpointer mem,
                        gsize    old_size,
                        gsize    new_size,
                        gboolean huge_pages,
                        GError **error)
{
  gpointer grown;

  g_return_val_if_fail (new_size >= old_size, mem);

  if (new_size < HUGE_PAGE_SIZE)
    return g_realloc (mem, new_size);
  grown = gtkloop_table_try_alloc (new_size, huge_pages, error);
  if (grown != NULL)
    move_table (mem, old_size, grown);
  return grown;
}

gpointer
gtkloop_table_grow (gpointer mem,
                    gsize    old_size,
                    gsize    new_size,
                    gboolean huge_pages)
{
  gpointer grown;

  g_return_val_if_fail (new_size >= old_size, mem);

  if (new_size < HUGE_PAGE_SIZE)
    return g_realloc (mem, new_size);
  grown = gtkloop_table_alloc (new_size, huge_pages);
  move_table (mem, old_size, grown);
  return grown;
}

void
gtkloop_table_leave_huge_pages (gpointer mem,
                                gsize    size)
{
  g_return_if_fail (size >= HUGE_PAGE_SIZE);
#ifdef MADV_NOHUGEPAGE
  madvise (mem, round_up (size), MADV_NOHUGEPAGE);
#endif
}

void
gtkloop_table_discard (gpointer mem,
                       gsize    offset,
                       gsize    size)
{
  madvise ((guint8 *) mem + offset, size, MADV_DONTNEED);
}
