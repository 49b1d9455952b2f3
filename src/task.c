/* Tasks: asyncio.Task for C functions running on fibers.
 *
 * A task advances in steps. A step resumes the task's fiber until the
 * function reaches a suspension point (gtkloop_await, gtkloop_sleep) or
 * returns. A suspension point registers what wakes the task — a done
 * callback on the awaited future, or a call_soon of the next step for
 * sleep (0) — then switches back to the loop. So every resumption goes
 * through the loop's ready queue, in asyncio's order.
 *
 * Cancellation is data (C has no exceptions): the suspension point the task
 * is in, or the next one, returns FALSE with G_IO_ERROR_CANCELLED.
 *   - task waiting on a future: that future is cancelled; its done callback
 *     wakes the task, whose await then fails with the cancellation.
 *   - otherwise must_cancel is set and the next step delivers it.
 * How the task ends once its function returns follows API.md ("Points
 * where asyncio decides"); see finish_state (). */
#include "config.h"

#include <stdatomic.h>

#include "debug-private.h"
#include "destroy-notify-private.h"
#include "error-private.h"
#include "hot-tls-private.h"
#include "loop-private.h"
#include "task-private.h"

/* The per-loop side of tasks, in loop->tasks. */
typedef struct
{
  GQueue   pending;   /* of GtkloopTask, linked through task->link; each holds a ref */
  gboolean closing;   /* suspension points fail at once */
} TaskRegistry;

static void     task_finalize      (GtkloopFuture *f);
static gboolean task_cancel_vfunc  (GtkloopFuture *f,
                                    const char    *msg);

static const GtkloopFutureClass task_class = {
  .instance_size = sizeof (GtkloopTask),
  .unretrieved_error_message = "Task exception was never retrieved",
  .cancel = task_cancel_vfunc,
  .finalize = task_finalize,
  .is_task = TRUE,
};

static _Thread_local GtkloopTask *current_task GTKLOOP_HOT_TLS;
static atomic_ulong task_counter;

static void finish_tasks_for_close (GtkloopLoop *loop);

static TaskRegistry *
registry_get (GtkloopLoop *loop)
{
  static gsize hooks_installed;

  if (loop->tasks == NULL)
    loop->tasks = g_new0 (TaskRegistry, 1);
  if (g_once_init_enter (&hooks_installed))
    {
      GtkloopLoopCloseHooks hooks = { .finish_tasks = finish_tasks_for_close };

      gtkloop_loop_set_close_hooks (&hooks);
      g_once_init_leave (&hooks_installed, 1);
    }
  return loop->tasks;
}

static gboolean
is_task (GtkloopFuture *f)
{
  return f->klass == &task_class;
}

/* ---------------------------------------------------------------------- */
/* Steps                                                                   */

static void task_step (GtkloopTask *task);

static void
step_callback (GtkloopFuture *f,
               gpointer       user_data)
{
  GtkloopTask *task = GTKLOOP_TASK (f);

  task->step_scheduled = FALSE;
  task_step (task);
}

static void
schedule_step (GtkloopTask *task)
{
  task->step_scheduled = TRUE;
  gtkloop_loop_call_soon_future (task->base.loop, GTKLOOP_FUTURE (task), step_callback, NULL, NULL);
}

/* The awaited future is done (a done callback, so already on a later
 * iteration): resume at once, as asyncio's __wakeup calls __step. */
static void
wakeup_callback (GtkloopFuture *awaited,
                 gpointer       user_data)
{
  GtkloopTask *task = user_data;

  if (task->waiting_on != awaited)
    return;   /* detached while closing */
  g_clear_pointer (&task->waiting_on, gtkloop_future_unref);
  task_step (task);
}

/* What a task's fiber runs: the task's own function. */
static void
run_task_body (gpointer data)
{
  GtkloopTask *task = data;

  task->func (task, task->data);
}

static void
set_cancel_message (GtkloopTask *task,
                    const char  *msg)
{
  /* msg may be the current message: closing passes it on again. */
  char *old = task->cancel_message;

  task->cancel_message = g_strdup (msg);
  g_free (old);
}

/* Settles the task once its function returned (or never will run). */
static void
finish_state (GtkloopTask *task)
{
  gboolean cancelled;

  if (task->has_return)
    {
      /* A value stands, unless a cancellation was requested and never
       * delivered: asyncio's self-cancel corner. An error always stands. */
      if (task->return_error != NULL)
        {
          gtkloop_future_reject (GTKLOOP_FUTURE (task), g_steal_pointer (&task->return_error));
          return;
        }
      if (!task->must_cancel)
        {
          gtkloop_future_resolve (GTKLOOP_FUTURE (task), g_steal_pointer (&task->return_value),
                                  task->return_destroy);
          task->return_destroy = NULL;
          return;
        }
    }

  cancelled = task->must_cancel ||
              task->last_suspend_cancelled ||
              (task->cancel_delivered && task->num_cancels_requested > 0);
  if (cancelled)
    gtkloop_future_finish_cancelled (GTKLOOP_FUTURE (task), task->cancel_message);
  else
    gtkloop_future_resolve (GTKLOOP_FUTURE (task), NULL, NULL);
}

