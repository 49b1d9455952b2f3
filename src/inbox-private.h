#pragma once

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "gtkloop/gtkloop.h"

G_BEGIN_DECLS

/* The thread inbox: what other threads post to a loop
 * (call_soon_threadsafe, executor results). Many producers, one consumer
 * (the loop thread). Producers take turns to append to a chain of blocks
 * and publish the count of posts so far; the loop thread never waits for
 * them: it reads the count and runs the posts straight from the blocks,
 * freeing each block once it has run all of it. So a producer preempted
 * in the middle of a post delays only other producers, never the loop
 * (and GTK's frames), and nothing either side does depends on how many
 * posts are waiting: no array is copied (a full block is followed by a
 * new one) and no post becomes a handle.
 *
 * The producers' turn and the count are one word, seq: twice the posts
 * published, plus one while a producer is appending. Taking a turn is a
 * compare-and-swap from even to odd, and the exchange that ends it
 * publishes the post and orders it before the look at the sleep flag:
 * two atomic operations a post, as a mutex's lock and unlock, and the
 * word is a plain atomic, which ThreadSanitizer sees (GLib's GMutex it
 * does not, on Debian).
 *
 * A post wakes the loop's context only if the loop said it may sleep in
 * poll, and then only the first such post (it clears the flag): a burst
 * of posts costs one wake-up, a busy loop none.
 *
 * A producer that opens a new block while the loop thread is far behind
 * (GTKLOOP_INBOX_PACING_BACKLOG posts or more waiting) is told to pause
 * after its post (GTKLOOP_INBOX_PACE): a worker flooding the loop then
 * leaves the CPU to the loop thread (and GTK's frames) now and then
 * instead of competing with it for every time slice. It costs a producer
 * nothing while the loop keeps up, and the pause is once a block (at most
 * once per 1,024 posts). */
typedef struct
{
  GtkloopCallback cb;
  gpointer        data;
  GDestroyNotify  destroy;
} GtkloopInboxEntry;

typedef struct _GtkloopInboxBlock GtkloopInboxBlock;
struct _GtkloopInboxBlock
{
  GtkloopInboxBlock *next;        /* set before a post in it is published */
  guint              capacity;
  GtkloopInboxEntry  entries[];
};

#define GTKLOOP_INBOX_MIN_BLOCK     64
#define GTKLOOP_INBOX_MAX_BLOCK     1024   /* 24 KiB of posts */
#define GTKLOOP_INBOX_PACING_BACKLOG 8192
#define GTKLOOP_INBOX_PACING_PAUSE_US 50

/* What a post asks of its caller. */
typedef enum
{
  GTKLOOP_INBOX_POSTED  = 0,
  GTKLOOP_INBOX_REFUSED = 1 << 0,   /* the inbox is closed */
  GTKLOOP_INBOX_WAKE    = 1 << 1,   /* wake the loop's context */
  GTKLOOP_INBOX_PACE    = 1 << 2,   /* then pause: the loop is far behind */
} GtkloopInboxPostResult;

/* The producers' fields, the shared words and the loop thread's fields
 * sit on lines of their own. */
typedef struct
{
  /* (producer's turn) */
  GtkloopInboxBlock *tail;        /* the block posts go to */
  guint              tail_length;
  gboolean           closed;      /* posts after close are refused */
  char               pad_after_producers[64];
  atomic_uint_fast64_t seq;       /* 2 x posts published, + 1 during a turn */
  atomic_bool        consumer_may_sleep; /* the loop thread is (about to be) in poll */
  atomic_ulong       n_wakeups;   /* statistics: context wake-ups requested */
  atomic_ulong       n_pauses;    /* statistics: PACE results */
  atomic_uint_fast64_t n_consumed_by_block; /* n_consumed when the loop last freed a block */
  char               pad_after_shared[64];
  /* (loop-thread) */
  GtkloopInboxBlock *head;        /* the block the next post to run is in */
  guint              head_index;  /* its index there */
  guint64            n_consumed;  /* posts run or dropped so far, ever */
} GtkloopInbox;

void     gtkloop_inbox_init  (GtkloopInbox *inbox);
void     gtkloop_inbox_clear (GtkloopInbox *inbox);

/* Any thread. REFUSED when the inbox is closed. Otherwise WAKE when this
 * post found the loop about to sleep (the first since it said so), and
 * PACE when it opened a block while the loop was far behind: the caller
 * wakes the context, then pauses. */
GtkloopInboxPostResult gtkloop_inbox_post (GtkloopInbox   *inbox,
                                           GtkloopCallback cb,
                                           gpointer        data,
                                           GDestroyNotify  destroy);

/* Loop thread. How many posts were published so far: a post that
 * happened before this call is among them, and so are its entry's
 * contents. */
static inline guint64
gtkloop_inbox_get_n_posted (GtkloopInbox *inbox)
{
  return atomic_load_explicit (&inbox->seq, memory_order_acquire) >> 1;
}

/* Loop thread. The oldest post not run yet, which must have been
 * published (n_consumed < a count gtkloop_inbox_get_n_posted () gave):
 * copied into @entry and counted consumed. */
void     gtkloop_inbox_pop   (GtkloopInbox      *inbox,
                              GtkloopInboxEntry *entry);

/* Loop thread. Refuses further posts; returns the final count. */
guint64  gtkloop_inbox_close (GtkloopInbox *inbox);

/* Loop thread, in prepare: TRUE just before looking for posts and going
 * to poll; FALSE once awake. A post wakes the context only while it is
 * TRUE. Both sides use sequentially consistent operations on the flag and
 * on seq, so a post racing with prepare is either seen by prepare or
 * wakes the poll. */
static inline void
gtkloop_inbox_set_consumer_may_sleep (GtkloopInbox *inbox,
                                      gboolean      may_sleep)
{
  atomic_store_explicit (&inbox->consumer_may_sleep, may_sleep,
                         may_sleep ? memory_order_seq_cst : memory_order_relaxed);
}

/* Loop thread, right after setting consumer_may_sleep: the count, ordered
 * after that store. */
static inline guint64
gtkloop_inbox_get_n_posted_before_sleep (GtkloopInbox *inbox)
{
  return atomic_load_explicit (&inbox->seq, memory_order_seq_cst) >> 1;
}

/* A spin-wait hint to the CPU. */
static inline void
gtkloop_cpu_relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#elif defined(__aarch64__)
  __asm__ __volatile__ ("yield");
#endif
}

G_END_DECLS
