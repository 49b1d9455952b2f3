/* GtkloopAsCompleted: asyncio.as_completed (Python 3.11) as an iterator
 * object: each gtkloop_as_completed_next () waits for the next future to
 * finish and returns it, in the order they finish.
 *
 * Finished futures go through a GtkloopQueue, as in asyncio; the timeout
 * pushes one NULL per future still running, and each NULL taken becomes a
 * G_IO_ERROR_TIMED_OUT. The futures' callbacks reach the iterator through
 * an anchor (anchor-private.h), so dropping the iterator early is fine. */
#include "config.h"

#include "anchor-private.h"
#include "debug-private.h"
#include "future-private.h"
#include "loop-private.h"
#include "sync-private.h"

struct _GtkloopAsCompleted
{
  gint           ref_count;        /* (atomic) */
  GtkloopLoop   *loop;             /* (owned) */
  GHashTable    *todo;             /* (owned) set of GtkloopFuture*, each (owned): not finished yet */
  GtkloopQueue  *done;             /* (owned) of GtkloopFuture* (owned), or NULL for a timeout */
  GtkloopAnchor *anchor;           /* (owned): what the callbacks and the timer hold */
  guint64        timeout_handle;   /* 0: none */
  guint          n_left;           /* futures not returned yet */
};

/**
 * GtkloopAsCompleted:
 *
 * asyncio.as_completed(), as an iterator: gtkloop_as_completed_next()
 * hands out the futures in the order they finish. Reference counted; used
 * on its loop's thread.
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopAsCompleted, gtkloop_as_completed, gtkloop_as_completed_ref,
                     gtkloop_as_completed_unref)

static void
unref_nullable_future (gpointer f)
{
  if (f != NULL)
    gtkloop_future_unref (f);
}

static void
on_completion (GtkloopFuture *f,
               gpointer       user_data)
{
  GtkloopAsCompleted *ac = ((GtkloopAnchor *) user_data)->target;

  /* Gone, or the timeout came first. */
  if (ac == NULL || !g_hash_table_steal (ac->todo, f))
    return;
  /* The reference the set held now belongs to the queue. */
  gtkloop_queue_put_nowait (ac->done, f, NULL);
  if (g_hash_table_size (ac->todo) == 0 && ac->timeout_handle != 0)
    {
      gtkloop_loop_cancel (ac->loop, ac->timeout_handle);
      ac->timeout_handle = 0;
    }
}

static void
on_timeout (gpointer user_data)
{
  GtkloopAsCompleted *ac = ((GtkloopAnchor *) user_data)->target;
  GHashTableIter iter;
  gpointer f;

  if (ac == NULL)
    return;
  ac->timeout_handle = 0;
  g_hash_table_iter_init (&iter, ac->todo);
  while (g_hash_table_iter_next (&iter, &f, NULL))
    {
      gtkloop_future_remove_done_callback (f, on_completion, ac->anchor);
      gtkloop_queue_put_nowait (ac->done, NULL, NULL);
    }
  g_hash_table_remove_all (ac->todo);
}

/**
 * gtkloop_as_completed_new:
 * @futures: (array length=n) (transfer none): futures or tasks of one
 *   loop; one given twice counts once
 * @n: how many
 * @timeout: seconds after which the futures not yet returned come out as
 *   %G_IO_ERROR_TIMED_OUT; negative for none
 *
 * asyncio.as_completed(): an iterator over @futures in the order they
 * finish. Call gtkloop_as_completed_next() once per future.
 *
 * |[<!-- language="C" -->
 * g_autoptr(GtkloopAsCompleted) ac = gtkloop_as_completed_new (fs, n, 30.0);
 * GtkloopFuture *f;
 *
 * while ((f = gtkloop_as_completed_next (ac, &error)) != NULL)
 *   {
 *     show_result (f);               // the first to finish first
 *     gtkloop_future_unref (f);
 *   }
 * if (error != NULL)
 *   return;                          // timed out or cancelled
 * ]|
 *
 * Loop thread only. Its outcome comes through done callbacks, which a
 * closed loop no longer runs: made there, it never yields a future.
 *
 * Returns: (transfer full): the iterator; %NULL (with a critical) for
 *   futures of different loops
 *
 * Since: 0.1
 */
