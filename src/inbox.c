/* The thread inbox: a mutex-guarded array that the loop swaps out whole. */
#include "config.h"

#include "inbox-private.h"

void
gtkloop_inbox_init (GtkloopInbox *inbox)
{
  memset (inbox, 0, sizeof *inbox);
  pthread_mutex_init (&inbox->lock, NULL);
  atomic_init (&inbox->nonempty, false);
  atomic_init (&inbox->consumer_may_sleep, true);
  atomic_init (&inbox->closed, false);
  atomic_init (&inbox->n_wakeups, 0);
}

void
gtkloop_inbox_clear (GtkloopInbox *inbox)
{
  g_assert (inbox->length == 0);
  g_free (inbox->entries);
  g_free (inbox->spare);
  pthread_mutex_destroy (&inbox->lock);
}

gboolean
gtkloop_inbox_post (GtkloopInbox   *inbox,
                    GtkloopCallback cb,
                    gpointer        data,
                    GDestroyNotify  destroy,
                    gboolean       *refused)
{
  gboolean was_empty;

  pthread_mutex_lock (&inbox->lock);
  if (atomic_load_explicit (&inbox->closed, memory_order_relaxed))
    {
      pthread_mutex_unlock (&inbox->lock);
      *refused = TRUE;
      return FALSE;
    }
  if (inbox->length == inbox->capacity)
    {
      inbox->capacity = MAX (64, inbox->capacity * 2);
      inbox->entries = g_renew (GtkloopInboxEntry, inbox->entries, inbox->capacity);
    }
  inbox->entries[inbox->length++] = (GtkloopInboxEntry) { cb, data, destroy };
  was_empty = inbox->length == 1;
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

/* HOLDS: inbox->lock */
static guint
swap_out_unlocked (GtkloopInbox       *inbox,
                   GtkloopInboxEntry **entries)
{
  GtkloopInboxEntry *batch = inbox->entries;
  guint capacity = inbox->capacity;
  guint n = inbox->length;

  /* The producers get the consumer's previous buffer, already sized for a
   * batch like the last one, so steady traffic allocates nothing. */
  inbox->entries = inbox->spare;
  inbox->capacity = inbox->spare_capacity;
  inbox->length = 0;
  inbox->spare = batch;
  inbox->spare_capacity = capacity;
  atomic_store_explicit (&inbox->nonempty, false, memory_order_relaxed);

  *entries = batch;
  return n;
}

guint
gtkloop_inbox_take (GtkloopInbox       *inbox,
                    GtkloopInboxEntry **entries)
{
  guint n;

  if (!gtkloop_inbox_is_nonempty (inbox))
    {
      *entries = NULL;
      return 0;
    }
  pthread_mutex_lock (&inbox->lock);
  n = swap_out_unlocked (inbox, entries);
  pthread_mutex_unlock (&inbox->lock);
  return n;
}

guint
gtkloop_inbox_close (GtkloopInbox       *inbox,
                     GtkloopInboxEntry **entries)
{
  guint n;

  pthread_mutex_lock (&inbox->lock);
  atomic_store_explicit (&inbox->closed, true, memory_order_relaxed);
  n = swap_out_unlocked (inbox, entries);
  pthread_mutex_unlock (&inbox->lock);
  return n;
}
