/* Thread futures: asyncio.run_coroutine_threadsafe () for C.
 *
 * gtkloop_run_task_threadsafe () posts a start request to the loop's
 * inbox and returns a GtkloopThreadFuture at once. On the loop's thread
 * the request creates the task and chains the task's outcome into the
 * thread future. A plain thread waits on it with a timeout, cancels it, or
 * registers done callbacks, as with a concurrent.futures.Future:
 *
 *   any thread      run_task_threadsafe ──post──▶ loop: create the task
 *   any thread      cancel ─ the future ends cancelled now; post: cancel the task
 *   loop thread     task done ─▶ outcome copied, waiters woken, callbacks run
 *
 * The result stays owned by the task, which the thread future keeps, and
 * the task is released on the loop's thread (posted there if the last
 * reference to the thread future goes elsewhere), so a result that is a
 * GTK object is never freed on a worker.
 *
 * Lock order: f->lock is a leaf. Callbacks run, tasks are cancelled and
 * posts are made after it is released.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "destroy-notify-private.h"
#include "future-private.h"
#include "loop-private.h"
#include "thread-future-private.h"

typedef enum {
  TF_PENDING,
  TF_FINISHED,   /* with a result or an error */
  TF_CANCELLED,
} ThreadFutureState;

typedef struct
{
  GtkloopThreadFutureCallback cb;
  gpointer                    data;
  GDestroyNotify              destroy;
} DoneCallback;

struct _GtkloopThreadFuture
{
  gint             ref_count;
  GtkloopLoop     *loop;         /* (owned) */
  pthread_mutex_t  lock;
  pthread_cond_t   cond;         /* broadcast when the future is done */

  /* (lock: lock) */
  guint8           state;        /* ThreadFutureState */
  GtkloopTask     *task;         /* (owned) (nullable): set on the loop thread; released there */
  gpointer         result;       /* borrowed from task */
  GError          *error;        /* (owned) (nullable) */
  GArray          *callbacks;    /* (owned) (nullable) of DoneCallback */

  /* Handed to the loop thread by the start post. */
  GtkloopTaskFunc  func;
  gpointer         data;
  GDestroyNotify   destroy;
};

static atomic_uint n_live;   /* a debug counter, not a reference count */

/**
 * GtkloopThreadFuture:
 *
 * The future of a task started from another thread with
 * gtkloop_run_task_threadsafe() (concurrent.futures.Future): waited for,
 * cancelled and watched from any thread. Reference counted; thread-safe.
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopThreadFuture, gtkloop_thread_future,
                     gtkloop_thread_future_ref, gtkloop_thread_future_unref)

guint
gtkloop_thread_future_debug_n_live (void)
{
  return atomic_load (&n_live);
}

static void
tf_lock (GtkloopThreadFuture *f)
{
  pthread_mutex_lock (&f->lock);
}

static void
tf_unlock (GtkloopThreadFuture *f)
{
  pthread_mutex_unlock (&f->lock);
}

/**
 * gtkloop_thread_future_ref:
 * @f: a thread future
 *
 * Any thread. Works after the loop is closed.
 *
 * Returns: (transfer full): @f
 *
 * Since: 0.1
 */
GtkloopThreadFuture *
gtkloop_thread_future_ref (GtkloopThreadFuture *f)
{
  g_return_val_if_fail (f != NULL, NULL);
  g_atomic_int_inc (&f->ref_count);
  return f;
}

static void
unref_task_cb (gpointer task)
{
  gtkloop_task_unref (task);
}

/* The task goes on its loop's thread, where its result may be freed. */
static void
release_task (GtkloopLoop *loop,
              GtkloopTask *task)
{
  if (gtkloop_loop_is_owner (loop) ||
      !gtkloop_loop_post_quiet (loop, unref_task_cb, task, NULL))
    gtkloop_task_unref (task);
}

/**
 * gtkloop_thread_future_unref:
 * @f: (transfer full): the reference to drop
 *
 * Drops a reference; any thread. The task behind the future (and so its
 * result) is released on its loop's thread; if the loop is closed by then,
 * on the calling thread. Any thread.
 *
 * Since: 0.1
 */
