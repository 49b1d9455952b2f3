/* Waiter lists for the synchronisation primitives. */
#include "config.h"

#include "waiters-private.h"

GtkloopWaiter *
gtkloop_waiter_enqueue (GQueue      *queue,
                        GtkloopLoop *loop)
{
  GtkloopWaiter *w = g_new0 (GtkloopWaiter, 1);

  w->future = gtkloop_future_new (loop);
  w->link.data = w;
  w->queued = TRUE;
  g_queue_push_tail_link (queue, &w->link);
  return w;
}

void
gtkloop_waiter_free (GQueue        *queue,
                     GtkloopWaiter *w)
{
  if (w->queued)
    g_queue_unlink (queue, &w->link);
  gtkloop_future_unref (w->future);
  g_free (w);
}

GtkloopWaiter *
gtkloop_waiter_pop_head (GQueue *queue)
{
  GList *link = g_queue_pop_head_link (queue);
  GtkloopWaiter *w;

  if (link == NULL)
    return NULL;
  w = link->data;
  w->queued = FALSE;
  return w;
}

gboolean
gtkloop_waiter_wake (GtkloopWaiter *w)
{
  return gtkloop_future_resolve (w->future, NULL, NULL);
}
