/* Shared by the GTK demos; see demo-common.h. */
#include "demo-common.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

static GThread *gui_thread;
static double   start_time = -1;

static double
now_s (void)
{
  return g_get_monotonic_time () / (double) G_USEC_PER_SEC;
}

double
demo_time (void)
{
  if (start_time < 0)
    start_time = now_s ();
  return now_s () - start_time;
}

void
demo_say (const char *format,
          ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  printf ("[%7.3f s] %s\n", demo_time (), text);
  fflush (stdout);
}

void
demo_check (DemoOptions *options,
            gboolean     ok,
            const char  *format,
            ...)
{
  g_autofree char *text = NULL;
  va_list args;

  va_start (args, format);
  text = g_strdup_vprintf (format, args);
  va_end (args);
  demo_say ("%s: %s", ok ? "PASS" : "FAIL", text);
  if (!ok)
    options->failures++;
}

gboolean
demo_on_gui_thread (void)
{
  return g_thread_self () == gui_thread;
}

/* The command line ----------------------------------------------------- */

static int
default_screenshot (GApplication *app,
                    GVariantDict *dict,
                    gpointer      data)
{
  DemoOptions *options = data;

  if (options->self_test && options->screenshot == NULL)
    options->screenshot = g_strdup_printf ("%s.png", g_get_prgname ());
  return -1;   /* go on */
}

void
demo_options_add (GApplication       *app,
                  DemoOptions        *options,
                  const GOptionEntry *extra)
{
  const GOptionEntry entries[] = {
    { "self-test", 0, 0, G_OPTION_ARG_NONE, &options->self_test,
      "Run by itself: check the results, save a screenshot, exit (non-zero on failure)", NULL },
    { "screenshot", 0, 0, G_OPTION_ARG_FILENAME, &options->screenshot,
      "Save a PNG of the window as it closes, and at the end of --self-test "
      "(default with --self-test: <program>.png)", "FILE" },
    { "close-after", 0, 0, G_OPTION_ARG_DOUBLE, &options->close_after,
      "Close the window after SECONDS, as a user would", "SECONDS" },
    { NULL }
  };

  gui_thread = g_thread_self ();
  demo_time ();
  options->close_after = -1;
  g_application_add_main_option_entries (app, entries);
  if (extra != NULL)
    g_application_add_main_option_entries (app, extra);
  g_signal_connect (app, "handle-local-options", G_CALLBACK (default_screenshot), options);
}

void
demo_options_clear (DemoOptions *options)
{
  g_clear_pointer (&options->screenshot, g_free);
}

/* The window: --screenshot and --close-after ------------------------------- */

gboolean
demo_save_screenshot (DemoOptions *options,
                      GtkWindow   *window,
                      const char  *when)
{
  g_autoptr(GtkloopFuture) shot = NULL;
  g_autoptr(GError) error = NULL;

  if (options->screenshot == NULL)
    return FALSE;
  /* A window that is never painted again (minimized) must not hang us. */
  shot = gtkloop_widget_screenshot_future_new (GTK_WIDGET (window), options->screenshot);
  if (!gtkloop_wait_for (shot, 5.0, &error))
    {
      demo_check (options, FALSE, "screenshot %s: %s", options->screenshot, error->message);
      return FALSE;
    }
  demo_say ("screenshot saved to %s (%dx%d, %s)", options->screenshot,
            gtk_widget_get_width (GTK_WIDGET (window)), gtk_widget_get_height (GTK_WIDGET (window)), when);
  return TRUE;
}

static void
window_gone (gpointer  data,
             GObject  *where_the_window_was)
{
  DemoOptions *options = data;

  options->window = NULL;
}

static void
close_later (GtkloopTask *task,
             gpointer     data)
{
  DemoOptions *options = data;

  if (!gtkloop_sleep (options->close_after, NULL) || options->window == NULL)
    return;
  demo_say ("closing the window after %g s, as a user would", options->close_after);
  gtk_window_close (options->window);
}

static void
save_then_destroy (GtkloopTask *task,
                   gpointer     data)
{
  DemoOptions *options = data;

  if (options->window == NULL)
    return;
  demo_save_screenshot (options, options->window, "as the window closed");
  if (options->window != NULL)   /* not destroyed meanwhile by someone else */
    gtk_window_destroy (options->window);
}

