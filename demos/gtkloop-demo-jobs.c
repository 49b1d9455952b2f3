/* Many concurrent jobs on one GUI loop, each row with its progress and a
 * Cancel button, and a frame-time readout that stays at 60 fps — also with
 * 1,000 more tasks spinning on gtkloop_sleep (0) beside them.
 *
 * Two kinds of job:
 *   task    a task on the GUI loop: 100 steps, gtkloop_sleep () between
 *           them, the bar set directly (it is the GUI thread);
 *   worker  a blocking function on an executor thread, reporting through
 *           gtkloop_progress_new_for_bar () (coalesced: the bar moves at
 *           most once per loop iteration) and watching its GCancellable;
 *           a task on the GUI loop awaits its future.
 * Each row's task is bound to the row (gtkloop_spawn_bound): removing the
 * row or closing the window cancels it. Cancel buttons cancel one task;
 * the task's cancellation reaches a worker job through its cancellable.
 *
 * What peers cannot do: gbulb and libdex show 0 frames in 5 s with 1,000
 * busy coroutines (BENCH.md, W8); here the readout stays at 60 fps.
 *
 * --self-test adds 100 jobs, turns the 1,000 busy tasks on, cancels 10 jobs
 * with their buttons, waits for the rest, checks the results and the frame
 * rate, saves a screenshot (taken mid-run) and exits. */
#include "demo-common.h"

#include <math.h>

#define N_STEPS    100
#define N_BUSY     1000

typedef enum { JOB_RUNNING, JOB_DONE, JOB_CANCELLED, JOB_FAILED } JobState;

typedef struct
{
  int              number;
  gboolean         on_worker;
  JobState         state;
  GtkWidget       *row;       /* not referenced: the task is bound to it */
  GtkProgressBar  *bar;
  GtkLabel        *state_label;
  GtkWidget       *cancel;
  GtkloopTask     *task;      /* (owned) */
} Job;

typedef struct
{
  DemoOptions            options;
  double                 min_fps;     /* --min-fps: the self-test's frame-rate floor */
  GtkloopLoop           *loop;
  GtkWindow             *window;      /* (nullable) cleared when it goes */
  GtkListBox            *list;
  GtkLabel              *frames_label;
  GtkLabel              *summary;
  GtkCheckButton        *busy;
  DemoFrames             frames;
  GtkloopThreadExecutor *executor;    /* (owned) */
  GPtrArray             *jobs;        /* (owned) of Job, all ever started */
  int                    next_number;
  int                    n_running, n_done, n_cancelled, n_failed;

  /* the 1,000 busy tasks */
  guint                  busy_generation;  /* bumped to stop the current ones */
  int                    busy_alive;
  guint64                busy_steps;
  guint64                busy_steps_at_last_readout;
  double                 last_readout_at;
  double                 busy_rate;        /* steps per second, last readout */
  double                 fps, p50, p99, max;
} Demo;

static Demo demo;

static void
job_free (gpointer data)
{
  Job *job = data;

  g_clear_pointer (&job->task, gtkloop_task_unref);
  g_free (job);
}

static void
update_summary (void)
{
  g_autofree char *text = NULL;

  if (demo.window == NULL)
    return;
  text = g_strdup_printf ("jobs: %d running · %d done · %d cancelled%s   busy tasks: %d, %.2f M steps/s",
                          demo.n_running, demo.n_done, demo.n_cancelled,
                          demo.n_failed ? " · some failed" : "", demo.busy_alive, demo.busy_rate / 1e6);
  gtk_label_set_text (demo.summary, text);
}

static void
set_state (Job      *job,
           JobState  state)
{
  static const char *const names[] = { "running", "done", "cancelled", "failed" };
  static const char *const classes[] = { NULL, "done", "cancelled", "cancelled" };

  job->state = state;
  demo.n_running--;
  if (state == JOB_DONE)
    demo.n_done++;
  else if (state == JOB_CANCELLED)
    demo.n_cancelled++;
  else
    demo.n_failed++;
  if (demo.window != NULL)
    {
      gtk_label_set_text (job->state_label, names[state]);
      gtk_widget_add_css_class (job->row, classes[state]);
      gtk_widget_set_sensitive (job->cancel, FALSE);
    }
  update_summary ();
}

/* A worker job: blocking work with a progress channel. -------------------- */

typedef struct
{
  GtkloopProgress *progress;   /* (owned) */
  int              number;
} WorkerJob;

static void
worker_job_free (gpointer data)
{
  WorkerJob *w = data;

  gtkloop_progress_unref (w->progress);
  g_free (w);
}

