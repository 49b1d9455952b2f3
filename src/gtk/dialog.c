/* A dialog's answer as a future, for GTK 4.8's signal-based dialogs
 * (GtkDialog and its GtkMessageDialog, GtkNativeDialog and its
 * GtkFileChooserNative): no gtk_dialog_run (), no nested main loop. The
 * task awaiting the answer is suspended while the loop — and the whole GUI —
 * goes on.
 *
 * The answer future wraps a signal future for ::response: the signal side
 * settles the answer, and an answer cancelled from outside (the awaiting
 * task was cancelled) stops listening and hides the dialog. */
#include "config.h"

#include "gtk-private.h"

typedef struct
{
  gint            ref_count;  /* (atomic) */
  GtkloopFuture  *answer;     /* (owned) the future handed out */
  GtkloopFuture  *response;   /* (owned) next ::response emission */
  GWeakRef        dialog;
  gboolean        native;
} ResponseWait;

static ResponseWait *
response_wait_ref (ResponseWait *rw)
{
  g_atomic_int_inc (&rw->ref_count);
  return rw;
}

static void
response_wait_unref (gpointer data)
{
  ResponseWait *rw = data;

  if (!g_atomic_int_dec_and_test (&rw->ref_count))
    return;
  gtkloop_future_unref (rw->answer);
  gtkloop_future_unref (rw->response);
  g_weak_ref_clear (&rw->dialog);
  g_free (rw);
}

static void
response_done (GtkloopFuture *response,
               gpointer       data)
{
  ResponseWait *rw = data;
  g_autoptr(GError) error = NULL;
  GArray *args = gtkloop_future_get_result (response, &error);

  if (args != NULL)
    gtkloop_future_set_result (rw->answer,
                               GINT_TO_POINTER (g_value_get_int (&g_array_index (args, GValue, 0))),
                               NULL);
  else if (gtkloop_future_is_cancelled (response))
    gtkloop_future_cancel (rw->answer, error->message);
  else
    gtkloop_future_set_error (rw->answer, g_steal_pointer (&error));
}

static void
answer_done (GtkloopFuture *answer,
             gpointer       data)
{
  ResponseWait *rw = data;
  gpointer dialog;

  if (!gtkloop_future_is_cancelled (answer) || gtkloop_future_is_done (rw->response))
    return;

  /* Cancelled from outside while the dialog was up: nobody will read its
   * answer any more, so take it off the screen. */
  gtkloop_future_cancel (rw->response, NULL);
  dialog = g_weak_ref_get (&rw->dialog);
  if (dialog == NULL)
    return;
  if (rw->native)
    gtk_native_dialog_hide (dialog);
  else
    gtk_widget_hide (dialog);
  g_object_unref (dialog);
}

static GtkloopFuture *
response_future_new (gpointer dialog,
                     gboolean native)
{
  ResponseWait *rw = g_new0 (ResponseWait, 1);

  rw->ref_count = 1;
  rw->answer = gtkloop_future_new (gtkloop_gtk_get_loop ());
  rw->response = gtkloop_signal_future_new (dialog, "response", -1, NULL);
  rw->native = native;
  g_weak_ref_init (&rw->dialog, dialog);
  gtkloop_future_add_done_callback (rw->response, response_done,
                                    response_wait_ref (rw), response_wait_unref);
  gtkloop_future_add_done_callback (rw->answer, answer_done, rw, response_wait_unref);
  return gtkloop_future_ref (rw->answer);
}

/* The response id, or GTK_RESPONSE_NONE with @error set. */
static int
await_answer (const char          *function,
              GtkloopGtkFutureNew  show,
              gpointer             dialog,
              GError             **error)
{
  g_autoptr(GtkloopFuture) answer = gtkloop_gtk_await_new_future (function, show, dialog, error);

  if (answer == NULL)
    return GTK_RESPONSE_NONE;
  return GPOINTER_TO_INT (gtkloop_future_get_result (answer, NULL));
}

/**
 * gtkloop_dialog_response_future_new:
 * @dialog: a #GtkDialog, for instance a #GtkMessageDialog
 *
 * A future for @dialog's next #GtkDialog::response. Its result is the
 * response id: read it with `GPOINTER_TO_INT (gtkloop_future_get_result
 * (f, NULL))`. Closing the dialog answers %GTK_RESPONSE_DELETE_EVENT, as
 * GTK does. The future is cancelled when the dialog is disposed first;
 * cancelling it hides the dialog. It does not show the dialog: see
 * gtkloop_await_dialog_response(). Loop thread only: GTK's thread, whose
 * loop is gtkloop_gtk_get_loop().
 *
 * Returns: (transfer full): the future
 *
 * Since: 0.1
 */
