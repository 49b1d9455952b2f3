/* The quamash progress bar (seed 000, lines 804–840), in C on GTK 4.
 *
 *   async def master():
 *       await first_50()                        # a task on the GUI loop
 *       with QThreadExecutor(1) as exec:
 *           await loop.run_in_executor(exec, last_50)
 *   async def first_50():
 *       for i in range(50):
 *           progress.setValue(i); await asyncio.sleep(.1)
 *   def last_50():                              # on a worker thread
 *       for i in range(50, 100):
 *           loop.call_soon_threadsafe(progress.setValue, i); time.sleep(.1)
 *
 * One loop runs the GUI and the task: the spinner keeps spinning and the
 * window can be moved or closed throughout. Closing it cancels the task,
 * whose cancellation reaches the worker through the job's GCancellable;
 * the executor is shut down and its thread joined before the program ends.
 *
 * --self-test checks that the bar reached 99 through 100 updates in order,
 * each applied on the GUI thread, saves a screenshot and exits. With no
 * display, ./scripts/demo.sh runs it that way under Xvfb. */
#include "demo-common.h"

typedef struct
{
  DemoOptions   options;
  GtkloopLoop  *loop;           /* the GUI loop */
  GtkWindow    *window;         /* (nullable) not referenced; cleared when it goes */
  GWeakRef      bar;            /* the progress bar, for posts that arrive late */
  GtkLabel     *status;
  DemoFrames    frames;

  /* what setValue saw */
  int           value;          /* last value applied; -1: none */
  int           n_applied;
  int           n_out_of_order;
  int           n_off_gui_thread;
  int           n_dropped;      /* arrived after the window was gone */

  /* how master ended */
  gboolean      master_done;
  gboolean      master_cancelled;
  gboolean      updates_before_job_done;
  gboolean      worker_saw_cancel;
} Demo;

static Demo demo;

/* progress.setValue (i): only ever on the GUI thread. */
static void
set_value (int i)
{
  GtkProgressBar *bar = g_weak_ref_get (&demo.bar);
  g_autofree char *text = NULL;

  if (!demo_on_gui_thread ())
    demo.n_off_gui_thread++;
  if (bar == NULL)
    {
      demo.n_dropped++;
      return;
    }
  if (i != demo.value + 1)
    demo.n_out_of_order++;
  demo.value = i;
  demo.n_applied++;

  text = g_strdup_printf ("%d / 99", i);
  gtk_progress_bar_set_fraction (bar, i / 99.0);
  gtk_progress_bar_set_text (bar, text);
  g_object_unref (bar);
  demo_say ("progress %2d  (%s)", i, i < 50 ? "task on the GUI loop" : "posted by the worker thread");
}

static void
set_status (const char *text)
{
  if (demo.window != NULL)
    gtk_label_set_text (demo.status, text);
}

/* first_50 (): FALSE if cancelled (the window was closed). */
static gboolean
first_50 (void)
{
  set_status ("Steps 0–49: a task on the GUI loop…");
  for (int i = 0; i < 50; i++)
    {
      set_value (i);
      if (!gtkloop_sleep (0.1, NULL))
        return FALSE;
    }
  return TRUE;
}

typedef struct
{
  int value;
} Step;

static void
apply_step (gpointer data)
{
  set_value (((Step *) data)->value);
}

/* time.sleep (.1), but a cancellation wakes it at once. */
static gboolean
sleep_unless_cancelled (double        seconds,
                        GCancellable *cancellable)
{
  GPollFD fd;
  gboolean cancelled;

  if (!g_cancellable_make_pollfd (cancellable, &fd))
    {
      g_usleep ((gulong) (seconds * G_USEC_PER_SEC));
      return !g_cancellable_is_cancelled (cancellable);
    }
  g_poll (&fd, 1, (int) (seconds * 1000));
  cancelled = g_cancellable_is_cancelled (cancellable);
  g_cancellable_release_fd (cancellable);
  return !cancelled;
}

/* last_50 (): a plain function on the executor's worker thread. It never
 * touches a widget: each value goes to the GUI loop, in order. */
static gpointer
last_50 (gpointer       data,
         GCancellable  *cancellable,
         GError       **error)
{
  for (int i = 50; i < 100; i++)
    {
      Step *step = g_new (Step, 1);

      step->value = i;
      gtkloop_loop_call_soon_threadsafe (demo.loop, apply_step, step, g_free);
      if (!sleep_unless_cancelled (0.1, cancellable))
        {
          demo.worker_saw_cancel = TRUE;   /* read after the executor joined us */
          g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_CANCELLED, "the window was closed");
          return NULL;
        }
    }
  return NULL;
}

static void
report_frames (void)
{
  double fps, p50, p99, max;

  if (demo_frames_stats (&demo.frames, 60.0, &fps, &p50, &p99, &max))
    demo_say ("frames while working: %u, %.1f fps, interval p50 %.1f ms, p99 %.1f ms, max %.1f ms",
              demo.frames.count, fps, p50, p99, max);
}