static gpointer
crunch (gpointer       data,
        GCancellable  *cancellable,
        GError       **error)
{
  WorkerJob *w = data;
  guint8 block[16 * 1024];
  guint32 sum = (guint32) w->number;

  for (int step = 1; step <= N_STEPS; step++)
    {
      g_autofree char *message = NULL;

      if (g_cancellable_set_error_if_cancelled (cancellable, error))
        return NULL;
      /* A little real work, then a wait as for I/O. */
      for (gsize i = 0; i < sizeof block; i++)
        block[i] = (guint8) (sum += i * 2654435761u);
      g_usleep (6000 + (sum % 6000));
      message = g_strdup_printf ("%d %%", step);
      gtkloop_progress_report (w->progress, (double) step / N_STEPS, message);
    }
  return NULL;
}

/* A row's task. ------------------------------------------------------------ */

static void
run_job (GtkloopTask *task,
         gpointer     data)
{
  Job *job = data;
  g_autoptr(GError) error = NULL;
  gboolean ok = TRUE;

  if (job->on_worker)
    {
      WorkerJob *w = g_new0 (WorkerJob, 1);
      g_autoptr(GtkloopFuture) future = NULL;

      w->progress = gtkloop_progress_new_for_bar (job->bar);
      w->number = job->number;
      future = gtkloop_loop_run_in_executor (demo.loop, demo.executor, crunch, w, worker_job_free, NULL);
      /* Cancelling this task cancels the job's future, which cancels the
       * job's GCancellable. */
      ok = gtkloop_await (future, &error);
    }
  else
    {
      for (int step = 1; step <= N_STEPS && ok; step++)
        {
          ok = gtkloop_sleep (g_random_double_range (0.005, 0.05), &error);
          if (ok)
            gtk_progress_bar_set_fraction (job->bar, (double) step / N_STEPS);
        }
    }

  if (ok)
    set_state (job, JOB_DONE);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    set_state (job, JOB_CANCELLED);
  else
    set_state (job, JOB_FAILED);
}

static void
cancel_clicked (GtkButton *button,
                gpointer   data)
{
  Job *job = data;

  gtkloop_task_cancel (job->task, "cancelled by the user");
}

static GtkWidget *
job_row_new (Job *job)
{
  g_autofree char *name = g_strdup_printf ("Job %d · %s", job->number,
                                           job->on_worker ? "worker thread" : "task");
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 12);
  GtkWidget *label = gtk_label_new (name);
  GtkWidget *row = gtk_list_box_row_new ();

  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_width_chars (GTK_LABEL (label), 22);
  job->bar = GTK_PROGRESS_BAR (gtk_progress_bar_new ());
  gtk_widget_set_hexpand (GTK_WIDGET (job->bar), TRUE);
  gtk_widget_set_valign (GTK_WIDGET (job->bar), GTK_ALIGN_CENTER);
  job->state_label = GTK_LABEL (gtk_label_new ("running"));
  gtk_label_set_width_chars (job->state_label, 10);
  gtk_widget_add_css_class (GTK_WIDGET (job->state_label), "job-state");
  job->cancel = gtk_button_new_with_label ("Cancel");
  gtk_widget_add_css_class (job->cancel, "flat");
  g_signal_connect (job->cancel, "clicked", G_CALLBACK (cancel_clicked), job);

  gtk_box_append (GTK_BOX (box), label);
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (job->bar));
  gtk_box_append (GTK_BOX (box), GTK_WIDGET (job->state_label));
  gtk_box_append (GTK_BOX (box), job->cancel);
  gtk_list_box_row_set_child (GTK_LIST_BOX_ROW (row), box);
  gtk_widget_add_css_class (row, "job-row");
  return row;
}

static void
add_jobs (int n)
{
  for (int i = 0; i < n; i++)
    {
      Job *job = g_new0 (Job, 1);

      job->number = ++demo.next_number;
      job->on_worker = job->number % 3 == 0;
      job->row = job_row_new (job);
      gtk_list_box_append (demo.list, job->row);
      /* Removing the row (Clear, or the window closing) cancels the task. */
      job->task = gtkloop_spawn_bound (job->row, run_job, job, NULL);
      g_ptr_array_add (demo.jobs, job);
      demo.n_running++;
    }
  update_summary ();
}

static void
add10_clicked (GtkButton *button, gpointer data)
{
  add_jobs (10);
}

static void
add100_clicked (GtkButton *button, gpointer data)
{
  add_jobs (100);
}

static void
cancel_all_clicked (GtkButton *button,
                    gpointer   data)
{
  for (guint i = 0; i < demo.jobs->len; i++)
    {
      Job *job = g_ptr_array_index (demo.jobs, i);

      if (job->state == JOB_RUNNING)
        gtkloop_task_cancel (job->task, "cancelled by the user");
    }
}

