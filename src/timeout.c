/* GtkloopTimeout: asyncio.timeout / timeout_at (Python 3.11) as a scope
 * with an explicit end.
 *
 * gtkloop_timeout_new () enters the scope in the current task; when the
 * deadline passes, the task is cancelled, so the suspension point it is in
 * fails with G_IO_ERROR_CANCELLED and the body gives up. gtkloop_timeout_exit ()
 * then turns that cancellation into G_IO_ERROR_TIMED_OUT — only if this
 * timeout caused it and no other cancellation is pending, which is how
 * nested timeouts and a real cancellation of the task stay apart
 * (asyncio's uncancel () bookkeeping). */
#include "config.h"

#include <math.h>

#include "debug-private.h"
#include "error-private.h"
#include "loop-private.h"
#include "task-private.h"

typedef enum {
  TIMEOUT_ENTERED,
  TIMEOUT_EXPIRING,   /* the deadline passed; the task was cancelled */
  TIMEOUT_EXPIRED,    /* exited after expiring */
  TIMEOUT_EXITED,
} TimeoutState;

static const char *const state_names[] = { "active", "expiring", "expired", "finished" };

struct _GtkloopTimeout
{
  gint          ref_count;   /* (atomic) */
  TimeoutState  state;
  GtkloopTask  *task;        /* (owned) the task the scope runs in */
  double        when;        /* loop time of the deadline; negative: none */
  guint64       handle;      /* the timer; 0: none */
};

/**
 * GtkloopTimeout:
 *
 * A timeout scope (asyncio.timeout()): a deadline that cancels the current
 * task, turned into %G_IO_ERROR_TIMED_OUT by gtkloop_timeout_exit().
 * Reference counted; used inside its task.
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopTimeout, gtkloop_timeout, gtkloop_timeout_ref, gtkloop_timeout_unref)

static GtkloopLoop *
timeout_loop (GtkloopTimeout *t)
{
  return t->task->base.loop;
}

static void
on_timeout (gpointer data)
{
  GtkloopTimeout *t = data;

  g_assert (t->state == TIMEOUT_ENTERED);
  t->handle = 0;
  gtkloop_task_cancel (t->task, NULL);
  t->state = TIMEOUT_EXPIRING;
}

static void
cancel_timer (GtkloopTimeout *t)
{
  if (t->handle != 0)
    gtkloop_loop_cancel (timeout_loop (t), t->handle);
  t->handle = 0;
}

static void
schedule (GtkloopTimeout *t)
{
  GtkloopLoop *loop = timeout_loop (t);

  cancel_timer (t);
  if (t->when < 0)
    return;
  if (t->when <= gtkloop_loop_time (loop))
    t->handle = gtkloop_loop_call_soon (loop, on_timeout, gtkloop_timeout_ref (t),
                                        (GDestroyNotify) gtkloop_timeout_unref);
  else
    t->handle = gtkloop_loop_call_at (loop, t->when, on_timeout, gtkloop_timeout_ref (t),
                                      (GDestroyNotify) gtkloop_timeout_unref);
}

/**
 * gtkloop_timeout_new_at:
 * @when: the deadline in loop time (gtkloop_loop_time()); negative or
 *   infinite for none (set one later with gtkloop_timeout_reschedule())
 *
 * asyncio.timeout_at(): enters a timeout scope in the current task. End it
 * with gtkloop_timeout_exit(). Must be called inside a task (a critical
 * otherwise). Inside a task only (the scope cancels that task). Closing
 * the loop cancels the task anyway and drops the timer.
 *
 * Returns: (transfer full) (nullable): the scope
 *
 * Since: 0.1
 */
GtkloopTimeout *
gtkloop_timeout_new_at (double when)
{
  GtkloopTask *task = gtkloop_task_get_current ();
  GtkloopTimeout *t;

  if (task == NULL)
    {
      g_critical (GTKLOOP_NOT_IN_TASK_FORMAT, G_STRFUNC);
      return NULL;
    }
  t = g_new0 (GtkloopTimeout, 1);
  t->ref_count = 1;
  t->state = TIMEOUT_ENTERED;
  t->task = gtkloop_task_ref (task);
  t->when = isinf (when) || isnan (when) ? -1 : when;
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_SYNC, 1);
  schedule (t);
  return t;
}

/**
 * gtkloop_timeout_new:
 * @delay: seconds from now; negative for none
 *
 * asyncio.timeout(): enters a timeout scope in the current task; when
 * @delay has passed the task is cancelled, and gtkloop_timeout_exit()
 * turns the cancellation into %G_IO_ERROR_TIMED_OUT.
 *
 * |[<!-- language="C" -->
 * static void
 * fetch_all (GtkloopTask *task, gpointer data)
 * {
 *   g_autoptr(GError) error = NULL;
 *   GtkloopTimeout *t = gtkloop_timeout_new (10.0);
 *
 *   if (fetch_header (&error))             // suspension points inside
 *     fetch_body (&error);
 *   if (!gtkloop_timeout_exit (t, &error))   // CANCELLED -> TIMED_OUT
 *     g_print ("gave up: %s\n", error->message);
 *   gtkloop_timeout_unref (t);
 * }
 * ]|
 *
 * Inside a task only (the scope cancels that task). Closing the loop
 * cancels the task anyway and drops the timer.
 *
 * Returns: (transfer full) (nullable): the scope
 *
 * Since: 0.1
 */
