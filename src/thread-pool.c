/* The thread pool: worker threads that run work items, for the thread
 * executor (src/executor.c makes jobs of the items).
 *
 * A small pool of our own rather than GThreadPool, for three reasons,
 * two of them measured (docs/executor.md has the numbers):
 *   - an item still queued must be removable when its owner cancels it;
 *     GThreadPool cannot take an item back out of its queue;
 *   - GThreadPool wakes its workers through a GAsyncQueue (GMutex +
 *     GCond): Debian's GLib is not instrumented, so ThreadSanitizer would
 *     not see items being handed over and would report every item's data;
 *   - one lock round per item on each side, and a wake-up only for a
 *     worker that is really asleep, beat GThreadPool's queue round trip.
 *
 * An item's life:
 *
 *   submitter            submit: pushed on the submission stack, an idle
 *                        worker woken or a new one started (up to
 *                        max_workers)
 *   worker               takes it (RUNNING), runs its func, marks it
 *                        FINISHED and takes the next item in the same
 *                        locked step, then hands it back to its owner
 *                        (its done)
 *
 * Workers start on demand and retire after idle_timeout without work.
 * An idle worker sleeps on a condition variable of its own; submit pops
 * the most recently idle one and signals just that one, so a batch of
 * items costs at most one wake-up per sleeping worker.
 *
 * Threads end one of two ways: joined by someone waiting for them
 * (shutdown with wait), or detached by themselves when nobody waits (idle
 * retirement, shutdown without wait). The decision is made under the
 * lock, so no thread is ever left unjoined and undetached.
 *
 * Lock order: pool->lock is a leaf. Nothing else is taken while it is
 * held (g_object_ref is a plain atomic); items are handed back to their
 * owners after it is released.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "thread-pool-private.h"

#define DEFAULT_IDLE_TIMEOUT_NS (G_GINT64_CONSTANT (10) * 1000 * 1000 * 1000)   /* 10 s */

typedef GtkloopWorkItem     Item;
typedef GtkloopThreadWorker Worker;

struct _GtkloopThreadWorker
{
  GtkloopThreadPool *pool;
  pthread_cond_t     cond;         /* its own wake-up, while idle */
  GCancellable      *cancellable;  /* (owned) (lock: pool->lock) what its items see */
  /* (lock: pool->lock) */
  Worker            *idle_prev;
  Worker            *idle_next;
  gboolean           woken;        /* taken off the idle list by a waker */
  gboolean           has_token;    /* woken to take an item: wakes the next one */
};

/* Three groups, each on cache lines of its own (the struct is allocated
 * 64-byte aligned): what every submit reads, the submission stack, and
 * the workers' lock and queue. Sharing a line with the lock, the fields
 * submit reads cost a cache miss per item while workers take items. */
#define CACHE_LINE 64

struct _GtkloopThreadPool
{
  /* Written under the lock, read without it by submit (seq_cst, so a
   * worker going idle and a submitter pushing always see each other). */
  atomic_uint     n_idle;
  atomic_uint     n_workers;     /* started or starting, not yet exited */
  atomic_bool     waking;        /* a woken worker has not taken its item yet */
  atomic_bool     shutdown;
  guint           max_workers;
  gint            ref_count;     /* the owner's, + 1 per item held and per worker */

  /* Submitters push here without the lock (a CAS); whoever holds the lock
   * moves the items to the queue, oldest first. */
  _Atomic (Item *) incoming __attribute__ ((aligned (CACHE_LINE)));

  pthread_mutex_t lock __attribute__ ((aligned (CACHE_LINE)));
  pthread_cond_t  exit_cond;     /* a worker left (for joiners) */

  /* (lock: lock) */
  gint64          idle_timeout_ns;
  Item           *queue_head;
  Item           *queue_tail;
  guint           n_queued;
  Worker         *idle_head;     /* most recently idle first */
  Worker         *idle_tail;
  guint           n_running;     /* items running now */
  guint           n_joiners;     /* threads waiting to join exiting workers */
  GArray         *exited;        /* of pthread_t: exited workers for the joiners */
  GtkloopThreadPoolStats stats;
};

/* Debug counters, not reference counts. */
static atomic_uint n_live_pools;
static atomic_uint n_live_threads;

/* The worker the calling thread is, if any: shutdown (wait) from an item
 * must not wait for its own thread. */
