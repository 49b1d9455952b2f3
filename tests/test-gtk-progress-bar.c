/* gtkloop_progress_new_for_bar: workers report as fast as they can; the bar
 * moves on the GUI thread only, coalesced, ends at the last report, and
 * survives its bar. */
#include "config.h"

#include "test-gtk-util.h"

#define N_REPORTS 1000000

typedef struct
{
  guint    n_notifies;
  gboolean wrong_thread;
  GThread *gui;
  double   last_seen;
  gboolean decreased;
} BarWatch;

static void
fraction_changed (GObject    *bar,
                  GParamSpec *pspec,
                  gpointer    data)
{
  BarWatch *w = data;
  double f = gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (bar));

  w->n_notifies++;
  w->wrong_thread |= g_thread_self () != w->gui;
  w->decreased |= f < w->last_seen;
  w->last_seen = f;
}

static gpointer
flood (gpointer data, GCancellable *cancellable, GError **error)
{
  GtkloopProgress *progress = data;

  for (int i = 1; i <= N_REPORTS; i++)
    gtkloop_progress_report (progress, (double) i / N_REPORTS, i == N_REPORTS ? "done" : NULL);
  return NULL;
}

static void
test_flood_coalesced (void **state)
{
  GtkWidget *bar = gtk_progress_bar_new ();
  BarWatch w = { .gui = g_thread_self () };
  GtkloopProgress *progress;
  g_autoptr(GtkloopFuture) job = NULL;
  g_autoptr(GtkloopThreadExecutor) ex = gtkloop_thread_executor_new (1);

  gtk_test_window_new (bar, 300, 40);
  g_signal_connect (bar, "notify::fraction", G_CALLBACK (fraction_changed), &w);
  progress = gtkloop_progress_new_for_bar (GTK_PROGRESS_BAR (bar));
  job = gtkloop_loop_run_in_executor (gtkloop_gtk_get_loop (), ex, flood,
                                      gtkloop_progress_ref (progress),
                                      (GDestroyNotify) gtkloop_progress_unref, NULL);
  gtk_test_run_until_done (job, 20.0);
  gtk_test_run_for (0.05);   /* the last delivery */

  assert_true (gtk_progress_bar_get_fraction (GTK_PROGRESS_BAR (bar)) == 1.0);
  assert_string_equal (gtk_progress_bar_get_text (GTK_PROGRESS_BAR (bar)), "done");
  assert_true (gtk_progress_bar_get_show_text (GTK_PROGRESS_BAR (bar)));
  assert_false (w.wrong_thread);
  assert_false (w.decreased);
  /* A million reports, a handful of updates: one per loop iteration. */
  assert_true (w.n_notifies >= 1);
  assert_true (w.n_notifies < N_REPORTS / 100);
  assert_true (gtkloop_progress_get_n_updates (progress) <= gtkloop_progress_get_n_reports (progress));
  print_message ("%" G_GUINT64_FORMAT " reports, %" G_GUINT64_FORMAT " bar updates\n",
                 gtkloop_progress_get_n_reports (progress), gtkloop_progress_get_n_updates (progress));
  gtk_test_screenshot (gtk_widget_get_ancestor (bar, GTK_TYPE_WINDOW), "test-gtk-progress-bar");

  g_signal_handlers_disconnect_by_data (bar, &w);
  gtkloop_progress_unref (progress);
  gtkloop_thread_executor_shutdown (ex, TRUE, FALSE);
}

typedef struct
{
  GtkloopProgress *progress;
  gint             stop;   /* (atomic) */
  gint             reports;
} Reporter;

static gpointer
report_until_stopped (gpointer data)
{
  Reporter *r = data;

  while (!g_atomic_int_get (&r->stop))
    {
      gtkloop_progress_report (r->progress, g_random_double (), "working");
      g_atomic_int_inc (&r->reports);
      g_usleep (100);
    }
  return NULL;
}

static void
test_bar_goes_first (void **state)
{
  GtkWidget *bar = gtk_progress_bar_new ();
  Reporter r = { 0 };
  GThread *thread;
  GWeakRef ref;

  gtk_test_window_new (bar, 300, 40);
  g_weak_ref_init (&ref, bar);
  r.progress = gtkloop_progress_new_for_bar (GTK_PROGRESS_BAR (bar));
  thread = g_thread_new ("reporter", report_until_stopped, &r);
  gtk_test_run_for (0.1);

  /* The window closes while the worker still reports. */
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (bar)));
  assert_null (g_weak_ref_get (&ref));
  gtk_test_run_for (0.1);   /* deliveries find no bar: nothing happens */
  g_atomic_int_set (&r.stop, 1);
  g_thread_join (thread);
  gtk_test_run_for (0.02);
  assert_true (g_atomic_int_get (&r.reports) > 10);
  gtkloop_progress_unref (r.progress);
  g_weak_ref_clear (&ref);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_flood_coalesced, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_bar_goes_first, gtk_test_setup, gtk_test_teardown),
  };

  return cmocka_run_group_tests (tests, gtk_test_group_setup, NULL);
}
