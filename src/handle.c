/* The slot table behind callback handles: chunks that never move, so a
 * handle pointer stays valid while the table grows inside a callback. */
#include "config.h"

#include "handle-private.h"
#include "memory-private.h"

#define CHUNK_BYTES (sizeof (GtkloopHandle) * GTKLOOP_HANDLE_CHUNK_SIZE)

/* A chunk that is not a whole number of huge pages would fall back to
 * small pages (gtkloop_table_alloc) or waste the tail of its last one. */
G_STATIC_ASSERT (CHUNK_BYTES % GTKLOOP_HUGE_PAGE_SIZE == 0);
#define FIRST_CHUNK_BUSY_SLOTS ((guint32) (GTKLOOP_HUGE_PAGE_SIZE / sizeof (GtkloopHandle) / 2))

void
gtkloop_handle_table_init (GtkloopHandleTable *table)
{
  memset (table, 0, sizeof *table);
  table->free_head = G_MAXUINT32;
}

void
gtkloop_handle_table_clear (GtkloopHandleTable *table)
{
  for (guint32 i = 0; i < table->n_chunks; i++)
    gtkloop_table_free (table->chunks[i], CHUNK_BYTES);
  g_free (table->chunks);
  gtkloop_handle_table_init (table);
}

GtkloopHandle *
gtkloop_handle_table_grow_and_alloc (GtkloopHandleTable *table)
{
  GtkloopHandle *h;

  if (table->n_used == table->n_chunks << GTKLOOP_HANDLE_CHUNK_BITS)
    {
      if (table->n_chunks >= (G_MAXUINT32 >> GTKLOOP_HANDLE_CHUNK_BITS))
        g_error ("gtkloop: more than 2^32 callback handles are live at once");
      /* The first chunk stays on small pages: most loops never need more,
       * and a huge page would cost them 2 MiB of memory up front. */
      table->chunks = g_renew (GtkloopHandle *, table->chunks, table->n_chunks + 1);
      table->chunks[table->n_chunks] = gtkloop_table_alloc (CHUNK_BYTES, table->n_chunks > 0);
      table->n_chunks++;
    }

  /* A loop that has filled half of the first chunk's first 2 MiB is a busy
   * one: let the rest of that chunk come in huge pages (the 2 MiB range
   * after the boundary must still be untouched for that). */
  if (table->n_used == FIRST_CHUNK_BUSY_SLOTS)
    gtkloop_table_advise_huge (table->chunks[0], GTKLOOP_HUGE_PAGE_SIZE, CHUNK_BYTES);

  h = gtkloop_handle_table_slot (table, table->n_used);
  h->slot = table->n_used++;
  h->generation = 1;
  table->n_live++;
  return h;
}
