/* The slot table behind callback handles: chunks that never move, so a
 * handle pointer stays valid while the table grows inside a callback. */
#include "config.h"

#include "handle-private.h"

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
    g_free (table->chunks[i]);
  g_free (table->chunks);
  gtkloop_handle_table_init (table);
}

GtkloopHandle *
gtkloop_handle_table_grow_and_alloc (GtkloopHandleTable *table)
{
  GtkloopHandle *chunk;
  guint32 base;

  if (table->n_chunks >= (G_MAXUINT32 >> GTKLOOP_HANDLE_CHUNK_BITS))
    g_error ("gtkloop: more than 2^32 callback handles are live at once");

  base = table->n_chunks << GTKLOOP_HANDLE_CHUNK_BITS;
  chunk = g_new0 (GtkloopHandle, GTKLOOP_HANDLE_CHUNK_SIZE);
  table->chunks = g_renew (GtkloopHandle *, table->chunks, table->n_chunks + 1);
  table->chunks[table->n_chunks++] = chunk;

  /* Thread the new slots onto the free list in ascending order, so a burst
   * of call_soon walks memory forwards. */
  for (guint32 i = GTKLOOP_HANDLE_CHUNK_SIZE; i-- > 0;)
    {
      chunk[i].slot = base + i;
      chunk[i].generation = 1;
      chunk[i].state = HANDLE_FREE;
      chunk[i].next_free = table->free_head;
      table->free_head = base + i;
    }

  return gtkloop_handle_alloc (table);
}