static void
self_test_checks (void)
{
  DemoOptions *o = &demo.options;

  demo_check (o, demo.value == 99 && demo.n_applied == 100,
              "the bar reached 99 through %d updates", demo.n_applied);
  demo_check (o, demo.n_out_of_order == 0, "values in order (%d out of order)", demo.n_out_of_order);
  demo_check (o, demo.n_off_gui_thread == 0, "every update applied on the GUI thread (%d elsewhere)",
              demo.n_off_gui_thread);
  demo_check (o, demo.updates_before_job_done,
              "all 100 updates arrived before the executor's future was done");
}

/* async def master () */
static void
master (GtkloopTask *task,
        gpointer     data)
{
  g_autoptr(GtkloopThreadExecutor) executor = NULL;
  g_autoptr(GtkloopFuture) job = NULL;
  g_autoptr(GError) error = NULL;
  gboolean ok;

  if (!first_50 ())
    goto cancelled;

  set_status ("Steps 50–99: a worker thread posts each value back…");
  executor = gtkloop_thread_executor_new (1);   /* QThreadExecutor (1) */
  job = gtkloop_loop_run_in_executor (demo.loop, executor, last_50, NULL, NULL, NULL);
  ok = gtkloop_await (job, &error);
  /* Leaving the `with` block: wait for the worker thread to end. After a
   * cancellation it ends at once (its sleep watches the cancellable). */
  gtkloop_thread_executor_shutdown (executor, TRUE, TRUE);
  if (!ok)
    goto cancelled;

  /* The worker posted its last value before returning, and results come
   * home after what the same thread posted: all 100 are here already. */
  demo.updates_before_job_done = demo.value == 99;
  set_status ("Done: 100 updates, each on the GUI thread, in order.");
  demo_say ("done: the executor's future completed after the 100th update");
  report_frames ();
  if (demo.options.self_test)
    {
      self_test_checks ();
      if (demo.window != NULL)
        demo_save_screenshot (&demo.options, demo.window, "the self-test's end");
      if (demo.window != NULL && demo.options.close_after < 0)
        gtk_window_destroy (demo.window);
    }
  demo.master_done = TRUE;
  return;

cancelled:
  demo_say ("master: cancelled (%s) at value %d", error ? error->message : "the window was closed",
            demo.value);
  demo.master_cancelled = TRUE;
  demo.master_done = TRUE;
}

static void
window_gone (gpointer  data,
             GObject  *where_the_window_was)
{
  demo.window = NULL;
}

static void
activate (GApplication *app,
          gpointer      data)
{
  g_autoptr(GtkBuilder) builder = NULL;
  g_autoptr(GtkloopTask) main_task = NULL;

  if (demo.window != NULL)
    {
      gtk_window_present (demo.window);
      return;
    }

  builder = demo_builder_new ("progress.ui");
  demo.window = GTK_WINDOW (gtk_builder_get_object (builder, "window"));
  demo.status = GTK_LABEL (gtk_builder_get_object (builder, "status"));
  g_weak_ref_init (&demo.bar, gtk_builder_get_object (builder, "bar"));
  g_object_weak_ref (G_OBJECT (demo.window), window_gone, NULL);
  gtk_window_set_application (demo.window, GTK_APPLICATION (app));
  demo_frames_start (&demo.frames, GTK_WIDGET (demo.window));
  gtk_window_present (demo.window);

  /* loop.run_until_complete (master ()), except that the GUI loop keeps
   * running afterwards; bound to the window, so closing it cancels. */
  main_task = gtkloop_spawn_bound (demo.window, master, NULL, NULL);
  gtkloop_task_set_name (main_task, "master");
  /* --close-after (a user closing the window mid-way) and --screenshot. */
  demo_window_watch (&demo.options, demo.window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) app = gtk_application_new ("org.gtkloop.Demo.Progress",
                                                       G_APPLICATION_NON_UNIQUE);
  int status;

  demo.value = -1;
  demo.loop = gtkloop_gtk_get_loop ();
  demo_options_add (G_APPLICATION (app), &demo.options, NULL);
  g_signal_connect (app, "activate", G_CALLBACK (activate), NULL);

  status = demo_run (G_APPLICATION (app), argc, argv);

  /* The loop is closed: every task finished, the executor joined. */
  if (demo.options.self_test && demo.options.close_after > 0)
    {
      demo_check (&demo.options, demo.master_cancelled, "closing the window cancelled the work");
      demo_check (&demo.options, demo.value < 99, "it stopped early, at %d", demo.value);
      demo_check (&demo.options, demo.value < 50 || demo.worker_saw_cancel,
                  "the worker thread saw the cancellation and ended");
      demo_check (&demo.options, demo.n_off_gui_thread == 0, "no update off the GUI thread");
      demo_say ("%d late posts found the window gone and were dropped", demo.n_dropped);
    }
  else if (demo.options.self_test)
    {
      demo_check (&demo.options, demo.master_done && !demo.master_cancelled, "master () completed");
    }
  g_weak_ref_clear (&demo.bar);
  demo_options_clear (&demo.options);
  g_free (demo.frames.times);
  if (demo.options.self_test)
    demo_say ("self-test %s", demo.options.failures == 0 ? "passed" : "FAILED");
  return status != 0 ? status : (demo.options.failures > 0 ? 1 : 0);
}