static void
task_finish (GtkloopTask *task)
{
  TaskRegistry *registry = task->base.loop->tasks;

  g_clear_pointer (&task->fiber, gtkloop_fiber_free);
  /* A GIO operation begun and never awaited: its callback frees it later. */
  g_clear_pointer (&task->gio_operation, gtkloop_future_unref);
  finish_state (task);
  gtkloop_destroy_notify_run (task->data_destroy, g_steal_pointer (&task->data));
  task->data_destroy = NULL;
  /* The loop's own reference, held while the task was pending. */
  g_queue_unlink (&registry->pending, &task->link);
  gtkloop_task_unref (task);
}

static void
resume (GtkloopTask *task)
{
  GtkloopTask *previous = current_task;

  current_task = task;
  task->main_depth = g_main_depth ();
  gtkloop_fiber_resume (task->fiber);
  current_task = previous;
}

/* Every caller holds a reference across the step (the step handle holds
 * the task, a wake-up callback its data, finish_for_close its own), so the
 * loop's reference, dropped by task_finish, is never the last one here. */
static void
task_step (GtkloopTask *task)
{
  if (!gtkloop_future_is_pending (GTKLOOP_FUTURE (task)))
    return;

  if (task->must_cancel)
    {
      task->must_cancel = FALSE;
      task->cancel_delivered = TRUE;
      g_clear_error (&task->resume_error);
      task->resume_error = gtkloop_cancelled_error_new (task->cancel_message);
    }

  /* A task cancelled before its first step never runs its function. */
  if (!gtkloop_fiber_is_started (task->fiber) && task->resume_error != NULL)
    {
      g_clear_error (&task->resume_error);
      task->last_suspend_cancelled = TRUE;
      task_finish (task);
    }
  else
    {
      resume (task);
      if (gtkloop_fiber_is_finished (task->fiber))
        task_finish (task);
    }
}

/* ---------------------------------------------------------------------- */
/* Creation                                                                */

static GtkloopFiberStackMode
fiber_mode_for (GtkloopStackMode mode)
{
  static int env_mode = -1;

  if (mode == GTKLOOP_STACK_DEFAULT)
    {
      if (env_mode < 0)
        env_mode = g_strcmp0 (g_getenv ("GTKLOOP_STACK"), "guarded") == 0
                     ? GTKLOOP_STACK_GUARDED : GTKLOOP_STACK_SHARED;
      mode = env_mode;
    }
  return mode == GTKLOOP_STACK_GUARDED ? GTKLOOP_FIBER_STACK_GUARDED : GTKLOOP_FIBER_STACK_SHARED;
}

GtkloopTask *
gtkloop_task_new_failed (GtkloopLoop *loop,
                         GError      *error)
{
  GtkloopTask *task = (GtkloopTask *) gtkloop_future_new_of_class (&task_class, loop);

  task->number = atomic_fetch_add (&task_counter, 1) + 1;
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_TASKS, 1);
  gtkloop_future_reject (GTKLOOP_FUTURE (task), error);
  return task;
}

/**
 * gtkloop_loop_create_task_full: (skip)
 * @loop: the loop to run the task on
 * @func: (scope notified) (closure data) (destroy destroy): the task's body
 * @data: data for @func
 * @destroy: (nullable): frees @data once @func returned, or when the task
 *   ends without running it
 * @options: (nullable): name, stack mode and size
 *
 * Creates a task that starts on a later iteration, in creation order. The
 * loop holds its own reference until the task is done, so dropping the
 * returned one at once is fine. When no stack can be had (the system
 * refuses the mapping or its guard, or the size asked for cannot be met)
 * the task is returned already failed with %GTKLOOP_ERROR_RESOURCES,
 * @destroy has run, and a warning names the stack; the loop goes on
 * (docs/failures.md). Loop thread only
 * (from another thread: a critical, @destroy run, %NULL). On a closed or
 * closing loop the task is returned already failed with
 * %GTKLOOP_ERROR_CLOSED and @destroy runs at once.
 *
 * Task bodies are C only, so bindings do not get this call (it is
 * `(skip)`ped): CPython 3.11 keeps one frame stack per thread, and two
 * task bodies written in Python that suspend would interleave on it and
 * crash the interpreter. Python gets tasks from the asyncio binding.
 *
 * Returns: (transfer full): the task
 *
 * Since: 0.1
 */
