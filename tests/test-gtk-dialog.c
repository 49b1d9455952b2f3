/* gtkloop_await_dialog_response / gtkloop_await_native_dialog_response:
 * GTK 4.8's signal-based dialogs awaited from a task, no nested main loop,
 * the rest of the GUI running meanwhile. */
#include "config.h"

#include "test-gtk-util.h"

typedef struct
{
  GtkWidget *dialog;       /* GtkDialog or (as a pointer) GtkNativeDialog */
  gboolean   native;
  int        answer;
  GError    *error;
  gboolean   done;
  int        depth;        /* g_main_depth () after the answer */
  char      *file;         /* native: the chosen file's basename */
} Asker;

static void
ask (GtkloopTask *task,
     gpointer     data)
{
  Asker *a = data;

  if (a->native)
    {
      a->answer = gtkloop_await_native_dialog_response (GTK_NATIVE_DIALOG (a->dialog), &a->error);
      if (a->answer == GTK_RESPONSE_ACCEPT)
        {
          g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (a->dialog));

          a->file = file ? g_file_get_basename (file) : NULL;
        }
    }
  else
    {
      a->answer = gtkloop_await_dialog_response (GTK_DIALOG (a->dialog), &a->error);
    }
  a->depth = g_main_depth ();
  a->done = TRUE;
}

static void
count_steps (GtkloopTask *task,
             gpointer     data)
{
  while (gtkloop_sleep (0.01, NULL))
    (*(int *) data)++;
}

static GtkWidget *
question (GtkWindow *parent)
{
  if (parent == NULL)
    parent = gtk_test_window_new (gtk_label_new ("parent"), 300, 200);
  return gtk_message_dialog_new (parent, GTK_DIALOG_MODAL, GTK_MESSAGE_QUESTION,
                                 GTK_BUTTONS_YES_NO, "Overwrite result.txt?");
}

static void
asker_clear (Asker *a)
{
  g_clear_error (&a->error);
  g_free (a->file);
}

static void
test_message_dialog_yes (void **state)
{
  GtkWindow *parent = gtk_test_window_new (gtk_label_new ("parent"), 300, 200);
  Asker a = { .dialog = question (parent) };
  g_autoptr(GtkloopTask) task = gtkloop_spawn (ask, &a, NULL);
  g_autoptr(GtkloopTask) ticker = NULL;
  int steps = 0;

  ticker = gtkloop_spawn (count_steps, &steps, NULL);
  gtk_test_run_for (0.3);
  assert_true (gtk_widget_get_visible (a.dialog));
  assert_false (a.done);
  /* The loop goes on while the question is up: ten more ticks. Counted, not
   * timed: the dialog's first map can take most of a second under ASan. */
  gtk_test_run_until_count (&steps, steps + 10, 5.0);
  assert_true (gtk_widget_get_visible (a.dialog));
  assert_false (a.done);
  gtk_test_screenshot (a.dialog, "test-gtk-dialog");

  /* Enter on the dialog's Yes button. */
  gtk_widget_activate (gtk_dialog_get_widget_for_response (GTK_DIALOG (a.dialog), GTK_RESPONSE_YES));
  gtk_test_run_until (&a.done, 2.0);
  assert_int_equal (a.answer, GTK_RESPONSE_YES);
  assert_null (a.error);
  assert_int_equal (a.depth, 1);   /* resumed by the one main loop, not a nested one */
  gtkloop_task_cancel (ticker, NULL);
  gtk_window_destroy (GTK_WINDOW (a.dialog));
  asker_clear (&a);
}

static void
test_close_answers_delete_event (void **state)
{
  Asker a = { .dialog = question (NULL) };
  g_autoptr(GtkloopTask) task = gtkloop_spawn (ask, &a, NULL);

  gtk_test_run_for (0.1);
  gtk_window_close (GTK_WINDOW (a.dialog));   /* the window manager's close button */
  gtk_test_run_until (&a.done, 2.0);
  assert_int_equal (a.answer, GTK_RESPONSE_DELETE_EVENT);
  /* GtkDialog's close-request destroys the dialog after answering. */
  asker_clear (&a);
}

