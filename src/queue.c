/* GtkloopQueue: asyncio.Queue, LifoQueue and PriorityQueue, with
 * shutdown () as Python 3.13 defines it.
 *
 * Blocked getters and putters wait in FIFO lines of futures. put_nowait ()
 * wakes the first getter and get_nowait () the first putter; the woken
 * task re-checks the queue when it runs (another task may have been
 * faster) and waits again if it must. A woken waiter that is cancelled
 * before it runs passes its wake-up to the next in line, so no item waits
 * in the queue while a getter sleeps.
 *
 * Ownership: the queue owns the items it holds and frees what it still
 * holds with item_destroy when it is freed or shut down immediately.
 * put () always takes its item: if it fails (cancelled, shut down) the item
 * is freed. put_nowait () takes it only on success. get () hands it over. */
#include "config.h"

#include "debug-private.h"
#include "destroy-notify-private.h"
#include "sync-private.h"
#include "waiters-private.h"

typedef enum {
  QUEUE_FIFO,
  QUEUE_LIFO,
  QUEUE_PRIORITY,
} QueueKind;

typedef struct
{
  gpointer item;
  guint64  seq;   /* ties between equal priorities go first in, first out */
} HeapEntry;

struct _GtkloopQueue
{
  gint              ref_count;      /* (atomic) */
  GtkloopLoop      *loop;           /* (owned) (nullable): bound by the first wait */
  QueueKind         kind;
  guint             maxsize;        /* 0: unbounded */
  GDestroyNotify    item_destroy;

  GQueue            items;          /* FIFO and LIFO */
  GArray           *heap;           /* (owned) (nullable) of HeapEntry, PRIORITY */
  GCompareDataFunc  compare;
  gpointer          compare_data;
  guint64           next_seq;

  GQueue            getters;        /* of GtkloopWaiter */
  GQueue            putters;        /* of GtkloopWaiter */
  guint             unfinished;     /* items put and not yet task_done () */
  GtkloopEvent     *finished;       /* (owned): set while unfinished == 0 */
  gboolean          is_shut_down;
};

/**
 * GtkloopQueue:
 *
 * asyncio.Queue, LifoQueue and PriorityQueue: items passed between tasks,
 * with waits on full and empty queues, task_done()/join() and shutdown().
 * Reference counted; loop-bound.
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopQueue, gtkloop_queue, gtkloop_queue_ref, gtkloop_queue_unref)

static GtkloopQueue *
queue_new (QueueKind      kind,
           guint          maxsize,
           GDestroyNotify item_destroy)
{
  GtkloopQueue *q = g_new0 (GtkloopQueue, 1);

  q->ref_count = 1;
  q->kind = kind;
  q->maxsize = maxsize;
  q->item_destroy = item_destroy;
  g_queue_init (&q->items);
  g_queue_init (&q->getters);
  g_queue_init (&q->putters);
  q->finished = gtkloop_event_new ();
  gtkloop_event_set (q->finished);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_SYNC, 1);
  return q;
}

/**
 * gtkloop_queue_new:
 * @maxsize: how many items the queue holds before put() waits; 0 for no
 *   limit
 * @item_destroy: (nullable) (scope forever) (type GtkloopValueDestroyNotify):
 *   frees an item the queue still holds when it is freed or shut down, and an item a failed
 *   gtkloop_queue_put() took
 *
 * Creates a first in, first out queue (asyncio.Queue). Any thread. It
 * binds to a loop only when a task first has to wait on it; closing that
 * loop finishes its tasks, so nothing waits on it afterwards.
 *
 * Returns: (transfer full): the queue
 *
 * Since: 0.1
 */
GtkloopQueue *
gtkloop_queue_new (guint          maxsize,
                   GDestroyNotify item_destroy)
{
  return queue_new (QUEUE_FIFO, maxsize, item_destroy);
}

