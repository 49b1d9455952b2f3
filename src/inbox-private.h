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
 * is invisible to ThreadSanitizer on Debian); the consumer swaps the whole
 * batch out in one locked step. Only the post that finds the inbox empty
 * wakes the loop's context, so a burst of posts costs one wake-up.
 *
 * Lock order: inbox->lock is a leaf; nothing else is taken while it is held. */
typedef struct
{
  GtkloopCallback cb;
  gpointer        data;
  GDestroyNotify  destroy;
} GtkloopInboxEntry;

typedef struct
{
  pthread_mutex_t    lock;
  GtkloopInboxEntry *entries;     /* (lock: lock) */
  guint              length;      /* (lock: lock) */
  guint              capacity;    /* (lock: lock) */
  GtkloopInboxEntry *spare;       /* (loop-thread) the consumer's batch buffer */
  guint              spare_capacity; /* (loop-thread) */
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

/* Loop thread. Takes every posted entry, oldest first; returns how many.
 * The array stays valid until the next take. */
guint    gtkloop_inbox_take  (GtkloopInbox       *inbox,
                              GtkloopInboxEntry **entries);

/* Loop thread. Refuses further posts and returns what was left behind. */
guint    gtkloop_inbox_close (GtkloopInbox       *inbox,
                              GtkloopInboxEntry **entries);

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
