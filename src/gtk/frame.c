/* The next frame of a widget's frame clock, as a future.
 *
 * A one-shot tick callback resolves the future with the frame time. Adding
 * a tick callback makes the frame clock run, so awaiting a frame also
 * requests one; a widget that is not mapped gets no frames, and its future
 * waits until it is. The widget is held weakly: when it goes, GTK drops its
 * tick callbacks and the destroy notify cancels the future. */
#include "config.h"

#include "gtk-private.h"

typedef struct
{
  gint            ref_count;   /* (atomic) */
  GtkloopFuture  *future;   /* (owned) */
  GWeakRef        widget;
  guint           tick_id;  /* (loop-thread) 0 once the tick callback is gone */
} FrameWait;

static FrameWait *
frame_wait_ref (FrameWait *fw)
{
  g_atomic_int_inc (&fw->ref_count);
  return fw;
}

static void
frame_wait_unref (gpointer data)
{
  FrameWait *fw = data;

  if (!g_atomic_int_dec_and_test (&fw->ref_count))
    return;
  g_weak_ref_clear (&fw->widget);
  gtkloop_future_unref (fw->future);
  g_free (fw);
}

static gboolean
tick (GtkWidget     *widget,
      GdkFrameClock *clock,
      gpointer       data)
{
  FrameWait *fw = data;
  gint64 frame_time = gdk_frame_clock_get_frame_time (clock);

  gtkloop_future_set_result (fw->future, g_memdup2 (&frame_time, sizeof frame_time), g_free);
  return G_SOURCE_REMOVE;
}

/* Runs when the tick callback is removed: after tick () returned REMOVE,
 * after future_done () removed it, or when GTK drops the widget's tick
 * callbacks because the widget is going away. */
static void
tick_removed (gpointer data)
{
  FrameWait *fw = data;

  fw->tick_id = 0;
  gtkloop_future_cancel (fw->future, "the widget went away before its next frame");
  frame_wait_unref (fw);
}

static void
future_done (GtkloopFuture *f,
             gpointer       data)
{
  FrameWait *fw = data;
  GtkWidget *widget;

  if (fw->tick_id == 0)
    return;
  widget = g_weak_ref_get (&fw->widget);
  if (widget != NULL)
    {
      gtk_widget_remove_tick_callback (widget, fw->tick_id);
      g_object_unref (widget);
    }
}

/**
 * gtkloop_widget_frame_future_new:
 * @widget: a widget
 *
 * A future for the next frame of @widget's frame clock, on the calling
 * thread's loop. Its result points to the frame time (a #gint64, in
 * microseconds of the monotonic clock, as gdk_frame_clock_get_frame_time()
 * gives), owned by the future. Requesting it makes the frame clock produce
 * a frame; an unmapped widget has no frames, so its future waits until the
 * widget is mapped. The future is cancelled when the widget goes away
 * first; cancelling it removes the tick callback.
 *
 * |[<!-- language="C" -->
 * g_autoptr(GtkloopFuture) frame = gtkloop_widget_frame_future_new (canvas);
 * gtkloop_await (frame, NULL);
 * g_print ("frame at %" G_GINT64_FORMAT " us\n",
 *          *(gint64 *) gtkloop_future_get_result (frame, NULL));
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
gtkloop_widget_frame_future_new (GtkWidget *widget)
{
  FrameWait *fw;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);

  fw = g_new0 (FrameWait, 1);
  fw->ref_count = 1;   /* the tick callback's */
  fw->future = gtkloop_future_new (gtkloop_gtk_get_loop ());
  g_weak_ref_init (&fw->widget, widget);
  fw->tick_id = gtk_widget_add_tick_callback (widget, tick, fw, tick_removed);
  gtkloop_future_add_done_callback (fw->future, future_done, frame_wait_ref (fw), frame_wait_unref);
  return gtkloop_future_ref (fw->future);
}

static GtkloopFuture *
frame_future_new (gpointer widget)
{
  return gtkloop_widget_frame_future_new (widget);
}

/**
 * gtkloop_await_frame:
 * @widget: a widget
 * @frame_time: (out) (optional): the frame time, in microseconds
 * @error: return location for a #GError
 *
 * Suspends the current task until @widget's frame clock produces its next
 * frame — the way to pace an animation or let GTK lay out and paint before
 * going on. The task resumes after that frame was painted.
 *
 * |[<!-- language="C" -->
 * // Inside a task: fill a bar in 60 frames, one step per frame.
 * for (int i = 1; i <= 60; i++)
 *   {
 *     if (!gtkloop_await_frame (bar, NULL, NULL))
 *       return;   // cancelled, or the bar went away
 *     gtk_progress_bar_set_fraction (GTK_PROGRESS_BAR (bar), i / 60.0);
 *   }
 * ]|
 *
 * Inside a task only, on GTK's thread. While the loop closes, it fails at
 * once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE at the next frame; %FALSE with %G_IO_ERROR_CANCELLED (the
 *   task was cancelled or the widget went away) or %GTKLOOP_ERROR_NOT_IN_TASK
 *
 * Since: 0.1
 */
gboolean
gtkloop_await_frame (GtkWidget  *widget,
                     gint64     *frame_time,
                     GError    **error)
{
  g_autoptr(GtkloopFuture) future = NULL;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  future = gtkloop_gtk_await_new_future (G_STRFUNC, frame_future_new, widget, error);
  if (future == NULL)
    return FALSE;
  if (frame_time != NULL)
    *frame_time = *(gint64 *) gtkloop_future_get_result (future, NULL);
  return TRUE;
}
