/* The slot table behind callback handles: chunks that never move, so a
 * handle pointer stays valid while the table grows inside a callback. */
#include "config.h"

#include <string.h>
#include <unistd.h>

#include "handle-private.h"
#include "memory-private.h"

#define CHUNK_BYTES GTKLOOP_HANDLE_CHUNK_BYTES

/* A chunk that is not a whole number of huge pages would fall back to
 * small pages (gtkloop_table_alloc) or waste the tail of its last one. */
G_STATIC_ASSERT (CHUNK_BYTES % GTKLOOP_HUGE_PAGE_SIZE == 0);
#define FIRST_CHUNK_BUSY_SLOTS ((guint32) (GTKLOOP_HUGE_PAGE_SIZE / sizeof (GtkloopHandle) / 2))

void
gtkloop_handle_table_init (GtkloopHandleTable *table)
{
  memset (table, 0, sizeof *table);
  table->free_head = G_MAXUINT32;
  table->fresh_generation = 1;
}

void
gtkloop_handle_table_clear (GtkloopHandleTable *table)
{
  for (guint32 i = 0; i < table->n_chunks; i++)
    gtkloop_table_free (table->chunks[i], CHUNK_BYTES);
  g_free (table->chunks);
  gtkloop_handle_table_init (table);
}

/* Maps a chunk where one was given back, or a new one after the last.
 * When may_fail, a failed mapping returns FALSE (errno set, nothing
 * changed); otherwise it falls back to the C heap (memory-private.h).
 * Out of line: inlined, it made every fresh slot save six registers. */
G_GNUC_NO_INLINE static gboolean
map_chunk (GtkloopHandleTable *table,
           gboolean            may_fail)
{
  guint32 c = 0;
  GtkloopHandle *chunk;

  while (c < table->n_chunks && table->chunks[c] != NULL)
    c++;
  if (c == table->n_chunks && table->n_chunks >= (G_MAXUINT32 >> GTKLOOP_HANDLE_CHUNK_BITS))
    g_error ("gtkloop: more than 2^32 callback handles are live at once");
  /* The first chunk stays on small pages: most loops never need more,
   * and a huge page would cost them 2 MiB of memory up front. */
  chunk = may_fail ? gtkloop_table_try_alloc (CHUNK_BYTES, c > 0, NULL)
                   : gtkloop_table_alloc (CHUNK_BYTES, c > 0);
  if (chunk == NULL)
    return FALSE;
  if (c == table->n_chunks)
    {
      table->chunks = g_renew (GtkloopHandle *, table->chunks, table->n_chunks + 1);
      table->n_chunks++;
    }
  table->chunks[c] = chunk;
  table->n_mapped++;
  table->next_fresh = c << GTKLOOP_HANDLE_CHUNK_BITS;
  table->fresh_end = table->next_fresh + GTKLOOP_HANDLE_CHUNK_SIZE;
  return TRUE;
}

static inline GtkloopHandle *
grow_and_alloc (GtkloopHandleTable *table,
                gboolean            may_fail)
{
  GtkloopHandle *h;

  if (G_UNLIKELY (table->next_fresh == table->fresh_end) && !map_chunk (table, may_fail))
    return NULL;

  /* A loop that has filled half of the first chunk's first 2 MiB is a busy
   * one: let the rest of that chunk come in huge pages (the 2 MiB range
   * after the boundary must still be untouched for that). */
  if (table->next_fresh == FIRST_CHUNK_BUSY_SLOTS)
    gtkloop_table_advise_huge (table->chunks[0], GTKLOOP_HUGE_PAGE_SIZE, CHUNK_BYTES);

  h = gtkloop_handle_table_slot (table, table->next_fresh);
  h->slot = table->next_fresh++;
  h->generation = table->fresh_generation;
  table->n_live++;
  return h;
}

GtkloopHandle *
gtkloop_handle_table_grow_and_alloc (GtkloopHandleTable *table)
{
  return grow_and_alloc (table, FALSE);
}

GtkloopHandle *
gtkloop_handle_table_try_grow_and_alloc (GtkloopHandleTable *table)
{
  return grow_and_alloc (table, TRUE);
}

/* Slots of chunk c that were ever handed out. */
static guint32
chunk_used (GtkloopHandleTable *table,
            guint32             c)
{
  guint32 start = c << GTKLOOP_HANDLE_CHUNK_BITS;

  if (table->next_fresh >= start && table->next_fresh < table->fresh_end &&
      table->next_fresh < start + GTKLOOP_HANDLE_CHUNK_SIZE)
    return table->next_fresh - start;
  return GTKLOOP_HANDLE_CHUNK_SIZE;
}

static gsize
page_size (void)
{
  static gsize size;

  if (size == 0)
    size = sysconf (_SC_PAGESIZE);
  return size;
}