void
gtkloop_thread_future_unref (GtkloopThreadFuture *f)
{
  g_return_if_fail (f != NULL);

  if (!g_atomic_int_dec_and_test (&f->ref_count))
    return;

  /* Callbacks still here never ran: the loop went away first. */
  if (f->callbacks != NULL)
    {
      for (guint i = 0; i < f->callbacks->len; i++)
        {
          DoneCallback *c = &g_array_index (f->callbacks, DoneCallback, i);

          gtkloop_destroy_notify_run (c->destroy, c->data);
        }
      g_array_unref (f->callbacks);
    }
  gtkloop_destroy_notify_run (f->destroy, f->data);
  if (f->task != NULL)
    release_task (f->loop, f->task);
  g_clear_error (&f->error);
  pthread_cond_destroy (&f->cond);
  pthread_mutex_destroy (&f->lock);
  g_object_unref (f->loop);
  atomic_fetch_sub (&n_live, 1);
  g_free (f);
}

static void
tf_unref_cb (gpointer f)
{
  gtkloop_thread_future_unref (f);
}

/* Done callbacks, outside the lock, in the order they were added. */
static void
run_callbacks (GtkloopThreadFuture *f,
               GArray              *callbacks)
{
  if (callbacks == NULL)
    return;
  for (guint i = 0; i < callbacks->len; i++)
    {
      DoneCallback *c = &g_array_index (callbacks, DoneCallback, i);

      c->cb (f, c->data);
      gtkloop_destroy_notify_run (c->destroy, c->data);
    }
  g_array_unref (callbacks);
}

/* HOLDS: f->lock. Returns the callbacks to run once it is released. */
static GArray *
complete_unlocked (GtkloopThreadFuture *f,
                   ThreadFutureState    state,
                   gpointer             result,
                   GError              *error)
{
  f->state = state;
  f->result = result;
  f->error = error;
  pthread_cond_broadcast (&f->cond);
  return g_steal_pointer (&f->callbacks);
}

/* Loop thread: the task is done; its outcome becomes the future's. */
static void
task_done (GtkloopFuture *task,
           gpointer       user_data)
{
  GtkloopThreadFuture *f = user_data;
  GArray *callbacks = NULL;
  const GError *failure;

  tf_lock (f);
  if (f->state == TF_PENDING)
    {
      if (gtkloop_future_is_cancelled (task))
        {
          GError *error = NULL;

          gtkloop_future_get_result (task, &error);
          callbacks = complete_unlocked (f, TF_CANCELLED, NULL, error);
        }
      else if ((failure = gtkloop_future_get_error (task)) != NULL)
        callbacks = complete_unlocked (f, TF_FINISHED, NULL, g_error_copy (failure));
      else
        callbacks = complete_unlocked (f, TF_FINISHED, gtkloop_future_get_result (task, NULL), NULL);
    }
  tf_unlock (f);
  run_callbacks (f, callbacks);
}

static GError *
closed_error_new (void)
{
  return g_error_new_literal (GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED,
                              "The event loop was closed before the task finished");
}

/* Fails the future if nothing else completed it: the loop closed first. */
static void
fail_if_pending (GtkloopThreadFuture *f)
{
  GArray *callbacks = NULL;

  tf_lock (f);
  if (f->state == TF_PENDING)
    callbacks = complete_unlocked (f, TF_FINISHED, NULL, closed_error_new ());
  tf_unlock (f);
  run_callbacks (f, callbacks);
}

/* The destroy notify of the task's done callback. A loop that closes
 * finishes its tasks and then drops the done callbacks they scheduled, so
 * the outcome is taken here when task_done could not run. */
static void
task_watch_released (gpointer user_data)
{
  GtkloopThreadFuture *f = user_data;
  GtkloopTask *task;

  tf_lock (f);
  task = f->state == TF_PENDING ? f->task : NULL;
  tf_unlock (f);
  if (task != NULL && gtkloop_future_is_done (GTKLOOP_FUTURE (task)))
    task_done (GTKLOOP_FUTURE (task), f);
  fail_if_pending (f);
  gtkloop_thread_future_unref (f);
}