static _Thread_local Worker *current_worker;

static void
lock (GtkloopThreadPool *pool)
{
  pthread_mutex_lock (&pool->lock);
}

static void
unlock (GtkloopThreadPool *pool)
{
  pthread_mutex_unlock (&pool->lock);
}

static void
cond_init_monotonic (pthread_cond_t *cond)
{
  pthread_condattr_t attr;

  pthread_condattr_init (&attr);
  pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
  pthread_cond_init (cond, &attr);
  pthread_condattr_destroy (&attr);
}

static struct timespec
deadline_after (gint64 ns)
{
  struct timespec ts;
  gint64 when;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  when = (gint64) ts.tv_sec * 1000000000 + ts.tv_nsec + ns;
  ts.tv_sec = when / 1000000000;
  ts.tv_nsec = when % 1000000000;
  return ts;
}

/* ---------------------------------------------------------------------- */
/* Life of the pool                                                        */

GtkloopThreadPool *
gtkloop_thread_pool_new (guint max_workers)
{
  GtkloopThreadPool *pool = g_aligned_alloc0 (1, sizeof (GtkloopThreadPool), CACHE_LINE);

  pool->ref_count = 1;
  pool->max_workers = max_workers;
  pool->idle_timeout_ns = DEFAULT_IDLE_TIMEOUT_NS;
  pool->exited = g_array_new (FALSE, FALSE, sizeof (pthread_t));
  pthread_mutex_init (&pool->lock, NULL);
  cond_init_monotonic (&pool->exit_cond);
  atomic_fetch_add (&n_live_pools, 1);
  return pool;
}

void
gtkloop_thread_pool_ref (GtkloopThreadPool *pool)
{
  g_atomic_int_inc (&pool->ref_count);
}

void
gtkloop_thread_pool_unref (GtkloopThreadPool *pool)
{
  if (!g_atomic_int_dec_and_test (&pool->ref_count))
    return;

  g_assert (pool->n_workers == 0 && pool->queue_head == NULL && pool->incoming == NULL);
  g_array_unref (pool->exited);
  pthread_cond_destroy (&pool->exit_cond);
  pthread_mutex_destroy (&pool->lock);
  atomic_fetch_sub (&n_live_pools, 1);
  g_aligned_free (pool);
}

guint
gtkloop_thread_pool_get_max_workers (GtkloopThreadPool *pool)
{
  return pool->max_workers;
}

guint
gtkloop_thread_pool_get_n_workers (GtkloopThreadPool *pool)
{
  guint n;

  lock (pool);
  n = pool->n_workers;
  unlock (pool);
  return n;
}

/* Takes effect for workers that go idle after the call. */
void
gtkloop_thread_pool_set_idle_timeout (GtkloopThreadPool *pool,
                                      gint64             ns)
{
  lock (pool);
  pool->idle_timeout_ns = ns;
  unlock (pool);
}

gint64
gtkloop_thread_pool_get_idle_timeout (GtkloopThreadPool *pool)
{
  gint64 ns;

  lock (pool);
  ns = pool->idle_timeout_ns;
  unlock (pool);
  return ns;
}

gboolean
gtkloop_thread_pool_is_shutdown (GtkloopThreadPool *pool)
{
  gboolean shutdown;

  lock (pool);
  shutdown = pool->shutdown;
  unlock (pool);
  return shutdown;
}

void
gtkloop_thread_pool_get_stats (GtkloopThreadPool      *pool,
                               GtkloopThreadPoolStats *stats)
{
  lock (pool);
  *stats = pool->stats;
  stats->n_idle = pool->n_idle;
  unlock (pool);
}

guint
gtkloop_thread_pool_debug_n_pools (void)
{
  return atomic_load (&n_live_pools);
}

guint
gtkloop_thread_pool_debug_n_threads (void)
{
  return atomic_load (&n_live_threads);
}

/* ---------------------------------------------------------------------- */
/* The queue and the idle list                                             */

/* HOLDS: pool->lock */
static void
queue_push_unlocked (GtkloopThreadPool *pool,
                     Item              *item)
{
  item->prev = pool->queue_tail;
  item->next = NULL;
  if (pool->queue_tail)
    pool->queue_tail->next = item;
  else
    pool->queue_head = item;
  pool->queue_tail = item;
  pool->n_queued++;
  item->state = GTKLOOP_WORK_ITEM_QUEUED;
}