GtkloopFuture *
gtkloop_dialog_response_future_new (GtkDialog *dialog)
{
  g_return_val_if_fail (GTK_IS_DIALOG (dialog), NULL);

  return response_future_new (dialog, FALSE);
}

/* Listens for the answer, then presents the dialog. */
static GtkloopFuture *
present_dialog (gpointer dialog)
{
  GtkloopFuture *answer = gtkloop_dialog_response_future_new (dialog);

  gtk_window_present (GTK_WINDOW (dialog));
  return answer;
}

/**
 * gtkloop_await_dialog_response:
 * @dialog: a #GtkDialog, for instance a #GtkMessageDialog
 * @error: return location for a #GError
 *
 * Presents @dialog and suspends the current task until it answers — what
 * gtk_dialog_run() did with a nested main loop, done by suspending the
 * task instead. Cancelling the task hides the dialog. The dialog is left
 * as it is after the answer; destroy it with gtk_window_destroy() when
 * done.
 *
 * |[<!-- language="C" -->
 * GtkWidget *ask = gtk_message_dialog_new (window, GTK_DIALOG_MODAL, GTK_MESSAGE_QUESTION,
 *                                          GTK_BUTTONS_YES_NO, "Overwrite %s?", name);
 * int answer = gtkloop_await_dialog_response (GTK_DIALOG (ask), NULL);
 * gtk_window_destroy (GTK_WINDOW (ask));
 * if (answer != GTK_RESPONSE_YES)
 *   return;
 * ]|
 *
 * Inside a task only, on GTK's thread. While the loop closes, it fails at
 * once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: the response id; %GTK_RESPONSE_NONE with @error set when the
 *   task was cancelled, the dialog disposed first (%G_IO_ERROR_CANCELLED),
 *   or the call was not made from a task
 *
 * Since: 0.1
 */
int
gtkloop_await_dialog_response (GtkDialog *dialog,
                               GError   **error)
{
  g_return_val_if_fail (GTK_IS_DIALOG (dialog), GTK_RESPONSE_NONE);

  return await_answer (G_STRFUNC, present_dialog, dialog, error);
}

/**
 * gtkloop_native_dialog_response_future_new:
 * @dialog: a #GtkNativeDialog, for instance a #GtkFileChooserNative
 *
 * A future for @dialog's next #GtkNativeDialog::response; the result is
 * the response id, as for gtkloop_dialog_response_future_new(). Cancelling
 * it hides the dialog. Loop thread only: GTK's thread, whose loop is
 * gtkloop_gtk_get_loop(). Once that loop is closed no task awaits the
 * future any more, and done callbacks added to it no longer run.
 *
 * Returns: (transfer full): the future
 *
 * Since: 0.1
 */
GtkloopFuture *
gtkloop_native_dialog_response_future_new (GtkNativeDialog *dialog)
{
  g_return_val_if_fail (GTK_IS_NATIVE_DIALOG (dialog), NULL);

  return response_future_new (dialog, TRUE);
}

static GtkloopFuture *
show_native_dialog (gpointer dialog)
{
  GtkloopFuture *answer = gtkloop_native_dialog_response_future_new (dialog);

  gtk_native_dialog_show (dialog);
  return answer;
}

/**
 * gtkloop_await_native_dialog_response:
 * @dialog: a #GtkNativeDialog, for instance a #GtkFileChooserNative
 * @error: return location for a #GError
 *
 * Shows @dialog and suspends the current task until it answers.
 *
 * |[<!-- language="C" -->
 * g_autoptr(GtkFileChooserNative) chooser =
 *   gtk_file_chooser_native_new ("Open", window, GTK_FILE_CHOOSER_ACTION_OPEN, NULL, NULL);
 * if (gtkloop_await_native_dialog_response (GTK_NATIVE_DIALOG (chooser), NULL) == GTK_RESPONSE_ACCEPT)
 *   {
 *     g_autoptr(GFile) file = gtk_file_chooser_get_file (GTK_FILE_CHOOSER (chooser));
 *     …
 *   }
 * ]|
 *
 * Inside a task only, on GTK's thread. While the loop closes, it fails at
 * once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: the response id, or %GTK_RESPONSE_NONE with @error set
 *
 * Since: 0.1
 */
int
gtkloop_await_native_dialog_response (GtkNativeDialog *dialog,
                                      GError         **error)
{
  g_return_val_if_fail (GTK_IS_NATIVE_DIALOG (dialog), GTK_RESPONSE_NONE);

  return await_answer (G_STRFUNC, show_native_dialog, dialog, error);
}
