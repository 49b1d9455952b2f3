/* A loop running in a thread of its own: the seeds' "new event loop in a
 * new thread, run_forever, submit with run_coroutine_threadsafe", with
 * the ending the seeds leave out (stop from another thread, close on the
 * loop's thread, join), so no thread or loop is leaked.
 *
 * Lock order: t->lock is a leaf, used only while the thread starts.
 */
#include "config.h"

#include <pthread.h>

#include "gtkloop/gtkloop.h"

#include "context-private.h"
#include "loop-private.h"

struct _GtkloopLoopThread
{
  gint             ref_count; /* (atomic) */
  pthread_t        thread;
  char            *name;      /* (owned) */
  pthread_mutex_t  lock;
  pthread_cond_t   cond;
  GMainContext    *context;   /* (owned) made by start (), taken by the thread */
  GtkloopLoop     *loop;      /* (owned) (lock: lock) until ready; then read-only */
  gboolean         ready;     /* (lock: lock) */
  gboolean         joined;    /* (lock: lock) the thread was stopped and joined */
};

/* Counted, so that a binding's wrapper and a C caller can share one; the
 * thread itself is stopped once, by gtkloop_loop_thread_stop() or by the
 * last unref, whichever comes first. */
/**
 * GtkloopLoopThread:
 *
 * A thread of its own running a loop of its own, for work that needs a
 * loop off the main thread; other threads reach it with
 * gtkloop_loop_call_soon_threadsafe() and gtkloop_run_task_threadsafe().
 * Reference counted; thread-safe.
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopLoopThread, gtkloop_loop_thread,
                     gtkloop_loop_thread_ref, gtkloop_loop_thread_unref)

static void *
loop_thread_main (gpointer data)
{
  GtkloopLoopThread *t = data;
  GMainContext *context = g_steal_pointer (&t->context);
  GtkloopLoop *loop;

  if (t->name != NULL)
    pthread_setname_np (pthread_self (), t->name);

  /* The loop's context is this thread's default, so gtkloop_spawn () and
   * gtkloop_loop_get_default () in its tasks find this loop. */
  g_main_context_push_thread_default (context);
  loop = gtkloop_loop_new (context);

  pthread_mutex_lock (&t->lock);
  t->loop = g_object_ref (loop);
  t->ready = TRUE;
  pthread_cond_signal (&t->cond);
  pthread_mutex_unlock (&t->lock);

  gtkloop_loop_run_forever (loop);

  /* Tasks left over are cancelled and finished, executor jobs come home,
   * every destroy notify runs: all on this thread. */
  gtkloop_loop_close (loop);
  g_object_unref (loop);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  return NULL;
}

/**
 * gtkloop_loop_thread_start:
 * @name: (nullable): the thread's name (at most 15 bytes are used)
 * @error: return location for %GTKLOOP_ERROR_RESOURCES
 *
 * Starts a thread that makes a #GMainContext of its own (its
 * thread-default), a loop on it, and runs the loop until
 * gtkloop_loop_thread_stop(). Give it work from other threads with
 * gtkloop_run_task_threadsafe() and gtkloop_loop_call_soon_threadsafe().
 * Any thread. The new loop is the thread's own; gtkloop_loop_thread_stop()
 * closes it.
 *
 * Returns: (transfer full) (nullable): the thread, or %NULL with
 *   %GTKLOOP_ERROR_RESOURCES if no thread could be started
 *   (pthread_create() failed) or no file descriptor was left for its
 *   context; nothing is left behind
 *
 * Since: 0.1
 */
GtkloopLoopThread *
gtkloop_loop_thread_start (const char *name,
                           GError    **error)
{
  GtkloopLoopThread *t;
  GMainContext *context;
  int err;

  /* Made here, where a missing fd can still be reported. */
  context = gtkloop_context_new (G_STRFUNC, error);
  if (context == NULL)
    return NULL;

  t = g_new0 (GtkloopLoopThread, 1);
  t->ref_count = 1;
  t->context = context;
  t->name = name ? g_strndup (name, 15) : NULL;
  pthread_mutex_init (&t->lock, NULL);
  pthread_cond_init (&t->cond, NULL);

  err = pthread_create (&t->thread, NULL, loop_thread_main, t);
  if (err != 0)
    {
      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES,
                   "cannot start a loop thread: %s", g_strerror (err));
      g_main_context_unref (t->context);
      pthread_cond_destroy (&t->cond);
      pthread_mutex_destroy (&t->lock);
      g_free (t->name);
      g_free (t);
      return NULL;
    }

  pthread_mutex_lock (&t->lock);
  while (!t->ready)
    pthread_cond_wait (&t->cond, &t->lock);
  pthread_mutex_unlock (&t->lock);
  return t;
}