/* Moves what submitters pushed to the end of the queue, oldest first.
 * HOLDS: pool->lock */
static void
flush_incoming_unlocked (GtkloopThreadPool *pool)
{
  /* Acquire: pairs with the pushing CAS, so the items' fields are seen. */
  Item *pushed = atomic_exchange_explicit (&pool->incoming, NULL, memory_order_acquire);
  Item *oldest_first = NULL;

  while (pushed != NULL)
    {
      Item *next = pushed->incoming_next;

      pushed->incoming_next = oldest_first;
      oldest_first = pushed;
      pushed = next;
    }
  while (oldest_first != NULL)
    {
      Item *next = oldest_first->incoming_next;

      oldest_first->incoming_next = NULL;
      queue_push_unlocked (pool, oldest_first);
      pool->stats.n_jobs++;
      oldest_first = next;
    }
}

/* HOLDS: pool->lock */
static gboolean
has_work_unlocked (GtkloopThreadPool *pool)
{
  return pool->queue_head != NULL || atomic_load_explicit (&pool->incoming, memory_order_relaxed) != NULL;
}

/* HOLDS: pool->lock */
static void
queue_unlink_unlocked (GtkloopThreadPool *pool,
                       Item              *item)
{
  if (item->prev)
    item->prev->next = item->next;
  else
    pool->queue_head = item->next;
  if (item->next)
    item->next->prev = item->prev;
  else
    pool->queue_tail = item->prev;
  item->prev = item->next = NULL;
  pool->n_queued--;
}

/* HOLDS: pool->lock */
static void
idle_push_unlocked (GtkloopThreadPool *pool,
                    Worker            *w)
{
  w->idle_prev = NULL;
  w->idle_next = pool->idle_head;
  if (pool->idle_head)
    pool->idle_head->idle_prev = w;
  else
    pool->idle_tail = w;
  pool->idle_head = w;
  pool->n_idle++;
  w->woken = FALSE;
}

/* HOLDS: pool->lock */
static void
idle_remove_unlocked (GtkloopThreadPool *pool,
                      Worker            *w)
{
  if (w->idle_prev)
    w->idle_prev->idle_next = w->idle_next;
  else
    pool->idle_head = w->idle_next;
  if (w->idle_next)
    w->idle_next->idle_prev = w->idle_prev;
  else
    pool->idle_tail = w->idle_prev;
  w->idle_prev = w->idle_next = NULL;
  pool->n_idle--;
}

/* Signalled under the lock: once woken is set the worker may run, finish
 * and exit, so its condition variable is not ours to touch afterwards.
 * HOLDS: pool->lock */
static void
wake_one_unlocked (GtkloopThreadPool *pool,
                   gboolean           token)
{
  Worker *w = pool->idle_head;

  idle_remove_unlocked (pool, w);
  w->woken = TRUE;
  w->has_token = token;
  pool->stats.n_wakes++;
  pthread_cond_signal (&w->cond);
}

/* Wakes are passed along: submit wakes one idle worker (the token holder)
 * and no other while that one has not taken its item; once it has, it
 * wakes the next if work is still queued. A burst of submissions thus
 * costs its thread one wake-up at most, and workers join one by one as
 * long as there is work for them.
 * HOLDS: pool->lock */
static void
wake_with_token_unlocked (GtkloopThreadPool *pool)
{
  if (pool->idle_head == NULL || atomic_load (&pool->waking))
    return;
  atomic_store (&pool->waking, TRUE);
  wake_one_unlocked (pool, TRUE);
}

/* HOLDS: pool->lock */
static void
wake_all_unlocked (GtkloopThreadPool *pool)
{
  while (pool->idle_head != NULL)
    wake_one_unlocked (pool, FALSE);
}

/* ---------------------------------------------------------------------- */
/* Workers                                                                 */

