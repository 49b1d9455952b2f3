/* gtkloop_signal_future_new / gtkloop_await_signal: the next emission as a
 * future, with timeout, cancellation (task, GCancellable, disposal) and the
 * handler always disconnected afterwards. */
#include "config.h"

#include "test-gtk-util.h"

typedef struct
{
  gboolean  done;
  gboolean  ok;
  GError   *error;
  char     *text;
  GThread  *thread;
  int       depth;   /* g_main_depth () when resumed: no nested loop */
} Outcome;

static void
outcome_clear (Outcome *o)
{
  g_clear_error (&o->error);
  g_free (o->text);
}

/* The entry's text when it was activated. */
static void
await_activate (GtkloopTask *task,
                gpointer     data)
{
  Outcome *o = g_object_get_data (G_OBJECT (data), "outcome");
  double timeout = GPOINTER_TO_INT (g_object_get_data (G_OBJECT (data), "timeout-ms")) / 1000.0;

  o->ok = gtkloop_await_signal (data, "activate", timeout > 0 ? timeout : -1, NULL, &o->error);
  if (o->ok)
    o->text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (data)));
  o->thread = g_thread_self ();
  o->depth = g_main_depth ();
  o->done = TRUE;
}

static GtkWidget *
entry_in_window (Outcome *o,
                 int      timeout_ms)
{
  GtkWidget *entry = gtk_entry_new ();

  gtk_test_window_new (entry, 240, 60);
  g_object_set_data (G_OBJECT (entry), "outcome", o);
  g_object_set_data (G_OBJECT (entry), "timeout-ms", GINT_TO_POINTER (timeout_ms));
  return entry;
}

static void
test_emission (void **state)
{
  Outcome o = { 0 };
  GtkWidget *entry = entry_in_window (&o, 0);
  g_autoptr(GtkloopTask) task = gtkloop_spawn (await_activate, entry, NULL);

  gtk_test_run_for (0.05);
  assert_false (o.done);
  assert_true (g_signal_has_handler_pending (entry, g_signal_lookup ("activate", GTK_TYPE_ENTRY), 0, FALSE));
  gtk_editable_set_text (GTK_EDITABLE (entry), "300");
  g_signal_emit_by_name (entry, "activate");   /* what Enter in the entry ends in */
  gtk_test_run_until (&o.done, 2.0);
  assert_true (o.ok);
  assert_string_equal (o.text, "300");
  assert_ptr_equal (o.thread, g_thread_self ());
  assert_int_equal (o.depth, 1);
  /* The handler is gone. */
  assert_false (g_signal_has_handler_pending (entry, g_signal_lookup ("activate", GTK_TYPE_ENTRY), 0, FALSE));
  gtk_test_screenshot (gtk_widget_get_ancestor (entry, GTK_TYPE_WINDOW), "test-gtk-await-signal");
  outcome_clear (&o);
}

static void
test_arguments (void **state)
{
  GtkAdjustment *adj = g_object_ref_sink (gtk_adjustment_new (0, 0, 100, 1, 10, 0));
  g_autoptr(GtkloopFuture) f = gtkloop_signal_future_new (adj, "notify::value", 1.0, NULL);
  GArray *args;

  gtk_adjustment_set_value (adj, 42);
  gtk_adjustment_set_value (adj, 43);   /* only the first emission counts */
  gtk_test_run_until_done (f, 1.0);
  args = gtkloop_future_get_result (f, NULL);
  assert_non_null (args);
  assert_int_equal (args->len, 1);
  assert_string_equal (g_param_spec_get_name (g_value_get_param (&g_array_index (args, GValue, 0))),
                       "value");
  g_object_unref (adj);
}