/* Loop thread: the start request. */
static void
start_task (gpointer user_data)
{
  GtkloopThreadFuture *f = user_data;
  GtkloopTaskFunc func;
  GDestroyNotify destroy;
  GtkloopTask *task;
  gpointer data;
  gboolean cancelled;

  tf_lock (f);
  func = f->func;
  data = f->data;
  destroy = f->destroy;
  f->data = NULL;
  f->destroy = NULL;
  cancelled = f->state != TF_PENDING;
  tf_unlock (f);

  if (cancelled)
    {
      /* Cancelled before it started: the function never runs. */
      gtkloop_destroy_notify_run (destroy, data);
      return;
    }

  task = gtkloop_loop_create_task (f->loop, func, data, destroy);
  tf_lock (f);
  f->task = task;
  cancelled = f->state == TF_CANCELLED;
  tf_unlock (f);

  /* A cancel that came between the two locked steps saw no task yet. */
  if (cancelled)
    gtkloop_task_cancel (task, NULL);
  gtkloop_future_add_done_callback (GTKLOOP_FUTURE (task), task_done,
                                    gtkloop_thread_future_ref (f), task_watch_released);
}

/* After start_task, or instead of it when the loop closes with the
 * request unread: then the task's data is freed here, on the closing
 * thread, and the future fails with GTKLOOP_ERROR_CLOSED. */
static void
start_request_done (gpointer user_data)
{
  GtkloopThreadFuture *f = user_data;
  GDestroyNotify destroy;
  gpointer data;
  gboolean started;

  tf_lock (f);
  destroy = g_steal_pointer (&f->destroy);
  data = g_steal_pointer (&f->data);
  started = f->task != NULL;
  tf_unlock (f);
  gtkloop_destroy_notify_run (destroy, data);
  if (!started)
    fail_if_pending (f);
  gtkloop_thread_future_unref (f);
}

/**
 * gtkloop_run_task_threadsafe: (skip)
 * @loop: the loop to run the task on
 * @func: (scope notified) (closure data) (destroy destroy): the task's body
 * @data: data for @func
 * @destroy: (nullable): frees @data on @loop's thread once the
 *   task is done, or if it never starts (cancelled first, or the loop
 *   closed with the request unread: then on the closing thread); at once
 *   on the calling thread if @loop is already closed
 *
 * asyncio.run_coroutine_threadsafe(): starts a task on @loop from any
 * thread (the request goes through the loop's inbox, after what this
 * thread posted before) and returns a future that any thread can wait on,
 * cancel, or watch with done callbacks.
 *
 * Task bodies are C only, so bindings do not get this call (it is
 * `(skip)`ped): CPython 3.11 keeps one frame stack per thread, and two
 * task bodies written in Python that suspend would interleave on it and
 * crash the interpreter. Python gets tasks from the asyncio binding. Any thread (but for a loop thread waiting on its own loop).
 *
 * Returns: (transfer full): the thread future; failed with
 *   %GTKLOOP_ERROR_CLOSED if @loop is closed
 *
 * Since: 0.1
 */
GtkloopThreadFuture *
gtkloop_run_task_threadsafe (GtkloopLoop    *loop,
                             GtkloopTaskFunc func,
                             gpointer        data,
                             GDestroyNotify  destroy)
{
  GtkloopThreadFuture *f;

  g_return_val_if_fail (GTKLOOP_IS_LOOP (loop), NULL);
  g_return_val_if_fail (func != NULL, NULL);

  f = g_new0 (GtkloopThreadFuture, 1);
  f->ref_count = 1;
  f->loop = g_object_ref (loop);
  pthread_mutex_init (&f->lock, NULL);
  {
    pthread_condattr_t attr;

    pthread_condattr_init (&attr);
    pthread_condattr_setclock (&attr, CLOCK_MONOTONIC);
    pthread_cond_init (&f->cond, &attr);
    pthread_condattr_destroy (&attr);
  }
  f->state = TF_PENDING;
  f->func = func;
  f->data = data;
  f->destroy = destroy;
  atomic_fetch_add (&n_live, 1);

  if (!gtkloop_loop_post_quiet (loop, start_task, gtkloop_thread_future_ref (f), start_request_done))
    {
      GArray *callbacks;

      gtkloop_thread_future_unref (f);   /* the post's */
      tf_lock (f);
      f->data = NULL;
      f->destroy = NULL;
      callbacks = complete_unlocked (f, TF_FINISHED, NULL,
                                     g_error_new_literal (GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED,
                                                          "The event loop is closed"));
      tf_unlock (f);
      g_assert (callbacks == NULL);
      gtkloop_destroy_notify_run (destroy, data);
    }
  return f;
}

