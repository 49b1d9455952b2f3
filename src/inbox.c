/* The thread inbox: posts appended to a chain of blocks under a mutex, the
 * chain moved whole to the loop's side and run in place. */
#include "config.h"

#include <sched.h>

#include "inbox-private.h"

#define SPINS_BEFORE_YIELD 64
#define TAKE_ATTEMPTS      1000   /* tens of microseconds: the lock is held for a few stores */

void
gtkloop_inbox_init (GtkloopInbox *inbox)
{
  pthread_mutexattr_t attr;

  memset (inbox, 0, sizeof *inbox);
  /* Adaptive: held for a few stores at a time, so spinning briefly on it
   * beats a futex wait and wake (two system calls) on either side. */
  pthread_mutexattr_init (&attr);
  pthread_mutexattr_settype (&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
  pthread_mutex_init (&inbox->lock, &attr);
  pthread_mutexattr_destroy (&attr);
  atomic_init (&inbox->consumer_waiting, false);
  atomic_init (&inbox->nonempty, false);
  atomic_init (&inbox->consumer_may_sleep, true);
  atomic_init (&inbox->closed, false);
  atomic_init (&inbox->n_posted, 0);
  atomic_init (&inbox->n_wakeups, 0);
}

static void
free_chain (GtkloopInboxBlock *block)
{
  while (block != NULL)
    {
      GtkloopInboxBlock *next = block->next;

      g_free (block);
      block = next;
    }
}

void
gtkloop_inbox_clear (GtkloopInbox *inbox)
{
  g_assert (inbox->head == NULL && inbox->taken == NULL);
  free_chain (inbox->free_blocks);
  free_chain (inbox->spare);
  pthread_mutex_destroy (&inbox->lock);
}

static inline void
cpu_relax (void)
{
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause ();
#elif defined(__aarch64__)
  __asm__ __volatile__ ("yield");
#endif
}

/* A worker posting in a tight loop would otherwise take the mutex again
 * the moment it let go, and the loop thread would hardly ever find it
 * free. The loop thread holds the lock for a few loads and stores, so
 * stepping aside costs a producer little. */
static inline void
wait_while_consumer_takes (GtkloopInbox *inbox)
{
  for (guint spins = 0; atomic_load_explicit (&inbox->consumer_waiting, memory_order_relaxed); spins++)
    {
      if (spins < SPINS_BEFORE_YIELD)
        cpu_relax ();
      else
        sched_yield ();
    }
}

/* HOLDS: inbox->lock. A block for the posts after @tail (NULL: the first of
 * a chain): a finished one if the loop handed some back, else a new one,
 * twice the size of the last up to the largest, so a burst allocates a
 * few blocks and a single post little. */
static GtkloopInboxBlock *
new_block_unlocked (GtkloopInbox      *inbox,
                    GtkloopInboxBlock *tail)
{
  GtkloopInboxBlock *block = inbox->free_blocks;
  guint capacity;

  if (block != NULL)
    {
      inbox->free_blocks = block->next;
      inbox->n_free--;
    }
  else
    {
      capacity = tail != NULL ? MIN (tail->capacity * 2, GTKLOOP_INBOX_MAX_BLOCK) : GTKLOOP_INBOX_MIN_BLOCK;
      block = g_malloc (sizeof (GtkloopInboxBlock) + capacity * sizeof (GtkloopInboxEntry));
      block->capacity = capacity;
    }
  block->next = NULL;
  block->length = 0;
  block->done = 0;
  return block;
}

gboolean
gtkloop_inbox_post (GtkloopInbox   *inbox,
                    GtkloopCallback cb,
                    gpointer        data,
                    GDestroyNotify  destroy,
                    gboolean       *refused)
{
  GtkloopInboxBlock *tail;
  gboolean was_empty;

  wait_while_consumer_takes (inbox);
  pthread_mutex_lock (&inbox->lock);
  if (atomic_load_explicit (&inbox->closed, memory_order_relaxed))
    {
      pthread_mutex_unlock (&inbox->lock);
      *refused = TRUE;
      return FALSE;
    }
  tail = inbox->tail;
  if (tail == NULL || tail->length == tail->capacity)
    {
      GtkloopInboxBlock *block = new_block_unlocked (inbox, tail);

      if (tail != NULL)
        tail->next = block;
      else
        inbox->head = block;
      inbox->tail = tail = block;
    }
  tail->entries[tail->length++] = (GtkloopInboxEntry) { cb, data, destroy };
  atomic_store_explicit (&inbox->n_posted,
                         atomic_load_explicit (&inbox->n_posted, memory_order_relaxed) + 1,
                         memory_order_relaxed);
  was_empty = !atomic_load_explicit (&inbox->nonempty, memory_order_relaxed);
  if (was_empty)
    atomic_store_explicit (&inbox->nonempty, true, memory_order_release);
  pthread_mutex_unlock (&inbox->lock);

  *refused = FALSE;
  if (!was_empty)
    return FALSE;
  /* Pairs with the fence in gtkloop_inbox_set_consumer_may_sleep (). */
  atomic_thread_fence (memory_order_seq_cst);
  if (!atomic_load_explicit (&inbox->consumer_may_sleep, memory_order_relaxed))
    return FALSE;
  atomic_fetch_add_explicit (&inbox->n_wakeups, 1, memory_order_relaxed);
  return TRUE;
}

/* HOLDS: inbox->lock. The posts go to the loop's side, the producers
 * start a new chain, and the loop's finished blocks go to them, so steady
 * traffic allocates nothing. */
static void
take_unlocked (GtkloopInbox *inbox)
{
  if (inbox->head != NULL)
    {
      if (inbox->taken_tail != NULL)
        inbox->taken_tail->next = inbox->head;
      else
        inbox->taken = inbox->head;
      inbox->taken_tail = inbox->tail;
      inbox->head = NULL;
      inbox->tail = NULL;
    }
  inbox->n_taken = atomic_load_explicit (&inbox->n_posted, memory_order_relaxed);
  atomic_store_explicit (&inbox->nonempty, false, memory_order_relaxed);
  while (inbox->spare != NULL && inbox->n_free < GTKLOOP_INBOX_SPARE_BLOCKS)
    {
      GtkloopInboxBlock *block = inbox->spare;

      inbox->spare = block->next;
      inbox->n_spare--;
      block->next = inbox->free_blocks;
      inbox->free_blocks = block;
      inbox->n_free++;
    }
}

gboolean
gtkloop_inbox_try_take (GtkloopInbox *inbox)
{
  guint attempts = 0;

  if (!gtkloop_inbox_is_nonempty (inbox))
    return TRUE;
  atomic_store_explicit (&inbox->consumer_waiting, true, memory_order_relaxed);
  while (pthread_mutex_trylock (&inbox->lock) != 0)
    {
      if (++attempts == TAKE_ATTEMPTS)
        {
          atomic_store_explicit (&inbox->consumer_waiting, false, memory_order_relaxed);
          return FALSE;
        }
      cpu_relax ();
    }
  take_unlocked (inbox);
  pthread_mutex_unlock (&inbox->lock);
  atomic_store_explicit (&inbox->consumer_waiting, false, memory_order_relaxed);
  return TRUE;
}

void
gtkloop_inbox_take_all (GtkloopInbox *inbox)
{
  pthread_mutex_lock (&inbox->lock);
  take_unlocked (inbox);
  pthread_mutex_unlock (&inbox->lock);
}

void
gtkloop_inbox_close (GtkloopInbox *inbox)
{
  pthread_mutex_lock (&inbox->lock);
  atomic_store_explicit (&inbox->closed, true, memory_order_relaxed);
  take_unlocked (inbox);
  pthread_mutex_unlock (&inbox->lock);
}

/* A few finished blocks are kept for reuse (handed to the producers at
 * the next take); the rest are freed at once. */
static void
recycle (GtkloopInbox      *inbox,
         GtkloopInboxBlock *block)
{
  if (inbox->n_spare < GTKLOOP_INBOX_SPARE_BLOCKS)
    {
      block->next = inbox->spare;
      inbox->spare = block;
      inbox->n_spare++;
    }
  else
    {
      g_free (block);
    }
}

gboolean
gtkloop_inbox_pop (GtkloopInbox      *inbox,
                   GtkloopInboxEntry *entry)
{
  GtkloopInboxBlock *block = inbox->taken;

  if (block == NULL)
    return FALSE;
  *entry = block->entries[block->done++];
  inbox->n_consumed++;
  if (block->done == block->length)
    {
      inbox->taken = block->next;
      if (inbox->taken == NULL)
        inbox->taken_tail = NULL;
      recycle (inbox, block);
    }
  return TRUE;
}
