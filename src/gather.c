/* gather: one future for many, as asyncio.gather. The outer future's
 * result is the array of the children themselves, in argument order, so a
 * C caller reads each child's result with its own type. */
#include "config.h"

#include "future-private.h"
#include "loop-private.h"

typedef struct
{
  GtkloopFuture  base;
  GPtrArray     *children;          /* (owned) of GtkloopFuture*, each (owned) */
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
  /* The outer ends when the children have; then it reports the cancel. */
  if (any)
    g->cancel_requested = TRUE;
  return any;
}

static void
gather_finalize (GtkloopFuture *f)
{
  g_clear_pointer (&((Gather *) f)->children, g_ptr_array_unref);
}

static GError *
cancelled_error_of (GtkloopFuture *child)
{
  g_autoptr(GError) error = NULL;

  gtkloop_future_get_result (child, &error);
  return g_steal_pointer (&error);
}

static void
child_done (GtkloopFuture *child,
            gpointer       user_data)
{
  Gather *g = user_data;
  GtkloopFuture *outer = &g->base;
  const GError *failure;

  g->n_finished++;
  if (!gtkloop_future_is_pending (outer))
    {
      /* Mark the error retrieved: the gather already reported one. */
      gtkloop_future_get_error (child);
      return;
    }

  if (!g->return_exceptions)
    {
      if (gtkloop_future_is_cancelled (child))
        {
          gtkloop_future_reject (outer, cancelled_error_of (child));
          return;
        }
      if ((failure = gtkloop_future_get_error (child)) != NULL)
        {
          gtkloop_future_reject (outer, g_error_copy (failure));
          return;
        }
    }

  if (g->n_finished < g->children->len)
    return;
  if (g->cancel_requested)
    gtkloop_future_reject (outer, gtkloop_cancelled_error_new (NULL));
  else
    gtkloop_future_resolve (outer, g_ptr_array_ref (g->children), (GDestroyNotify) g_ptr_array_unref);
}

/**
 * gtkloop_gather:
 * @futures: (array length=n): futures or tasks, all of one loop (transfer none)
 * @n: how many
 * @return_exceptions: %TRUE to wait for all, whatever they end with
 *
 * Returns: (transfer full): a future whose result is a #GPtrArray of the
 *   @n futures in argument order. Without @return_exceptions it fails with
 *   the first error (or %G_IO_ERROR_CANCELLED for a cancelled child) and
 *   the others go on; cancelling it cancels every child.
 *
 * Since: 1.0
 */
GtkloopFuture *
gtkloop_gather (GtkloopFuture *const *futures,
                guint                 n,
                gboolean              return_exceptions)
{
  GtkloopLoop *loop;
  Gather *g;

  g_return_val_if_fail (n == 0 || futures != NULL, NULL);

  loop = n > 0 ? gtkloop_future_get_loop (futures[0]) : gtkloop_loop_get_default ();
  g = (Gather *) gtkloop_future_new_of_class (&gather_class, loop);
  g->children = g_ptr_array_new_full (n, (GDestroyNotify) gtkloop_future_unref);
  g->return_exceptions = return_exceptions;

  for (guint i = 0; i < n; i++)
    {
      if (gtkloop_future_get_loop (futures[i]) != loop)
        {
          gtkloop_future_reject (&g->base, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                                                "gtkloop_gather: futures of different loops"));
          return &g->base;
        }
      g_ptr_array_add (g->children, gtkloop_future_ref (futures[i]));
    }
  if (n == 0)
    {
      gtkloop_future_resolve (&g->base, g_ptr_array_ref (g->children), (GDestroyNotify) g_ptr_array_unref);
      return &g->base;
    }
  /* The children's done callbacks hold the outer alive until the last. */
  for (guint i = 0; i < n; i++)
    gtkloop_future_add_done_callback (futures[i], child_done, gtkloop_future_ref (&g->base),
                                      (GDestroyNotify) gtkloop_future_unref);
  return &g->base;
}