/**
 * gtkloop_queue_new_lifo:
 * @maxsize: 0 for no limit
 * @item_destroy: (nullable) (scope forever) (type GtkloopValueDestroyNotify):
 *   as for gtkloop_queue_new()
 *
 * Creates a last in, first out queue (asyncio.LifoQueue). Any thread. It
 * binds to a loop only when a task first has to wait on it; closing that
 * loop finishes its tasks, so nothing waits on it afterwards.
 *
 * Returns: (transfer full): the queue
 *
 * Since: 0.1
 */
GtkloopQueue *
gtkloop_queue_new_lifo (guint          maxsize,
                        GDestroyNotify item_destroy)
{
  return queue_new (QUEUE_LIFO, maxsize, item_destroy);
}

/**
 * gtkloop_queue_new_priority:
 * @maxsize: 0 for no limit
 * @compare: (scope forever) (closure compare_data): orders items: get()
 *   returns the smallest
 * @compare_data: passed to @compare; must outlive the queue
 * @item_destroy: (nullable) (scope forever) (type GtkloopValueDestroyNotify):
 *   as for gtkloop_queue_new()
 *
 * Creates a priority queue (asyncio.PriorityQueue): get() returns the item
 * @compare orders first. Unlike Python's heapq, items that compare equal
 * come out in the order they were put. Any thread. It binds to a loop only
 * when a task first has to wait on it; closing that loop finishes its
 * tasks, so nothing waits on it afterwards.
 *
 * Returns: (transfer full): the queue
 *
 * Since: 0.1
 */
GtkloopQueue *
gtkloop_queue_new_priority (guint            maxsize,
                            GCompareDataFunc compare,
                            gpointer         compare_data,
                            GDestroyNotify   item_destroy)
{
  GtkloopQueue *q;

  g_return_val_if_fail (compare != NULL, NULL);

  q = queue_new (QUEUE_PRIORITY, maxsize, item_destroy);
  q->heap = g_array_new (FALSE, FALSE, sizeof (HeapEntry));
  q->compare = compare;
  q->compare_data = compare_data;
  return q;
}

/**
 * gtkloop_queue_ref:
 * @q: a queue
 *
 * Takes a reference. Any thread; works after the loop is closed.
 *
 * Returns: (transfer full): @q
 *
 * Since: 0.1
 */
GtkloopQueue *
gtkloop_queue_ref (GtkloopQueue *q)
{
  g_return_val_if_fail (q != NULL, NULL);
  g_atomic_int_inc (&q->ref_count);
  return q;
}

static gpointer pop_item (GtkloopQueue *q);

static void
destroy_item (GtkloopQueue *q,
              gpointer      item)
{
  gtkloop_destroy_notify_run (q->item_destroy, item);
}

/**
 * gtkloop_queue_unref:
 * @q: (transfer full): the reference to drop
 *
 * Drops a reference. The last one frees the items left in the queue with
 * its item_destroy; any thread may drop it. Any thread may drop the last
 * reference; works after the loop is closed.
 *
 * Since: 0.1
 */
void
gtkloop_queue_unref (GtkloopQueue *q)
{
  g_return_if_fail (q != NULL);

  if (!g_atomic_int_dec_and_test (&q->ref_count))
    return;
  /* Blocked getters and putters hold references while they wait. */
  g_assert (g_queue_is_empty (&q->getters) && g_queue_is_empty (&q->putters));
  while (gtkloop_queue_size (q) > 0)
    destroy_item (q, pop_item (q));
  g_clear_pointer (&q->heap, g_array_unref);
  gtkloop_event_unref (q->finished);
  g_clear_object (&q->loop);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_SYNC, -1);
  g_free (q);
}

/* Storage --------------------------------------------------------------- */

static gboolean
heap_less (GtkloopQueue    *q,
           const HeapEntry *a,
           const HeapEntry *b)
{
  int order = q->compare (a->item, b->item, q->compare_data);

  return order < 0 || (order == 0 && a->seq < b->seq);
}