static void
clear_clicked (GtkButton *button,
               gpointer   data)
{
  for (guint i = 0; i < demo.jobs->len; i++)
    {
      Job *job = g_ptr_array_index (demo.jobs, i);

      if (job->state != JOB_RUNNING && job->row != NULL)
        {
          gtk_list_box_remove (demo.list, job->row);
          job->row = NULL;
        }
    }
}

/* The 1,000 busy tasks. ---------------------------------------------------- */

static void
busy_loop (GtkloopTask *task,
           gpointer     data)
{
  guint generation = GPOINTER_TO_UINT (data);

  demo.busy_alive++;
  while (generation == demo.busy_generation && gtkloop_sleep (0, NULL))
    demo.busy_steps++;
  demo.busy_alive--;
}

static void
busy_toggled (GtkCheckButton *check,
              gpointer        data)
{
  demo.busy_generation++;   /* the running ones stop at their next step */
  if (!gtk_check_button_get_active (check))
    return;
  for (int i = 0; i < N_BUSY; i++)
    gtkloop_task_unref (gtkloop_spawn_bound (demo.window, busy_loop,
                                             GUINT_TO_POINTER (demo.busy_generation), NULL));
}

/* The readout: twice a second, over the last two seconds of frames. */
static void
readout (GtkloopTask *task,
         gpointer     data)
{
  while (gtkloop_sleep (0.5, NULL))
    {
      double now = demo_time ();
      g_autofree char *text = NULL;

      demo.busy_rate = (demo.busy_steps - demo.busy_steps_at_last_readout) / (now - demo.last_readout_at);
      demo.busy_steps_at_last_readout = demo.busy_steps;
      demo.last_readout_at = now;
      if (!demo_frames_stats (&demo.frames, 2.0, &demo.fps, &demo.p50, &demo.p99, &demo.max))
        continue;
      text = g_strdup_printf ("%4.1f fps · frame interval p50 %4.1f ms · p99 %4.1f ms · max %4.1f ms",
                              demo.fps, demo.p50, demo.p99, demo.max);
      gtk_label_set_text (demo.frames_label, text);
      gtk_widget_remove_css_class (GTK_WIDGET (demo.frames_label), demo.fps >= 55 ? "bad" : "good");
      gtk_widget_add_css_class (GTK_WIDGET (demo.frames_label), demo.fps >= 55 ? "good" : "bad");
      update_summary ();
    }
}

/* Self-test. ---------------------------------------------------------------- */

static gboolean
wait_until_idle (double timeout_s)
{
  double deadline = demo_time () + timeout_s;

  while (demo.n_running > 0 && demo_time () < deadline)
    if (!gtkloop_sleep (0.05, NULL))
      return FALSE;
  return demo.n_running == 0;
}

static void
self_test (GtkloopTask *task,
           gpointer     data)
{
  DemoOptions *o = &demo.options;
  double busy_from, elapsed, fps, p50, p99, max;
  guint64 steps0;
  int cancelled = 0;

  if (!gtkloop_await_frame (GTK_WIDGET (demo.window), NULL, NULL) || !gtkloop_sleep (0.5, NULL))
    return;

  demo_say ("adding 100 jobs (a third on worker threads) and turning on %d busy tasks", N_BUSY);
  gtk_check_button_set_active (demo.busy, TRUE);
  add_jobs (100);
  busy_from = demo_time ();
  steps0 = demo.busy_steps;

  /* Cancel ten jobs with their buttons, as a user would (Enter on each). */
  if (!gtkloop_sleep (1.0, NULL))
    return;
  for (guint i = 0; i < demo.jobs->len && cancelled < 10; i += 9)
    {
      Job *job = g_ptr_array_index (demo.jobs, i);

      if (job->state == JOB_RUNNING)
        {
          gtk_widget_activate (job->cancel);
          cancelled++;
        }
    }
  if (!gtkloop_sleep (1.0, NULL))
    return;
  demo_save_screenshot (o, demo.window, "mid-run");

  if (!wait_until_idle (60.0))
    {
      demo_check (o, FALSE, "all jobs ended within 60 s (%d still running)", demo.n_running);
      return;
    }
  elapsed = demo_time () - busy_from;
  demo_check (o, demo_frames_stats (&demo.frames, elapsed, &fps, &p50, &p99, &max),
              "frames were drawn while the jobs ran");
  demo_say ("while %d busy tasks and 100 jobs ran (%.1f s): %.1f fps, frame interval p50 %.1f ms, "
            "p99 %.1f ms, max %.1f ms; busy tasks made %.2f M steps/s",
            N_BUSY, elapsed, fps, p50, p99, max, (demo.busy_steps - steps0) / elapsed / 1e6);
  demo_check (o, fps >= demo.min_fps, "the GUI kept its frame rate: %.1f fps (60 Hz frame clock; "
              "floor %.0f)", fps, demo.min_fps);
  demo_check (o, demo.n_cancelled == cancelled, "%d jobs cancelled with their buttons (%d clicked)",
              demo.n_cancelled, cancelled);
  demo_check (o, demo.n_done == 100 - cancelled && demo.n_failed == 0, "the other %d jobs finished",
              demo.n_done);
  {
    int full = 0;

    for (guint i = 0; i < demo.jobs->len; i++)
      {
        Job *job = g_ptr_array_index (demo.jobs, i);

        full += job->state == JOB_DONE && gtk_progress_bar_get_fraction (job->bar) == 1.0;
      }
    demo_check (o, full == demo.n_done, "every finished job's bar is full (%d of %d)", full, demo.n_done);
  }

  gtk_check_button_set_active (demo.busy, FALSE);
  if (!gtkloop_sleep (0.1, NULL))
    return;
  demo_check (o, demo.busy_alive == 0, "the busy tasks stopped");
  gtk_window_destroy (demo.window);
}