/**
 * gtkloop_loop_thread_get_loop:
 * @thread: a loop thread
 *
 * The loop running in the thread, for gtkloop_loop_call_soon_threadsafe()
 * and gtkloop_run_task_threadsafe() from other threads. Any thread.
 *
 * Returns: (transfer none): the thread's loop; hand it work with the
 *   thread-safe calls only. After gtkloop_loop_thread_stop() it is the
 *   closed loop, valid while @thread is.
 *
 * Since: 0.1
 */
GtkloopLoop *
gtkloop_loop_thread_get_loop (GtkloopLoopThread *thread)
{
  g_return_val_if_fail (thread != NULL, NULL);
  return thread->loop;
}

static void
stop_cb (gpointer loop)
{
  gtkloop_loop_stop (loop);
}

/* Stops the loop and joins the thread, once; TRUE once joined. */
static gboolean
loop_thread_join (GtkloopLoopThread *t,
                  const char        *caller)
{
  gboolean joined;

  pthread_mutex_lock (&t->lock);
  if (!t->joined)
    {
      if (pthread_equal (t->thread, pthread_self ()))
        g_critical ("%s: called from the loop thread itself, which cannot join itself", caller);
      else
        {
          gtkloop_loop_call_soon_threadsafe (t->loop, stop_cb, g_object_ref (t->loop), g_object_unref);
          pthread_join (t->thread, NULL);
          t->joined = TRUE;
        }
    }
  joined = t->joined;
  pthread_mutex_unlock (&t->lock);
  return joined;
}

/**
 * gtkloop_loop_thread_ref:
 * @thread: a loop thread
 *
 * Any thread. Works after the thread's loop is closed.
 *
 * Returns: (transfer full): @thread
 *
 * Since: 0.1
 */
GtkloopLoopThread *
gtkloop_loop_thread_ref (GtkloopLoopThread *thread)
{
  g_return_val_if_fail (thread != NULL, NULL);

  g_atomic_int_inc (&thread->ref_count);
  return thread;
}

/**
 * gtkloop_loop_thread_unref:
 * @thread: (transfer full): a loop thread
 *
 * Drops a reference. The last one stops and joins the thread first if
 * gtkloop_loop_thread_stop() has not, so drop it on another thread than
 * @thread's own (there the thread and @thread are left running, with a
 * critical). Any thread but the loop thread itself; a last unref without a
 * stop stops and closes the loop first.
 *
 * Since: 0.1
 */
void
gtkloop_loop_thread_unref (GtkloopLoopThread *thread)
{
  g_return_if_fail (thread != NULL);

  if (!g_atomic_int_dec_and_test (&thread->ref_count))
    return;
  if (!loop_thread_join (thread, G_STRFUNC))
    return;
  g_object_unref (thread->loop);
  pthread_cond_destroy (&thread->cond);
  pthread_mutex_destroy (&thread->lock);
  g_free (thread->name);
  g_free (thread);
}

/**
 * gtkloop_loop_thread_stop:
 * @thread: (transfer full): a loop thread
 *
 * Stops the thread's loop (call_soon_threadsafe of stop, so what was
 * posted before still runs), waits while the thread closes the loop —
 * pending tasks are cancelled and finished, executor jobs come home — and
 * joins it; then drops the caller's reference, which frees @thread unless
 * someone else holds one. Only the first stop stops the thread; later ones
 * (from other holders) just drop their reference. Call it from any thread
 * but @thread's own. Any thread but the loop thread itself.
 *
 * Since: 0.1
 */
void
gtkloop_loop_thread_stop (GtkloopLoopThread *thread)
{
  g_return_if_fail (thread != NULL);

  if (!loop_thread_join (thread, G_STRFUNC))
    return;
  gtkloop_loop_thread_unref (thread);
}