static void
heap_push (GtkloopQueue *q,
           gpointer      item)
{
  HeapEntry entry = { item, q->next_seq++ };
  HeapEntry *h;
  guint i;

  g_array_append_val (q->heap, entry);
  h = (HeapEntry *) q->heap->data;
  for (i = q->heap->len - 1; i > 0 && heap_less (q, &entry, &h[(i - 1) / 2]); i = (i - 1) / 2)
    h[i] = h[(i - 1) / 2];
  h[i] = entry;
}

static gpointer
heap_pop (GtkloopQueue *q)
{
  HeapEntry *h = (HeapEntry *) q->heap->data;
  gpointer top = h[0].item;
  HeapEntry last = h[q->heap->len - 1];
  guint n = q->heap->len - 1;
  guint i = 0;

  g_array_set_size (q->heap, n);
  if (n == 0)
    return top;
  for (;;)
    {
      guint child = 2 * i + 1;

      if (child >= n)
        break;
      if (child + 1 < n && heap_less (q, &h[child + 1], &h[child]))
        child++;
      if (!heap_less (q, &h[child], &last))
        break;
      h[i] = h[child];
      i = child;
    }
  h[i] = last;
  return top;
}

static void
push_item (GtkloopQueue *q,
           gpointer      item)
{
  if (q->kind == QUEUE_PRIORITY)
    heap_push (q, item);
  else
    g_queue_push_tail (&q->items, item);
}

static gpointer
pop_item (GtkloopQueue *q)
{
  switch (q->kind)
    {
    case QUEUE_PRIORITY:
      return heap_pop (q);
    case QUEUE_LIFO:
      return g_queue_pop_tail (&q->items);
    case QUEUE_FIFO:
    default:
      return g_queue_pop_head (&q->items);
    }
}

/* State ----------------------------------------------------------------- */

/**
 * gtkloop_queue_size:
 * @q: a queue
 *
 * How many items the queue holds. Loop thread only; works after the loop
 * is closed.
 *
 * Returns: the number of items in the queue (asyncio's qsize ())
 *
 * Since: 0.1
 */
guint
gtkloop_queue_size (GtkloopQueue *q)
{
  g_return_val_if_fail (q != NULL, 0);
  return q->kind == QUEUE_PRIORITY ? q->heap->len : q->items.length;
}

/**
 * gtkloop_queue_get_maxsize:
 * @q: a queue
 *
 * The queue's bound, as given to its constructor. Loop thread only; works
 * after the loop is closed.
 *
 * Returns: the limit given at creation; 0 for none
 *
 * Since: 0.1
 */
guint
gtkloop_queue_get_maxsize (GtkloopQueue *q)
{
  g_return_val_if_fail (q != NULL, 0);
  return q->maxsize;
}

/**
 * gtkloop_queue_is_empty:
 * @q: a queue
 *
 * Whether the queue holds no item. Loop thread only; works after the loop
 * is closed.
 *
 * Returns: %TRUE if the queue is empty
 *
 * Since: 0.1
 */
gboolean
gtkloop_queue_is_empty (GtkloopQueue *q)
{
  return gtkloop_queue_size (q) == 0;
}

/**
 * gtkloop_queue_is_full:
 * @q: a queue
 *
 * Whether a put would have to wait: a bounded queue holding its maximum.
 * Loop thread only; works after the loop is closed.
 *
 * Returns: %TRUE if the queue holds maxsize items (never for an unbounded
 *   queue)
 *
 * Since: 0.1
 */
gboolean
gtkloop_queue_is_full (GtkloopQueue *q)
{
  g_return_val_if_fail (q != NULL, FALSE);
  return q->maxsize > 0 && gtkloop_queue_size (q) >= q->maxsize;
}

/**
 * gtkloop_queue_is_shut_down:
 * @q: a queue
 *
 * Whether gtkloop_queue_shutdown() was called. Loop thread only; works
 * after the loop is closed.
 *
 * Returns: %TRUE after gtkloop_queue_shutdown()
 *
 * Since: 0.1
 */