/* HOLDS: pool->lock */
static Item *
take_item_unlocked (GtkloopThreadPool *pool,
                    Worker            *w)
{
  Item *item;

  if (pool->queue_head == NULL)
    flush_incoming_unlocked (pool);
  item = pool->queue_head;
  if (w->has_token)
    {
      /* Pass the wake-up on: the next idle worker, if work is left. The
       * clear comes before the look at incoming, and submit pushes before
       * it looks at waking (all seq_cst): an item pushed meanwhile is seen
       * here or wakes a worker there, never neither. */
      w->has_token = FALSE;
      atomic_store (&pool->waking, FALSE);
      if (item != NULL && (item->next != NULL || atomic_load (&pool->incoming) != NULL))
        wake_with_token_unlocked (pool);
    }
  if (item == NULL)
    return NULL;
  queue_unlink_unlocked (pool, item);
  item->state = GTKLOOP_WORK_ITEM_RUNNING;
  item->worker = w;
  pool->n_running++;
  return item;
}

/* Sleeps until woken for an item or the idle timeout passes. FALSE: the
 * worker should retire (timed out with nothing to do).
 * HOLDS: pool->lock */
static gboolean
idle_wait_unlocked (GtkloopThreadPool *pool,
                    Worker            *w)
{
  struct timespec deadline = deadline_after (pool->idle_timeout_ns);

  idle_push_unlocked (pool, w);
  /* n_idle went up (seq_cst) before this look at incoming; submit pushes
   * (seq_cst) before it looks at n_idle: one of the two sees the other. */
  if (atomic_load (&pool->incoming) != NULL)
    {
      idle_remove_unlocked (pool, w);
      return TRUE;
    }
  while (!w->woken)
    {
      int rc = pthread_cond_timedwait (&w->cond, &pool->lock, &deadline);

      if (rc == ETIMEDOUT && !w->woken)
        {
          idle_remove_unlocked (pool, w);
          return has_work_unlocked (pool) || pool->shutdown;
        }
    }
  return TRUE;   /* the waker took us off the idle list */
}

/* The next item, waiting for one if need be; NULL when the worker should
 * exit (shut down with an empty queue, or idle too long).
 * HOLDS: pool->lock */
static Item *
wait_for_item_unlocked (GtkloopThreadPool *pool,
                        Worker            *w)
{
  for (;;)
    {
      Item *item = take_item_unlocked (pool, w);

      if (item != NULL)
        return item;
      if (pool->shutdown)
        return NULL;
      if (!idle_wait_unlocked (pool, w))
        {
          pool->stats.n_retired++;
          return NULL;
        }
    }
}

/* Returns TRUE if the item's cancellable was cancelled while it ran: the
 * worker then needs a fresh one.
 * HOLDS: pool->lock */
static gboolean
finish_item_unlocked (GtkloopThreadPool *pool,
                      Item              *item)
{
  item->state = GTKLOOP_WORK_ITEM_FINISHED;
  item->worker = NULL;
  pool->n_running--;
  return item->cancel_requested;
}

static void
replace_cancellable (Worker *w)
{
  GCancellable *fresh = g_cancellable_new ();
  GCancellable *old;

  lock (w->pool);
  old = w->cancellable;
  w->cancellable = fresh;
  unlock (w->pool);
  g_object_unref (old);
}

/* Nobody waits to join this thread: detach it, so it frees itself.
 * Otherwise hand its id to the joiners.
 * HOLDS: pool->lock */
static void
leave_unlocked (GtkloopThreadPool *pool)
{
  pthread_t self = pthread_self ();

  pool->n_workers--;
  if (pool->n_joiners > 0)
    g_array_append_val (pool->exited, self);
  else
    pthread_detach (self);
  pthread_cond_broadcast (&pool->exit_cond);
}

static void *
worker_main (void *data)
{
  Worker *w = data;
  GtkloopThreadPool *pool = w->pool;
  Item *item, *next;

  current_worker = w;
  pthread_setname_np (pthread_self (), "gtkloop-worker");
  w->cancellable = g_cancellable_new ();

  lock (pool);
  item = wait_for_item_unlocked (pool, w);
  unlock (pool);

  while (item != NULL)
    {
      gboolean cancelled;

      item->result = item->func (item->data, w->cancellable, &item->error);

      /* Finishing this item and taking the next is one locked step. */
      lock (pool);
      cancelled = finish_item_unlocked (pool, item);
      next = cancelled ? NULL : take_item_unlocked (pool, w);
      unlock (pool);

      item->done (item);
      if (cancelled)
        replace_cancellable (w);
      if (next == NULL)
        {
          lock (pool);
          next = wait_for_item_unlocked (pool, w);
          unlock (pool);
        }
      item = next;
    }

  lock (pool);
  leave_unlocked (pool);
  unlock (pool);

  current_worker = NULL;
  g_object_unref (w->cancellable);
  pthread_cond_destroy (&w->cond);
  g_free (w);
  atomic_fetch_sub (&n_live_threads, 1);
  gtkloop_thread_pool_unref (pool);
  return NULL;
}

