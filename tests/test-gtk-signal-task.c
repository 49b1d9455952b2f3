/* gtkloop_signal_connect_task: each emission a task, the three re-entry
 * policies, arguments that outlive the emission, and the end of the
 * connection (disconnect, instance disposed, emission from a thread). */
#include "config.h"

#include "test-gtk-util.h"

/* An object with a signal that carries a string, an int and an object, and
 * one with a return value. */
#define TEST_TYPE_EMITTER (test_emitter_get_type ())
G_DECLARE_FINAL_TYPE (TestEmitter, test_emitter, TEST, EMITTER, GObject)
struct _TestEmitter { GObject parent_instance; };
G_DEFINE_FINAL_TYPE (TestEmitter, test_emitter, G_TYPE_OBJECT)
static void test_emitter_init (TestEmitter *self) { }
static void
test_emitter_class_init (TestEmitterClass *klass)
{
  g_signal_new ("ping", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_NONE, 3, G_TYPE_STRING, G_TYPE_INT, G_TYPE_OBJECT);
  g_signal_new ("ask", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                G_TYPE_BOOLEAN, 0);
}

typedef struct
{
  int       started;
  int       finished;
  int       cancelled;
  int       running;
  int       max_running;
  double    sleep_s;
  GString  *log;
  GThread  *thread;          /* where the tasks ran */
  gboolean  wrong_thread;
  int       destroyed;       /* user data destroy notify */
  char     *ping_text;
  int       ping_number;
  GObject  *ping_object;
} Record;

static void
record_clear (Record *r)
{
  g_string_free (r->log, TRUE);
  g_free (r->ping_text);
  g_clear_object (&r->ping_object);
}

static void
count_destroy (gpointer data)
{
  ((Record *) data)->destroyed++;
}

/* Sleeps r->sleep_s; logs "start N", "end N" or "cancel N". */
static void
sleeper (GtkloopTask  *task,
         gpointer      instance,
         const GValue *args,
         guint         n_args,
         gpointer      data)
{
  Record *r = data;
  int me = ++r->started;

  r->wrong_thread |= g_thread_self () != r->thread;
  r->running++;
  r->max_running = MAX (r->max_running, r->running);
  g_string_append_printf (r->log, "start %d;", me);
  if (gtkloop_sleep (r->sleep_s, NULL))
    {
      r->finished++;
      g_string_append_printf (r->log, "end %d;", me);
    }
  else
    {
      r->cancelled++;
      g_string_append_printf (r->log, "cancel %d;", me);
    }
  r->running--;
}

static GtkWidget *
clickable_button (Record *r,
                  GtkloopReentryPolicy policy)
{
  GtkWidget *button = gtk_button_new_with_label ("Go");

  gtkloop_signal_connect_task (button, "clicked", sleeper, r, count_destroy, policy);
  gtk_test_window_new (button, 200, 100);
  return button;
}

/* What a pointer click ends in. (gtk_widget_activate, the keyboard path,
 * emits ::clicked 250 ms later and only once per 250 ms: see
 * test_keyboard_activation.) */
static void
click (GtkWidget *button)
{
  g_signal_emit_by_name (button, "clicked");
}

/* Closes the button's window and waits for the connection's user data to
 * be released: Record lives on the test's stack. */
static void
close_and_clear (Record    *r,
                 GtkWidget *button)
{
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (button)));
  while (r->destroyed == 0)
    gtk_test_run_for (0.01);
  assert_int_equal (r->destroyed, 1);
  record_clear (r);
}

static void
record_init (Record *r,
             double  sleep_s)
{
  memset (r, 0, sizeof *r);
  r->sleep_s = sleep_s;
  r->log = g_string_new (NULL);
  r->thread = g_thread_self ();
}

static void
test_concurrent (void **state)
{
  Record r;
  GtkWidget *button;

  record_init (&r, 0.3);
  button = clickable_button (&r, GTKLOOP_REENTRY_CONCURRENT);
  for (int i = 0; i < 3; i++)
    click (button);
  assert_int_equal (r.started, 0);  /* tasks start on a later iteration */

  while (r.finished < 3)
    gtk_test_run_for (0.01);
  assert_int_equal (r.started, 3);
  assert_int_equal (r.max_running, 3);
  assert_int_equal (r.cancelled, 0);
  assert_false (r.wrong_thread);
  gtk_test_screenshot (gtk_widget_get_ancestor (button, GTK_TYPE_WINDOW), "test-gtk-signal-task");

  close_and_clear (&r, button);
}

