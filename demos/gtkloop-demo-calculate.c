/* The Tkinter form (seed 001, lines 2642–2681), done right, on GTK 4.
 *
 * A 500×300 window, a button "Start calculation" and a label "Waiting for
 * result". A click starts a task that sleeps 3 s and sets the label to
 * "300". Two ways to run it, chosen in the window or with --mode:
 *
 *   loop    the right way: the task runs on the GUI loop itself. Nothing
 *           else is needed — no thread, no second loop.
 *
 *   thread  the seed's way, made safe: each click starts a worker thread
 *           running a loop of its own (the seed's new_event_loop () plus
 *           Thread (target=run_forever)) and submits `calculate` to it with
 *           gtkloop_run_task_threadsafe () (run_coroutine_threadsafe). The
 *           GUI side awaits the result without blocking, sets the label on
 *           the GUI thread, then stops the worker loop and joins the thread:
 *           nothing leaks per click, and an error in `calculate` reaches the
 *           label instead of vanishing.
 *
 * A click while a calculation runs follows the re-entry policy chosen in
 * the window or with --policy: ignored (the default), restart (the running
 * one is cancelled and the result comes 3 s after the last click), or
 * concurrent (each click its own calculation). The click handler is a
 * gtkloop_signal_connect_task () connection; its policy is the policy.
 *
 * --self-test clicks the button through the widget API (gtk_widget_activate,
 * the keyboard's path) in both modes and under each policy — or, with
 * --mode and/or --policy, in that mode and under that policy only — checks
 * when the label becomes "300", that it is only ever set on the GUI thread
 * and that no thread is left behind, saves a screenshot and exits. The
 * screenshot shows the mode and policy asked for (the GUI loop, ignored,
 * when none was). */
#include "demo-common.h"

#include <stdlib.h>
#include <string.h>

typedef enum { MODE_LOOP, MODE_THREAD } Mode;

/* --mode and --policy, in the order of the window's drop-downs. */
static const char *const mode_names[] = { "loop", "thread" };
static const char *const policy_names[] = { "ignore", "restart", "concurrent" };

#define ANY (-1)

typedef struct
{
  DemoOptions    options;
  char          *mode_arg;
  char          *policy_arg;
  int            only_mode;     /* from --mode: a Mode, or ANY */
  int            only_policy;   /* from --policy: a drop-down index, or ANY */

  GtkloopLoop   *loop;
  GtkWindow     *window;        /* (nullable) cleared when it goes */
  GtkButton     *button;
  GtkLabel      *label;
  GtkLabel      *status;
  GtkDropDown   *mode;
  GtkDropDown   *policy;
  gulong         handler;       /* the click -> task connection */

  int            clicks;
  int            started;
  int            finished;
  int            cancelled;
  int            failed;
  int            workers_started;
  int            workers_alive;
  int            label_off_gui_thread;
  double         last_click_at;
  double         result_at[2];  /* when the label first/second became "300"; < 0: not yet */
} Form;

static Form form;

static void
update_status (void)
{
  g_autofree char *text = NULL;

  if (form.window == NULL)
    return;
  text = g_strdup_printf ("clicks %d · started %d · ignored %d · cancelled %d · done %d · "
                          "threads %d started, %d running",
                          form.clicks, form.started, form.clicks - form.started, form.cancelled,
                          form.finished, form.workers_started, form.workers_alive);
  gtk_label_set_text (form.status, text);
}

/* self.label["text"] = …, on the GUI thread only (counted otherwise). */
static void
set_label (const char *text)
{
  if (!demo_on_gui_thread ())
    form.label_off_gui_thread++;
  if (form.window == NULL)
    return;
  gtk_label_set_text (form.label, text);
  if (g_strcmp0 (text, "300") == 0)
    form.result_at[form.result_at[0] < 0 ? 0 : 1] = demo_time ();
}

/* The right way ----------------------------------------------------------- */