/* FALSE if no thread could be started. Kept out of submit: inlined, its
 * locals would cost every submit a stack protector and a larger frame. */
G_GNUC_NO_INLINE static gboolean
spawn_worker (GtkloopThreadPool *pool)
{
  Worker *w = g_new0 (Worker, 1);
  pthread_t thread;
  int err;

  w->pool = pool;
  cond_init_monotonic (&w->cond);
  gtkloop_thread_pool_ref (pool);
  atomic_fetch_add (&n_live_threads, 1);
  err = pthread_create (&thread, NULL, worker_main, w);
  if (err == 0)
    return TRUE;

  g_warning ("gtkloop: cannot start an executor worker thread: %s", g_strerror (err));
  atomic_fetch_sub (&n_live_threads, 1);
  pthread_cond_destroy (&w->cond);
  g_free (w);
  lock (pool);
  pool->n_workers--;
  unlock (pool);
  gtkloop_thread_pool_unref (pool);
  return FALSE;
}

/* ---------------------------------------------------------------------- */
/* Submitting and withdrawing                                              */

/* Takes the item back if it is still queued. HOLDS: pool->lock */
static gboolean
take_back_unlocked (GtkloopThreadPool *pool,
                    Item              *item)
{
  if (item->state != GTKLOOP_WORK_ITEM_QUEUED)
    return FALSE;
  flush_incoming_unlocked (pool);
  queue_unlink_unlocked (pool, item);
  item->state = GTKLOOP_WORK_ITEM_REMOVED;
  return TRUE;
}

/* Python's _adjust_thread_count, for an item just pushed: wakes an idle
 * worker, or starts one if none is idle and the pool may grow. Out of
 * submit's common path (every worker busy, or one already being woken):
 * its frame would cost every submit. */
G_GNUC_NO_INLINE static GtkloopThreadPoolSubmitResult
submit_wake_or_spawn (GtkloopThreadPool *pool,
                      Item              *item)
{
  gboolean spawn = FALSE;

  /* The lock only to wake a sleeping worker or to start one. */
  if (atomic_load (&pool->n_idle) > 0)
    {
      if (!atomic_load (&pool->waking))
        {
          lock (pool);
          wake_with_token_unlocked (pool);
          unlock (pool);
        }
    }
  else if (atomic_load (&pool->n_workers) < pool->max_workers)
    {
      lock (pool);
      if (pool->n_idle == 0 && pool->n_workers < pool->max_workers)
        {
          pool->n_workers++;
          pool->stats.n_spawns++;
          spawn = TRUE;
        }
      else
        wake_with_token_unlocked (pool);
      unlock (pool);
    }

  /* Shut down meanwhile: take the item back unless a worker has it (or a
   * shutdown with remove_queued took it and hands it to its done). */
  if (atomic_load (&pool->shutdown))
    {
      gboolean taken_back;

      lock (pool);
      taken_back = take_back_unlocked (pool, item);
      unlock (pool);
      if (taken_back)
        return GTKLOOP_THREAD_POOL_SHUT_DOWN;
    }

  if (!spawn || spawn_worker (pool))
    return GTKLOOP_THREAD_POOL_SUBMITTED;

  /* No thread: the item waits for a running worker, if there is one. */
  lock (pool);
  if (pool->n_workers == 0 && take_back_unlocked (pool, item))
    {
      unlock (pool);
      return GTKLOOP_THREAD_POOL_NO_THREAD;
    }
  unlock (pool);
  return GTKLOOP_THREAD_POOL_SUBMITTED;
}

