/* GtkloopTaskGroup: asyncio.TaskGroup (Python 3.11), structured
 * concurrency for C.
 *
 * A group is made inside a task, its parent; tasks created in it are its
 * children. gtkloop_task_group_exit () waits until every child is done.
 * The first child that fails makes the group abort: every other child is
 * cancelled, and so is the parent (so that whatever it is waiting for
 * between creating children and exiting stops too) — the group takes
 * that cancellation back at exit. Exit then fails with an error that
 * summarises all the children's errors; the errors themselves are listed
 * by gtkloop_task_group_get_errors () (C has no ExceptionGroup).
 *
 * Python's `async with TaskGroup () as tg: body` becomes:
 *
 *   tg = gtkloop_task_group_new ();
 *   body, which may fail with error;
 *   gtkloop_task_group_exit (tg, &error);   // error: in, the body's; out, the group's */
#include "config.h"

#include "debug-private.h"
#include "destroy-notify-private.h"
#include "loop-private.h"
#include "sync-private.h"
#include "task-private.h"

struct _GtkloopTaskGroup
{
  gint           ref_count;      /* (atomic) */
  GtkloopLoop   *loop;           /* (owned) */
  GtkloopTask   *parent;         /* (owned) */
  GQueue         tasks;          /* of GtkloopTask* (owned): children not done, in creation order */
  GHashTable    *links;          /* GtkloopTask* -> its GList in tasks */
  GPtrArray     *errors;         /* (owned) of GError*: children's errors, in the order they came */
  GtkloopFuture *on_completed;   /* (owned) (nullable): resolved when the last child is done */
  gboolean       exiting;
  gboolean       aborting;
  gboolean       parent_cancel_requested;
};

/**
 * GtkloopTaskGroup:
 *
 * A task group (asyncio.TaskGroup): structured concurrency;
 * gtkloop_task_group_exit() waits for every task of the group, and one
 * failing cancels the others. Reference counted; used inside its parent
 * task.
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopTaskGroup, gtkloop_task_group, gtkloop_task_group_ref, gtkloop_task_group_unref)

/**
 * gtkloop_task_group_new:
 *
 * asyncio.TaskGroup(), entered: a group whose parent is the current task.
 * Must be called inside a task (a critical otherwise).
 *
 * |[<!-- language="C" -->
 * g_autoptr(GError) error = NULL;
 * g_autoptr(GtkloopTaskGroup) tg = gtkloop_task_group_new ();
 *
 * for (guint i = 0; i < n_urls; i++)
 *   g_autoptr(GtkloopTask) t = gtkloop_task_group_create_task (tg, fetch, urls[i], NULL);
 * if (!gtkloop_task_group_exit (tg, &error))   // all children are done here
 *   {
 *     GPtrArray *errors = gtkloop_task_group_get_errors (tg);
 *     g_print ("%u downloads failed, the others were cancelled\n", errors->len);
 *   }
 * ]|
 *
 * Inside a task only (the group belongs to that task). Closing the loop
 * cancels the group's tasks with the others.
 *
 * Returns: (transfer full) (nullable): the group
 *
 * Since: 0.1
 */
GtkloopTaskGroup *
gtkloop_task_group_new (void)
{
  GtkloopTask *parent = gtkloop_task_get_current ();
  GtkloopTaskGroup *tg;

  if (parent == NULL)
    {
      g_critical ("%s: a TaskGroup is made inside its parent task", G_STRFUNC);
      return NULL;
    }
  tg = g_new0 (GtkloopTaskGroup, 1);
  tg->ref_count = 1;
  tg->parent = gtkloop_task_ref (parent);
  tg->loop = g_object_ref (parent->base.loop);
  g_queue_init (&tg->tasks);
  tg->links = g_hash_table_new (NULL, NULL);
  tg->errors = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_SYNC, 1);
  return tg;
}

/**
 * gtkloop_task_group_ref:
 * @tg: a task group
 *
 * Takes a reference. Any thread; works after the loop is closed.
 *
 * Returns: (transfer full): @tg
 *
 * Since: 0.1
 */
