/* Waiter lists and loop binding for the synchronisation primitives. */
#include "config.h"

#include "error-private.h"
#include "loop-private.h"
#include "task-private.h"
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

GtkloopLoop *
gtkloop_sync_current_loop (void)
{
  GtkloopTask *task = gtkloop_task_get_current ();
  GtkloopLoop *loop;

  if (task != NULL)
    return task->base.loop;
  if ((loop = gtkloop_loop_get_running ()) != NULL)
    return loop;
  return gtkloop_loop_get_default ();
}

gboolean
gtkloop_sync_bind_loop (GtkloopLoop **slot,
                        const char   *function,
                        GError      **error)
{
  GtkloopTask *task = gtkloop_task_get_current ();
  GtkloopLoop *loop;

  /* Binding happens just before waiting, which only a task can do: outside
   * one, fail as the wait would, without binding to some default loop. */
  if (task == NULL)
    {
      gtkloop_set_not_in_task_error (error, function);
      return FALSE;
    }
  loop = task->base.loop;
  if (*slot == NULL)
    *slot = g_object_ref (loop);
  if (!gtkloop_sync_check_thread (*slot, function, error))
    return FALSE;
  if (*slot != loop)
    {
      /* asyncio: RuntimeError "... is bound to a different event loop". */
      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE,
                   "%s: the object is bound to a different event loop", function);
      return FALSE;
    }
  return TRUE;
}

gboolean
gtkloop_sync_check_thread (GtkloopLoop *bound,
                           const char  *function,
                           GError     **error)
{
  if (bound == NULL || gtkloop_loop_check_callable (bound, function, FALSE))
    return TRUE;
  g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_WRONG_THREAD,
               "%s: called from a thread that does not own the object's loop", function);
  return FALSE;
}

gboolean
gtkloop_sync_finish (gboolean ok,
                     GError  *local_error,
                     GError **error)
{
  GtkloopTask *task = gtkloop_task_get_current ();

  g_assert (ok == (local_error == NULL));
  if (task != NULL)
    task->last_suspend_cancelled = !ok && g_error_matches (local_error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  if (!ok)
    g_propagate_error (error, local_error);
  return ok;
}