/* async def calculate (self): await asyncio.sleep (3); label = 300 */
static gboolean
calculate_on_gui_loop (GError **error)
{
  set_label ("Calculating… (3 s on the GUI loop)");
  if (!gtkloop_sleep (3.0, error))
    return FALSE;
  set_label ("300");
  return TRUE;
}

/* The seed's way, made safe ----------------------------------------------- */

/* Runs on the worker thread's loop: it only computes, and returns the
 * result; it never touches a widget. */
static void
calculate (GtkloopTask *task,
           gpointer     data)
{
  if (!gtkloop_sleep (3.0, NULL))
    return;   /* cancelled: the task ends cancelled */
  gtkloop_task_return (task, g_strdup ("300"), g_free);
}

static void
resolve_on_gui_loop (gpointer future)
{
  gtkloop_future_set_result (future, NULL, NULL);
}

/* Runs on whichever thread completed the thread future. */
static void
thread_future_done (GtkloopThreadFuture *tf,
                    gpointer             future)
{
  if (demo_on_gui_thread ())
    {
      /* Cancelled from the GUI thread (the loop may be closing): settle now. */
      gtkloop_future_set_result (future, NULL, NULL);
      gtkloop_future_unref (future);
    }
  else
    {
      gtkloop_loop_call_soon_threadsafe (form.loop, resolve_on_gui_loop, future,
                                         (GDestroyNotify) gtkloop_future_unref);
    }
}

static gboolean
calculate_on_worker_loop (GError **error)
{
  g_autoptr(GtkloopFuture) finished = gtkloop_future_new (form.loop);
  GtkloopLoopThread *worker;
  GtkloopThreadFuture *tf;
  const char *result = NULL;
  gboolean ok;

  set_label ("Calculating… (3 s on a worker thread's loop)");

  /* new_event_loop () + Thread (target=run_forever).start () */
  worker = gtkloop_loop_thread_start ("calculate", error);
  if (worker == NULL)
    return FALSE;
  form.workers_started++;
  form.workers_alive++;
  update_status ();

  /* run_coroutine_threadsafe (calculate (), new_loop) — and unlike the
   * seed, keep the future: the result and any error come back through it. */
  tf = gtkloop_run_task_threadsafe (gtkloop_loop_thread_get_loop (worker), calculate, NULL, NULL);
  gtkloop_thread_future_add_done_callback (tf, thread_future_done, gtkloop_future_ref (finished), NULL);

  /* Wait without blocking the GUI: this task is suspended meanwhile. */
  ok = gtkloop_await (finished, error);
  if (ok)
    result = gtkloop_thread_future_wait (tf, 0, error);   /* done: no wait */
  else
    gtkloop_thread_future_cancel (tf);                  /* restarted, or the window closed */

  /* Stop the worker's loop and join its thread: it is idle or winding
   * down its cancelled task, so this returns at once. */
  gtkloop_loop_thread_stop (worker);
  form.workers_alive--;
  update_status ();

  if (result != NULL)
    set_label (result);   /* on the GUI thread */
  gtkloop_thread_future_unref (tf);
  return ok && result != NULL;
}

/* The click handler ------------------------------------------------------- */

static void
on_start_clicked (GtkloopTask  *task,
                  gpointer      button,
                  const GValue *args,
                  guint         n_args,
                  gpointer      user_data)
{
  g_autoptr(GError) error = NULL;
  gboolean ok;

  form.started++;
  update_status ();
  if (gtk_drop_down_get_selected (form.mode) == MODE_THREAD)
    ok = calculate_on_worker_loop (&error);
  else
    ok = calculate_on_gui_loop (&error);

  if (ok)
    form.finished++;
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    form.cancelled++;
  else
    {
      g_autofree char *text = g_strdup_printf ("Failed: %s", error ? error->message : "?");

      form.failed++;
      set_label (text);   /* errors are shown, not lost */
    }
  update_status ();
}

static void
count_click (GtkButton *button,
             gpointer   data)
{
  form.clicks++;
  form.last_click_at = demo_time ();
  update_status ();
}

