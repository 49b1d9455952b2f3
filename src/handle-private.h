#pragma once

#include "gtkloop/gtkloop.h"

G_BEGIN_DECLS

/* A scheduled callback. Handles live in a slot table owned by one loop;
 * their public id is (generation << 32 | slot), so an id names one use of a
 * slot and is never reused while it could still be cancelled. */
typedef enum {
  HANDLE_FREE,
  HANDLE_READY,      /* in the ready queue */
  HANDLE_TIMER,      /* in the timer heap */
  HANDLE_CANCELLED,  /* still in the queue or heap; destroy notify already ran */
  HANDLE_RUNNING,
} HandleState;

typedef enum {
  HANDLE_KIND_PLAIN,   /* cb (data) */
  HANDLE_KIND_FUTURE,  /* future_cb (future, data): a future's done callback */
  HANDLE_KIND_INBOX,   /* run the posts from other threads up to posts_until (loop.c) */
} HandleKind;

typedef struct _GtkloopHandle GtkloopHandle;

struct _GtkloopHandle
{
  union {
    GtkloopCallback       cb;
    GtkloopFutureCallback future_cb;
  };
  gpointer         data;
  GDestroyNotify   destroy;
  union {
    GtkloopFuture *future;      /* (owned) (nullable): HANDLE_KIND_FUTURE only */
    guint64        timer_seq;   /* timers: scheduling order, for equal deadlines */
    guint64        posts_until; /* HANDLE_KIND_INBOX: the inbox's count of posts to reach */
  };
  guint32          generation;  /* bumped each time the slot is freed */
  guint32          slot;
  guint32          next_free;   /* free list link while HANDLE_FREE */
  guint8           state;       /* HandleState */
  guint8           kind;        /* HandleKind */
};

typedef struct
{
  GtkloopHandle **chunks;       /* NULL where a chunk was given back */
  guint32         n_chunks;
  guint32         free_head;    /* slot index, or G_MAXUINT32 */
  guint32         n_live;
  guint32         next_fresh;   /* slots never handed out: [next_fresh, fresh_end), */
  guint32         fresh_end;    /*   the untouched rest of one chunk */
  guint32         fresh_generation; /* where a fresh slot's generation starts */
  guint32         n_mapped;     /* chunks mapped, ever */
} GtkloopHandleTable;

/* 131,072 handles of 48 bytes: 6 MiB, a whole number of 2 MiB huge pages
 * per chunk (see memory-private.h). Fresh slots are handed out in order
 * from one chunk, so its pages are touched only as the loop needs them. */
#define GTKLOOP_HANDLE_CHUNK_BITS 17
#define GTKLOOP_HANDLE_CHUNK_SIZE (1u << GTKLOOP_HANDLE_CHUNK_BITS)
#define GTKLOOP_HANDLE_CHUNK_BYTES (sizeof (GtkloopHandle) * GTKLOOP_HANDLE_CHUNK_SIZE)

void           gtkloop_handle_table_init  (GtkloopHandleTable *table);
void           gtkloop_handle_table_clear (GtkloopHandleTable *table);
GtkloopHandle *gtkloop_handle_table_grow_and_alloc (GtkloopHandleTable *table);
GtkloopHandle *gtkloop_handle_table_try_grow_and_alloc (GtkloopHandleTable *table);

/* For a quiet loop: every chunk but the first goes back if no handle in it
 * is live, and otherwise drains: its pages without a live handle go back,
 * and its free slots leave the free list (its live handles, once freed,
 * are used again, as the free list is LIFO; nothing else lands there, so a
 * later trim finds it empty). The free list is made again from the first
 * chunk, lowest slot first. Ids of slots given back never match again:
 * a slot used anew starts past every generation it had. Returns how many
 * chunks were unmapped. */
guint          gtkloop_handle_table_trim (GtkloopHandleTable *table);
gsize          gtkloop_handle_table_get_mapped (GtkloopHandleTable *table);

static inline GtkloopHandle *
gtkloop_handle_table_slot (GtkloopHandleTable *table,
                           guint32             slot)
{
  return &table->chunks[slot >> GTKLOOP_HANDLE_CHUNK_BITS][slot & (GTKLOOP_HANDLE_CHUNK_SIZE - 1)];
}

static inline GtkloopHandle *
gtkloop_handle_alloc (GtkloopHandleTable *table)
{
  GtkloopHandle *h;

  if (G_UNLIKELY (table->free_head == G_MAXUINT32))
    return gtkloop_handle_table_grow_and_alloc (table);

  h = gtkloop_handle_table_slot (table, table->free_head);
  table->free_head = h->next_free;
  table->n_live++;
  return h;
}

/* The same for the calls that can refuse a callback (call_soon,
 * call_later, call_at): NULL, with errno set, when a new chunk is needed
 * and cannot be mapped. gtkloop_handle_alloc () itself never fails: its
 * failed mapping falls back to the C heap. Same fast path, no check more. */
static inline GtkloopHandle *
gtkloop_handle_try_alloc (GtkloopHandleTable *table)
{
  GtkloopHandle *h;

  if (G_UNLIKELY (table->free_head == G_MAXUINT32))
    return gtkloop_handle_table_try_grow_and_alloc (table);

  h = gtkloop_handle_table_slot (table, table->free_head);
  table->free_head = h->next_free;
  table->n_live++;
  return h;
}

/* Returns the slot to the free list. The generation moves on, so ids of the
 * old use no longer match; a slot whose generation would wrap is retired. */
static inline void
gtkloop_handle_free (GtkloopHandleTable *table,
                     GtkloopHandle      *h)
{
  h->state = HANDLE_FREE;
  h->data = NULL;
  h->destroy = NULL;
  h->future = NULL;
  table->n_live--;
  if (G_UNLIKELY (++h->generation == 0))
    return;
  h->next_free = table->free_head;
  table->free_head = h->slot;
}

static inline guint64
gtkloop_handle_id (const GtkloopHandle *h)
{
  return ((guint64) h->generation << 32) | h->slot;
}

/* The live handle an id names, or NULL if that use of the slot is over. */
static inline GtkloopHandle *
gtkloop_handle_lookup (GtkloopHandleTable *table,
                       guint64             id)
{
  guint32 slot = (guint32) id;
  guint32 generation = (guint32) (id >> 32);
  GtkloopHandle *h;

  if (generation == 0 || (slot >> GTKLOOP_HANDLE_CHUNK_BITS) >= table->n_chunks ||
      table->chunks[slot >> GTKLOOP_HANDLE_CHUNK_BITS] == NULL)
    return NULL;
  h = gtkloop_handle_table_slot (table, slot);
  if (h->generation != generation || h->state == HANDLE_FREE)
    return NULL;
  return h;
}

G_END_DECLS