/* Application. -------------------------------------------------------------- */

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

  if (demo.window != NULL)
    {
      gtk_window_present (demo.window);
      return;
    }

  builder = demo_builder_new ("jobs.ui");
  demo.window = GTK_WINDOW (gtk_builder_get_object (builder, "window"));
  demo.list = GTK_LIST_BOX (gtk_builder_get_object (builder, "list"));
  demo.frames_label = GTK_LABEL (gtk_builder_get_object (builder, "frames"));
  demo.summary = GTK_LABEL (gtk_builder_get_object (builder, "summary"));
  demo.busy = GTK_CHECK_BUTTON (gtk_builder_get_object (builder, "busy"));
  g_object_weak_ref (G_OBJECT (demo.window), window_gone, NULL);
  gtk_window_set_application (demo.window, GTK_APPLICATION (app));

  g_signal_connect (gtk_builder_get_object (builder, "add10"), "clicked", G_CALLBACK (add10_clicked), NULL);
  g_signal_connect (gtk_builder_get_object (builder, "add100"), "clicked", G_CALLBACK (add100_clicked), NULL);
  g_signal_connect (gtk_builder_get_object (builder, "cancel_all"), "clicked",
                    G_CALLBACK (cancel_all_clicked), NULL);
  g_signal_connect (gtk_builder_get_object (builder, "clear"), "clicked", G_CALLBACK (clear_clicked), NULL);
  g_signal_connect (demo.busy, "toggled", G_CALLBACK (busy_toggled), NULL);

  demo_frames_start (&demo.frames, GTK_WIDGET (demo.window));
  demo.last_readout_at = demo_time ();
  gtkloop_task_unref (gtkloop_spawn_bound (demo.window, readout, NULL, NULL));
  gtk_window_present (demo.window);

  if (demo.options.self_test)
    gtkloop_task_unref (gtkloop_spawn_bound (demo.window, self_test, NULL, NULL));
  else
    add_jobs (10);
  demo_window_watch (&demo.options, demo.window);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) app = gtk_application_new ("org.gtkloop.Demo.Jobs", G_APPLICATION_NON_UNIQUE);
  const GOptionEntry extra[] = {
    { "min-fps", 0, 0, G_OPTION_ARG_DOUBLE, &demo.min_fps,
      "Self-test: the lowest frame rate that passes (default 50; sanitizer builds pass 0)", "FPS" },
    { NULL }
  };
  int status;

  demo.loop = gtkloop_gtk_get_loop ();
  demo.jobs = g_ptr_array_new_with_free_func (job_free);
  demo.executor = gtkloop_thread_executor_new (4);
  demo.min_fps = 50;
  demo_options_add (G_APPLICATION (app), &demo.options, extra);
  g_signal_connect (app, "activate", G_CALLBACK (activate), NULL);

  status = demo_run (G_APPLICATION (app), argc, argv);

  /* Every task has finished (the loop is closed): the jobs' futures are
   * done, so the workers are idle; join them. */
  gtkloop_thread_executor_shutdown (demo.executor, TRUE, TRUE);
  gtkloop_thread_executor_unref (demo.executor);
  g_ptr_array_unref (demo.jobs);
  g_free (demo.frames.times);
  if (demo.options.self_test)
    demo_say ("self-test %s", demo.options.failures == 0 ? "passed" : "FAILED");
  demo_options_clear (&demo.options);
  return status != 0 ? status : (demo.options.failures > 0 ? 1 : 0);
}