static GtkloopReentryPolicy
selected_policy (void)
{
  switch (gtk_drop_down_get_selected (form.policy))
    {
    case 1: return GTKLOOP_REENTRY_RESTART;
    case 2: return GTKLOOP_REENTRY_CONCURRENT;
    default: return GTKLOOP_REENTRY_IGNORE;
    }
}

/* (Re)connects the button with the selected policy. Changing the policy
 * ends the old connection, which cancels a calculation in progress. */
static void
connect_button (void)
{
  if (form.handler != 0)
    g_signal_handler_disconnect (form.button, form.handler);
  form.handler = gtkloop_signal_connect_task (form.button, "clicked", on_start_clicked, NULL, NULL,
                                              selected_policy ());
}

static void
policy_changed (GObject    *dropdown,
                GParamSpec *pspec,
                gpointer    data)
{
  connect_button ();
}

/* Self-test ----------------------------------------------------------------- */

static int
count_threads (void)
{
  g_autoptr(GDir) dir = g_dir_open ("/proc/self/task", 0, NULL);
  int n = 0;

  while (dir != NULL && g_dir_read_name (dir) != NULL)
    n++;
  return n;
}

typedef struct
{
  const char *name;
  Mode        mode;
  guint       policy;            /* index in the drop-down */
  double      second_click;      /* seconds after the first */
  int         result_after;      /* 1 or 2: which click the result is 3 s after */
  int         started;           /* expected */
  int         finished;
  int         cancelled;
} Scenario;

static const Scenario scenarios[] = {
  { "GUI loop, clicked twice, ignored",         MODE_LOOP,   0, 1.0, 1, 1, 1, 0 },
  { "GUI loop, clicked twice, restart",         MODE_LOOP,   1, 1.0, 2, 2, 1, 1 },
  { "GUI loop, clicked twice, concurrent",      MODE_LOOP,   2, 1.0, 1, 2, 2, 0 },
  { "worker loop, clicked twice, ignored",      MODE_THREAD, 0, 1.0, 1, 1, 1, 0 },
  { "worker loop, clicked twice, restart",      MODE_THREAD, 1, 1.0, 2, 2, 1, 1 },
  { "worker loop, clicked twice, concurrent",   MODE_THREAD, 2, 1.0, 1, 2, 2, 0 },
};

/* A click as the keyboard makes it: gtk_widget_activate () animates the
 * press and emits ::clicked 250 ms later. Returns when it was clicked. */
static gboolean
click_button (double *clicked_at)
{
  int before = form.clicks;

  gtk_widget_activate (GTK_WIDGET (form.button));
  while (form.clicks == before)
    if (!gtkloop_sleep (0.01, NULL))
      return FALSE;
  *clicked_at = form.last_click_at;
  return TRUE;
}

static gboolean
run_scenario (const Scenario *s,
              int             threads_before)
{
  DemoOptions *o = &form.options;
  double click_at[2], deadline;
  int started0, finished0, cancelled0, workers0;

  demo_say ("scenario: %s (mode %s, policy %s)", s->name, mode_names[s->mode], policy_names[s->policy]);
  gtk_drop_down_set_selected (form.mode, s->mode);
  gtk_drop_down_set_selected (form.policy, s->policy);   /* reconnects */
  set_label ("Waiting for result");
  form.result_at[0] = form.result_at[1] = -1;
  started0 = form.started;
  finished0 = form.finished;
  cancelled0 = form.cancelled;
  workers0 = form.workers_started;

  if (!click_button (&click_at[0]) || !gtkloop_sleep (s->second_click - 0.25, NULL) ||
      !click_button (&click_at[1]))
    return FALSE;

  /* Until every calculation this scenario started has ended. */
  deadline = demo_time () + 10.0;
  while (form.finished + form.cancelled - finished0 - cancelled0 < s->started &&
         demo_time () < deadline)
    if (!gtkloop_sleep (0.02, NULL))
      return FALSE;

  /* The label becomes "300" 3 s after the click the policy says; under
   * "concurrent" a second time, 3 s after the second click. */
  for (int k = 0; k < s->finished; k++)
    {
      int click = s->finished == 2 ? k : s->result_after - 1;
      double after = form.result_at[k] - click_at[click];

      demo_check (o, form.result_at[k] > 0 && after > 2.98 && after < 3.75,
                  "%s: label \"300\" %.2f s after click %d (expected 3 s)", s->name, after, click + 1);
    }
  demo_check (o, form.started - started0 == s->started && form.finished - finished0 == s->finished &&
                 form.cancelled - cancelled0 == s->cancelled,
              "%s: started %d, done %d, cancelled %d (expected %d, %d, %d)", s->name,
              form.started - started0, form.finished - finished0, form.cancelled - cancelled0,
              s->started, s->finished, s->cancelled);
  /* It ran where it was meant to: a worker loop per calculation, or none. */
  demo_check (o, form.workers_started - workers0 == (s->mode == MODE_THREAD ? s->started : 0),
              "%s: %d worker loops started (expected %d)", s->name, form.workers_started - workers0,
              s->mode == MODE_THREAD ? s->started : 0);
  if (s->mode == MODE_THREAD)
    demo_check (o, form.workers_alive == 0 && count_threads () <= threads_before,
                "%s: every worker loop stopped and its thread joined (%d threads, %d before)",
                s->name, count_threads (), threads_before);
  return TRUE;
}