static void
test_timeout (void **state)
{
  Outcome o = { 0 };
  GtkWidget *entry = entry_in_window (&o, 100);
  g_autoptr(GtkloopTask) task = gtkloop_spawn (await_activate, entry, NULL);
  double t0 = gtk_test_now ();

  gtk_test_run_until (&o.done, 2.0);
  assert_false (o.ok);
  assert_true (g_error_matches (o.error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  assert_true (gtk_test_now () - t0 >= 0.1);
  assert_true (gtk_test_now () - t0 < 2.0);
  assert_false (g_signal_has_handler_pending (entry, g_signal_lookup ("activate", GTK_TYPE_ENTRY), 0, FALSE));
  outcome_clear (&o);
}

static void
test_task_cancelled (void **state)
{
  Outcome o = { 0 };
  GtkWidget *entry = entry_in_window (&o, 0);
  g_autoptr(GtkloopTask) task = gtkloop_spawn (await_activate, entry, NULL);

  gtk_test_run_for (0.05);
  gtkloop_task_cancel (task, "bye");
  gtk_test_run_until (&o.done, 2.0);
  assert_true (g_error_matches (o.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  gtk_test_run_for (0.02);
  assert_false (g_signal_has_handler_pending (entry, g_signal_lookup ("activate", GTK_TYPE_ENTRY), 0, FALSE));
  outcome_clear (&o);
}

static void
test_instance_disposed (void **state)
{
  Outcome o = { 0 };
  GtkWidget *entry = entry_in_window (&o, 0);
  g_autoptr(GtkloopTask) task = gtkloop_spawn (await_activate, entry, NULL);

  gtk_test_run_for (0.05);
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (entry)));
  gtk_test_run_until_done (GTKLOOP_FUTURE (task), 2.0);
  /* The awaited future was cancelled, so the task ended cancelled. */
  assert_true (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (task)));
  outcome_clear (&o);
}

static gpointer
cancel_later (gpointer cancellable)
{
  g_usleep (50 * 1000);
  g_cancellable_cancel (cancellable);
  return NULL;
}

static void
test_cancellable_from_thread (void **state)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  GCancellable *cancellable = g_cancellable_new ();
  g_autoptr(GtkloopFuture) f = gtkloop_signal_future_new (object, "notify", -1, cancellable);
  GThread *thread = g_thread_new ("canceller", cancel_later, cancellable);
  g_autoptr(GError) error = NULL;

  gtk_test_run_until_done (f, 2.0);
  g_thread_join (thread);
  assert_true (gtkloop_future_is_cancelled (f));
  assert_null (gtkloop_future_get_result (f, &error));
  assert_string_equal (error->message, "cancelled through its GCancellable");
  gtk_test_run_for (0.02);
  assert_false (g_signal_has_handler_pending (object, g_signal_lookup ("notify", G_TYPE_OBJECT), 0, FALSE));
  g_object_unref (cancellable);
  g_object_unref (object);
}

static void
test_cancelled_cancellable (void **state)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  GCancellable *cancellable = g_cancellable_new ();
  g_autoptr(GtkloopFuture) f = NULL;

  g_cancellable_cancel (cancellable);
  f = gtkloop_signal_future_new (object, "notify", -1, cancellable);
  gtk_test_run_until_done (f, 2.0);
  assert_true (gtkloop_future_is_cancelled (f));
  g_object_unref (cancellable);
  g_object_unref (object);
}

static gpointer
notify_from_thread (gpointer object)
{
  g_object_notify (object, "title");
  return NULL;
}

static void
test_emission_from_thread (void **state)
{
  GtkWidget *window = GTK_WIDGET (gtk_test_window_new (NULL, 100, 50));
  g_autoptr(GtkloopFuture) f = gtkloop_signal_future_new (window, "notify::title", 2.0, NULL);

  /* GObject allows notify from any thread: the result is posted. */
  g_thread_join (g_thread_new ("notifier", notify_from_thread, window));
  assert_false (gtkloop_future_is_done (f));
  gtk_test_run_until_done (f, 2.0);
  assert_non_null (gtkloop_future_get_result (f, NULL));
}

static void
test_not_in_task (void **state)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GError) error = NULL;

  assert_false (gtkloop_await_signal (object, "notify", 1.0, NULL, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_NOT_IN_TASK));
  assert_false (g_signal_has_handler_pending (object, g_signal_lookup ("notify", G_TYPE_OBJECT), 0, FALSE));
  g_object_unref (object);
}

static void
test_no_such_signal (void **state)
{
  GObject *object = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr(GtkloopFuture) f = gtkloop_signal_future_new (object, "clicked", 1.0, NULL);

  assert_true (gtkloop_future_is_done (f));
  assert_true (g_error_matches (gtkloop_future_get_error (f), G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  g_object_unref (object);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_emission, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_arguments, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_timeout, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_task_cancelled, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_instance_disposed, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_cancellable_from_thread, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_cancelled_cancellable, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_emission_from_thread, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_not_in_task, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_no_such_signal, gtk_test_setup, gtk_test_teardown),
  };

  return cmocka_run_group_tests (tests, gtk_test_group_setup, NULL);
}
