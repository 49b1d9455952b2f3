/* Big zeroed tables, mapped directly so they can use huge pages. */
#include "config.h"

#include <string.h>
#include <sys/mman.h>

#include "memory-private.h"

#define HUGE_PAGE_SIZE GTKLOOP_HUGE_PAGE_SIZE

static gsize
round_up (gsize size)
{
  return (size + HUGE_PAGE_SIZE - 1) & ~(HUGE_PAGE_SIZE - 1);
}

gpointer
gtkloop_table_alloc (gsize    size,
                     gboolean huge_pages)
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
    g_error ("gtkloop: cannot map %" G_GSIZE_FORMAT " bytes for the loop's tables", mapped);

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

void
gtkloop_table_free (gpointer mem,
                    gsize    size)
{
  if (mem == NULL)
    return;
  if (size < HUGE_PAGE_SIZE)
    g_free (mem);
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
  if (old_size < HUGE_PAGE_SIZE)
    {
      memcpy (grown, mem, old_size);
      g_free (mem);
      return grown;
    }
  /* Move the old pages over the start of the new mapping: page tables
   * change hands, no byte is copied and no page is touched again. */
  if (mremap (mem, round_up (old_size), round_up (old_size),
              MREMAP_MAYMOVE | MREMAP_FIXED, grown) == MAP_FAILED)
    {
      memcpy (grown, mem, old_size);
      munmap (mem, round_up (old_size));
    }
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