GtkloopTask *
gtkloop_loop_create_task_full (GtkloopLoop              *loop,
                               GtkloopTaskFunc           func,
                               gpointer                  data,
                               GDestroyNotify            destroy,
                               const GtkloopTaskOptions *options)
{
  static const GtkloopTaskOptions defaults = { 0 };
  GtkloopTask *task;
  GError *error = NULL;
  TaskRegistry *registry;

  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  if (options == NULL)
    options = &defaults;
  if (!gtkloop_loop_check_callable (loop, G_STRFUNC, FALSE))
    {
      gtkloop_destroy_notify_run (destroy, data);
      return NULL;
    }
  /* While close drops what is left (loop->closing), a task made by a
   * destroy notify would never get a step: it is refused the same way. */
  if (gtkloop_loop_is_closed (loop) || loop->closing)
    {
      gtkloop_destroy_notify_run (destroy, data);
      return gtkloop_task_new_failed (loop, g_error_new_literal (GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED,
                                                                 "The event loop is closed"));
    }

  task = (GtkloopTask *) gtkloop_future_new_of_class (&task_class, loop);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_TASKS, 1);
  task->number = atomic_fetch_add (&task_counter, 1) + 1;
  task->fiber = gtkloop_fiber_new (run_task_body, task, fiber_mode_for (options->stack_mode),
                                   options->stack_size, &error);
  if (task->fiber != NULL)
    gtkloop_fiber_set_number (task->fiber, task->number);
  if (task->fiber == NULL)
    {
      /* The error is the task's, but a caller that drops the task at once
       * would never hear of it. */
      g_warning ("%s: %s; the task is returned failed", G_STRFUNC, error->message);
      gtkloop_destroy_notify_run (destroy, data);
      gtkloop_future_reject (GTKLOOP_FUTURE (task), error);
      return task;
    }

  registry = registry_get (loop);
  task->func = func;
  task->data = data;
  task->data_destroy = destroy;
  if (options->name)
    gtkloop_task_set_name (task, options->name);
  if (current_task != NULL && current_task->locals != NULL)
    task->locals = gtkloop_task_locals_ref (current_task->locals);

  task->link.data = gtkloop_task_ref (task);
  g_queue_push_tail_link (&registry->pending, &task->link);
  schedule_step (task);
  return task;
}

/**
 * gtkloop_loop_create_task: (skip)
 * @loop: the loop to run the task on
 * @func: (scope notified) (closure data) (destroy destroy): the task's body
 * @data: data for @func
 * @destroy: (nullable): frees @data once @func returned, or when the task
 *   ends without running it
 *
 * The same as gtkloop_loop_create_task_full() without options: a task
 * named "Task-N" on the default stack. Loop thread only. On a closed loop
 * the task is returned already failed with %GTKLOOP_ERROR_CLOSED.
 *
 * Task bodies are C only, so bindings do not get this call (it is
 * `(skip)`ped): CPython 3.11 keeps one frame stack per thread, and two
 * task bodies written in Python that suspend would interleave on it and
 * crash the interpreter. Python gets tasks from the asyncio binding.
 *
 * Returns: (transfer full): the task
 *
 * Since: 0.1
 */
GtkloopTask *
gtkloop_loop_create_task (GtkloopLoop    *loop,
                          GtkloopTaskFunc func,
                          gpointer        data,
                          GDestroyNotify  destroy)
{
  return gtkloop_loop_create_task_full (loop, func, data, destroy, NULL);
}

/**
 * gtkloop_spawn: (skip)
 * @func: (scope notified) (closure data) (destroy destroy): the task's body
 * @data: data for @func
 * @destroy: (nullable): frees @data once @func returned, or when the task
 *   ends without running it
 *
 * Creates a task on gtkloop_loop_get_default(), the loop of the calling
 * thread's thread-default context (inside gtkloop_run(), its loop). Loop
 * thread only. On a closed loop the task is returned already failed with
 * %GTKLOOP_ERROR_CLOSED.
 *
 * Task bodies are C only, so bindings do not get this call (it is
 * `(skip)`ped): CPython 3.11 keeps one frame stack per thread, and two
 * task bodies written in Python that suspend would interleave on it and
 * crash the interpreter. Python gets tasks from the asyncio binding.
 *
 * Returns: (transfer full): the task
 *
 * Since: 0.1
 */
GtkloopTask *
gtkloop_spawn (GtkloopTaskFunc func,
               gpointer        data,
               GDestroyNotify  destroy)
{
  return gtkloop_loop_create_task_full (gtkloop_loop_get_default (), func, data, destroy, NULL);
}

/* A boxed type of its own, so bindings see the task calls as methods;
 * copying a task refs the future it is. */
