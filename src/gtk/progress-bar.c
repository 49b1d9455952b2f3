/* A GtkProgressBar fed by worker threads: a GtkloopProgress channel (see
 * gtkloop-executor.h) whose updates land on the bar, on the GUI thread, at
 * most once per loop iteration however often the workers report.
 *
 * The bar is held through a GWeakRef: a report that arrives after the
 * bar is gone (its window closed while the job winds down) finds nothing
 * and does nothing, so the channel may outlive the bar safely. */
#include "config.h"

#include "gtk-private.h"

typedef struct
{
  GWeakRef bar;
} BarLink;

static void
bar_link_free (gpointer data)
{
  BarLink *link = data;

  g_weak_ref_clear (&link->bar);
  g_free (link);
}

/* On the GUI thread, with the latest report. */
static void
update_bar (GtkloopProgress *progress,
            double           fraction,
            const char      *message,
            gpointer         data)
{
  BarLink *link = data;
  GtkProgressBar *bar = g_weak_ref_get (&link->bar);

  if (bar == NULL)
    return;
  gtk_progress_bar_set_fraction (bar, CLAMP (fraction, 0.0, 1.0));
  if (message != NULL)
    {
      gtk_progress_bar_set_text (bar, message);
      gtk_progress_bar_set_show_text (bar, TRUE);
    }
  g_object_unref (bar);
}

/**
 * gtkloop_progress_new_for_bar:
 * @bar: the progress bar to drive
 *
 * A progress channel (#GtkloopProgress) whose reports move @bar: any
 * thread calls gtkloop_progress_report() as often as it likes, and the bar
 * gets the latest fraction (clamped to 0…1) and message (shown as the
 * bar's text) on the GUI thread, at most once per loop iteration. Widgets
 * are touched only on the GUI thread; workers never see the bar.
 *
 * The bar is not referenced: reports that come after it is gone are
 * dropped. Call on the GUI thread.
 *
 * |[<!-- language="C" -->
 * static gpointer
 * crunch (gpointer data, GCancellable *cancellable, GError **error)
 * {
 *   GtkloopProgress *progress = data;
 *
 *   for (int i = 1; i <= 1000000 && !g_cancellable_is_cancelled (cancellable); i++)
 *     {
 *       do_step (i);
 *       gtkloop_progress_report (progress, i / 1e6, NULL);   // cheap: coalesced
 *     }
 *   return NULL;
 * }
 * …
 * GtkloopProgress *progress = gtkloop_progress_new_for_bar (bar);
 * g_autoptr(GtkloopFuture) job =
 *   gtkloop_loop_run_in_executor (loop, NULL, crunch, progress,
 *                                 (GDestroyNotify) gtkloop_progress_unref, NULL);
 * ]|
 *
 * Loop thread only: GTK's thread. Once that loop is closed, reports no
 * longer reach the bar.
 *
 * Returns: (transfer full): the channel; give the job a reference and drop
 *   yours with gtkloop_progress_unref()
 *
 * Since: 0.1
 */
GtkloopProgress *
gtkloop_progress_new_for_bar (GtkProgressBar *bar)
{
  BarLink *link;

  g_return_val_if_fail (GTK_IS_PROGRESS_BAR (bar), NULL);

  link = g_new0 (BarLink, 1);
  g_weak_ref_init (&link->bar, bar);
  return gtkloop_progress_new (gtkloop_gtk_get_loop (), update_bar, link, bar_link_free);
}