/* Holds the window back until it is saved, then lets it go. */
static gboolean
save_before_closing (GtkWindow *window,
                     gpointer   data)
{
  DemoOptions *options = data;

  if (!options->closing)
    {
      options->closing = TRUE;
      gtkloop_task_unref (gtkloop_spawn_bound (window, save_then_destroy, options, NULL));
    }
  return TRUE;
}

void
demo_window_watch (DemoOptions *options,
                   GtkWindow   *window)
{
  options->window = window;
  g_object_weak_ref (G_OBJECT (window), window_gone, options);
  if (options->screenshot != NULL)
    g_signal_connect (window, "close-request", G_CALLBACK (save_before_closing), options);
  if (options->close_after > 0)
    gtkloop_task_unref (gtkloop_spawn_bound (window, close_later, options, NULL));
}

/* The stylesheet and UI files -------------------------------------------- */

GtkBuilder *
demo_builder_new (const char *ui_name)
{
  static gboolean css_loaded;
  g_autofree char *path = g_strdup_printf ("/org/gtkloop/demos/%s", ui_name);

  if (!css_loaded)
    {
      GtkCssProvider *css = gtk_css_provider_new ();

      gtk_css_provider_load_from_resource (css, "/org/gtkloop/demos/gtkloop-demos.css");
      gtk_style_context_add_provider_for_display (gdk_display_get_default (), GTK_STYLE_PROVIDER (css),
                                                  GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
      g_object_unref (css);
      css_loaded = TRUE;
    }
  return gtk_builder_new_from_resource (path);
}

/* Frames ----------------------------------------------------------------- */

static gboolean
record_frame (GtkWidget     *widget,
              GdkFrameClock *clock,
              gpointer       data)
{
  DemoFrames *frames = data;

  /* The time GTK started this frame, read when the tick runs: what a
   * user sees as the frame's moment, whatever the clock predicted. */
  frames->times[frames->count % frames->capacity] = g_get_monotonic_time ();
  frames->count++;
  return G_SOURCE_CONTINUE;
}

void
demo_frames_start (DemoFrames *frames,
                   GtkWidget  *widget)
{
  frames->capacity = 1024;
  frames->times = g_new0 (gint64, frames->capacity);
  frames->count = 0;
  gtk_widget_add_tick_callback (widget, record_frame, frames, NULL);
}

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

gboolean
demo_frames_stats (DemoFrames *frames,
                   double      window_s,
                   double     *fps,
                   double     *p50_ms,
                   double     *p99_ms,
                   double     *max_ms)
{
  gint64 now = g_get_monotonic_time ();
  gint64 since = now - (gint64) (window_s * G_USEC_PER_SEC);
  guint available = MIN (frames->count, frames->capacity);
  g_autofree double *gaps = g_new (double, available);
  guint n = 0;
  gint64 first = 0, last = 0;

  for (guint k = available; k >= 2; k--)
    {
      gint64 t = frames->times[(frames->count - k + 1) % frames->capacity];
      gint64 prev = frames->times[(frames->count - k) % frames->capacity];

      if (prev < since)
        continue;
      if (first == 0)
        first = prev;
      last = t;
      gaps[n++] = (t - prev) / 1000.0;
    }
  if (n < 1)
    return FALSE;
  qsort (gaps, n, sizeof gaps[0], compare_double);
  *fps = n / ((last - first) / (double) G_USEC_PER_SEC);
  *p50_ms = gaps[(guint) ceil (0.50 * n) - 1];
  *p99_ms = gaps[(guint) ceil (0.99 * n) - 1];
  *max_ms = gaps[n - 1];
  return TRUE;
}

/* Running ----------------------------------------------------------------- */

int
demo_run (GApplication *app,
          int           argc,
          char        **argv)
{
  int status = g_application_run (app, argc, argv);

  /* What is still pending on the GUI loop (a task the closing window
   * cancelled, a job's result on its way home) is finished now, so every
   * worker is joined and every destroy notify has run before we return. */
  gtkloop_loop_close (gtkloop_gtk_get_loop ());
  return status;
}