/* Waits for the future with the lock held; FALSE on timeout.
 * HOLDS: f->lock */
static gboolean
wait_unlocked (GtkloopThreadFuture *f,
               double               timeout)
{
  struct timespec deadline;
  gint64 when;

  if (timeout < 0)
    {
      while (f->state == TF_PENDING)
        pthread_cond_wait (&f->cond, &f->lock);
      return TRUE;
    }

  clock_gettime (CLOCK_MONOTONIC, &deadline);
  when = (gint64) deadline.tv_sec * 1000000000 + deadline.tv_nsec +
         (gint64) MIN (timeout * 1e9, (double) G_MAXINT64 / 4);
  deadline.tv_sec = when / 1000000000;
  deadline.tv_nsec = when % 1000000000;
  while (f->state == TF_PENDING)
    if (pthread_cond_timedwait (&f->cond, &f->lock, &deadline) == ETIMEDOUT)
      return f->state != TF_PENDING;
  return TRUE;
}

/**
 * gtkloop_thread_future_wait:
 * @f: a thread future
 * @timeout: seconds to wait at most; negative: no limit; 0: do not block
 * @error: return location for the task's error, %G_IO_ERROR_CANCELLED,
 *   %G_IO_ERROR_TIMED_OUT (the future stays pending and may be waited on
 *   again), or %GTKLOOP_ERROR_WRONG_THREAD
 *
 * concurrent.futures.Future.result(timeout): blocks the calling thread
 * until the task is done. Called while the future's loop runs on this
 * thread it would wait forever, so it fails at once with
 * %GTKLOOP_ERROR_WRONG_THREAD instead (await the task there). Any thread
 * but the loop's own. If the loop closes before the task finished, it
 * fails with %GTKLOOP_ERROR_CLOSED.
 *
 * Returns: (transfer none) (nullable): the task's result, owned by the
 *   thread future (valid while you hold a reference); %NULL with @error
 *   set on failure
 *
 * Since: 0.1
 */
gpointer
gtkloop_thread_future_wait (GtkloopThreadFuture *f,
                            double               timeout,
                            GError             **error)
{
  gpointer result = NULL;

  g_return_val_if_fail (f != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  tf_lock (f);
  if (f->state == TF_PENDING && gtkloop_loop_get_running () == f->loop)
    {
      tf_unlock (f);
      g_set_error_literal (error, GTKLOOP_ERROR, GTKLOOP_ERROR_WRONG_THREAD,
                           "gtkloop_thread_future_wait: called on the thread running the "
                           "future's loop, it would wait forever; await the task instead");
      return NULL;
    }
  if (!wait_unlocked (f, timeout))
    {
      tf_unlock (f);
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                           "Timed out waiting for the task");
      return NULL;
    }
  if (f->error != NULL)
    {
      if (error)
        *error = g_error_copy (f->error);
    }
  else
    result = f->result;
  tf_unlock (f);
  return result;
}

/* Loop thread: the cancel request. */
static void
cancel_task (gpointer user_data)
{
  GtkloopThreadFuture *f = user_data;
  GtkloopTask *task;

  tf_lock (f);
  task = f->task;
  tf_unlock (f);
  if (task != NULL)
    gtkloop_task_cancel (task, NULL);
}