static void
test_keyboard_activation (void **state)
{
  Record r;
  GtkWidget *button;
  double t0;

  record_init (&r, 0.1);
  button = clickable_button (&r, GTKLOOP_REENTRY_IGNORE);
  t0 = gtk_test_now ();
  gtk_widget_activate (button);   /* Enter on a focused button */
  while (r.finished < 1)
    gtk_test_run_for (0.01);
  /* GTK animates the press for 250 ms, then emits ::clicked. */
  assert_true (gtk_test_now () - t0 >= 0.25 + 0.1);
  assert_true (gtk_test_now () - t0 < 0.25 + 0.1 + 1.0);   /* generous: shared machines */
  assert_int_equal (r.started, 1);
  close_and_clear (&r, button);
}

static void
test_ignore (void **state)
{
  Record r;
  GtkWidget *button;
  double t0;

  record_init (&r, 0.3);
  button = clickable_button (&r, GTKLOOP_REENTRY_IGNORE);
  t0 = gtk_test_now ();
  click (button);
  gtk_test_run_for (0.1);
  click (button);      /* ignored: the first still runs */
  click (button);
  while (r.finished < 1)
    gtk_test_run_for (0.01);
  assert_true (gtk_test_now () - t0 < 0.3 + 1.0);
  gtk_test_run_for (0.05);
  assert_int_equal (r.started, 1);

  click (button);      /* accepted: nothing runs now */
  while (r.finished < 2)
    gtk_test_run_for (0.01);
  assert_int_equal (r.started, 2);
  assert_string_equal (r.log->str, "start 1;end 1;start 2;end 2;");
  close_and_clear (&r, button);
}

static void
test_restart (void **state)
{
  Record r;
  GtkWidget *button;

  record_init (&r, 0.3);
  button = clickable_button (&r, GTKLOOP_REENTRY_RESTART);
  click (button);
  gtk_test_run_for (0.1);
  click (button);      /* cancels the first, then runs */
  click (button);      /* cancels the second before it began */
  while (r.finished < 1)
    gtk_test_run_for (0.01);
  gtk_test_run_for (0.05);
  /* The one cancelled while waiting for its predecessor never ran its
   * function; the last one started only after the first had finished. */
  assert_string_equal (r.log->str, "start 1;cancel 1;start 2;end 2;");
  assert_int_equal (r.max_running, 1);
  close_and_clear (&r, button);
}

static void
remember_ping (GtkloopTask  *task,
               gpointer      instance,
               const GValue *args,
               guint         n_args,
               gpointer      data)
{
  Record *r = data;

  /* Read after a suspension point: the emission is long over. */
  if (!gtkloop_sleep (0.01, NULL) || n_args != 3)
    return;
  r->ping_text = g_value_dup_string (&args[0]);
  r->ping_number = g_value_get_int (&args[1]);
  r->ping_object = g_value_dup_object (&args[2]);
  r->finished++;
}

static void
test_arguments_outlive_emission (void **state)
{
  Record r;
  TestEmitter *emitter = g_object_new (TEST_TYPE_EMITTER, NULL);
  GObject *payload = g_object_new (G_TYPE_OBJECT, NULL);
  GWeakRef payload_ref;
  char *text = g_strdup ("hello");
  gboolean answer = TRUE;

  record_init (&r, 0);
  g_weak_ref_init (&payload_ref, payload);
  gtkloop_signal_connect_task (emitter, "ping", remember_ping, &r, count_destroy,
                               GTKLOOP_REENTRY_CONCURRENT);
  gtkloop_signal_connect_task (emitter, "ask", sleeper, &r, count_destroy,
                               GTKLOOP_REENTRY_CONCURRENT);
  g_signal_emit_by_name (emitter, "ping", text, 42, payload);
  /* The emitter's copies are gone before the task runs. */
  memset (text, 'x', 5);
  g_free (text);
  g_object_unref (payload);
  g_signal_emit_by_name (emitter, "ask", &answer);
  assert_false (answer);   /* the return type's zero value */

  while (r.finished < 2)
    gtk_test_run_for (0.01);
  assert_string_equal (r.ping_text, "hello");
  assert_int_equal (r.ping_number, 42);
  assert_non_null (r.ping_object);

  g_object_unref (emitter);
  assert_int_equal (r.destroyed, 2);
  /* The task's copy of the arguments was freed with the task. */
  g_clear_object (&r.ping_object);
  gtk_test_run_for (0.02);
  assert_null (g_weak_ref_get (&payload_ref));
  g_weak_ref_clear (&payload_ref);
  record_clear (&r);
}

