/* The thread inbox: producers take turns (seq odd) to append to a chain of
 * blocks and publish the count (seq even again); the loop thread reads up
 * to the count without waiting and frees the blocks behind it. */
#include "config.h"

#include <sched.h>

#include "inbox-private.h"

#define SPINS_BEFORE_YIELD 64

static GtkloopInboxBlock *
new_block (guint capacity)
{
  GtkloopInboxBlock *block = g_malloc (sizeof (GtkloopInboxBlock) + capacity * sizeof (GtkloopInboxEntry));

  block->next = NULL;
  block->capacity = capacity;
  return block;
}

void
gtkloop_inbox_init (GtkloopInbox *inbox)
{
  memset (inbox, 0, sizeof *inbox);
  atomic_init (&inbox->seq, 0);
  atomic_init (&inbox->consumer_may_sleep, true);
  atomic_init (&inbox->n_wakeups, 0);
  atomic_init (&inbox->n_pauses, 0);
  atomic_init (&inbox->n_consumed_by_block, 0);
  /* Producers and consumer start on the same block, so neither ever
   * looks for a first one. */
  inbox->tail = inbox->head = new_block (GTKLOOP_INBOX_MIN_BLOCK);
}

void
gtkloop_inbox_clear (GtkloopInbox *inbox)
{
  g_assert (inbox->n_consumed == gtkloop_inbox_get_n_posted (inbox));
  g_assert (inbox->head == inbox->tail);
  g_free (inbox->head);
  inbox->head = inbox->tail = NULL;
}

/* Waits for the producers' turn; returns seq as it was (even). Another
 * producer holds the turn for a few stores, unless it was preempted:
 * spin a little, then let the scheduler run it. */
static guint64
begin_turn (GtkloopInbox *inbox)
{
  guint64 seq = atomic_load_explicit (&inbox->seq, memory_order_relaxed);
  guint spins = 0;

  for (;;)
    {
      if ((seq & 1) == 0 &&
          atomic_compare_exchange_weak_explicit (&inbox->seq, &seq, seq | 1,
                                                 memory_order_acquire, memory_order_relaxed))
        return seq;
      if (++spins < SPINS_BEFORE_YIELD)
        gtkloop_cpu_relax ();
      else
        sched_yield ();
      seq = atomic_load_explicit (&inbox->seq, memory_order_relaxed);
    }
}

/* In a producer's turn, when it opens a block. The loop thread's count
 * lags by less than a block: good enough to tell a loop that keeps up
 * from one that is far behind. */
static gboolean
loop_is_far_behind (GtkloopInbox *inbox,
                    guint64       n_posted)
{
  guint64 consumed = atomic_load_explicit (&inbox->n_consumed_by_block, memory_order_relaxed);

  return n_posted - consumed >= GTKLOOP_INBOX_PACING_BACKLOG;
}

GtkloopInboxPostResult
gtkloop_inbox_post (GtkloopInbox   *inbox,
                    GtkloopCallback cb,
                    gpointer        data,
                    GDestroyNotify  destroy)
{
  guint64 seq = begin_turn (inbox);
  GtkloopInboxBlock *tail = inbox->tail;
  GtkloopInboxPostResult result = GTKLOOP_INBOX_POSTED;

  if (inbox->closed)
    {
      atomic_store_explicit (&inbox->seq, seq, memory_order_release);
      return GTKLOOP_INBOX_REFUSED;
    }
  if (inbox->tail_length == tail->capacity)
    {
      GtkloopInboxBlock *block = new_block (MIN (tail->capacity * 2, GTKLOOP_INBOX_MAX_BLOCK));

      if (loop_is_far_behind (inbox, seq >> 1))
        {
          result |= GTKLOOP_INBOX_PACE;
          atomic_fetch_add_explicit (&inbox->n_pauses, 1, memory_order_relaxed);
        }
      /* Linked before the post in it is published: the loop thread
       * follows next only to reach a published post. */
      tail->next = block;
      inbox->tail = tail = block;
      inbox->tail_length = 0;
    }
  tail->entries[inbox->tail_length++] = (GtkloopInboxEntry) { cb, data, destroy };
  /* Publishes the post and ends the turn. Sequentially consistent, as is
   * the flag's load below and the loop thread's store and load in
   * prepare: either the loop sees this post before it sleeps, or this
   * post sees that it may. */
  atomic_exchange_explicit (&inbox->seq, seq + 2, memory_order_seq_cst);

  if (!atomic_load_explicit (&inbox->consumer_may_sleep, memory_order_seq_cst))
    return result;
  /* One wake-up per sleep: the first post to see the flag clears it. */
  if (!atomic_exchange_explicit (&inbox->consumer_may_sleep, false, memory_order_seq_cst))
    return result;
  atomic_fetch_add_explicit (&inbox->n_wakeups, 1, memory_order_relaxed);
  return result | GTKLOOP_INBOX_WAKE;
}

void
gtkloop_inbox_pop (GtkloopInbox      *inbox,
                   GtkloopInboxEntry *entry)
{
  GtkloopInboxBlock *head = inbox->head;

  if (inbox->head_index == head->capacity)
    {
      /* All of it has run and the producers are past it (it is full):
       * nobody touches it again. */
      inbox->head = head->next;
      inbox->head_index = 0;
      g_free (head);
      head = inbox->head;
      atomic_store_explicit (&inbox->n_consumed_by_block, inbox->n_consumed, memory_order_relaxed);
    }
  *entry = head->entries[inbox->head_index++];
  inbox->n_consumed++;
}

guint64
gtkloop_inbox_close (GtkloopInbox *inbox)
{
  guint64 seq = begin_turn (inbox);

  inbox->closed = TRUE;
  atomic_store_explicit (&inbox->seq, seq, memory_order_release);
  return seq >> 1;
}