GtkloopTaskGroup *
gtkloop_task_group_ref (GtkloopTaskGroup *tg)
{
  g_return_val_if_fail (tg != NULL, NULL);
  g_atomic_int_inc (&tg->ref_count);
  return tg;
}

/**
 * gtkloop_task_group_unref:
 * @tg: (transfer full): a task group
 *
 * Drops a reference. Children still running hold their own. Any thread may
 * drop the last reference; works after the loop is closed.
 *
 * Since: 0.1
 */
void
gtkloop_task_group_unref (GtkloopTaskGroup *tg)
{
  GtkloopTask *task;

  g_return_if_fail (tg != NULL);

  if (!g_atomic_int_dec_and_test (&tg->ref_count))
    return;
  /* Each child's done callback holds a reference, so children are left
   * only when a closing loop dropped those callbacks without running them. */
  while ((task = g_queue_pop_head (&tg->tasks)) != NULL)
    gtkloop_task_unref (task);
  g_hash_table_unref (tg->links);
  g_ptr_array_unref (tg->errors);
  g_clear_pointer (&tg->on_completed, gtkloop_future_unref);
  gtkloop_task_unref (tg->parent);
  g_object_unref (tg->loop);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_SYNC, -1);
  g_free (tg);
}

static void
abort_children (GtkloopTaskGroup *tg)
{
  tg->aborting = TRUE;
  for (GList *l = tg->tasks.head; l != NULL; l = l->next)
    if (!gtkloop_future_is_done (l->data))
      gtkloop_task_cancel (l->data, NULL);
}

static void
report_orphan_error (GtkloopTaskGroup *tg,
                     GtkloopTask      *task,
                     const GError     *failure)
{
  g_autofree char *message = g_strdup_printf ("Task %s has errored out but its parent task %s is already completed",
                                              gtkloop_task_get_name (task),
                                              gtkloop_task_get_name (tg->parent));
  GtkloopErrorContext context = {
    .message = message,
    .error = failure,
    .future = GTKLOOP_FUTURE (task),
  };

  gtkloop_loop_call_exception_handler (tg->loop, &context);
}

static void
on_task_done (GtkloopFuture *f,
              gpointer       user_data)
{
  GtkloopTaskGroup *tg = user_data;
  GtkloopTask *task = GTKLOOP_TASK (f);
  GList *link = g_hash_table_lookup (tg->links, task);
  const GError *failure;

  g_hash_table_remove (tg->links, task);
  g_queue_delete_link (&tg->tasks, link);
  if (tg->on_completed != NULL && g_queue_is_empty (&tg->tasks))
    gtkloop_future_resolve (tg->on_completed, NULL, NULL);

  if (gtkloop_future_is_cancelled (f) || (failure = gtkloop_future_get_error (f)) == NULL)
    {
      gtkloop_task_unref (task);
      return;
    }
  g_ptr_array_add (tg->errors, g_error_copy (failure));
  if (gtkloop_future_is_done (GTKLOOP_FUTURE (tg->parent)))
    report_orphan_error (tg, task, failure);
  else if (!tg->aborting && !tg->parent_cancel_requested)
    {
      /* Stop the parent too, whatever it awaits before exit (); exit ()
       * takes this cancellation back. */
      abort_children (tg);
      tg->parent_cancel_requested = TRUE;
      gtkloop_task_cancel (tg->parent, NULL);
    }
  gtkloop_task_unref (task);
}

/**
 * gtkloop_task_group_create_task_full: (skip)
 * @tg: a task group
 * @func: (scope notified) (closure data) (destroy destroy): the child's body
 * @data: data for @func
 * @destroy: (nullable): frees @data once @func returned, or when the task
 *   ends without running it
 * @options: (nullable): as for gtkloop_loop_create_task_full()
 *
 * Creates a child task in the group, on the parent's loop. Once the group
 * is aborting (a child failed) or has ended, no child can be added: the
 * task returned is then already failed with %GTKLOOP_ERROR_INVALID_STATE,
 * @func never runs and @destroy runs at once.
 *
 * Task bodies are C only, so bindings do not get this call (it is
 * `(skip)`ped): CPython 3.11 keeps one frame stack per thread, and two
 * task bodies written in Python that suspend would interleave on it and
 * crash the interpreter. Python gets tasks from the asyncio binding. Loop thread only. On a closed loop the task comes back already failed with %GTKLOOP_ERROR_CLOSED.
 *
 * Returns: (transfer full): the task
 *
 * Since: 0.1
 */
