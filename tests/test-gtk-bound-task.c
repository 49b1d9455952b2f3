/* gtkloop_task_bind_object / gtkloop_spawn_bound: a task cancelled when a
 * widget (or any GObject) is disposed, never touching it afterwards. */
#include "config.h"

#include "test-gtk-util.h"

typedef struct
{
  GtkWidget *label;         /* not referenced */
  GWeakRef   label_ref;     /* to see whether it was finalized */
  int        steps;
  gboolean   cancelled;
  gboolean   finished;
  gboolean   label_alive_at_cancel;
  char      *cancel_message;
  double     sleep_s;
  gboolean   destroy_own_window;
} Ticker;

/* Updates the label every sleep_s until cancelled. */
static void
ticker (GtkloopTask *task,
        gpointer     data)
{
  Ticker *t = data;
  g_autoptr(GError) error = NULL;

  for (;;)
    {
      g_autofree char *text = g_strdup_printf ("%d", ++t->steps);
      GObject *alive;

      gtk_label_set_text (GTK_LABEL (t->label), text);
      if (t->destroy_own_window && t->steps == 3)
        gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (t->label)));
      if (gtkloop_sleep (t->sleep_s, &error))
        continue;

      /* Cancelled: the label must not be touched any more, and may well
       * be finalized already. */
      alive = g_weak_ref_get (&t->label_ref);
      t->label_alive_at_cancel = alive != NULL;
      g_clear_object (&alive);
      t->cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      t->cancel_message = g_strdup (error->message);
      break;
    }
  t->finished = TRUE;
}

static void
ticker_init (Ticker *t,
             double  sleep_s)
{
  memset (t, 0, sizeof *t);
  t->sleep_s = sleep_s;
  t->label = gtk_label_new ("0");
  g_weak_ref_init (&t->label_ref, t->label);
  gtk_test_window_new (t->label, 200, 80);
}

static void
ticker_clear (Ticker *t)
{
  g_weak_ref_clear (&t->label_ref);
  g_free (t->cancel_message);
}

static void
test_window_close_cancels (void **state)
{
  Ticker t;
  g_autoptr(GtkloopTask) task = NULL;

  ticker_init (&t, 0.02);
  task = gtkloop_spawn_bound (t.label, ticker, &t, NULL);
  while (t.steps < 5)
    gtk_test_run_for (0.01);
  gtk_test_screenshot (gtk_widget_get_ancestor (t.label, GTK_TYPE_WINDOW), "test-gtk-bound-task");

  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (t.label)));
  /* Disposal cancels at once; the task learns it at its suspension point. */
  assert_true (gtkloop_future_is_done (GTKLOOP_FUTURE (task)) ||
               gtkloop_task_cancelling (task) > 0);
  gtk_test_run_until (&t.finished, 5.0);
  assert_true (t.cancelled);
  assert_false (t.label_alive_at_cancel);   /* finalized: hence the rule */
  assert_non_null (strstr (t.cancel_message, "GtkLabel"));
  gtk_test_run_until_done (GTKLOOP_FUTURE (task), 1.0);
  assert_true (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (task)));
  ticker_clear (&t);
}

static void
test_unparent_cancels (void **state)
{
  Ticker t;
  g_autoptr(GtkloopTask) task = NULL;
  GtkWindow *window;

  ticker_init (&t, 0.02);
  window = GTK_WINDOW (gtk_widget_get_root (t.label));
  task = gtkloop_spawn (ticker, &t, NULL);
  gtkloop_task_bind_object (task, t.label);
  gtk_test_run_for (0.1);

  /* Replacing the window's child drops the last reference to the label. */
  gtk_window_set_child (window, gtk_label_new ("replaced"));
  gtk_test_run_until (&t.finished, 5.0);
  assert_true (t.cancelled);
  assert_false (t.label_alive_at_cancel);
  ticker_clear (&t);
}

static void
test_task_ends_first (void **state)
{
  Ticker t;
  g_autoptr(GtkloopTask) task = NULL;

  ticker_init (&t, 0.01);
  task = gtkloop_spawn_bound (t.label, ticker, &t, NULL);
  gtk_test_run_for (0.05);
  gtkloop_task_cancel (task, "stop");
  gtk_test_run_until (&t.finished, 5.0);
  assert_string_equal (t.cancel_message, "stop");
  assert_true (t.label_alive_at_cancel);
  gtk_test_run_for (0.02);   /* the done callback drops the weak reference */

  /* Disposing the label now reaches nothing of the finished task. */
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (t.label)));
  gtk_test_run_for (0.02);
  assert_true (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (task)));
  ticker_clear (&t);
}

static void
test_first_of_several_objects (void **state)
{
  Ticker t;
  g_autoptr(GtkloopTask) task = NULL;
  GObject *model = g_object_new (G_TYPE_OBJECT, NULL);

  ticker_init (&t, 0.02);
  task = gtkloop_spawn_bound (t.label, ticker, &t, NULL);
  gtkloop_task_bind_object (task, model);
  gtk_test_run_for (0.05);
  g_object_unref (model);   /* the model goes first */
  gtk_test_run_until (&t.finished, 5.0);
  assert_true (t.cancelled);
  assert_true (t.label_alive_at_cancel);
  assert_non_null (strstr (t.cancel_message, "GObject"));
  ticker_clear (&t);
}

static void
test_task_destroys_its_own_window (void **state)
{
  Ticker t;
  g_autoptr(GtkloopTask) task = NULL;

  ticker_init (&t, 0.02);
  t.destroy_own_window = TRUE;
  task = gtkloop_spawn_bound (t.label, ticker, &t, NULL);
  /* The task disposes the label while it runs: the cancellation waits for
   * its next suspension point, which fails at once. */
  gtk_test_run_until (&t.finished, 5.0);
  assert_int_equal (t.steps, 3);
  assert_true (t.cancelled);
  ticker_clear (&t);
}

static void
test_bind_finished_task (void **state)
{
  g_autoptr(GtkloopTask) task = gtkloop_spawn (test_noop_task, NULL, NULL);
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);

  gtk_test_run_until_done (GTKLOOP_FUTURE (task), 1.0);
  gtkloop_task_bind_object (task, object);   /* nothing to do */
  g_object_unref (object);
  assert_false (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (task)));
}

static void
test_spawn_bound_misuse (void **state)
{
  int destroyed = 0;

  test_criticals_begin ();
  assert_null (gtkloop_spawn_bound (NULL, test_noop_task, &destroyed, test_increment_int_cb));
  assert_int_equal (test_criticals_end (), 1);
  assert_int_equal (destroyed, 1);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_window_close_cancels, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_unparent_cancels, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_task_ends_first, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_first_of_several_objects, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_task_destroys_its_own_window, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_bind_finished_task, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_spawn_bound_misuse, gtk_test_setup, gtk_test_teardown),
  };

  return cmocka_run_group_tests (tests, gtk_test_group_setup, NULL);
}
