/* gather: one future for many, as asyncio.gather (Python 3.11).
 *
 * The outer future's result is the array of the children themselves, in
 * argument order, so a C caller reads each child's result with its own
 * type. Without return_exceptions the first failure (or cancellation) of
 * a child fails the outer at once; the other children go on. Cancelling
 * the outer cancels every child; it then ends when a child reports the
 * cancellation (or, with return_exceptions, when all children are done),
 * failing with G_IO_ERROR_CANCELLED — asyncio sets CancelledError as the
 * outer's exception rather than cancelling it.
 *
 * The children's done callbacks reach the outer through an anchor, not a
 * reference (see anchor-private.h): a child that never completes no longer
 * keeps the outer, and through it every other child, alive forever. */
#include "config.h"

#include "anchor-private.h"
#include "future-private.h"
#include "loop-private.h"
#include "sync-private.h"

typedef struct
{
  GtkloopFuture  base;
  GPtrArray     *children;           /* (owned) of GtkloopFuture*, each (owned), argument order */
  GtkloopAnchor *anchor;             /* (owned): what the children's callbacks hold */
  guint          n_unique;           /* a future given twice is waited for once */
  guint          n_finished;
  gboolean       return_exceptions;
  gboolean       cancel_requested;
} Gather;

static gboolean gather_cancel   (GtkloopFuture *f, const char *msg);
static void     gather_finalize (GtkloopFuture *f);

static const GtkloopFutureClass gather_class = {
  .instance_size = sizeof (Gather),
  .unretrieved_error_message = "Future exception was never retrieved",
  .cancel = gather_cancel,
  .finalize = gather_finalize,
};

static void child_done (GtkloopFuture *child, gpointer user_data);

static gboolean
gather_cancel (GtkloopFuture *f,
               const char    *msg)
{
  Gather *g = (Gather *) f;
  gboolean any = FALSE;

  if (!gtkloop_future_is_pending (f))
    return FALSE;
  for (guint i = 0; i < g->children->len; i++)
    any |= gtkloop_future_cancel (g->children->pdata[i], msg);
  /* The outer ends when the children report; then it reports the cancel
   * whatever return_exceptions says (bpo-32684). */
  if (any)
    g->cancel_requested = TRUE;
  return any;
}

static void
gather_finalize (GtkloopFuture *f)
{
  Gather *g = (Gather *) f;

  /* An abandoned gather leaves its children alone: their errors are then
   * reported as theirs. A finished one keeps its callbacks on children
   * still running, which mark their errors retrieved as asyncio does. */
  if (gtkloop_future_is_pending (f) && gtkloop_loop_is_owner (f->loop))
    for (guint i = 0; i < g->children->len; i++)
      gtkloop_future_remove_done_callback (g->children->pdata[i], child_done, g->anchor);
  gtkloop_anchor_drop (g->anchor);
  g_clear_pointer (&g->children, g_ptr_array_unref);
}

/* The error a cancelled (or failed) child hands to the outer. */
static GError *
error_of (GtkloopFuture *child)
{
  GError *error = NULL;

  gtkloop_future_get_result (child, &error);
  return error;
}

static void
child_done (GtkloopFuture *child,
            gpointer       user_data)
{
  Gather *g = ((GtkloopAnchor *) user_data)->target;
  GtkloopFuture *outer = (GtkloopFuture *) g;
  gboolean cancelled = gtkloop_future_is_cancelled (child);

  if (g == NULL || !gtkloop_future_is_pending (outer))
    {
      /* The gather already reported its outcome: mark the error seen. */
      if (!cancelled)
        gtkloop_future_get_error (child);
      return;
    }

  g->n_finished++;
  if (!g->return_exceptions && (cancelled || gtkloop_future_get_error (child) != NULL))
    {
      gtkloop_future_reject (outer, error_of (child));
      return;
    }
  if (g->n_finished < g->n_unique)
    return;
  if (g->cancel_requested)
    gtkloop_future_reject (outer, cancelled ? error_of (child) : gtkloop_cancelled_error_new (NULL));
  else
    gtkloop_future_resolve (outer, g_ptr_array_ref (g->children), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * gtkloop_gather:
 * @futures: (array length=n) (transfer none): futures or tasks, all of
 *   one loop
 * @n: how many; 0 gives a future already done with an empty array
 * @return_exceptions: %TRUE to wait for all, whatever they end with
 *
 * asyncio.gather(): waits for all of @futures.
 *
 * |[<!-- language="C" -->
 * GtkloopFuture *both[] = { GTKLOOP_FUTURE (a), GTKLOOP_FUTURE (b) };
 * g_autoptr(GtkloopFuture) all = gtkloop_gather (both, 2, FALSE);
 *
 * if (!gtkloop_await (all, &error))
 *   return;   // the first error; the other task goes on
 * GPtrArray *children = gtkloop_future_get_result (all, NULL);
 * const char *ra = gtkloop_future_get_result (children->pdata[0], NULL);
 * ]|
 *
 * Loop thread only. Its outcome comes through done callbacks, which a
 * closed loop no longer runs: made there, it stays pending.
 *
 * Returns: (transfer full): a future whose result is a #GPtrArray of the
 *   @n futures in argument order. Without @return_exceptions it fails with
 *   the first error (or %G_IO_ERROR_CANCELLED for a cancelled child) and
 *   the others go on; cancelling it cancels every child. Futures of
 *   different loops give a future failed with %G_IO_ERROR_INVALID_ARGUMENT.
 *
 * Since: 0.1
 */
GtkloopFuture *
gtkloop_gather (GtkloopFuture *const *futures,
                guint                 n,
                gboolean              return_exceptions)
{
  g_autoptr(GHashTable) seen = NULL;
  GtkloopLoop *loop;
  Gather *g;

  g_return_val_if_fail (n == 0 || futures != NULL, NULL);

  loop = n > 0 ? gtkloop_future_get_loop (futures[0]) : gtkloop_sync_current_loop ();
  g = (Gather *) gtkloop_future_new_of_class (&gather_class, loop);
  g->children = g_ptr_array_new_full (n, (GDestroyNotify) gtkloop_future_unref);
  g->anchor = gtkloop_anchor_new (g);
  g->return_exceptions = return_exceptions;

  for (guint i = 0; i < n; i++)
    if (gtkloop_future_get_loop (futures[i]) != loop)
      {
        gtkloop_future_reject (&g->base, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                                              "gtkloop_gather: futures of different loops"));
        return &g->base;
      }
  if (n == 0)
    {
      gtkloop_future_resolve (&g->base, g_ptr_array_ref (g->children), (GDestroyNotify) g_ptr_array_unref);
      return &g->base;
    }

  seen = g_hash_table_new (NULL, NULL);
  for (guint i = 0; i < n; i++)
    {
      g_ptr_array_add (g->children, gtkloop_future_ref (futures[i]));
      if (!g_hash_table_add (seen, futures[i]))
        continue;
      g->n_unique++;
      gtkloop_future_add_done_callback (futures[i], child_done, gtkloop_anchor_ref (g->anchor),
                                        gtkloop_anchor_unref);
    }
  return &g->base;
}
