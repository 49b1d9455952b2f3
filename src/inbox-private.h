#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "gtkloop/gtkloop.h"

G_BEGIN_DECLS

/* The thread inbox: what other threads post to a loop
 * (call_soon_threadsafe, executor results). Many producers, one consumer
 * (the loop thread). Producers append under a pthread mutex (GLib's GMutex
 * is invisible to ThreadSanitizer on Debian) to a chain of blocks; the
 * consumer takes the whole chain in one locked step and runs the posts
 * straight from it. Everything the loop thread does under the lock is
 * O(1) and so is everything the producers do (no array is ever copied: a
 * full block is followed by a new one), and a producer steps aside while
 * the consumer waits for the lock, so a worker posting in a tight loop
 * cannot keep the loop thread out. Only the post that finds the inbox
 * empty wakes the loop's context, so a burst of posts costs one wake-up.
 *
 * Lock order: inbox->lock is a leaf; nothing else is taken while it is held. */
typedef struct
{
  GtkloopCallback cb;
  gpointer        data;
  GDestroyNotify  destroy;
} GtkloopInboxEntry;

typedef struct _GtkloopInboxBlock GtkloopInboxBlock;
struct _GtkloopInboxBlock
{
  GtkloopInboxBlock *next;        /* later posts, or NULL */
  guint              capacity;
  guint              length;      /* (lock: lock) until taken */
  guint              done;        /* (loop-thread) entries run or dropped */
  GtkloopInboxEntry  entries[];
};

#define GTKLOOP_INBOX_MIN_BLOCK     64
#define GTKLOOP_INBOX_MAX_BLOCK     1024   /* 24 KiB of posts */
#define GTKLOOP_INBOX_SPARE_BLOCKS  4      /* kept for reuse on each side */

typedef struct
{
  pthread_mutex_t    lock;
  atomic_bool        consumer_waiting; /* producers wait before locking while set */
  GtkloopInboxBlock *head;        /* (lock: lock) the oldest posts */
  GtkloopInboxBlock *tail;        /* (lock: lock) where posts go */
  GtkloopInboxBlock *free_blocks; /* (lock: lock) finished blocks for the producers */
  guint              n_free;      /* (lock: lock) */
  GtkloopInboxBlock *spare;       /* (loop-thread) finished blocks, handed over at the next take */
  guint              n_spare;     /* (loop-thread) */
  atomic_bool        nonempty;    /* written under lock, read lock-free by prepare/check */
  atomic_bool        consumer_may_sleep; /* the loop thread is (about to be) in poll */
  atomic_bool        closed;      /* posts after close run their destroy notify at once */
  atomic_ulong       n_wakeups;   /* statistics: context wake-ups requested */
} GtkloopInbox;

void     gtkloop_inbox_init  (GtkloopInbox *inbox);
void     gtkloop_inbox_clear (GtkloopInbox *inbox);

/* Any thread. Returns TRUE when this post made the inbox non-empty, i.e.
 * when the caller must wake the consumer. FALSE with the entry refused when
 * the inbox is closed. */
gboolean gtkloop_inbox_post  (GtkloopInbox     *inbox,
                              GtkloopCallback   cb,
                              gpointer          data,
                              GDestroyNotify    destroy,
                              gboolean         *refused);

/* Loop thread. Takes every posted entry, oldest first, as a chain of
 * blocks (NULL when there is none). The consumer runs each block's
 * entries from done on, then hands it to gtkloop_inbox_block_done (). */
GtkloopInboxBlock *gtkloop_inbox_take       (GtkloopInbox      *inbox);

/* Loop thread. Recycles a finished block; returns the next one. */
GtkloopInboxBlock *gtkloop_inbox_block_done (GtkloopInbox      *inbox,
                                             GtkloopInboxBlock *block);

/* Loop thread. Refuses further posts and returns what was left behind
 * (NULL for nothing), a chain as gtkloop_inbox_take () returns. */
GtkloopInboxBlock *gtkloop_inbox_close      (GtkloopInbox      *inbox);

/* Loop thread, in prepare: TRUE before looking at the inbox and going to
 * poll; FALSE once awake. Posts wake the context only while it is TRUE, so
 * a loop busy dispatching is not sent an eventfd write per batch it takes.
 * The fences on both sides (here and in post) make sure that a post racing
 * with prepare is either seen by prepare or wakes the poll. */
static inline void
gtkloop_inbox_set_consumer_may_sleep (GtkloopInbox *inbox,
                                      gboolean      may_sleep)
{
  atomic_store_explicit (&inbox->consumer_may_sleep, may_sleep, memory_order_relaxed);
  if (may_sleep)
    atomic_thread_fence (memory_order_seq_cst);
}

static inline gboolean
gtkloop_inbox_is_nonempty (GtkloopInbox *inbox)
{
  return atomic_load_explicit (&inbox->nonempty, memory_order_acquire);
}

G_END_DECLS
