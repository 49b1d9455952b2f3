/* gtkloop_shield: asyncio.shield (Python 3.11).
 *
 * The outer future follows the inner one, but cancelling the outer (which
 * is what cancelling a task awaiting it does) leaves the inner running.
 * The outer holds the inner; the inner's done callback reaches the outer
 * through an anchor, so an inner that never completes does not keep an
 * abandoned outer alive (anchor-private.h). */
#include "config.h"

#include "anchor-private.h"
#include "future-private.h"
#include "loop-private.h"

typedef struct
{
  GtkloopFuture  base;
  GtkloopFuture *inner;    /* (owned) */
  GtkloopAnchor *anchor;   /* (owned): what the inner's callback holds */
} Shield;

static void inner_done      (GtkloopFuture *inner, gpointer user_data);
static void shield_finalize (GtkloopFuture *f);

static gboolean
shield_cancel (GtkloopFuture *f,
               const char    *msg)
{
  return gtkloop_future_finish_cancelled (f, msg);
}

static const GtkloopFutureClass shield_class = {
  .instance_size = sizeof (Shield),
  .unretrieved_error_message = "Future exception was never retrieved",
  .cancel = shield_cancel,
  .finalize = shield_finalize,
};

static void
shield_finalize (GtkloopFuture *f)
{
  Shield *sh = (Shield *) f;

  if (gtkloop_future_is_pending (sh->inner) && gtkloop_loop_is_owner (f->loop))
    gtkloop_future_remove_done_callback (sh->inner, inner_done, sh->anchor);
  gtkloop_anchor_drop (sh->anchor);
  gtkloop_future_unref (sh->inner);
}

static void
inner_done (GtkloopFuture *inner,
            gpointer       user_data)
{
  Shield *sh = ((GtkloopAnchor *) user_data)->target;
  GtkloopFuture *outer = (GtkloopFuture *) sh;
  const GError *failure;

  if (sh == NULL || gtkloop_future_is_cancelled (outer))
    {
      /* Nobody will look at the inner's error through the outer. */
      if (!gtkloop_future_is_cancelled (inner))
        gtkloop_future_get_error (inner);
      return;
    }
  if (gtkloop_future_is_cancelled (inner))
    gtkloop_future_finish_cancelled (outer, NULL);
  else if ((failure = gtkloop_future_get_error (inner)) != NULL)
    gtkloop_future_reject (outer, g_error_copy (failure));
  else
    /* Borrowed: the outer holds the inner, which owns the value. */
    gtkloop_future_resolve (outer, inner->result, NULL);
}

/* The outer is done (cancelled, usually): stop listening to the inner. */
static void
outer_done (GtkloopFuture *outer,
            gpointer       user_data)
{
  Shield *sh = (Shield *) outer;

  if (gtkloop_future_is_pending (sh->inner))
    gtkloop_future_remove_done_callback (sh->inner, inner_done, sh->anchor);
}

/**
 * gtkloop_shield:
 * @f: (transfer none): the future or task to protect
 *
 * asyncio.shield(): a future that ends as @f ends, except that cancelling
 * it does not cancel @f. Await it instead of @f when @f must finish even
 * if the awaiting task is cancelled: the task's await then fails with
 * %G_IO_ERROR_CANCELLED at once, and @f goes on.
 *
 * |[<!-- language="C" -->
 * g_autoptr(GtkloopFuture) guarded = gtkloop_shield (GTKLOOP_FUTURE (save_task));
 *
 * if (!gtkloop_await (guarded, &error))
 *   return;   // this task was cancelled; the save goes on
 * ]|
 *
 * Loop thread only. A future already done gives a future done the same way
 * at once; otherwise the outcome comes through done callbacks, which a
 * closed loop no longer runs.
 *
 * Returns: (transfer full): the outer future; @f itself (a new reference)
 *   if it is already done. Its result is @f's, borrowed from @f.
 *
 * Since: 0.1
 */
GtkloopFuture *
gtkloop_shield (GtkloopFuture *f)
{
  Shield *sh;

  g_return_val_if_fail (f != NULL, NULL);

  if (gtkloop_future_is_done (f))
    return gtkloop_future_ref (f);

  sh = (Shield *) gtkloop_future_new_of_class (&shield_class, f->loop);
  sh->inner = gtkloop_future_ref (f);
  sh->anchor = gtkloop_anchor_new (sh);
  gtkloop_future_add_done_callback (f, inner_done, gtkloop_anchor_ref (sh->anchor), gtkloop_anchor_unref);
  gtkloop_future_add_done_callback (&sh->base, outer_done, sh, NULL);
  return &sh->base;
}
