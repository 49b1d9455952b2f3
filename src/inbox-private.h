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
 * is invisible to ThreadSanitizer on Debian) to a chain of blocks and
 * count what they published; the consumer moves the whole chain to its
 * side in one locked step and runs the posts straight from the blocks.
 * Nothing under the lock depends on how many posts there are: no array is
 * ever copied (a full block is followed by a new one). The loop thread
 * never waits for the lock: it raises consumer_waiting, which producers
 * honour before they lock, and if a producer holding the lock was
 * preempted it gives up and tries again on its next dispatch, so GTK
 * keeps drawing. Only the post that finds the inbox empty wakes the loop's
 * context, so a burst of posts costs one wake-up.
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

/* What a post touches sits together, after the mutex, so a post finds it
 * on the lines it has just taken for the lock; what only the loop thread
 * uses sits apart, so its work does not take those lines away from a
 * producer. */
typedef struct
{
  pthread_mutex_t    lock;
  atomic_bool        consumer_waiting; /* producers wait before locking while set */
  atomic_bool        nonempty;    /* written under lock: posts not taken yet */
  atomic_bool        consumer_may_sleep; /* the loop thread is (about to be) in poll */
  atomic_bool        closed;      /* posts after close run their destroy notify at once */
  atomic_uint_fast64_t n_posted;  /* written under lock: posts so far, ever */
  GtkloopInboxBlock *head;        /* (lock: lock) the oldest posts not taken */
  GtkloopInboxBlock *tail;        /* (lock: lock) where posts go */
  GtkloopInboxBlock *free_blocks; /* (lock: lock) finished blocks for the producers */
  guint              n_free;      /* (lock: lock) */
  atomic_ulong       n_wakeups;   /* statistics: context wake-ups requested */
  char               pad_before_consumer[64];
  /* (loop-thread) the taken posts, oldest first, and recycling */
  GtkloopInboxBlock *taken;       /* the block the next post to run is in */
  GtkloopInboxBlock *taken_tail;
  guint64            n_taken;     /* posts taken so far, ever */
  guint64            n_consumed;  /* posts run or dropped so far, ever */
  GtkloopInboxBlock *spare;       /* finished blocks, handed over at the next take */
  guint              n_spare;
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

/* Loop thread. How many posts were published so far: a post that
 * happened before this call is among them. */
static inline guint64
gtkloop_inbox_get_n_posted (GtkloopInbox *inbox)
{
  return atomic_load_explicit (&inbox->n_posted, memory_order_relaxed);
}

/* Loop thread. Moves every published post to the loop's side. FALSE,
 * having moved nothing, when a producer held the lock for longer than a
 * short spin (it was preempted there): try again later. */
gboolean gtkloop_inbox_try_take (GtkloopInbox *inbox);

/* Loop thread. Copies the oldest taken post not run yet into @entry and
 * counts it consumed; FALSE when every taken post is. */
gboolean gtkloop_inbox_pop      (GtkloopInbox      *inbox,
                                 GtkloopInboxEntry *entry);

/* Loop thread. Refuses further posts and takes what is left (waiting for
 * the lock), for gtkloop_inbox_pop () to drop. */
void     gtkloop_inbox_close    (GtkloopInbox *inbox);

/* Loop thread. Takes whatever was posted, waiting for the lock (closing
 * only: a destroy notify run there may post again). */
void     gtkloop_inbox_take_all (GtkloopInbox *inbox);

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