/**
 * GtkloopTask:
 *
 * asyncio's Task: a C function running on a fiber (a stack of its own)
 * on its loop's thread, suspended at gtkloop_await(), gtkloop_sleep() and
 * the other suspension points while the loop goes on. A task is a
 * #GtkloopFuture (the same pointer: `GTKLOOP_FUTURE (task)`) that ends
 * with what its function gives (gtkloop_task_return()). See docs/tasks.md.
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopTask, gtkloop_task, gtkloop_task_ref, gtkloop_task_unref)

/**
 * gtkloop_task_ref:
 * @task: a task
 *
 * Takes a reference: the count is the task's future's, shared with
 * gtkloop_future_ref(). Any thread; works before and after the loop is
 * closed.
 *
 * Returns: (transfer full): @task
 *
 * Since: 0.1
 */
GtkloopTask *
gtkloop_task_ref (GtkloopTask *task)
{
  return GTKLOOP_TASK (gtkloop_future_ref (GTKLOOP_FUTURE (task)));
}

/**
 * gtkloop_task_unref:
 * @task: (transfer full): a task
 *
 * Drops a reference, as gtkloop_future_unref() does: the last one frees
 * the task and runs its data's destroy notify; a task freed while still
 * pending is reported to the loop's exception handler. Any thread; a
 * task of a closed loop is done, so its last reference just frees it.
 *
 * Since: 0.1
 */
void
gtkloop_task_unref (GtkloopTask *task)
{
  gtkloop_future_unref (GTKLOOP_FUTURE (task));
}

/**
 * gtkloop_task_get_future:
 * @task: a task
 *
 * The task as a #GtkloopFuture: in C the same pointer as
 * `GTKLOOP_FUTURE (task)`. For language bindings, where the two are
 * distinct boxed types, this is how a task goes wherever a future does
 * (gtkloop_loop_run_until_complete(), gtkloop_gather(), done callbacks).
 * Any thread; works after the loop is closed.
 *
 * Returns: (transfer none): @task's future, valid as long as @task
 *
 * Since: 0.1
 */
GtkloopFuture *
gtkloop_task_get_future (GtkloopTask *task)
{
  g_return_val_if_fail (task != NULL && is_task (GTKLOOP_FUTURE (task)), NULL);

  return GTKLOOP_FUTURE (task);
}

static void
task_finalize (GtkloopFuture *f)
{
  GtkloopTask *task = GTKLOOP_TASK (f);

  if (gtkloop_future_is_pending (f))
    {
      GtkloopErrorContext context = {
        .message = "Task was destroyed but it is pending!",
        .future = f,
      };

      gtkloop_loop_call_exception_handler (f->loop, &context);
    }
  gtkloop_destroy_notify_run (task->data_destroy, task->data);
  /* A task freed while pending may have a suspended fiber: drop its stack
   * without running the rest of the function (the report above says so). */
  g_clear_pointer (&task->fiber, gtkloop_fiber_discard);
  g_clear_pointer (&task->waiting_on, gtkloop_future_unref);
  g_clear_pointer (&task->gio_operation, gtkloop_future_unref);
  g_clear_pointer (&task->locals, gtkloop_task_locals_unref);
  g_clear_object (&task->cancellable);
  g_clear_error (&task->resume_error);
  g_clear_error (&task->return_error);
  gtkloop_destroy_notify_run (task->return_destroy, task->return_value);
  g_free (task->cancel_message);
  g_free (task->name);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_TASKS, -1);
}

/* ---------------------------------------------------------------------- */
/* Results and cancellation                                                */

static gboolean
check_pending_task (GtkloopTask *task,
                    const char  *function)
{
  if (!gtkloop_loop_check_callable (task->base.loop, function, FALSE))
    return FALSE;
  if (!gtkloop_future_is_pending (GTKLOOP_FUTURE (task)))
    {
      g_critical ("%s: the task is already done", function);
      return FALSE;
    }
  return TRUE;
}

static void
clear_return (GtkloopTask *task)
{
  gtkloop_destroy_notify_run (task->return_destroy, task->return_value);
  task->return_value = NULL;
  task->return_destroy = NULL;
  g_clear_error (&task->return_error);
}

/**
 * gtkloop_task_return:
 * @task: a task
 * @value: (nullable): the task's result; the task owns it from now on
 *   (see @destroy)
 * @destroy: (nullable) (scope async): frees @value with the task
 *
 * Sets what the task ends with once its function returns (a later call
 * replaces an earlier one). Usually called by the task's own function
 * just before it returns. Loop thread only. A task that is already done
 * (every task of a closed loop is) refuses with a critical and @destroy
 * runs at once.
 *
 * Since: 0.1
 */
void
gtkloop_task_return (GtkloopTask   *task,
                     gpointer       value,
                     GDestroyNotify destroy)
{
  g_return_if_fail (task != NULL && is_task (GTKLOOP_FUTURE (task)));

  if (!check_pending_task (task, G_STRFUNC))
    {
      gtkloop_destroy_notify_run (destroy, value);
      return;
    }
  clear_return (task);
  task->has_return = TRUE;
  task->return_value = value;
  task->return_destroy = destroy;
}

