/* A signal's next emission as a future.
 *
 * The wait is a small refcounted record shared by the signal closure, the
 * timeout timer and the future's done callback. Whatever settles the
 * future first — the emission, the timeout, a cancellation, the instance
 * going away — then detaches everything else, on the loop's thread, from
 * the future's done callback (or at once when it was the emission or the
 * timer). The instance is not referenced: its disposal invalidates the
 * closure, which cancels the future. */
#include "config.h"

#include "gtk-private.h"

typedef struct
{
  gint            ref_count;     /* (atomic) */
  GtkloopFuture  *future;        /* (owned) */
  GtkloopLoop    *loop;          /* the future's */
  GThread        *thread;        /* the loop's thread */
  gpointer        instance;      /* valid while connected */
  gulong          handler_id;
  gint            connected;     /* (atomic) 1 until disconnected or invalidated */
  guint64         timer;         /* (loop-thread) 0: none */
  GCancellable   *cancellable;   /* (owned) (nullable) */
  gulong          cancelled_id;
  char           *label;         /* (owned) "GtkButton::clicked" */
} Wait;

static Wait *
wait_ref (Wait *w)
{
  g_atomic_int_inc (&w->ref_count);
  return w;
}

static void
wait_unref (gpointer data)
{
  Wait *w = data;

  if (!g_atomic_int_dec_and_test (&w->ref_count))
    return;
  g_clear_object (&w->cancellable);
  gtkloop_future_unref (w->future);
  g_free (w->label);
  g_free (w);
}

/* On the loop's thread; idempotent. */
static void
detach (Wait *w)
{
  if (g_atomic_int_compare_and_exchange (&w->connected, 1, 0))
    g_signal_handler_disconnect (w->instance, w->handler_id);
  if (w->timer != 0)
    {
      guint64 timer = w->timer;

      w->timer = 0;
      gtkloop_loop_cancel (w->loop, timer);
    }
  if (w->cancelled_id != 0)
    {
      gulong id = w->cancelled_id;

      w->cancelled_id = 0;
      g_cancellable_disconnect (w->cancellable, id);
    }
}

static void
settle (Wait   *w,
        GArray *args)
{
  if (gtkloop_future_set_result (w->future, args, (GDestroyNotify) g_array_unref))
    detach (w);
}

typedef struct
{
  Wait   *w;      /* (owned) */
  GArray *args;   /* (owned) (nullable) */
} Posted;

static void
settle_posted (gpointer data)
{
  Posted *p = data;

  settle (p->w, g_steal_pointer (&p->args));
}

static void
posted_free (gpointer data)
{
  Posted *p = data;

  g_clear_pointer (&p->args, g_array_unref);
  wait_unref (p->w);
  g_free (p);
}

static void
marshal_emission (GClosure     *closure,
                  GValue       *return_value,
                  guint         n_param_values,
                  const GValue *param_values,
                  gpointer      invocation_hint,
                  gpointer      marshal_data)
{
  Wait *w = closure->data;
  Posted *p;

  if (g_thread_self () == w->thread)
    {
      /* Disconnecting from inside the emission is fine with GObject. */
      if (!gtkloop_future_is_done (w->future))
        settle (w, gtkloop_gtk_copy_signal_args (n_param_values, param_values));
      return;
    }

  p = g_new0 (Posted, 1);
  p->w = wait_ref (w);
  p->args = gtkloop_gtk_copy_signal_args (n_param_values, param_values);
  gtkloop_loop_call_soon_threadsafe (w->loop, settle_posted, p, posted_free);
}

static void
cancel_gone (gpointer data)
{
  Wait *w = data;
  g_autofree char *msg = g_strdup_printf ("%s: the instance was disposed (or the handler "
                                          "disconnected) before the signal was emitted", w->label);

  if (gtkloop_future_cancel (w->future, msg))
    detach (w);
}

/* The handler is gone: disconnected by detach () (then the future is done
 * already), or the instance was disposed, or somebody else disconnected it. */
static void
closure_invalidated (gpointer  data,
                     GClosure *closure)
{
  Wait *w = data;

  if (!g_atomic_int_compare_and_exchange (&w->connected, 1, 0))
    return;
  if (g_thread_self () == w->thread)
    cancel_gone (w);
  else
    gtkloop_loop_call_soon_threadsafe (w->loop, cancel_gone, wait_ref (w), wait_unref);
}

static void
closure_finalized (gpointer  data,
                   GClosure *closure)
{
  wait_unref (data);
}

static void
timed_out (gpointer data)
{
  Wait *w = data;

  w->timer = 0;   /* it ran: nothing to cancel */
  gtkloop_future_set_error (w->future,
                            g_error_new (G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                                         "Timed out waiting for %s", w->label));
  detach (w);
}

static void
cancel_posted (gpointer data)
{
  Wait *w = data;

  if (gtkloop_future_cancel (w->future, "cancelled through its GCancellable"))
    detach (w);
}

/* May run on any thread, or inside g_cancellable_connect () when the
 * cancellable was cancelled already: post, never detach from here
 * (g_cancellable_disconnect would wait for this very handler). */
static void
cancellable_cancelled (GCancellable *cancellable,
                       gpointer      data)
{
  Wait *w = data;

  gtkloop_loop_call_soon_threadsafe (w->loop, cancel_posted, wait_ref (w), wait_unref);
}

static void
future_done (GtkloopFuture *f,
             gpointer       data)
{
  detach (data);
}