static gboolean
scenario_wanted (const Scenario *s)
{
  return (form.only_mode == ANY || form.only_mode == (int) s->mode) &&
         (form.only_policy == ANY || form.only_policy == (int) s->policy);
}

static const char *
any_or (int         choice,
        const char *const *names)
{
  return choice == ANY ? "any" : names[choice];
}

static void
self_test (GtkloopTask *task,
           gpointer     data)
{
  DemoOptions *o = &form.options;
  int threads_before, wanted = 0, ran = 0;

  /* Let the window come up first. */
  if (!gtkloop_await_frame (GTK_WIDGET (form.window), NULL, NULL) || !gtkloop_sleep (0.2, NULL))
    return;
  threads_before = count_threads ();

  for (guint i = 0; i < G_N_ELEMENTS (scenarios); i++)
    {
      if (!scenario_wanted (&scenarios[i]))
        continue;
      wanted++;
      if (!run_scenario (&scenarios[i], threads_before))
        return;
      ran++;
    }
  demo_check (o, ran > 0 && ran == wanted, "ran %d of %d scenarios: mode %s, policy %s", ran,
              (int) G_N_ELEMENTS (scenarios), any_or (form.only_mode, mode_names),
              any_or (form.only_policy, policy_names));

  /* What was asked for; with nothing asked, the state the README shows:
   * the right way, one click, the result. */
  gtk_drop_down_set_selected (form.mode, form.only_mode == ANY ? MODE_LOOP : (guint) form.only_mode);
  gtk_drop_down_set_selected (form.policy, form.only_policy == ANY ? 0 : (guint) form.only_policy);
  demo_check (o, form.label_off_gui_thread == 0, "the label was only ever set on the GUI thread");
  demo_check (o, form.failed == 0, "no calculation failed");
  demo_check (o, count_threads () <= threads_before, "no thread left behind: %d threads, %d before",
              count_threads (), threads_before);
  update_status ();
  {
    g_autofree char *when = g_strdup_printf ("the self-test's end, showing mode %s, policy %s",
                                             mode_names[gtk_drop_down_get_selected (form.mode)],
                                             policy_names[gtk_drop_down_get_selected (form.policy)]);

    demo_save_screenshot (o, form.window, when);
  }
  gtk_window_destroy (form.window);
}

/* Application --------------------------------------------------------------- */

static void
window_gone (gpointer  data,
             GObject  *where_the_window_was)
{
  form.window = NULL;
}

