#include "config.h"

#include "test-gtk-util.h"

static GtkloopDebugCounters before;

int
gtk_test_group_setup (void **state)
{
  /* Named, as an application is (GTK's recent-files list wants a name). */
  if (g_get_prgname () == NULL)
    g_set_prgname ("gtkloop-test");
  if (!gtk_init_check ())
    {
      /* cmocka reports a failed group setup as a failure of every test. */
      print_error ("GTK could not open a display (DISPLAY=%s): the GTK tests need one; "
                   "run them under xvfb-run\n", g_getenv ("DISPLAY") ? g_getenv ("DISPLAY") : "(unset)");
      return -1;
    }
  /* The GUI loop lives as long as the process, like an application's. */
  gtkloop_gtk_get_loop ();
  return 0;
}

int
gtk_test_setup (void **state)
{
  gtkloop_debug_counters_snapshot (&before);
  return 0;
}

static gboolean
no_toplevels (void)
{
  return g_list_model_get_n_items (gtk_window_get_toplevels ()) == 0;
}

int
gtk_test_teardown (void **state)
{
  GListModel *toplevels = gtk_window_get_toplevels ();
  double deadline = gtk_test_now () + 5.0;

  while (g_list_model_get_n_items (toplevels) > 0)
    {
      GtkWindow *window = g_list_model_get_item (toplevels, 0);

      gtk_window_destroy (window);
      g_object_unref (window);
    }
  /* Cancelled tasks wind down and done callbacks run on later iterations. */
  while (gtk_test_now () < deadline &&
         (!gtkloop_debug_counters_equal (&before) || !no_toplevels ()))
    g_main_context_iteration (NULL, FALSE);

  if (!gtkloop_debug_counters_equal (&before))
    {
      g_autofree char *what = gtkloop_debug_counters_describe (&before);

      print_error ("leaked: %s\n", what);
      return -1;
    }
  return 0;
}

double
gtk_test_now (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

void
gtk_test_run_until (const gboolean *flag,
                    double          timeout_s)
{
  double deadline = gtk_test_now () + timeout_s;

  while (!*flag)
    {
      if (gtk_test_now () > deadline)
        fail_msg ("timed out after %.1f s", timeout_s);
      g_main_context_iteration (NULL, FALSE);
      if (!*flag)
        g_usleep (100);
    }
}

void
gtk_test_run_until_count (const int *counter,
                          int        at_least,
                          double     timeout_s)
{
  double deadline = gtk_test_now () + timeout_s;

  while (*counter < at_least)
    {
      if (gtk_test_now () > deadline)
        fail_msg ("timed out after %.1f s at %d of %d", timeout_s, *counter, at_least);
      g_main_context_iteration (NULL, FALSE);
      if (*counter < at_least)
        g_usleep (100);
    }
}

void
gtk_test_run_until_done (GtkloopFuture *future,
                         double         timeout_s)
{
  double deadline = gtk_test_now () + timeout_s;

  while (!gtkloop_future_is_done (future))
    {
      if (gtk_test_now () > deadline)
        fail_msg ("the future was not done after %.1f s", timeout_s);
      g_main_context_iteration (NULL, FALSE);
      if (!gtkloop_future_is_done (future))
        g_usleep (100);
    }
}

void
gtk_test_run_for (double seconds)
{
  double deadline = gtk_test_now () + seconds;

  while (gtk_test_now () < deadline)
    {
      g_main_context_iteration (NULL, FALSE);
      g_usleep (100);
    }
}

static gboolean
frame_drawn (GtkWidget     *widget,
             GdkFrameClock *clock,
             gpointer       flag)
{
  *(gboolean *) flag = TRUE;
  return G_SOURCE_REMOVE;
}

GtkWindow *
gtk_test_window_new (GtkWidget *child,
                     int        width,
                     int        height)
{
  GtkWindow *window = GTK_WINDOW (gtk_window_new ());
  gboolean drawn = FALSE;

  gtk_window_set_default_size (window, width, height);
  if (child != NULL)
    gtk_window_set_child (window, child);
  gtk_window_present (window);
  gtk_widget_add_tick_callback (GTK_WIDGET (window), frame_drawn, &drawn, NULL);
  gtk_test_run_until (&drawn, 10.0);
  /* The tick precedes layout and paint of the same frame. */
  gtk_test_run_for (0.05);
  return window;
}

void
gtk_test_screenshot (GtkWidget  *widget,
                     const char *name)
{
  const char *dir = g_getenv ("GTKLOOP_TEST_OUTDIR");
  g_autofree char *file = g_strdup_printf ("%s.png", name);
  g_autofree char *path = g_build_filename (dir ? dir : ".", file, NULL);
  g_autoptr(GtkloopFuture) shot = gtkloop_widget_screenshot_future_new (widget, path);
  g_autoptr(GError) error = NULL;

  gtk_test_run_until_done (shot, 5.0);
  if (!gtkloop_future_is_done (shot) || gtkloop_future_get_error (shot) != NULL)
    fail_msg ("screenshot %s: %s", path,
              gtkloop_future_get_error (shot) ? gtkloop_future_get_error (shot)->message : "not taken");
}