GtkloopAsCompleted *
gtkloop_as_completed_new (GtkloopFuture *const *futures,
                          guint                 n,
                          double                timeout)
{
  GtkloopAsCompleted *ac;
  GtkloopLoop *loop;

  g_return_val_if_fail (n == 0 || futures != NULL, NULL);

  loop = n > 0 ? futures[0]->loop : gtkloop_sync_current_loop ();
  for (guint i = 0; i < n; i++)
    if (futures[i]->loop != loop)
      {
        g_critical ("%s: the futures belong to different loops", G_STRFUNC);
        return NULL;
      }

  ac = g_new0 (GtkloopAsCompleted, 1);
  ac->ref_count = 1;
  ac->loop = g_object_ref (loop);
  ac->todo = g_hash_table_new_full (NULL, NULL, (GDestroyNotify) gtkloop_future_unref, NULL);
  ac->done = gtkloop_queue_new (0, unref_nullable_future);
  ac->anchor = gtkloop_anchor_new (ac);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_SYNC, 1);

  for (guint i = 0; i < n; i++)
    if (!g_hash_table_contains (ac->todo, futures[i]))
      {
        g_hash_table_add (ac->todo, gtkloop_future_ref (futures[i]));
        gtkloop_future_add_done_callback (futures[i], on_completion, gtkloop_anchor_ref (ac->anchor),
                                          gtkloop_anchor_unref);
      }
  ac->n_left = g_hash_table_size (ac->todo);
  if (ac->n_left > 0 && timeout >= 0)
    ac->timeout_handle = gtkloop_loop_call_later (loop, timeout, on_timeout, gtkloop_anchor_ref (ac->anchor),
                                                  gtkloop_anchor_unref);
  return ac;
}

/**
 * gtkloop_as_completed_ref:
 * @ac: an iterator
 *
 * Takes a reference. Any thread; works after the loop is closed.
 *
 * Returns: (transfer full): @ac
 *
 * Since: 0.1
 */
GtkloopAsCompleted *
gtkloop_as_completed_ref (GtkloopAsCompleted *ac)
{
  g_return_val_if_fail (ac != NULL, NULL);
  g_atomic_int_inc (&ac->ref_count);
  return ac;
}

/**
 * gtkloop_as_completed_unref:
 * @ac: (transfer full): an iterator
 *
 * Drops a reference. Dropping the last one before every future was
 * returned is fine: the futures are left alone. Any thread may drop the
 * last reference; works after the loop is closed.
 *
 * Since: 0.1
 */
void
gtkloop_as_completed_unref (GtkloopAsCompleted *ac)
{
  GHashTableIter iter;
  gpointer f;

  g_return_if_fail (ac != NULL);

  if (!g_atomic_int_dec_and_test (&ac->ref_count))
    return;
  if (gtkloop_loop_is_owner (ac->loop))
    {
      g_hash_table_iter_init (&iter, ac->todo);
      while (g_hash_table_iter_next (&iter, &f, NULL))
        gtkloop_future_remove_done_callback (f, on_completion, ac->anchor);
      if (ac->timeout_handle != 0)
        gtkloop_loop_cancel (ac->loop, ac->timeout_handle);
    }
  g_hash_table_unref (ac->todo);
  gtkloop_queue_unref (ac->done);
  gtkloop_anchor_drop (ac->anchor);
  g_object_unref (ac->loop);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_SYNC, -1);
  g_free (ac);
}

/**
 * gtkloop_as_completed_next:
 * @ac: an iterator
 * @error: return location for a #GError
 *
 * Waits for the next future to finish. A suspension point. Inside a task
 * only. While the loop closes, it fails at once with
 * %G_IO_ERROR_CANCELLED, as every suspension point does.
 *
 * Returns: (transfer full) (nullable): the next future to finish (look at
 *   its result or error); %NULL without an error once every future was
 *   returned; %NULL with %G_IO_ERROR_TIMED_OUT for each future the timeout
 *   overtook, or with %G_IO_ERROR_CANCELLED if the task was cancelled
 *   (that turn is used up, as in asyncio)
 *
 * Since: 0.1
 */
GtkloopFuture *
gtkloop_as_completed_next (GtkloopAsCompleted *ac,
                           GError            **error)
{
  GError *local_error = NULL;
  GtkloopFuture *f;

  g_return_val_if_fail (ac != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (ac->n_left == 0)
    return NULL;
  ac->n_left--;
  gtkloop_as_completed_ref (ac);
  f = gtkloop_queue_get (ac->done, &local_error);
  gtkloop_as_completed_unref (ac);
  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return NULL;
    }
  if (f == NULL)
    g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Operation timed out");
  return f;
}

/**
 * gtkloop_as_completed_get_n_left:
 * @ac: an iterator
 *
 * How many futures the iterator has not handed out yet. Loop thread only;
 * works after the loop is closed.
 *
 * Returns: how many more times gtkloop_as_completed_next() returns a
 *   future or an error
 *
 * Since: 0.1
 */
guint
gtkloop_as_completed_get_n_left (GtkloopAsCompleted *ac)
{
  g_return_val_if_fail (ac != NULL, 0);
  return ac->n_left;
}