/**
 * gtkloop_task_return_error:
 * @task: a task
 * @error: (transfer full): the task's failure
 *
 * Makes the task fail with @error once its function returns (a later call
 * replaces an earlier one, as with gtkloop_task_return()). Loop thread
 * only. A task that is already done (every task of a closed loop is)
 * refuses with a critical and frees @error.
 *
 * Since: 0.1
 */
void
gtkloop_task_return_error (GtkloopTask *task,
                           GError      *error)
{
  g_return_if_fail (task != NULL && is_task (GTKLOOP_FUTURE (task)));
  g_return_if_fail (error != NULL);

  if (!check_pending_task (task, G_STRFUNC))
    {
      g_error_free (error);
      return;
    }
  clear_return (task);
  task->has_return = TRUE;
  task->return_error = error;
}

static gboolean
task_cancel_vfunc (GtkloopFuture *f,
                   const char    *msg)
{
  GtkloopTask *task = GTKLOOP_TASK (f);

  if (!gtkloop_future_is_pending (f))
    return FALSE;
  /* Tasks awaiting each other in a cycle: the cancellation passed on has
   * come back round. It is the same request, so it counts once. Passing
   * it on again would recurse until the stack overflowed (asyncio's
   * RecursionError); instead this task stops waiting and its next step
   * delivers the cancellation, which breaks the deadlock: when it ends,
   * the task awaiting it wakes, and so on round the cycle. */
  if (task->cancelling_waiting_on)
    {
      /* It may come back more than once (a gather whose children all
       * await this task): only the first detaches. */
      if (task->waiting_on != NULL)
        {
          gtkloop_future_remove_done_callback (task->waiting_on, wakeup_callback, task);
          g_clear_pointer (&task->waiting_on, gtkloop_future_unref);
          task->must_cancel = TRUE;
          schedule_step (task);
        }
      return TRUE;
    }

  task->num_cancels_requested++;
  set_cancel_message (task, msg);
  msg = task->cancel_message;   /* msg may have been the message just replaced */
  if (task->cancellable)
    g_cancellable_cancel (task->cancellable);

  /* Cancelling what the task waits on wakes it with the cancellation;
   * if that future cannot be cancelled, the next step delivers it. */
  if (task->waiting_on != NULL)
    {
      gboolean passed_on;

      task->cancelling_waiting_on = TRUE;
      passed_on = gtkloop_future_cancel (task->waiting_on, msg);
      task->cancelling_waiting_on = FALSE;
      if (passed_on)
        {
          if (task->waiting_on != NULL)   /* else it came back round: the step delivers it */
            task->cancel_delivered = TRUE;
          return TRUE;
        }
    }
  task->must_cancel = TRUE;
  return TRUE;
}

/**
 * gtkloop_task_cancel:
 * @task: a task
 * @msg: (nullable): the message of the %G_IO_ERROR_CANCELLED error
 *
 * Asks the task to stop: its current (or next) suspension point returns
 * %FALSE with %G_IO_ERROR_CANCELLED, the future it awaits is cancelled, and
 * its #GCancellable is cancelled so GIO calls stop too. Loop thread only.
 * Closing the loop cancels every pending task itself; after that each
 * task is done and this returns %FALSE.
 *
 * Returns: %FALSE if the task is already done
 *
 * Since: 0.1
 */
gboolean
gtkloop_task_cancel (GtkloopTask *task,
                     const char  *msg)
{
  return gtkloop_future_cancel (GTKLOOP_FUTURE (task), msg);
}

/**
 * gtkloop_task_uncancel:
 * @task: a task
 *
 * Takes back one cancellation request (asyncio's Task.uncancel). When the
 * count reaches zero the task gets a fresh #GCancellable. Loop thread
 * only. It only changes the count, so it works on the done tasks of a
 * closed loop too, to no effect on how they ended.
 *
 * Returns: the number of cancellation requests left
 *
 * Since: 0.1
 */
guint
gtkloop_task_uncancel (GtkloopTask *task)
{
  g_return_val_if_fail (task != NULL && is_task (GTKLOOP_FUTURE (task)), 0);

  if (task->num_cancels_requested > 0 && --task->num_cancels_requested == 0)
    {
      task->must_cancel = FALSE;
      if (task->cancellable && g_cancellable_is_cancelled (task->cancellable))
        g_clear_object (&task->cancellable);
    }
  return task->num_cancels_requested;
}

/**
 * gtkloop_task_cancelling:
 * @task: a task
 *
 * How many cancellation requests the task has that were not taken back
 * with gtkloop_task_uncancel() (asyncio's Task.cancelling): a task that
 * catches a cancellation and goes on reads this to tell its own timeout
 * from a cancellation from outside. Loop thread only; works after the
 * loop is closed (the tasks close cancelled count one request).
 *
 * Returns: the number of pending cancellation requests
 *
 * Since: 0.1
 */
