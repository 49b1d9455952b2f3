#pragma once

#include <glib.h>

#include "hot-tls-private.h"

G_BEGIN_DECLS

/* Small fixed-size blocks for the objects a task is made of (the task and
 * other futures, its fiber, the frames a suspended task keeps), carved from
 * 2 MiB arenas that the kernel backs with huge pages.
 *
 * Why not malloc: a million suspended tasks are ~700 MB of small objects;
 * from malloc they arrive in 4 KiB pages, and each first touch is a page
 * fault (about 2 µs on the reference machine), which was most of W3's
 * time. An arena costs one fault per 2 MiB.
 *
 * Blocks come in 32-byte classes up to GTKLOOP_SLAB_MAX_BLOCK; bigger
 * requests go to g_malloc. Each thread allocates from a heap of its own,
 * without locks or atomics. A block may be freed on any thread: a foreign
 * block goes back to its heap through a lock-free list that the owner
 * drains when it runs short. A thread that exits leaves its heap, blocks
 * and arenas included, to the next thread that needs one, so the memory
 * held is bounded by the most threads that ever used tasks at once.
 *
 * Arenas go back to the system when asked (gtkloop_slab_trim_step: the
 * loop asks once it has been quiet for a while, see loop-trim.c, and so
 * do closing a loop and a thread's exit): every arena whose blocks are all
 * free is unmapped, but a warm reserve of free blocks is kept for the next
 * burst (GTKLOOP_SLAB_RESERVE_ARENAS arenas' worth, counting the free
 * blocks of arenas that stay). An arena with one live block stays whole.
 *
 * AddressSanitizer and Memcheck see every block as a heap block of its
 * own: use after free and leaks are reported as with malloc. */
#define GTKLOOP_SLAB_MAX_BLOCK 2048

/* What a block of `size` bytes really takes (its class), or `size` itself
 * when it comes from g_malloc. */
gsize    gtkloop_slab_block_size (gsize size);

/* Contents undefined (zero when the block is fresh from an arena). */
gpointer gtkloop_slab_alloc      (gsize size);
gpointer gtkloop_slab_alloc0     (gsize size);

/* `size` is the size the block was allocated with (or any size with the
 * same gtkloop_slab_block_size). */
void     gtkloop_slab_free       (gpointer mem,
                                  gsize    size);

/* The free blocks a trim keeps, in arenas: 8 MiB, about 12,000 suspended
 * tasks. */
#define GTKLOOP_SLAB_RESERVE_ARENAS 4
/* Blocks one trim step looks at: a cache miss each, about 0.2 ms. */
#define GTKLOOP_SLAB_TRIM_STEP_BLOCKS 2048

/* The calling thread's heap. */
typedef struct
{
  guint    n_arenas;
  gsize    mapped_bytes;
  gboolean trimming;       /* a trim is under way */
} GtkloopSlabStats;

void     gtkloop_slab_get_stats      (GtkloopSlabStats *stats);
/* Arenas the calling thread's heap has mapped or adopted, ever: read
 * after every dispatch, it tells the loop that a burst took more. */
extern _Thread_local guint gtkloop_slab_n_mapped GTKLOOP_HOT_TLS;
/* TRUE when the calling thread's heap maps more arenas than the reserve. */
gboolean gtkloop_slab_over_reserve   (void);
/* One bounded step of giving the calling thread's empty arenas back,
 * starting a trim if none is under way; TRUE while steps remain. The
 * heap's free blocks are out of reach until the trim ends (its
 * allocations meanwhile come from other arenas). */
gboolean gtkloop_slab_trim_step      (void);
/* A whole trim. */
void     gtkloop_slab_trim           (void);

/* For tests: hold the lock a thread takes to hand its heap over when it
 * exits or to adopt one (a fork waits for it, see slab.c). */
void     gtkloop_slab_lock_orphans   (void);
void     gtkloop_slab_unlock_orphans (void);

G_END_DECLS