gboolean
gtkloop_queue_is_shut_down (GtkloopQueue *q)
{
  g_return_val_if_fail (q != NULL, FALSE);
  return q->is_shut_down;
}

/* Wakes the first waiter of the line that is not already done (cancelled
 * ones are dropped on the way). */
static void
wakeup_next (GQueue *waiters)
{
  GtkloopWaiter *w;

  while ((w = gtkloop_waiter_pop_head (waiters)) != NULL)
    if (gtkloop_waiter_wake (w))
      break;
}

static void
wakeup_all (GQueue *waiters)
{
  GtkloopWaiter *w;

  while ((w = gtkloop_waiter_pop_head (waiters)) != NULL)
    gtkloop_waiter_wake (w);
}

static GError *
shut_down_error (void)
{
  return g_error_new_literal (GTKLOOP_ERROR, GTKLOOP_ERROR_QUEUE_SHUT_DOWN, "Queue is shut down");
}

/* Waits in a line (getters or putters) until woken. On failure, a wake-up
 * this waiter got but cannot use goes to the next in line when
 * still_useful says the condition it waited for holds. */
static gboolean
wait_in_line (GtkloopQueue *q,
              GQueue       *line,
              gboolean    (*still_useful) (GtkloopQueue *q),
              GError      **error)
{
  GtkloopWaiter *w = gtkloop_waiter_enqueue (line, q->loop);
  GError *local_error = NULL;
  gboolean ok, woken;

  ok = gtkloop_await (w->future, &local_error);
  /* asyncio's `getter.cancel ()  # Just in case getter is not done yet`:
   * a waiter that failed without being woken must not be woken later. */
  gtkloop_future_finish_cancelled (w->future, NULL);
  woken = gtkloop_waiter_woken (w);
  gtkloop_waiter_free (line, w);
  if (!ok)
    {
      if (woken && still_useful (q))
        wakeup_next (line);
      g_propagate_error (error, local_error);
    }
  return ok;
}

static gboolean
has_room (GtkloopQueue *q)
{
  return !gtkloop_queue_is_full (q);
}

static gboolean
has_items (GtkloopQueue *q)
{
  return !gtkloop_queue_is_empty (q);
}

/* Put ------------------------------------------------------------------- */

/**
 * gtkloop_queue_put_nowait:
 * @q: a queue
 * @item: (nullable): the item; %NULL is a valid item. The
 *   queue takes it only when this succeeds
 * @error: return location for a #GError
 *
 * Adds @item if there is room, without waiting. Loop thread only (the
 * thread of the loop it is bound to, if any). Works after that loop is
 * closed, as plain state.
 *
 * Returns: %TRUE if added; %FALSE with %GTKLOOP_ERROR_QUEUE_FULL or
 *   %GTKLOOP_ERROR_QUEUE_SHUT_DOWN, and @item still the caller's
 *
 * Since: 0.1
 */
gboolean
gtkloop_queue_put_nowait (GtkloopQueue *q,
                          gpointer      item,
                          GError      **error)
{
  g_return_val_if_fail (q != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!gtkloop_sync_check_thread (q->loop, G_STRFUNC, error))
    return FALSE;
  if (q->is_shut_down)
    {
      g_propagate_error (error, shut_down_error ());
      return FALSE;
    }
  if (gtkloop_queue_is_full (q))
    {
      g_set_error_literal (error, GTKLOOP_ERROR, GTKLOOP_ERROR_QUEUE_FULL, "Queue is full");
      return FALSE;
    }
  push_item (q, item);
  q->unfinished++;
  gtkloop_event_clear (q->finished);
  wakeup_next (&q->getters);
  return TRUE;
}