guint
gtkloop_task_cancelling (GtkloopTask *task)
{
  g_return_val_if_fail (task != NULL && is_task (GTKLOOP_FUTURE (task)), 0);
  return task->num_cancels_requested;
}

/**
 * gtkloop_task_get_cancellable:
 * @task: a task
 *
 * The #GCancellable that is cancelled with the task: pass it to the GIO
 * calls the task makes, so cancelling the task stops them. After
 * gtkloop_task_uncancel() brings the count back to zero the task has a
 * fresh one, so read it again rather than keep it. Loop thread only;
 * works after the loop is closed (a task that closing cancelled gives a
 * cancelled one).
 *
 * Returns: (transfer none): the task's current #GCancellable
 *
 * Since: 0.1
 */
GCancellable *
gtkloop_task_get_cancellable (GtkloopTask *task)
{
  g_return_val_if_fail (task != NULL && is_task (GTKLOOP_FUTURE (task)), NULL);

  /* Made lazily: a GObject costs more than the rest of a small task. */
  if (task->cancellable == NULL)
    {
      task->cancellable = g_cancellable_new ();
      if (task->num_cancels_requested > 0)
        g_cancellable_cancel (task->cancellable);
    }
  return task->cancellable;
}

/**
 * gtkloop_task_get_current:
 *
 * The task whose function is running on the calling thread: asyncio's
 * current_task(). Any thread (each thread has its own answer). A closed
 * loop runs no task, but while close finishes the pending ones each
 * sees itself here.
 *
 * Returns: (transfer none) (nullable): the running task, or %NULL outside
 *   a task
 *
 * Since: 0.1
 */
GtkloopTask *
gtkloop_task_get_current (void)
{
  return current_task;
}

/**
 * gtkloop_task_set_name:
 * @task: a task
 * @name: (nullable): the new name; %NULL for "Task-N" again
 *
 * Names the task for debug output, exception reports and stack-overflow
 * messages. Loop thread only; works after the loop is closed.
 *
 * Since: 0.1
 */
void
gtkloop_task_set_name (GtkloopTask *task,
                       const char  *name)
{
  g_return_if_fail (task != NULL && is_task (GTKLOOP_FUTURE (task)));

  g_free (task->name);
  task->name = g_strdup (name);
  if (task->fiber)
    gtkloop_fiber_set_name (task->fiber, name);
}

/**
 * gtkloop_task_get_name:
 * @task: a task
 *
 * The task's name, as given to gtkloop_task_set_name() or in
 * #GtkloopTaskOptions, else "Task-N" with N counting the tasks made in
 * the process. Loop thread only; works after the loop is closed.
 *
 * Returns: (transfer none): the name, valid until it is changed
 *
 * Since: 0.1
 */
const char *
gtkloop_task_get_name (GtkloopTask *task)
{
  g_return_val_if_fail (task != NULL && is_task (GTKLOOP_FUTURE (task)), NULL);

  if (task->name == NULL)
    {
      task->name = g_strdup_printf ("Task-%" G_GUINT64_FORMAT, task->number);
      if (task->fiber)
        gtkloop_fiber_set_name (task->fiber, task->name);
    }
  return task->name;
}

/**
 * gtkloop_task_get_stack_mode:
 * @task: a task
 *
 * Where the task's stack lives (see docs/fibers.md). Loop thread only.
 * A task of a closed loop is done and has no stack any more.
 *
 * Returns: %GTKLOOP_STACK_SHARED or %GTKLOOP_STACK_GUARDED;
 *   %GTKLOOP_STACK_DEFAULT while it has none (done, or failed before
 *   it got one)
 *
 * Since: 0.1
 */
GtkloopStackMode
gtkloop_task_get_stack_mode (GtkloopTask *task)
{
  g_return_val_if_fail (task != NULL && is_task (GTKLOOP_FUTURE (task)), GTKLOOP_STACK_DEFAULT);

  if (task->fiber == NULL)
    return GTKLOOP_STACK_DEFAULT;
  return gtkloop_fiber_get_stack_mode (task->fiber) == GTKLOOP_FIBER_STACK_GUARDED
           ? GTKLOOP_STACK_GUARDED : GTKLOOP_STACK_SHARED;
}

/**
 * gtkloop_loop_all_tasks:
 * @loop: the loop
 *
 * The tasks of @loop that are not done yet, asyncio's all_tasks(). Loop
 * thread only. Closing the loop finishes every task, so on a closed loop
 * the array is empty.
 *
 * Returns: (transfer container) (element-type GtkloopTask): the loop's
 *   pending tasks, in creation order; the array is yours, the tasks are
 *   not referenced
 *
 * Since: 0.1
 */