/**
 * gtkloop_signal_future_new:
 * @instance: (type GObject.Object): the object to listen to
 * @detailed_signal: "signal-name" or "signal-name::detail"
 * @timeout: seconds to wait at most; negative: no limit
 * @cancellable: (nullable): cancels the wait (from any thread)
 *
 * A future, on the calling thread's loop, for the next emission of
 * @detailed_signal on @instance. Its result is a #GArray of #GValue
 * holding copies of the emission's arguments after the instance (objects
 * referenced, boxed values and strings copied), owned by the future. It
 * fails with %G_IO_ERROR_TIMED_OUT after @timeout seconds, and is
 * cancelled when @cancellable is, when @instance is disposed first, or
 * when the handler is disconnected by someone else. However it ends, the
 * handler is disconnected and the timer dropped; cancel the future to stop
 * waiting. The handler returns the zero value of the signal's return type.
 *
 * |[<!-- language="C" -->
 * g_autoptr(GtkloopFuture) f = gtkloop_signal_future_new (entry, "activate", 10.0, NULL);
 * if (gtkloop_await (f, &error))
 *   g_print ("entered: %s\n", gtk_editable_get_text (GTK_EDITABLE (entry)));
 * ]|
 *
 * Loop thread only: GTK's thread, whose loop is gtkloop_gtk_get_loop().
 * Once that loop is closed no task awaits the future any more, and done
 * callbacks added to it no longer run.
 *
 * Returns: (transfer full): the future
 *
 * Since: 0.1
 */
GtkloopFuture *
gtkloop_signal_future_new (gpointer      instance,
                           const char   *detailed_signal,
                           double        timeout,
                           GCancellable *cancellable)
{
  GtkloopFuture *future;
  GClosure *closure;
  guint signal_id;
  GQuark detail;
  Wait *w;

  g_return_val_if_fail (G_IS_OBJECT (instance), NULL);
  g_return_val_if_fail (detailed_signal != NULL, NULL);
  g_return_val_if_fail (cancellable == NULL || G_IS_CANCELLABLE (cancellable), NULL);

  future = gtkloop_future_new (gtkloop_gtk_get_loop ());
  if (!g_signal_parse_name (detailed_signal, G_OBJECT_TYPE (instance), &signal_id, &detail, TRUE))
    {
      gtkloop_future_set_error (future, g_error_new (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                                     "%s has no signal '%s'",
                                                     G_OBJECT_TYPE_NAME (instance), detailed_signal));
      return future;
    }

  w = g_new0 (Wait, 1);
  w->ref_count = 1;   /* the closure's */
  w->future = gtkloop_future_ref (future);
  w->loop = gtkloop_future_get_loop (future);
  w->thread = g_thread_self ();
  w->instance = instance;
  w->label = gtkloop_gtk_signal_label (instance, detailed_signal);

  closure = g_closure_new_simple (sizeof (GClosure), w);
  g_closure_set_marshal (closure, marshal_emission);
  g_closure_add_invalidate_notifier (closure, w, closure_invalidated);
  g_closure_add_finalize_notifier (closure, w, closure_finalized);
  w->connected = 1;
  w->handler_id = g_signal_connect_closure_by_id (instance, signal_id, detail, closure, FALSE);

  gtkloop_future_add_done_callback (future, future_done, wait_ref (w), wait_unref);
  if (timeout >= 0)
    w->timer = gtkloop_loop_call_later (w->loop, timeout, timed_out, wait_ref (w), wait_unref);
  if (cancellable != NULL)
    {
      w->cancellable = g_object_ref (cancellable);
      w->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancellable_cancelled),
                                               wait_ref (w), wait_unref);
    }
  return future;
}

typedef struct
{
  gpointer    instance;
  const char *detailed_signal;
  double      timeout;
} SignalRequest;

static GtkloopFuture *
signal_future_new (gpointer data)
{
  SignalRequest *request = data;

  return gtkloop_signal_future_new (request->instance, request->detailed_signal,
                                    request->timeout, NULL);
}

/**
 * gtkloop_await_signal:
 * @instance: (type GObject.Object): the object to listen to
 * @detailed_signal: "signal-name" or "signal-name::detail"
 * @timeout: seconds to wait at most; negative: no limit
 * @args: (out) (optional) (transfer full) (element-type GValue): the
 *   emission's arguments after the instance; free with g_array_unref()
 * @error: return location for a #GError
 *
 * Suspends the current task until @instance emits @detailed_signal: the
 * suspension-point form of gtkloop_signal_future_new(). Cancelling the
 * task stops the wait and disconnects the handler.
 *
 * |[<!-- language="C" -->
 * // Inside a task: wait up to 5 s for the user to pick a row.
 * g_autoptr(GArray) args = NULL;
 * if (gtkloop_await_signal (list, "row-activated", 5.0, &args, &error))
 *   row = g_value_get_object (&g_array_index (args, GValue, 0));
 * ]|
 *
 * Inside a task only, on GTK's thread. While the loop closes, it fails at
 * once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE when the signal was emitted; %FALSE with
 *   %G_IO_ERROR_TIMED_OUT, %G_IO_ERROR_CANCELLED (the task was cancelled
 *   or @instance disposed) or %GTKLOOP_ERROR_NOT_IN_TASK
 *
 * Since: 0.1
 */
gboolean
gtkloop_await_signal (gpointer     instance,
                      const char  *detailed_signal,
                      double       timeout,
                      GArray     **args,
                      GError     **error)
{
  SignalRequest request = { instance, detailed_signal, timeout };
  g_autoptr(GtkloopFuture) future = NULL;

  g_return_val_if_fail (G_IS_OBJECT (instance), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  future = gtkloop_gtk_await_new_future (G_STRFUNC, signal_future_new, &request, error);
  if (future == NULL)
    return FALSE;
  if (args != NULL)
    *args = g_array_ref (gtkloop_future_get_result (future, NULL));
  return TRUE;
}