/**
 * gtkloop_thread_future_cancel:
 * @f: a thread future
 *
 * Cancels the future now (waiters wake with %G_IO_ERROR_CANCELLED, done
 * callbacks run on the calling thread) and asks the loop to cancel the
 * task, which then finishes its cleanup there. Any thread. Once the loop
 * is closed the future is done, so this returns %FALSE.
 *
 * Returns: %TRUE if the future was still pending (the cancellation came
 *   before the task finished); %FALSE if it was already done
 *
 * Since: 0.1
 */
gboolean
gtkloop_thread_future_cancel (GtkloopThreadFuture *f)
{
  GArray *callbacks;

  g_return_val_if_fail (f != NULL, FALSE);

  tf_lock (f);
  if (f->state != TF_PENDING)
    {
      tf_unlock (f);
      return FALSE;
    }
  callbacks = complete_unlocked (f, TF_CANCELLED, NULL,
                                 g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                      "Operation was cancelled"));
  tf_unlock (f);

  /* If the task has not started, start_task sees the state and drops it;
   * otherwise the loop cancels it. */
  if (!gtkloop_loop_post_quiet (f->loop, cancel_task, gtkloop_thread_future_ref (f), tf_unref_cb))
    gtkloop_thread_future_unref (f);
  run_callbacks (f, callbacks);
  return TRUE;
}

/**
 * gtkloop_thread_future_is_done:
 * @f: a thread future
 *
 * Whether the task has ended, or was refused. Any thread; works after the
 * loop is closed (a future whose loop closed first is done, failed with
 * %GTKLOOP_ERROR_CLOSED).
 *
 * Returns: %TRUE once the future has a result, an error or a
 *   cancellation; any thread
 *
 * Since: 0.1
 */
gboolean
gtkloop_thread_future_is_done (GtkloopThreadFuture *f)
{
  gboolean done;

  g_return_val_if_fail (f != NULL, FALSE);
  tf_lock (f);
  done = f->state != TF_PENDING;
  tf_unlock (f);
  return done;
}

/**
 * gtkloop_thread_future_is_cancelled:
 * @f: a thread future
 *
 * Whether the task ended cancelled. Any thread; works after the loop is
 * closed.
 *
 * Returns: %TRUE if the future ended cancelled (by
 *   gtkloop_thread_future_cancel(), or because the task ended cancelled);
 *   any thread
 *
 * Since: 0.1
 */
gboolean
gtkloop_thread_future_is_cancelled (GtkloopThreadFuture *f)
{
  gboolean cancelled;

  g_return_val_if_fail (f != NULL, FALSE);
  tf_lock (f);
  cancelled = f->state == TF_CANCELLED;
  tf_unlock (f);
  return cancelled;
}

/**
 * gtkloop_thread_future_add_done_callback:
 * @f: a thread future
 * @cb: (scope notified) (closure data) (destroy destroy): called as
 *   @cb (@f, @data) once @f is done
 * @data: data for @cb
 * @destroy: (nullable): frees @data after @cb ran
 *
 * As concurrent.futures.Future.add_done_callback(): @cb runs on the thread
 * that completes the future — the loop's thread when the task ends, the
 * cancelling thread after gtkloop_thread_future_cancel() — or at once on
 * the calling thread if the future is already done. Any thread. If the
 * loop closes before the task finished, the future fails with
 * %GTKLOOP_ERROR_CLOSED and the callback runs with that.
 *
 * Since: 0.1
 */
void
gtkloop_thread_future_add_done_callback (GtkloopThreadFuture        *f,
                                         GtkloopThreadFutureCallback cb,
                                         gpointer                    data,
                                         GDestroyNotify              destroy)
{
  DoneCallback c = { cb, data, destroy };

  g_return_if_fail (f != NULL);
  g_return_if_fail (cb != NULL);

  tf_lock (f);
  if (f->state == TF_PENDING)
    {
      if (f->callbacks == NULL)
        f->callbacks = g_array_new (FALSE, FALSE, sizeof (DoneCallback));
      g_array_append_val (f->callbacks, c);
      tf_unlock (f);
      return;
    }
  tf_unlock (f);
  cb (f, data);
  gtkloop_destroy_notify_run (destroy, data);
}