static void
test_cancel_hides_dialog (void **state)
{
  Asker a = { .dialog = question (NULL) };
  g_autoptr(GtkloopTask) task = gtkloop_spawn (ask, &a, NULL);

  gtk_test_run_for (0.1);
  assert_true (gtk_widget_get_visible (a.dialog));
  gtkloop_task_cancel (task, NULL);
  gtk_test_run_until (&a.done, 2.0);
  gtk_test_run_for (0.02);
  assert_int_equal (a.answer, GTK_RESPONSE_NONE);
  assert_true (g_error_matches (a.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  assert_false (gtk_widget_get_visible (a.dialog));
  assert_false (g_signal_has_handler_pending (a.dialog, g_signal_lookup ("response", GTK_TYPE_DIALOG),
                                              0, FALSE));
  gtk_window_destroy (GTK_WINDOW (a.dialog));
  asker_clear (&a);
}

static void
test_dialog_destroyed (void **state)
{
  Asker a = { .dialog = question (NULL) };
  g_autoptr(GtkloopTask) task = gtkloop_spawn (ask, &a, NULL);

  gtk_test_run_for (0.1);
  /* gtk_window_destroy answers nothing; the dialog goes away: cancelled. */
  gtk_window_destroy (GTK_WINDOW (a.dialog));
  gtk_test_run_until (&a.done, 2.0);
  assert_int_equal (a.answer, GTK_RESPONSE_NONE);
  assert_true (g_error_matches (a.error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  asker_clear (&a);
}

static GtkWidget *
find_toplevel (GType type)
{
  GListModel *toplevels = gtk_window_get_toplevels ();

  for (guint i = 0; i < g_list_model_get_n_items (toplevels); i++)
    {
      g_autoptr(GObject) window = g_list_model_get_item (toplevels, i);

      if (G_TYPE_CHECK_INSTANCE_TYPE (window, type))
        return GTK_WIDGET (window);
    }
  return NULL;
}

static gboolean
chooser_has_file (GtkWidget *chooser)
{
  g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));

  return file != NULL;
}

static void
test_file_chooser_native (void **state)
{
  GtkWindow *parent = gtk_test_window_new (gtk_label_new ("parent"), 300, 200);
  g_autoptr(GtkFileChooserNative) chooser =
    gtk_file_chooser_native_new ("Save result", parent, GTK_FILE_CHOOSER_ACTION_SAVE, "_Save", "_Cancel");
  g_autoptr(GFile) folder = g_file_new_for_path (g_get_tmp_dir ());
  Asker a = { .dialog = (GtkWidget *) chooser, .native = TRUE };
  g_autoptr(GtkloopTask) task = NULL;
  GtkWidget *fallback = NULL;

  gtk_file_chooser_set_current_folder (GTK_FILE_CHOOSER (chooser), folder, NULL);
  gtk_file_chooser_set_current_name (GTK_FILE_CHOOSER (chooser), "result.txt");
  task = gtkloop_spawn (ask, &a, NULL);

  /* Without a portal (GTK_USE_PORTAL=0), GTK shows its own file chooser
   * dialog on the native dialog's behalf. */
  for (int i = 0; i < 200 && (fallback = find_toplevel (GTK_TYPE_FILE_CHOOSER_DIALOG)) == NULL; i++)
    gtk_test_run_for (0.01);
  assert_non_null (fallback);
  /* The chooser fills in its folder asynchronously; until it has, Save is
   * silently refused, as it would be for a user clicking that early. */
  for (int i = 0; i < 500 && !chooser_has_file (fallback); i++)
    gtk_test_run_for (0.01);
  assert_true (chooser_has_file (fallback));
  gtk_test_run_for (0.1);
  assert_false (a.done);

  gtk_dialog_response (GTK_DIALOG (fallback), GTK_RESPONSE_ACCEPT);   /* its Save button */
  gtk_test_run_until (&a.done, 5.0);
  assert_int_equal (a.answer, GTK_RESPONSE_ACCEPT);
  assert_string_equal (a.file, "result.txt");
  asker_clear (&a);
}

static void
test_not_in_task (void **state)
{
  GtkWidget *dialog = question (NULL);
  g_autoptr(GError) error = NULL;

  assert_int_equal (gtkloop_await_dialog_response (GTK_DIALOG (dialog), &error), GTK_RESPONSE_NONE);
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_NOT_IN_TASK));
  assert_false (gtk_widget_get_visible (dialog));   /* not shown */
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_message_dialog_yes, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_close_answers_delete_event, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_cancel_hides_dialog, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_dialog_destroyed, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_file_chooser_native, gtk_test_setup, gtk_test_teardown),
    cmocka_unit_test_setup_teardown (test_not_in_task, gtk_test_setup, gtk_test_teardown),
  };

  return cmocka_run_group_tests (tests, gtk_test_group_setup, NULL);
}