GtkloopThreadPoolSubmitResult
gtkloop_thread_pool_submit (GtkloopThreadPool *pool,
                            GtkloopWorkItem   *item)
{
  Item *head;

  if (atomic_load (&pool->shutdown))
    return GTKLOOP_THREAD_POOL_SHUT_DOWN;

  /* The push takes no lock: a burst of submissions does not contend with
   * the workers taking items. */
  item->state = GTKLOOP_WORK_ITEM_QUEUED;
  head = atomic_load_explicit (&pool->incoming, memory_order_relaxed);
  do
    item->incoming_next = head;
  while (!atomic_compare_exchange_weak (&pool->incoming, &head, item));

  /* Nobody to wake or start: the item waits for a busy worker, or for
   * the one being woken. The push came first (seq_cst): see
   * idle_wait_unlocked and take_item_unlocked. */
  if ((atomic_load (&pool->n_idle) > 0
       ? atomic_load (&pool->waking)
       : atomic_load (&pool->n_workers) >= pool->max_workers) &&
      !atomic_load (&pool->shutdown))
    return GTKLOOP_THREAD_POOL_SUBMITTED;
  return submit_wake_or_spawn (pool, item);
}

gboolean
gtkloop_thread_pool_withdraw (GtkloopThreadPool  *pool,
                              GtkloopWorkItem    *item,
                              GCancellable      **running_cancellable)
{
  gboolean removed = FALSE;

  *running_cancellable = NULL;
  lock (pool);
  if (take_back_unlocked (pool, item))
    {
      pool->stats.n_removed++;
      removed = TRUE;
    }
  else if (item->state == GTKLOOP_WORK_ITEM_RUNNING)
    {
      item->cancel_requested = TRUE;
      *running_cancellable = g_object_ref (item->worker->cancellable);
    }
  unlock (pool);
  return removed;
}

/* ---------------------------------------------------------------------- */
/* Shutdown                                                                */

/* Joins the workers that have exited and waits for the others to exit.
 * With only_if_idle, does nothing while an item runs or waits (those
 * workers detach themselves when they are done). A worker calling this
 * for its own pool waits for the others only. */
static void
join_exited (GtkloopThreadPool *pool,
             gboolean           only_if_idle)
{
  guint self = current_worker != NULL && current_worker->pool == pool ? 1 : 0;

  lock (pool);
  if (only_if_idle && (pool->n_running > 0 || has_work_unlocked (pool)))
    {
      unlock (pool);
      return;
    }
  pool->n_joiners++;
  while (pool->n_workers > self || pool->exited->len > 0)
    {
      if (pool->exited->len > 0)
        {
          g_autoptr(GArray) exited = pool->exited;

          pool->exited = g_array_new (FALSE, FALSE, sizeof (pthread_t));
          unlock (pool);
          for (guint i = 0; i < exited->len; i++)
            pthread_join (g_array_index (exited, pthread_t, i), NULL);
          lock (pool);
          continue;
        }
      pthread_cond_wait (&pool->exit_cond, &pool->lock);
    }
  pool->n_joiners--;
  unlock (pool);
}

void
gtkloop_thread_pool_join_if_idle (GtkloopThreadPool *pool)
{
  join_exited (pool, TRUE);
}

/* HOLDS: pool->lock */
static Item *
steal_queue_unlocked (GtkloopThreadPool *pool)
{
  Item *head;

  flush_incoming_unlocked (pool);
  head = pool->queue_head;
  for (Item *item = head; item != NULL; item = item->next)
    {
      item->state = GTKLOOP_WORK_ITEM_REMOVED;
      pool->stats.n_removed++;
    }
  pool->queue_head = pool->queue_tail = NULL;
  pool->n_queued = 0;
  return head;
}

void
gtkloop_thread_pool_shutdown (GtkloopThreadPool *pool,
                              gboolean           wait,
                              gboolean           remove_queued)
{
  Item *removed = NULL;

  lock (pool);
  pool->shutdown = TRUE;
  /* Counted as a joiner from now on, so that a worker woken here leaves
   * its id to be joined rather than detaching itself before join_exited
   * starts: a detached worker could still be finishing (its pool
   * reference, the thread counters) when shutdown returned. */
  if (wait)
    pool->n_joiners++;
  if (remove_queued)
    removed = steal_queue_unlocked (pool);
  wake_all_unlocked (pool);
  unlock (pool);

  /* Removed items go back to their owners. */
  while (removed != NULL)
    {
      Item *item = removed;

      removed = item->next;
      item->prev = item->next = NULL;
      item->done (item);
    }

  if (wait)
    {
      join_exited (pool, FALSE);
      lock (pool);
      pool->n_joiners--;
      unlock (pool);
    }
}