GPtrArray *
gtkloop_loop_all_tasks (GtkloopLoop *loop)
{
  GPtrArray *tasks = g_ptr_array_new ();

  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), tasks);

  if (loop->tasks != NULL)
    for (GList *l = ((TaskRegistry *) loop->tasks)->pending.head; l; l = l->next)
      g_ptr_array_add (tasks, l->data);
  return tasks;
}

/**
 * gtkloop_task_set_local:
 * @task: a task
 * @key: the name of the value
 * @value: (nullable): the value
 * @destroy: (nullable) (scope async): frees @value once no task holds it
 *
 * Sets a task-local value (asyncio's contextvars, in C): tasks @task
 * creates from now on start with it; changes on either side later are not
 * seen by the other. Values are shared, not copied. Loop thread only;
 * works on the done tasks of a closed loop too (the value is freed with
 * the task).
 *
 * Since: 0.1
 */
void
gtkloop_task_set_local (GtkloopTask   *task,
                        const char    *key,
                        gpointer       value,
                        GDestroyNotify destroy)
{
  g_return_if_fail (task != NULL && is_task (GTKLOOP_FUTURE (task)));
  g_return_if_fail (key != NULL);

  gtkloop_task_locals_set (&task->locals, key, value, destroy);
}

/**
 * gtkloop_task_get_local:
 * @task: a task
 * @key: the name of the value
 *
 * Reads a task-local value set with gtkloop_task_set_local() on @task or
 * inherited from the task that created it. Loop thread only; works after
 * the loop is closed.
 *
 * Returns: (transfer none) (nullable): the value @key has in @task, or
 *   %NULL if it has none
 *
 * Since: 0.1
 */
gpointer
gtkloop_task_get_local (GtkloopTask *task,
                        const char  *key)
{
  g_return_val_if_fail (task != NULL && is_task (GTKLOOP_FUTURE (task)), NULL);
  g_return_val_if_fail (key != NULL, NULL);

  return gtkloop_task_locals_get (task->locals, key);
}

/* ---------------------------------------------------------------------- */
/* Suspension points                                                       */

/* The checks every suspension point starts with. */
static GtkloopTask *
enter_suspension_point (const char *function,
                        GError    **error)
{
  GtkloopTask *task = current_task;

  if (task == NULL || gtkloop_fiber_get_current () == NULL)
    {
      gtkloop_set_not_in_task_error (error, function);
      return NULL;
    }
  if (g_main_depth () != task->main_depth)
    {
      /* Suspending here would leave a nested main-loop iteration's frames
       * on this task's stack while the outer loop goes on. */
      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_REENTRANT,
                   "%s: called inside a nested main-loop iteration", function);
      return NULL;
    }
  if (((TaskRegistry *) task->base.loop->tasks)->closing)
    {
      /* The loop is closing: finish the task's function without waiting. */
      task->last_suspend_cancelled = TRUE;
      g_propagate_error (error, gtkloop_cancelled_error_new (task->cancel_message));
      return NULL;
    }
  return task;
}

/* After the fiber was resumed: a cancellation delivered by the step. */
static gboolean
take_resume_error (GtkloopTask *task,
                   GError     **error)
{
  if (task->resume_error == NULL)
    return FALSE;
  task->last_suspend_cancelled = TRUE;
  g_propagate_error (error, g_steal_pointer (&task->resume_error));
  return TRUE;
}

/**
 * gtkloop_await:
 * @f: the future (or task) to wait for
 * @error: return location for a #GError
 *
 * Suspends the current task until @f is done; the loop, and the GUI, go
 * on meanwhile. A future already done returns at once, without a yield.
 * Inside a task only (the loop's thread, then). While the loop closes,
 * pending tasks are resumed until they end, and every suspension point
 * fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE if @f finished with a result (read it with
 *   gtkloop_future_get_result()); %FALSE with @f's error, with
 *   %G_IO_ERROR_CANCELLED if @f or the task was cancelled, or with
 *   %GTKLOOP_ERROR_NOT_IN_TASK / %GTKLOOP_ERROR_REENTRANT on misuse
 *
 * Since: 0.1
 */
