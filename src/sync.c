/* Loop binding, the owner-thread check and the end of a composite
 * suspension point, shared by the synchronisation primitives. */
#include "config.h"

#include "error-private.h"
#include "loop-private.h"
#include "sync-private.h"
#include "task-private.h"

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
