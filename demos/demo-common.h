#pragma once

/* What the GTK demos share: their command line (--self-test,
 * --screenshot, --close-after) and what it does to the window, printing
 * progress on stdout, the GUI-thread check, the stylesheet, a
 * frame-interval recorder, and running the application so that the GUI
 * loop is closed cleanly at exit. */

#include <gtkloop/gtkloop-gtk.h>

G_BEGIN_DECLS

typedef struct
{
  gboolean   self_test;     /* run by itself, check, save a screenshot, exit */
  char      *screenshot;    /* (nullable) PNG of the window: as it closes, and
                             * at the end of the self-test */
  double     close_after;   /* > 0: close the window after this many seconds */
  int        failures;      /* checks that failed (a failed screenshot too) */

  /* The window demo_window_watch () looks after. */
  GtkWindow *window;        /* (nullable) cleared when it goes */
  gboolean   closing;       /* saving it before it goes */
} DemoOptions;

/* Registers --self-test, --screenshot=FILE and --close-after=SECONDS (plus
 * whatever @extra lists) on @app; with --self-test and no --screenshot,
 * the screenshot is <program>.png. */
void      demo_options_add     (GApplication       *app,
                                DemoOptions        *options,
                                const GOptionEntry *extra);

/* Frees what the command line left in @options. */
void      demo_options_clear   (DemoOptions        *options);

/* Makes @window do what --close-after and --screenshot ask: closed after
 * that many seconds, and saved as a PNG when it closes (however it is
 * closed). Call once the window is presented. */
void      demo_window_watch    (DemoOptions        *options,
                                GtkWindow          *window);

/* From a task: saves @window to the --screenshot file at its next paint
 * and says so on stdout ("screenshot saved to FILE (WxH, @when)"); a
 * failure is a failed check. Nothing without --screenshot. */
gboolean  demo_save_screenshot (DemoOptions        *options,
                                GtkWindow          *window,
                                const char         *when);

/* Seconds since the program started, on the loop's clock. */
double    demo_time            (void);

/* One line on stdout, "[  1.234 s] …", flushed at once. */
void      demo_say             (const char *format,
                                ...) G_GNUC_PRINTF (1, 2);

/* A self-test check: says PASS/FAIL and counts failures. */
void      demo_check           (DemoOptions *options,
                                gboolean     ok,
                                const char  *format,
                                ...) G_GNUC_PRINTF (3, 4);

/* TRUE on the thread that runs the GUI (where main () started). */
gboolean  demo_on_gui_thread   (void);

/* Builds the UI file @resource_path (under /org/gtkloop/demos/) and loads
 * the demos' stylesheet once. */
GtkBuilder *demo_builder_new   (const char *ui_name);

/* The window's frame clock ticks, for a frame-time readout. */
typedef struct
{
  gint64 *times;      /* ring of frame times, microseconds */
  guint   capacity;
  guint   count;      /* total recorded */
} DemoFrames;

void      demo_frames_start    (DemoFrames *frames,
                                GtkWidget  *widget);
/* Over the frames of the last @window_s seconds: frames per second and
 * the p50/p99/max interval in ms. FALSE if fewer than two frames. */
gboolean  demo_frames_stats    (DemoFrames *frames,
                                double      window_s,
                                double     *fps,
                                double     *p50_ms,
                                double     *p99_ms,
                                double     *max_ms);

/* g_application_run (), then gtkloop_loop_close () on the GUI loop so
 * tasks still pending are cancelled and finished before main () returns. */
int       demo_run             (GApplication *app,
                                int           argc,
                                char        **argv);

G_END_DECLS
