/* A widget's current look saved as a PNG, rendered by the widget's own
 * renderer (cairo under Xvfb): what the demos' self-tests and the README's
 * screenshots are made with, so both show the same thing. */
#include "config.h"

#include "gtk-private.h"

/**
 * gtkloop_widget_save_png:
 * @widget: a mapped widget, usually a #GtkWindow
 * @filename: (type filename): where to write the PNG
 * @error: return location for a #GError
 *
 * Renders @widget as it looks now (its last layout, drawn afresh) and saves
 * the image as a PNG. Call it from a frame, for instance after
 * gtkloop_await_frame(), so the widget has been laid out.
 *
 * |[<!-- language="C" -->
 * gtkloop_await_frame (window, NULL, NULL);
 * if (!gtkloop_widget_save_png (window, "shot.png", &error))
 *   g_printerr ("%s\n", error->message);
 * ]|
 *
 * Returns: %TRUE when the file was written
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
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_INITIALIZED,
                   "The %s has drawn nothing yet", G_OBJECT_TYPE_NAME (widget));
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
