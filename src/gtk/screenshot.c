/* A widget's look saved as a PNG, rendered by the widget's own renderer
 * (cairo under Xvfb): what the demos' self-tests and the README's
 * screenshots are made with, so both show the same thing.
 *
 * GTK keeps a widget's drawing (its render node) from one paint until the
 * widget changes; a widget that changed since its last paint has nothing to
 * show until the next one. The future form therefore saves from the frame
 * clock's ::after-paint, right after GTK drew the widget. */
#include "config.h"

#include "gtk-private.h"

/**
 * gtkloop_widget_save_png:
 * @widget: a mapped widget, usually a #GtkWindow
 * @filename: (type filename): where to write the PNG
 * @error: return location for a #GError
 *
 * Saves what @widget showed at its last paint as a PNG. This works only
 * while the widget is unchanged since then (it fails with
 * %G_IO_ERROR_PENDING otherwise): from a frame clock ::after-paint
 * handler, or when nothing moves. gtkloop_await_screenshot() waits for the
 * next paint and is the form to use from a task. Loop thread only: GTK's
 * thread. It needs no loop: a closed one changes nothing.
 *
 * Returns: %TRUE when the file was written
 *
 * Since: 0.1
 */
gboolean
gtkloop_widget_save_png (GtkWidget  *widget,
                         const char *filename,
                         GError    **error)
{
  g_autoptr(GdkPaintable) paintable = NULL;
  g_autoptr(GskRenderNode) node = NULL;
  g_autoptr(GdkTexture) texture = NULL;
  GtkSnapshot *snapshot;
  GtkNative *native;
  int width, height;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (filename != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  native = gtk_widget_get_native (widget);
  width = gtk_widget_get_width (widget);
  height = gtk_widget_get_height (widget);
  if (native == NULL || !gtk_widget_get_mapped (widget) || width <= 0 || height <= 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                   "Cannot take a screenshot of a %s that is not mapped and laid out",
                   G_OBJECT_TYPE_NAME (widget));
      return FALSE;
    }

  paintable = gtk_widget_paintable_new (widget);
  snapshot = gtk_snapshot_new ();
  gdk_paintable_snapshot (paintable, snapshot, width, height);
  node = gtk_snapshot_free_to_node (snapshot);
  if (node == NULL)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_PENDING,
                   "The %s changed since it was last drawn; save it after its next paint "
                   "(gtkloop_widget_screenshot_future_new)", G_OBJECT_TYPE_NAME (widget));
      return FALSE;
    }

  texture = gsk_renderer_render_texture (gtk_native_get_renderer (native), node,
                                         &GRAPHENE_RECT_INIT (0, 0, width, height));
  if (!gdk_texture_save_to_png (texture, filename))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not write %s", filename);
      return FALSE;
    }
  return TRUE;
}

typedef struct
{
  GtkloopFuture *future;    /* (owned) */
  GWeakRef       widget;
  GdkFrameClock *clock;     /* (owned) */
  gulong         handler;   /* 0 once disconnected */
  char          *filename;  /* (owned) */
} Shot;

static void
shot_disconnect (Shot *shot)
{
  if (shot->handler != 0)
    g_clear_signal_handler (&shot->handler, shot->clock);
}

static void
shot_free (gpointer data)
{
  Shot *shot = data;

  shot_disconnect (shot);
  g_object_unref (shot->clock);
  g_weak_ref_clear (&shot->widget);
  g_free (shot->filename);
  gtkloop_future_unref (shot->future);
  g_free (shot);
}

/* Inside the frame, right after GTK drew: the render nodes are fresh. */
static void
after_paint (GdkFrameClock *clock,
             gpointer       data)
{
  Shot *shot = data;
  GtkWidget *widget = g_weak_ref_get (&shot->widget);
  GError *error = NULL;

  shot_disconnect (shot);
  if (widget == NULL)
    gtkloop_future_cancel (shot->future, "the widget went away before its screenshot");
  else if (gtkloop_widget_save_png (widget, shot->filename, &error))
    gtkloop_future_set_result (shot->future, NULL, NULL);
  else
    gtkloop_future_set_error (shot->future, error);
  g_clear_object (&widget);
}

static void
shot_done (GtkloopFuture *f,
           gpointer       data)
{
  shot_disconnect (data);   /* cancelled before the paint */
}

/**
 * gtkloop_widget_screenshot_future_new:
 * @widget: a realized widget, usually a #GtkWindow
 * @filename: (type filename): where to write the PNG
 *
 * Asks GTK to redraw @widget and saves it as a PNG right after that paint.
 * The future's result is %NULL once the file is written; it fails as
 * gtkloop_widget_save_png() does, or with %G_IO_ERROR_NOT_INITIALIZED when
 * @widget is not realized (has no frame clock). Loop thread only: GTK's
 * thread, whose loop is gtkloop_gtk_get_loop(). Once that loop is closed
 * no task awaits the future any more, and done callbacks added to it no
 * longer run.
 *
 * Returns: (transfer full): the future
 *
 * Since: 0.1
 */
GtkloopFuture *
gtkloop_widget_screenshot_future_new (GtkWidget  *widget,
                                      const char *filename)
{
  GdkFrameClock *clock;
  Shot *shot;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), NULL);
  g_return_val_if_fail (filename != NULL, NULL);

  shot = g_new0 (Shot, 1);
  shot->future = gtkloop_future_new (gtkloop_gtk_get_loop ());
  clock = gtk_widget_get_frame_clock (widget);
  if (clock == NULL)
    {
      GtkloopFuture *future = shot->future;

      gtkloop_future_set_error (future, g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                                                     "Cannot take a screenshot of a %s that is not realized",
                                                     G_OBJECT_TYPE_NAME (widget)));
      g_free (shot);
      return future;
    }

  shot->clock = g_object_ref (clock);
  g_weak_ref_init (&shot->widget, widget);
  shot->filename = g_strdup (filename);
  shot->handler = g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint), shot);
  gtkloop_future_add_done_callback (shot->future, shot_done, shot, shot_free);
  gtk_widget_queue_draw (widget);
  return gtkloop_future_ref (shot->future);
}

typedef struct
{
  GtkWidget  *widget;
  const char *filename;
} ScreenshotRequest;

static GtkloopFuture *
screenshot_future_new (gpointer data)
{
  ScreenshotRequest *request = data;

  return gtkloop_widget_screenshot_future_new (request->widget, request->filename);
}

/**
 * gtkloop_await_screenshot:
 * @widget: a realized widget, usually a #GtkWindow
 * @filename: (type filename): where to write the PNG
 * @error: return location for a #GError
 *
 * Suspends the current task until @widget has been drawn again, then saves
 * it as a PNG: the demos' self-tests end with this.
 *
 * |[<!-- language="C" -->
 * if (!gtkloop_await_screenshot (GTK_WIDGET (window), "progress.png", &error))
 *   g_printerr ("screenshot: %s\n", error->message);
 * ]|
 *
 * Inside a task only, on GTK's thread. While the loop closes, it fails at
 * once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE once the file is written
 *
 * Since: 0.1
 */
gboolean
gtkloop_await_screenshot (GtkWidget  *widget,
                          const char *filename,
                          GError    **error)
{
  ScreenshotRequest request = { widget, filename };
  g_autoptr(GtkloopFuture) future = NULL;

  g_return_val_if_fail (GTK_IS_WIDGET (widget), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  future = gtkloop_gtk_await_new_future (G_STRFUNC, screenshot_future_new, &request, error);
  return future != NULL;
}