/**
 * gtkloop_queue_put:
 * @q: a queue
 * @item: (nullable): the item; the queue takes it in every
 *   case — if this fails, it is freed with item_destroy
 * @error: return location for a #GError
 *
 * Adds @item, first waiting for room if the queue is full. A suspension
 * point when it has to wait.
 *
 * |[<!-- language="C" -->
 * for (int i = 0; i < 10; i++)
 *   if (!gtkloop_queue_put (jobs, g_strdup_printf ("job %d", i), &error))
 *     return;   // cancelled or shut down; the string was freed
 * ]|
 *
 * Loop thread only, and inside a task only when it has to wait. While the
 * loop closes, a wait fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE once added; %FALSE with %G_IO_ERROR_CANCELLED or
 *   %GTKLOOP_ERROR_QUEUE_SHUT_DOWN
 *
 * Since: 0.1
 */
gboolean
gtkloop_queue_put (GtkloopQueue *q,
                   gpointer      item,
                   GError      **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (q != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  gtkloop_queue_ref (q);
  while (ok && gtkloop_queue_is_full (q))
    {
      if (q->is_shut_down)
        {
          g_propagate_error (error, shut_down_error ());
          ok = FALSE;
        }
      else
        ok = gtkloop_sync_bind_loop (&q->loop, G_STRFUNC, error) &&
             wait_in_line (q, &q->putters, has_room, error);
    }
  if (ok)
    ok = gtkloop_queue_put_nowait (q, item, error);
  if (!ok)
    destroy_item (q, item);
  gtkloop_queue_unref (q);
  return ok;
}

/* Get ------------------------------------------------------------------- */

/**
 * gtkloop_queue_get_nowait:
 * @q: a queue
 * @error: return location for a #GError
 *
 * Removes and returns an item if there is one, without waiting. Loop
 * thread only (the thread of the loop it is bound to, if any). Works after
 * that loop is closed, as plain state.
 *
 * Returns: (transfer full) (nullable): the item (which may be %NULL: tell
 *   by @error); %NULL with %GTKLOOP_ERROR_QUEUE_EMPTY, or with
 *   %GTKLOOP_ERROR_QUEUE_SHUT_DOWN once a shut-down queue is empty
 *
 * Since: 0.1
 */
gpointer
gtkloop_queue_get_nowait (GtkloopQueue *q,
                          GError      **error)
{
  gpointer item;

  g_return_val_if_fail (q != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!gtkloop_sync_check_thread (q->loop, G_STRFUNC, error))
    return NULL;
  if (gtkloop_queue_is_empty (q))
    {
      if (q->is_shut_down)
        g_propagate_error (error, shut_down_error ());
      else
        g_set_error_literal (error, GTKLOOP_ERROR, GTKLOOP_ERROR_QUEUE_EMPTY, "Queue is empty");
      return NULL;
    }
  item = pop_item (q);
  wakeup_next (&q->putters);
  return item;
}

/**
 * gtkloop_queue_get:
 * @q: a queue
 * @error: return location for a #GError
 *
 * Removes and returns an item, first waiting for one if the queue is
 * empty. A suspension point when it has to wait. A task cancelled while
 * waiting takes no item: the item stays in the queue for the next getter.
 *
 * |[<!-- language="C" -->
 * for (;;)
 *   {
 *     g_autoptr(GError) error = NULL;
 *     g_autofree char *job = gtkloop_queue_get (jobs, &error);
 *
 *     if (error != NULL)
 *       break;   // cancelled, or shut down and empty
 *     run (job);
 *     gtkloop_queue_task_done (jobs);
 *   }
 * ]|
 *
 * Loop thread only, and inside a task only when it has to wait. While the
 * loop closes, a wait fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full) (nullable): the item (which may be %NULL: tell
 *   by @error); %NULL with %G_IO_ERROR_CANCELLED, or
 *   %GTKLOOP_ERROR_QUEUE_SHUT_DOWN once a shut-down queue is empty
 *
 * Since: 0.1
 */
gpointer
gtkloop_queue_get (GtkloopQueue *q,
                   GError      **error)
{
  gpointer item = NULL;
  gboolean ok = TRUE;

  g_return_val_if_fail (q != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  gtkloop_queue_ref (q);
  while (ok && gtkloop_queue_is_empty (q))
    {
      if (q->is_shut_down)
        {
          g_propagate_error (error, shut_down_error ());
          ok = FALSE;
        }
      else
        ok = gtkloop_sync_bind_loop (&q->loop, G_STRFUNC, error) &&
             wait_in_line (q, &q->getters, has_items, error);
    }
  if (ok)
    item = gtkloop_queue_get_nowait (q, error);
  gtkloop_queue_unref (q);
  return item;
}

/* Tasks done, join, shutdown -------------------------------------------- */

/**
 * gtkloop_queue_task_done:
 * @q: a queue
 *
 * Tells the queue that the processing of an item taken with get() is
 * complete; when every item put was so marked, gtkloop_queue_join()
 * returns. Calling it more often than items were put is a programmer error
 * (a critical), as asyncio's ValueError. Loop thread only (the thread of
 * the loop it is bound to, if any). Works after that loop is closed, as
 * plain state.
 *
 * Since: 0.1
 */
void
gtkloop_queue_task_done (GtkloopQueue *q)
{
  g_return_if_fail (q != NULL);

  if (!gtkloop_sync_check_thread (q->loop, G_STRFUNC, NULL))
    return;
  if (q->unfinished == 0)
    {
      g_critical ("%s: task_done() called too many times", G_STRFUNC);
      return;
    }
  if (--q->unfinished == 0)
    gtkloop_event_set (q->finished);
}

/**
 * gtkloop_queue_join:
 * @q: a queue
 * @error: return location for a #GError
 *
 * Waits until every item put into the queue was taken and marked with
 * gtkloop_queue_task_done(). A suspension point when it has to wait. Loop
 * thread only, and inside a task only when it has to wait. While the loop
 * closes, a wait fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE; %FALSE with %G_IO_ERROR_CANCELLED
 *
 * Since: 0.1
 */
gboolean
gtkloop_queue_join (GtkloopQueue *q,
                    GError      **error)
{
  gboolean ok = TRUE;

  g_return_val_if_fail (q != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (!gtkloop_sync_check_thread (q->loop, G_STRFUNC, error))
    return FALSE;
  if (q->unfinished > 0)
    {
      gtkloop_queue_ref (q);
      ok = gtkloop_event_wait (q->finished, error);
      gtkloop_queue_unref (q);
    }
  return ok;
}

/**
 * gtkloop_queue_shutdown:
 * @q: a queue
 * @immediate: %TRUE to also drop the items still in the queue
 *
 * Shuts the queue down, as Python 3.13's Queue.shutdown(): put() and
 * put_nowait() now fail with %GTKLOOP_ERROR_QUEUE_SHUT_DOWN, and so do
 * get() and get_nowait() once the queue is empty. Blocked putters and
 * getters wake and fail (a getter still gets an item if there is one).
 * With @immediate the queue is emptied first: each item is freed with
 * item_destroy and counted as done, which may let gtkloop_queue_join()
 * return. Loop thread only (the thread of the loop it is bound to, if
 * any). Works after that loop is closed, as plain state.
 *
 * Since: 0.1
 */
void
gtkloop_queue_shutdown (GtkloopQueue *q,
                        gboolean      immediate)
{
  g_return_if_fail (q != NULL);

  if (!gtkloop_sync_check_thread (q->loop, G_STRFUNC, NULL))
    return;
  q->is_shut_down = TRUE;
  if (immediate)
    {
      while (!gtkloop_queue_is_empty (q))
        {
          destroy_item (q, pop_item (q));
          if (q->unfinished > 0)
            q->unfinished--;
        }
      if (q->unfinished == 0)
        gtkloop_event_set (q->finished);
    }
  /* Every getter re-checks: it takes an item or fails as shut down. */
  wakeup_all (&q->getters);
  wakeup_all (&q->putters);
}
