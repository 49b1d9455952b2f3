/* Scheduling callbacks (seed 000, "scheduling callbacks", lines 616-702):
 * call_soon runs callbacks on the next iteration in the order they were
 * registered; call_later after a delay; call_at at a time of the loop's
 * own clock, gtkloop_loop_time (monotonic seconds). Callbacks with the
 * same deadline run in the order they were scheduled. Each call returns a
 * handle id for gtkloop_loop_cancel. (The seed's 2 s and 1 s are 0.2 s
 * and 0.1 s here.) */
#include <gtkloop/gtkloop.h>

#define PY_BOOL(b) ((b) ? "True" : "False")

typedef struct {
  GtkloopFuture *future;
  const char    *result;
} MarkDone;

static void
mark_done_free (gpointer data)
{
  MarkDone *md = data;

  gtkloop_future_unref (md->future);
  g_free (md);
}

/* mark_done (fut, 'the result'): C callbacks take one pointer, so the
 * arguments travel in a struct that its destroy notify frees. */
static MarkDone *
mark_done_new (GtkloopFuture *future,
               const char    *result)
{
  MarkDone *md = g_new (MarkDone, 1);

  md->future = gtkloop_future_ref (future);
  md->result = result;
  return md;
}

static void
mark_done (gpointer data)
{
  MarkDone *md = data;

  g_print ("Set to: %s\n", md->result);
  gtkloop_future_set_result (md->future, (gpointer) md->result, NULL);
}

static void
print_cb (gpointer text)
{
  g_print ("%s\n", (char *) text);
}

static void
print_outcome (GtkloopFuture *fut)
{
  g_print ("Done: %s, Result: %s\n", PY_BOOL (gtkloop_future_is_done (fut)),
           (char *) gtkloop_future_get_result (fut, NULL));
}

static void
b1 (void)
{
  GtkloopLoop *loop = gtkloop_loop_get_running ();
  g_autoptr(GtkloopFuture) fut = gtkloop_future_new (loop);

  gtkloop_loop_call_soon (loop, mark_done, mark_done_new (fut, "the result"), mark_done_free);
  gtkloop_loop_call_soon (loop, print_cb, "Hello", NULL);
  gtkloop_loop_call_soon (loop, print_cb, "Greeting", NULL);
  g_print ("Done: %s\n", PY_BOOL (gtkloop_future_is_done (fut)));
  if (!gtkloop_sleep (0, NULL))
    return;
  print_outcome (fut);
}

static void
b2 (void)
{
  GtkloopLoop *loop = gtkloop_loop_get_running ();
  g_autoptr(GtkloopFuture) fut = gtkloop_future_new (loop);

  gtkloop_loop_call_later (loop, 0.2, mark_done, mark_done_new (fut, "the result"), mark_done_free);
  gtkloop_loop_call_later (loop, 0.1, print_cb, "Hello", NULL);
  gtkloop_loop_call_later (loop, 0.1, print_cb, "Greeting", NULL);
  g_print ("Done: %s\n", PY_BOOL (gtkloop_future_is_done (fut)));
  if (!gtkloop_sleep (0.2, NULL))
    return;
  print_outcome (fut);
}

static void
b3 (void)
{
  GtkloopLoop *loop = gtkloop_loop_get_running ();
  double now = gtkloop_loop_time (loop);
  g_autoptr(GtkloopFuture) fut = gtkloop_future_new (loop);

  gtkloop_loop_call_at (loop, now + 0.2, mark_done, mark_done_new (fut, "the result"), mark_done_free);
  gtkloop_loop_call_at (loop, now + 0.1, print_cb, "Hello", NULL);
  gtkloop_loop_call_at (loop, now + 0.1, print_cb, "Greeting", NULL);
  g_print ("Done: %s\n", PY_BOOL (gtkloop_future_is_done (fut)));
  if (!gtkloop_sleep (0.2, NULL))
    return;
  print_outcome (fut);
}

static void
handles (void)
{
  GtkloopLoop *loop = gtkloop_loop_get_running ();
  double start = gtkloop_loop_time (loop);
  guint64 h = gtkloop_loop_call_later (loop, 0.05, print_cb, "never printed", NULL);

  g_print ("cancelled: %s\n", PY_BOOL (gtkloop_loop_cancel (loop, h)));
  if (!gtkloop_sleep (0.1, NULL))
    return;
  g_print ("the clock moved on: %s\n", PY_BOOL (gtkloop_loop_time (loop) > start));
}

static void
main_task (GtkloopTask *task,
           gpointer     data)
{
  g_print ("-- b1\n");
  b1 ();
  g_print ("-- b2\n");
  b2 ();
  g_print ("-- b3\n");
  b3 ();
  g_print ("-- handles\n");
  handles ();
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  if (!gtkloop_run (main_task, NULL, &error))
    g_error ("%s", error->message);
  return 0;
}
