/* Futures and done callbacks (seed 000, "Future" and "success callbacks";
 * seed 001, "asyncio.Future"; seed 002, "Future callbacks"): a future is a
 * result that is not there yet. Whoever has it can await it, or attach
 * callbacks that the loop runs once it is done, in the order they were
 * added. A result is a pointer with its destroy notify; an error is a
 * GError; a cancellation is G_IO_ERROR_CANCELLED. */
#include <gtkloop/gtkloop.h>

#define PY_BOOL(b) ((b) ? "True" : "False")

static void
callback (GtkloopFuture *future,
          gpointer       data)
{
  g_print ("Result: %s\n", (char *) gtkloop_future_get_result (future, NULL));
}

/* functools.partial (callback2, n=1): in C, the user_data pointer. */
static void
callback2 (GtkloopFuture *future,
           gpointer       n)
{
  g_print ("Result: %s, N: %d\n", (char *) gtkloop_future_get_result (future, NULL),
           GPOINTER_TO_INT (n));
}

typedef struct {
  GtkloopFuture *future;
  char          *result;
} MarkDone;

static void
mark_done_free (gpointer data)
{
  MarkDone *md = data;

  gtkloop_future_unref (md->future);
  g_free (md->result);
  g_free (md);
}

static void
mark_done (gpointer data)
{
  MarkDone *md = data;

  g_print ("Set to: %s\n", md->result);
  gtkloop_future_set_result (md->future, g_steal_pointer (&md->result), g_free);
}

static void
report_cancelled (GtkloopFuture *future,
                  gpointer       data)
{
  g_print ("callback: cancelled: %s\n", PY_BOOL (gtkloop_future_is_cancelled (future)));
}

static void
main_task (GtkloopTask *task,
           gpointer     data)
{
  GtkloopLoop *loop = gtkloop_loop_get_running ();
  g_autoptr(GError) error = NULL;

  g_print ("-- a result\n");
  g_autoptr(GtkloopFuture) fut = gtkloop_future_new (loop);
  g_print ("done: %s\n", PY_BOOL (gtkloop_future_is_done (fut)));
  gtkloop_future_add_done_callback (fut, callback, NULL, NULL);
  gtkloop_future_add_done_callback (fut, callback2, GINT_TO_POINTER (1), NULL);

  MarkDone *md = g_new0 (MarkDone, 1);
  md->future = gtkloop_future_ref (fut);
  md->result = g_strdup ("the result");
  gtkloop_loop_call_soon (loop, mark_done, md, mark_done_free);

  if (!gtkloop_await (fut, &error))
    return gtkloop_task_return_error (task, g_steal_pointer (&error));
  g_print ("awaited: %s\n", (char *) gtkloop_future_get_result (fut, NULL));
  g_print ("done: %s, result: %s\n", PY_BOOL (gtkloop_future_is_done (fut)),
           (char *) gtkloop_future_get_result (fut, NULL));
  if (!gtkloop_future_set_result (fut, g_strdup ("another"), g_free))
    g_print ("a second set_result is refused\n");   /* the value was freed */

  g_print ("-- an error\n");
  g_autoptr(GtkloopFuture) failing = gtkloop_future_new (loop);
  gtkloop_future_set_error (failing, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                                                          "bad value"));
  g_print ("exception: %s\n", gtkloop_future_get_error (failing)->message);
  if (!gtkloop_await (failing, &error))
    {
      g_print ("await raised: %s\n", error->message);
      g_clear_error (&error);
    }

  g_print ("-- a cancellation\n");
  g_autoptr(GtkloopFuture) dropped = gtkloop_future_new (loop);
  gtkloop_future_add_done_callback (dropped, report_cancelled, NULL, NULL);
  gtkloop_future_add_done_callback (dropped, callback, NULL, NULL);
  g_print ("removed: %u\n", gtkloop_future_remove_done_callback (dropped, callback, NULL));
  g_print ("cancel: %s\n", PY_BOOL (gtkloop_future_cancel (dropped, "no longer needed")));
  g_print ("cancel again: %s\n", PY_BOOL (gtkloop_future_cancel (dropped, NULL)));
  if (!gtkloop_await (dropped, &error)
      && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_print ("await raised CancelledError: %s\n", error->message);
  g_print ("cancelled: %s\n", PY_BOOL (gtkloop_future_is_cancelled (dropped)));

  /* The last await failed with G_IO_ERROR_CANCELLED: returning now would
   * pass the cancellation on (Python's bare "raise"), and this task would
   * end cancelled. Returning a value is C's "except CancelledError: pass". */
  gtkloop_task_return (task, NULL, NULL);
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  if (!gtkloop_run (main_task, NULL, &error))
    g_error ("%s", error->message);
  return 0;
}