GtkloopTask *
gtkloop_task_group_create_task_full (GtkloopTaskGroup         *tg,
                                     GtkloopTaskFunc           func,
                                     gpointer                  data,
                                     GDestroyNotify            destroy,
                                     const GtkloopTaskOptions *options)
{
  GtkloopTask *task;
  const char *refusal = NULL;

  g_return_val_if_fail (tg != NULL, NULL);
  g_return_val_if_fail (func != NULL, NULL);

  if (tg->exiting && g_queue_is_empty (&tg->tasks))
    refusal = "TaskGroup is finished";
  else if (tg->aborting)
    refusal = "TaskGroup is shutting down";
  if (refusal != NULL)
    {
      gtkloop_destroy_notify_run (destroy, data);
      return gtkloop_task_new_failed (tg->loop, g_error_new_literal (GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE,
                                                                      refusal));
    }

  task = gtkloop_loop_create_task_full (tg->loop, func, data, destroy, options);
  if (task == NULL)
    return NULL;
  g_queue_push_tail (&tg->tasks, gtkloop_task_ref (task));
  g_hash_table_insert (tg->links, task, tg->tasks.tail);
  gtkloop_future_add_done_callback (GTKLOOP_FUTURE (task), on_task_done, gtkloop_task_group_ref (tg),
                                    (GDestroyNotify) gtkloop_task_group_unref);
  return task;
}

/**
 * gtkloop_task_group_create_task: (skip)
 * @tg: a task group
 * @func: (scope notified) (closure data) (destroy destroy): the child's body
 * @data: data for @func
 * @destroy: (nullable): as for gtkloop_task_group_create_task_full()
 *
 * Calls gtkloop_task_group_create_task_full() without options.
 *
 * Task bodies are C only, so bindings do not get this call (it is
 * `(skip)`ped): CPython 3.11 keeps one frame stack per thread, and two
 * task bodies written in Python that suspend would interleave on it and
 * crash the interpreter. Python gets tasks from the asyncio binding. Loop thread only. On a closed loop the task comes back already failed with %GTKLOOP_ERROR_CLOSED.
 *
 * Returns: (transfer full): the task
 *
 * Since: 0.1
 */
GtkloopTask *
gtkloop_task_group_create_task (GtkloopTaskGroup *tg,
                                GtkloopTaskFunc   func,
                                gpointer          data,
                                GDestroyNotify    destroy)
{
  return gtkloop_task_group_create_task_full (tg, func, data, destroy, NULL);
}

/* C's ExceptionGroup: the first error's domain and code, so the common
 * single-error case reads naturally with g_error_matches (). */
static GError *
summary_error (GPtrArray *errors)
{
  const GError *first = errors->pdata[0];

  return g_error_new (first->domain, first->code,
                      "unhandled errors in a TaskGroup (%u sub-exception%s): %s",
                      errors->len, errors->len == 1 ? "" : "s", first->message);
}

/* Waits until no child is left. Returns the cancellation to report, if a
 * cancellation of the parent arrived meanwhile (or the given one). */
static GError *
wait_for_children (GtkloopTaskGroup *tg,
                   GError           *cancellation)
{
  while (!g_queue_is_empty (&tg->tasks))
    {
      GError *error = NULL;

      if (tg->on_completed == NULL)
        tg->on_completed = gtkloop_future_new (tg->loop);
      if (!gtkloop_await (tg->on_completed, &error))
        {
          gboolean stop = gtkloop_task_is_closing (tg->parent) ||
                          !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

          if (!tg->aborting || stop)
            {
              /* The parent itself is being cancelled while children run. */
              g_clear_error (&cancellation);
              cancellation = g_steal_pointer (&error);
              abort_children (tg);
            }
          g_clear_error (&error);
          /* While the loop closes nothing can be waited for: the children
           * are finished by the close itself. */
          if (stop)
            {
              g_clear_pointer (&tg->on_completed, gtkloop_future_unref);
              break;
            }
        }
      g_clear_pointer (&tg->on_completed, gtkloop_future_unref);
    }
  return cancellation;
}

