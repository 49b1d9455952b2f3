/* The event loop (seed 000, "Eventloop"; seed 001, "event_loop"): a loop
 * runs callbacks and tasks until it is told to stop. gtkloop_run () makes
 * a fresh loop, runs one task to its end, and closes the loop. */
#include <gtkloop/gtkloop.h>

/* Python's spelling of a boolean, so both programs print the same. */
#define PY_BOOL(b) ((b) ? "True" : "False")

static void
hello (gpointer data)
{
  GtkloopLoop *loop = data;

  g_print ("Hello World; the loop is running: %s\n", PY_BOOL (gtkloop_loop_is_running (loop)));
  gtkloop_loop_stop (loop);
}

static void
answer (GtkloopTask *task,
        gpointer     data)
{
  g_print ("answer: computing\n");
  if (!gtkloop_sleep (0, NULL))
    return;
  gtkloop_task_return (task, GINT_TO_POINTER (42), NULL);
}

static void
main_task (GtkloopTask *task,
           gpointer     data)
{
  GtkloopLoop *loop = gtkloop_loop_get_running ();

  g_print ("main: inside run(), running: %s\n", PY_BOOL (gtkloop_loop_is_running (loop)));
}

int
main (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopLoop) loop = gtkloop_loop_new (NULL);   /* NULL: the default GMainContext */

  gtkloop_loop_call_soon (loop, hello, loop, NULL);
  gtkloop_loop_run_forever (loop);
  g_print ("run_forever returned; running: %s\n", PY_BOOL (gtkloop_loop_is_running (loop)));

  g_autoptr(GtkloopTask) task = gtkloop_loop_create_task (loop, answer, NULL, NULL);
  if (!gtkloop_loop_run_until_complete (loop, GTKLOOP_FUTURE (task), &error))
    g_error ("%s", error->message);
  g_print ("run_until_complete gave %d\n",
           GPOINTER_TO_INT (gtkloop_future_get_result (GTKLOOP_FUTURE (task), NULL)));
  gtkloop_loop_close (loop);
  g_print ("closed: %s\n", PY_BOOL (gtkloop_loop_is_closed (loop)));

  if (!gtkloop_run (main_task, NULL, &error))
    g_error ("%s", error->message);
  g_print ("run() returned\n");
  return 0;
}