/* What a pass over a chunk found: its live handles (and the pages they
 * are on), the highest generation its slots had, and whether one was
 * retired (its generation wrapped to 0: nothing tells how far past it
 * a new use must start, so such a chunk stays as it is). A slot whose
 * page was discarded reads as all zero: generation 0 but slot 0 too,
 * which no slot past the first chunk has. */
typedef struct
{
  guint32  n_live;
  guint32  max_generation;
  gboolean retired;
} ChunkScan;

static void
scan_chunk (GtkloopHandleTable *table,
            guint32             c,
            guint8             *busy_pages,
            ChunkScan          *scan)
{
  GtkloopHandle *chunk = table->chunks[c];
  guint32 used = chunk_used (table, c);

  memset (scan, 0, sizeof *scan);
  memset (busy_pages, 0, CHUNK_BYTES / page_size ());
  for (guint32 i = 0; i < used; i++)
    {
      const GtkloopHandle *h = &chunk[i];

      if (h->state != HANDLE_FREE)
        {
          gsize first = (gsize) i * sizeof (GtkloopHandle);

          scan->n_live++;
          busy_pages[first / page_size ()] = 1;
          busy_pages[(first + sizeof (GtkloopHandle) - 1) / page_size ()] = 1;
        }
      if (h->generation != 0)
        scan->max_generation = MAX (scan->max_generation, h->generation);
      else if (h->slot != 0)
        scan->retired = TRUE;
    }
}

/* Every page of the chunk without a live handle goes back. */
static void
discard_free_pages (GtkloopHandle *chunk,
                    const guint8  *busy_pages)
{
  gsize n_pages = CHUNK_BYTES / page_size ();

  gtkloop_table_leave_huge_pages (chunk, CHUNK_BYTES);
  for (gsize p = 0; p < n_pages;)
    {
      gsize q = p;

      while (q < n_pages && !busy_pages[q])
        q++;
      if (q > p)
        gtkloop_table_discard (chunk, p * page_size (), (q - p) * page_size ());
      p = q + 1;
    }
}

guint
gtkloop_handle_table_trim (GtkloopHandleTable *table)
{
  guint8 *busy_pages;
  gboolean *kept_whole;
  guint released = 0;
  gboolean changed = FALSE;

  if (table->n_chunks <= 1)
    return 0;
  busy_pages = g_malloc (CHUNK_BYTES / page_size ());
  kept_whole = g_new0 (gboolean, table->n_chunks);
  kept_whole[0] = TRUE;
  for (guint32 c = 1; c < table->n_chunks; c++)
    {
      ChunkScan scan;

      if (table->chunks[c] == NULL)
        continue;
      scan_chunk (table, c, busy_pages, &scan);
      if (scan.retired || scan.max_generation == G_MAXUINT32)
        {
          kept_whole[c] = TRUE;
          continue;
        }
      /* Whatever becomes of these slots, a later use starts past them. */
      table->fresh_generation = MAX (table->fresh_generation, scan.max_generation + 1);
      if (chunk_used (table, c) < GTKLOOP_HANDLE_CHUNK_SIZE)
        table->next_fresh = table->fresh_end = 0;   /* no more fresh slots from here */
      if (scan.n_live == 0)
        {
          gtkloop_table_free (table->chunks[c], CHUNK_BYTES);
          table->chunks[c] = NULL;
          released++;
        }
      else
        discard_free_pages (table->chunks[c], busy_pages);
      changed = TRUE;
    }
  g_free (busy_pages);

  if (changed)
    {
      /* The free list is made again from the chunks kept whole, lowest
       * slot first. The free slots of the drained chunks stay out of it:
       * their live handles, once freed, are used again, but nothing else
       * lands there, and a later trim finds the chunk empty. */
      table->free_head = G_MAXUINT32;
      for (guint32 c = table->n_chunks; c-- > 0;)
        {
          GtkloopHandle *chunk = table->chunks[c];

          if (!kept_whole[c])
            continue;
          for (guint32 i = chunk_used (table, c); i-- > 0;)
            if (chunk[i].state == HANDLE_FREE && chunk[i].generation != 0)
              {
                chunk[i].next_free = table->free_head;
                table->free_head = chunk[i].slot;
              }
        }
      while (table->n_chunks > 1 && table->chunks[table->n_chunks - 1] == NULL)
        table->n_chunks--;
    }
  g_free (kept_whole);
  return released;
}

gsize
gtkloop_handle_table_get_mapped (GtkloopHandleTable *table)
{
  gsize n = 0;

  for (guint32 c = 0; c < table->n_chunks; c++)
    n += table->chunks[c] != NULL;
  return n * CHUNK_BYTES;
}