static void
test_disconnect_cancels (void **state)
{
  Record r;
  TestEmitter *emitter = g_object_new (TEST_TYPE_EMITTER, NULL);
  gboolean answer;
  gulong id;

  record_init (&r, 10.0);
  id = gtkloop_signal_connect_task (emitter, "ask", sleeper, &r, count_destroy,
                                    GTKLOOP_REENTRY_CONCURRENT);
  assert_true (id != 0);
  g_signal_emit_by_name (emitter, "ask", &answer);
  g_signal_emit_by_name (emitter, "ask", &answer);
  gtk_test_run_for (0.05);
  assert_int_equal (r.running, 2);

  g_signal_handler_disconnect (emitter, id);
  assert_int_equal (r.destroyed, 0);   /* the tasks still use the data */
  while (r.cancelled < 2)
    gtk_test_run_for (0.01);
  gtk_test_run_for (0.02);
  assert_int_equal (r.destroyed, 1);   /* once, after the last task */
  g_signal_emit_by_name (emitter, "ask", &answer);
  gtk_test_run_for (0.02);
  assert_int_equal (r.started, 2);
  g_object_unref (emitter);
  record_clear (&r);
}

static void
test_window_closed_cancels (void **state)
{
  Record r;
  GtkWidget *button;

  record_init (&r, 10.0);
  button = clickable_button (&r, GTKLOOP_REENTRY_CONCURRENT);
  click (button);
  gtk_test_run_for (0.05);
  assert_int_equal (r.running, 1);

  /* Closing the window disposes the button: its task is cancelled. */
  gtk_window_destroy (GTK_WINDOW (gtk_widget_get_root (button)));
  while (r.cancelled < 1)
    gtk_test_run_for (0.01);
  gtk_test_run_for (0.02);
  assert_int_equal (r.destroyed, 1);
  assert_int_equal (r.finished, 0);
  record_clear (&r);
}

static gpointer
emit_from_thread (gpointer emitter)
{
  gboolean answer;

  g_signal_emit_by_name (emitter, "ask", &answer);
  return NULL;
}

static void
test_emission_from_thread (void **state)
{
  Record r;
  TestEmitter *emitter = g_object_new (TEST_TYPE_EMITTER, NULL);

  record_init (&r, 0);
  r.thread = g_thread_self ();
  gtkloop_signal_connect_task (emitter, "ask", sleeper, &r, count_destroy,
                               GTKLOOP_REENTRY_CONCURRENT);
  g_thread_join (g_thread_new ("emitter", emit_from_thread, emitter));
  while (r.finished < 1)
    gtk_test_run_for (0.01);
  assert_false (r.wrong_thread);   /* the task ran on the loop's thread */
  g_object_unref (emitter);
  assert_int_equal (r.destroyed, 1);
  record_clear (&r);
}

static void
test_bad_signal (void **state)
{
  Record r;
  GtkWidget *button = g_object_ref_sink (gtk_button_new ());

  record_init (&r, 0);
  test_criticals_begin ();
  assert_int_equal (gtkloop_signal_connect_task (button, "no-such-signal", sleeper, &r,
                                                 count_destroy, GTKLOOP_REENTRY_IGNORE), 0);
  assert_int_equal (test_criticals_end (), 1);
  assert_int_equal (r.destroyed, 1);
  g_object_unref (button);
  record_clear (&r);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_concurrent, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_keyboard_activation, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_ignore, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_restart, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_arguments_outlive_emission, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_disconnect_cancels, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_window_closed_cancels, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_emission_from_thread, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_bad_signal, gtk_test_setup, gtk_test_teardown),
  };

  return cmocka_run_group_tests (tests, gtk_test_group_setup, NULL);
}