static void
activate (GApplication *app,
          gpointer      data)
{
  g_autoptr(GtkBuilder) builder = NULL;

  if (form.window != NULL)
    {
      gtk_window_present (form.window);
      return;
    }

  builder = demo_builder_new ("calculate.ui");
  form.window = GTK_WINDOW (gtk_builder_get_object (builder, "window"));
  form.button = GTK_BUTTON (gtk_builder_get_object (builder, "button"));
  form.label = GTK_LABEL (gtk_builder_get_object (builder, "label"));
  form.status = GTK_LABEL (gtk_builder_get_object (builder, "status"));
  form.mode = GTK_DROP_DOWN (gtk_builder_get_object (builder, "mode"));
  form.policy = GTK_DROP_DOWN (gtk_builder_get_object (builder, "policy"));
  g_object_weak_ref (G_OBJECT (form.window), window_gone, NULL);
  gtk_window_set_application (form.window, GTK_APPLICATION (app));

  if (form.only_mode != ANY)
    gtk_drop_down_set_selected (form.mode, form.only_mode);
  if (form.only_policy != ANY)
    gtk_drop_down_set_selected (form.policy, form.only_policy);

  g_signal_connect (form.button, "clicked", G_CALLBACK (count_click), NULL);
  connect_button ();
  g_signal_connect (form.policy, "notify::selected", G_CALLBACK (policy_changed), NULL);
  update_status ();
  gtk_window_present (form.window);

  if (form.options.self_test)
    gtkloop_task_unref (gtkloop_spawn_bound (form.window, self_test, NULL, NULL));
  demo_window_watch (&form.options, form.window);
}

/* The index of @arg in @names; ANY when not given, -2 when not a name. */
static int
choice_from_arg (const char        *arg,
                 const char *const *names,
                 guint              n_names)
{
  if (arg == NULL)
    return ANY;
  for (guint i = 0; i < n_names; i++)
    if (strcmp (arg, names[i]) == 0)
      return i;
  return -2;
}

static int
handle_local_options (GApplication *app,
                      GVariantDict *dict,
                      gpointer      data)
{
  form.only_mode = choice_from_arg (form.mode_arg, mode_names, G_N_ELEMENTS (mode_names));
  if (form.only_mode < ANY)
    {
      g_printerr ("--mode: loop or thread, not '%s'\n", form.mode_arg);
      return 2;
    }
  form.only_policy = choice_from_arg (form.policy_arg, policy_names, G_N_ELEMENTS (policy_names));
  if (form.only_policy < ANY)
    {
      g_printerr ("--policy: ignore, restart or concurrent, not '%s'\n", form.policy_arg);
      return 2;
    }
  return -1;
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GtkApplication) app = gtk_application_new ("org.gtkloop.Demo.Calculate",
                                                       G_APPLICATION_NON_UNIQUE);
  const GOptionEntry extra[] = {
    { "mode", 0, 0, G_OPTION_ARG_STRING, &form.mode_arg,
      "Where the calculation runs: loop (the GUI loop, default) or thread (a worker thread's loop); "
      "with --self-test, test this mode only", "MODE" },
    { "policy", 0, 0, G_OPTION_ARG_STRING, &form.policy_arg,
      "A click while calculating: ignore (default), restart or concurrent; "
      "with --self-test, test this policy only", "POLICY" },
    { NULL }
  };
  int status;

  form.loop = gtkloop_gtk_get_loop ();
  form.result_at[0] = form.result_at[1] = -1;
  form.only_mode = form.only_policy = ANY;
  demo_options_add (G_APPLICATION (app), &form.options, extra);
  g_signal_connect (app, "handle-local-options", G_CALLBACK (handle_local_options), NULL);
  g_signal_connect (app, "activate", G_CALLBACK (activate), NULL);

  status = demo_run (G_APPLICATION (app), argc, argv);

  if (form.options.self_test)
    {
      demo_check (&form.options, form.workers_alive == 0, "no worker loop left running at exit");
      demo_say ("self-test %s", form.options.failures == 0 ? "passed" : "FAILED");
    }
  g_free (form.mode_arg);
  g_free (form.policy_arg);
  demo_options_clear (&form.options);
  return status != 0 ? status : (form.options.failures > 0 ? 1 : 0);
}