gboolean
gtkloop_await (GtkloopFuture *f,
               GError       **error)
{
  GtkloopTask *task;
  const GError *failure;

  g_return_val_if_fail (f != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((task = enter_suspension_point (G_STRFUNC, error)) == NULL)
    return FALSE;
  if (f->loop != task->base.loop || f == GTKLOOP_FUTURE (task))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                   f->loop != task->base.loop ? "%s: the future belongs to another loop"
                                              : "%s: a task cannot await itself", G_STRFUNC);
      return FALSE;
    }

  if (gtkloop_future_is_pending (f))
    {
      task->waiting_on = gtkloop_future_ref (f);
      /* The callback owns a reference: a close may detach the task after
       * the callback was already queued, and the task may then be freed
       * before that stale callback runs. */
      gtkloop_future_add_done_callback (f, wakeup_callback, gtkloop_task_ref (task),
                                        (GDestroyNotify) gtkloop_task_unref);
      if (task->must_cancel)
        {
          gboolean passed_on;

          task->cancelling_waiting_on = TRUE;
          passed_on = gtkloop_future_cancel (f, task->cancel_message);
          task->cancelling_waiting_on = FALSE;
          /* Unless it came back round a cycle (see task_cancel_vfunc). */
          if (passed_on && task->waiting_on != NULL)
            {
              task->must_cancel = FALSE;
              task->cancel_delivered = TRUE;
            }
        }
      gtkloop_fiber_suspend ();
      if (take_resume_error (task, error))
        return FALSE;
    }

  task->last_suspend_cancelled = gtkloop_future_is_cancelled (f);
  if (task->last_suspend_cancelled)
    {
      gtkloop_future_get_result (f, error);
      return FALSE;
    }
  failure = gtkloop_future_get_error (f);
  if (failure != NULL)
    {
      /* A future that failed with a cancellation without being cancelled
       * (a gather whose child was cancelled) propagates it, as asyncio's
       * CancelledError does: API.md counts it as a cancelled suspension. */
      task->last_suspend_cancelled = g_error_matches (failure, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      if (error)
        *error = g_error_copy (failure);
      return FALSE;
    }
  return TRUE;
}

static void
resolve_unless_cancelled (gpointer data)
{
  GtkloopFuture *f = data;

  if (gtkloop_future_is_pending (f))
    gtkloop_future_set_result (f, NULL, NULL);
}

/**
 * gtkloop_sleep:
 * @seconds: how long; 0 (or less) yields to the loop for exactly one
 *   iteration
 * @error: return location for a #GError
 *
 * Suspends the current task for @seconds: a suspension point, asyncio's
 * sleep(). Inside a task only. While the loop closes it fails at once
 * with %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE once the time has passed; %FALSE with
 *   %G_IO_ERROR_CANCELLED if the task was cancelled meanwhile, or an
 *   error for misuse (outside a task)
 *
 * Since: 0.1
 */
gboolean
gtkloop_sleep (double   seconds,
               GError **error)
{
  GtkloopTask *task;
  GtkloopFuture *timer_done;
  guint64 handle;
  gboolean ok;

  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if ((task = enter_suspension_point (G_STRFUNC, error)) == NULL)
    return FALSE;

  if (!(seconds > 0))
    {
      /* asyncio's bare yield: the next step goes to the back of the queue. */
      schedule_step (task);
      gtkloop_fiber_suspend ();
      if (take_resume_error (task, error))
        return FALSE;
      task->last_suspend_cancelled = FALSE;
      return TRUE;
    }

  timer_done = gtkloop_future_new (task->base.loop);
  handle = gtkloop_loop_call_later (task->base.loop, seconds, resolve_unless_cancelled,
                                    gtkloop_future_ref (timer_done),
                                    (GDestroyNotify) gtkloop_future_unref);
  ok = gtkloop_await (timer_done, error);
  gtkloop_loop_cancel (task->base.loop, handle);
  gtkloop_future_unref (timer_done);
  return ok;
}

/* ---------------------------------------------------------------------- */
/* Closing                                                                 */

gboolean
gtkloop_task_is_closing (GtkloopTask *task)
{
  TaskRegistry *registry = task->base.loop->tasks;

  return registry != NULL && registry->closing;
}

/* Runs one pending task to the end of its function: every suspension point
 * fails at once while the registry is closing. */
static void
finish_for_close (GtkloopTask *task)
{
  g_autofree char *msg = g_strdup (task->cancel_message ? task->cancel_message
                                                       : "The event loop is closing");

  gtkloop_task_cancel (task, msg);
  if (task->waiting_on != NULL)
    {
      gtkloop_future_remove_done_callback (task->waiting_on, wakeup_callback, task);
      g_clear_pointer (&task->waiting_on, gtkloop_future_unref);
    }
  task->must_cancel = TRUE;
  /* The step drops the loop's reference when the function returns; a
   * fire-and-forget task has no other. */
  gtkloop_task_ref (task);
  task_step (task);
  if (gtkloop_future_is_pending (GTKLOOP_FUTURE (task)))
    g_error ("gtkloop: task %s is still pending after being finished for close",
             gtkloop_task_get_name (task));
  gtkloop_task_unref (task);
}

static void
finish_tasks_for_close (GtkloopLoop *loop)
{
  TaskRegistry *registry = loop->tasks;
  GList *link;

  if (registry == NULL)
    return;

  registry->closing = TRUE;
  while ((link = registry->pending.head) != NULL)
    finish_for_close (link->data);
  registry->closing = FALSE;
  g_free (registry);
  loop->tasks = NULL;
}