GtkloopTimeout *
gtkloop_timeout_new (double delay)
{
  GtkloopTask *task = gtkloop_task_get_current ();

  if (task == NULL)
    {
      g_critical (GTKLOOP_NOT_IN_TASK_FORMAT, G_STRFUNC);
      return NULL;
    }
  return gtkloop_timeout_new_at (delay < 0 || isnan (delay) ? -1
                                 : gtkloop_loop_time (task->base.loop) + delay);
}

/**
 * gtkloop_timeout_ref:
 * @t: a timeout scope
 *
 * Takes a reference. Any thread; works after the loop is closed.
 *
 * Returns: (transfer full): @t
 *
 * Since: 0.1
 */
GtkloopTimeout *
gtkloop_timeout_ref (GtkloopTimeout *t)
{
  g_return_val_if_fail (t != NULL, NULL);
  g_atomic_int_inc (&t->ref_count);
  return t;
}

/**
 * gtkloop_timeout_unref:
 * @t: (transfer full): a timeout scope
 *
 * Drops a reference. This does not end the scope: a pending deadline still
 * cancels the task unless gtkloop_timeout_exit() was called. Any thread
 * may drop the last reference; works after the loop is closed.
 *
 * Since: 0.1
 */
void
gtkloop_timeout_unref (GtkloopTimeout *t)
{
  g_return_if_fail (t != NULL);

  if (!g_atomic_int_dec_and_test (&t->ref_count))
    return;
  /* A pending timer holds a reference: no timer is left here. */
  gtkloop_task_unref (t->task);
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_SYNC, -1);
  g_free (t);
}

/**
 * gtkloop_timeout_reschedule:
 * @t: a timeout scope
 * @when: the new deadline in loop time; negative or infinite for none
 *
 * Moves the deadline of a scope that has neither expired nor ended (a
 * critical otherwise, as asyncio's RuntimeError). A deadline already past
 * expires on the next iteration. Loop thread only. Closing the loop drops
 * the timer, so after close it never fires.
 *
 * Since: 0.1
 */
void
gtkloop_timeout_reschedule (GtkloopTimeout *t,
                            double          when)
{
  g_return_if_fail (t != NULL);

  if (!gtkloop_loop_check_callable (timeout_loop (t), G_STRFUNC, FALSE))
    return;
  if (t->state != TIMEOUT_ENTERED)
    {
      g_critical ("%s: Cannot change state of %s Timeout", G_STRFUNC, state_names[t->state]);
      return;
    }
  t->when = isinf (when) || isnan (when) ? -1 : when;
  schedule (t);
}

/**
 * gtkloop_timeout_get_when:
 * @t: a timeout scope
 *
 * The deadline on the loop's clock (gtkloop_loop_time()); negative for
 * none. Loop thread only; works after the loop is closed.
 *
 * Returns: the deadline in loop time; -1 for none
 *
 * Since: 0.1
 */
double
gtkloop_timeout_get_when (GtkloopTimeout *t)
{
  g_return_val_if_fail (t != NULL, -1);
  return t->when;
}

/**
 * gtkloop_timeout_expired:
 * @t: a timeout scope
 *
 * Whether the timeout fired and cancelled its task. Loop thread only;
 * works after the loop is closed.
 *
 * Returns: %TRUE once the deadline passed (and the task was cancelled)
 *
 * Since: 0.1
 */
gboolean
gtkloop_timeout_expired (GtkloopTimeout *t)
{
  g_return_val_if_fail (t != NULL, FALSE);
  return t->state == TIMEOUT_EXPIRING || t->state == TIMEOUT_EXPIRED;
}

/**
 * gtkloop_timeout_exit:
 * @t: a timeout scope
 * @error: (inout) (optional): on entry, what the scope's body failed with,
 *   or a pointer to %NULL if it succeeded; on return, the scope's outcome
 *
 * Ends the scope (asyncio's `__aexit__`): the deadline no longer applies.
 * If it expired and the body failed with the cancellation it caused, and
 * the task has no other cancellation pending, the error becomes
 * %G_IO_ERROR_TIMED_OUT, and the task no longer counts as cancelled. Any
 * other error is left as it is. Not a suspension point. Loop thread only;
 * it works after the loop is closed.
 *
 * Returns: %TRUE if *@error is %NULL on return
 *
 * Since: 0.1
 */
gboolean
gtkloop_timeout_exit (GtkloopTimeout *t,
                      GError        **error)
{
  g_return_val_if_fail (t != NULL, FALSE);

  if (!gtkloop_loop_check_callable (timeout_loop (t), G_STRFUNC, FALSE))
    return error == NULL || *error == NULL;
  if (t->state != TIMEOUT_ENTERED && t->state != TIMEOUT_EXPIRING)
    {
      g_critical ("%s: the Timeout is already %s", G_STRFUNC, state_names[t->state]);
      return error == NULL || *error == NULL;
    }

  cancel_timer (t);
  if (t->state == TIMEOUT_ENTERED)
    t->state = TIMEOUT_EXITED;
  else
    {
      t->state = TIMEOUT_EXPIRED;
      if (gtkloop_task_uncancel (t->task) == 0 && error != NULL &&
          g_error_matches (*error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          g_clear_error (error);
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT, "Operation timed out");
          /* The cancellation was this scope's, and is consumed: a task
           * that now returns does not end cancelled because of it. */
          t->task->last_suspend_cancelled = FALSE;
        }
    }
  return error == NULL || *error == NULL;
}