/**
 * gtkloop_task_group_exit:
 * @tg: a task group
 * @error: (inout) (optional): on entry, what the body between new and exit
 *   failed with, or a pointer to %NULL if it succeeded; on return, the
 *   group's outcome
 *
 * Ends the group (asyncio's `__aexit__`): waits until every child is done.
 * A body that failed makes the group abort first (its children are
 * cancelled). A suspension point while children run. Inside a task only.
 * While the loop closes, it fails at once with %G_IO_ERROR_CANCELLED, as
 * every suspension point does.
 *
 * Returns: %TRUE if the body and every child succeeded (or were only
 *   cancelled by the group). Otherwise %FALSE with: an error summarising
 *   the children's errors and the body's — the first one's domain and
 *   code, "unhandled errors in a TaskGroup (N sub-exceptions): first
 *   message"; list them with gtkloop_task_group_get_errors(); or, when
 *   there are none, %G_IO_ERROR_CANCELLED if the parent task was
 *   cancelled from outside.
 *
 * Since: 0.1
 */
gboolean
gtkloop_task_group_exit (GtkloopTaskGroup *tg,
                         GError          **error)
{
  GError *body = NULL;
  GError *cancellation = NULL;
  GError *outcome = NULL;
  gboolean body_failed;

  g_return_val_if_fail (tg != NULL, FALSE);

  if (error != NULL)
    body = g_steal_pointer (error);
  if (tg->exiting || gtkloop_task_get_current () != tg->parent)
    {
      g_critical ("%s: %s", G_STRFUNC, tg->exiting ? "the TaskGroup was already exited"
                                                    : "called outside the group's parent task");
      g_propagate_error (error, body);
      return body == NULL;
    }
  tg->exiting = TRUE;
  gtkloop_task_group_ref (tg);

  body_failed = body != NULL;
  if (g_error_matches (body, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    cancellation = g_steal_pointer (&body);
  if (body_failed && !tg->aborting)
    abort_children (tg);

  cancellation = wait_for_children (tg, cancellation);

  /* The parent's cancellation was ours: take it back; if it was the only
   * one, the cancellation is not propagated. Done after waiting, not
   * before as 3.11 does: a child that fails while the parent waits here
   * also cancels the parent, and 3.11 then leaves that cancellation
   * counted (cancelling () stays 1) — which in C, where a delivered
   * cancellation that is not taken back ends the task cancelled, would
   * turn the group's error into a cancelled parent. */
  if (tg->parent_cancel_requested && gtkloop_task_uncancel (tg->parent) == 0)
    g_clear_error (&cancellation);

  /* As asyncio: a cancellation wins over the body's own error, but not
   * over the children's. */
  if (cancellation != NULL && tg->errors->len == 0)
    outcome = g_steal_pointer (&cancellation);
  else
    {
      if (body != NULL)
        g_ptr_array_add (tg->errors, g_steal_pointer (&body));
      if (tg->errors->len > 0)
        outcome = summary_error (tg->errors);
    }
  g_clear_error (&cancellation);
  g_clear_error (&body);
  gtkloop_task_group_unref (tg);
  return gtkloop_sync_finish (outcome == NULL, outcome, error);
}

/**
 * gtkloop_task_group_get_errors:
 * @tg: a task group
 *
 * The errors of the group's tasks that failed, in the order they failed;
 * what gtkloop_task_group_exit() reports. Loop thread only; works after
 * the loop is closed.
 *
 * Returns: (transfer none) (element-type GError): the errors the children
 *   failed with, in the order they failed, and the body's last if
 *   gtkloop_task_group_exit() was given one
 *
 * Since: 0.1
 */
GPtrArray *
gtkloop_task_group_get_errors (GtkloopTaskGroup *tg)
{
  g_return_val_if_fail (tg != NULL, NULL);
  return tg->errors;
}
