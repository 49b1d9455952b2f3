/* Cancellation and shield (seed 000, "shield"; seed 002, "shield"): a
 * cancelled task sees its current (or next) suspension point fail with
 * G_IO_ERROR_CANCELLED. It may clean up and return (the task ends
 * cancelled: Python's "raise"), or catch it and go on, which C spells by
 * returning a value with gtkloop_task_return (the task ends with that
 * value). gtkloop_shield keeps a cancellation from reaching what it
 * protects. (Seed 000's "right order" output was made by Python 3.7; this
 * is 3.11's. Where the seed's a () sleeps 3 s, this one waits for main's
 * go-ahead, so it is still running when the gather returns however loaded
 * the machine is.) */
#include <gtkloop/gtkloop.h>

#define PY_BOOL(b) ((b) ? "True" : "False")

static void
a (GtkloopTask *task,
   gpointer     go_on)
{
  g_print ("Suspending a\n");
  if (!gtkloop_event_wait (go_on, NULL))
    return;
  g_print ("Resuming a\n");
  gtkloop_task_return (task, "A", NULL);
}

static void
b (GtkloopTask *task,
   gpointer     data)
{
  g_print ("Suspending b\n");
  if (!gtkloop_sleep (0.1, NULL))
    return;
  g_print ("Resuming b\n");
  gtkloop_task_return (task, "B", NULL);
}

static void
let_through (GtkloopTask *task,
             gpointer     data)
{
  if (!gtkloop_sleep (10, NULL))
    {
      g_print ("let_through: cleaning up\n");
      return;                   /* no value: the task ends cancelled */
    }
}

static void
catch_and_go_on (GtkloopTask *task,
                 gpointer     data)
{
  g_autoptr(GError) error = NULL;

  if (!gtkloop_sleep (10, &error))
    g_print ("catch_and_go_on: caught \"%s\", going on\n", error->message);
  if (!gtkloop_sleep (0, NULL))   /* works: a cancellation is delivered once */
    return;
  gtkloop_task_return (task, "partial result", NULL);   /* the catch */
}

/* What Python's repr prints for each child of a gather. */
static void
print_children (GtkloopFuture *gathered)
{
  GPtrArray *children = gtkloop_future_get_result (gathered, NULL);
  GString *s = g_string_new ("[");

  for (guint i = 0; i < children->len; i++)
    {
      GtkloopFuture *child = children->pdata[i];

      if (i > 0)
        g_string_append (s, ", ");
      if (gtkloop_future_is_cancelled (child))
        g_string_append (s, "CancelledError()");
      else
        g_string_append_printf (s, "'%s'", (char *) gtkloop_future_get_result (child, NULL));
    }
  g_print ("%s]\n", s->str);
  g_string_free (s, TRUE);
}

static void
main_task (GtkloopTask *task,
           gpointer     data)
{
  g_autoptr(GError) error = NULL;

  g_print ("-- cancel: let the cancellation through\n");
  {
    g_autoptr(GtkloopTask) t = gtkloop_spawn (let_through, NULL, NULL);
    GtkloopFuture *fs[] = { GTKLOOP_FUTURE (t) };

    gtkloop_sleep (0, NULL);
    g_print ("cancel: %s\n", PY_BOOL (gtkloop_task_cancel (t, "stop")));
    gtkloop_wait (fs, 1, GTKLOOP_ALL_COMPLETED, -1, NULL, NULL, NULL);
    g_print ("cancelled: %s\n", PY_BOOL (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (t))));
  }

  g_print ("-- cancel: catch it and go on\n");
  {
    g_autoptr(GtkloopTask) t = gtkloop_spawn (catch_and_go_on, NULL, NULL);

    gtkloop_sleep (0, NULL);
    gtkloop_task_cancel (t, "stop");
    if (!gtkloop_await (GTKLOOP_FUTURE (t), &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    g_print ("result: %s, cancelled: %s\n",
             (char *) gtkloop_future_get_result (GTKLOOP_FUTURE (t), NULL),
             PY_BOOL (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (t))));
  }

  g_print ("-- a cancelled task in gather(return_exceptions=True)\n");
  {
    g_autoptr(GtkloopEvent) go_on = gtkloop_event_new ();
    g_autoptr(GtkloopTask) task1 = gtkloop_spawn (a, go_on, NULL);
    g_autoptr(GtkloopTask) task2 = gtkloop_spawn (b, NULL, NULL);
    GtkloopFuture *fs[] = { GTKLOOP_FUTURE (task1), GTKLOOP_FUTURE (task2) };

    g_print ("cancel: %s\n", PY_BOOL (gtkloop_task_cancel (task1, NULL)));
    g_autoptr(GtkloopFuture) res = gtkloop_gather (fs, 2, TRUE);
    if (!gtkloop_await (res, &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    print_children (res);
  }

  g_print ("-- shield, cancel, then gather: a goes on\n");
  {
    g_autoptr(GtkloopEvent) go_on = gtkloop_event_new ();
    g_autoptr(GtkloopTask) inner = gtkloop_spawn (a, go_on, NULL);
    g_autoptr(GtkloopFuture) task1 = gtkloop_shield (GTKLOOP_FUTURE (inner));
    g_autoptr(GtkloopTask) task2 = gtkloop_spawn (b, NULL, NULL);
    GtkloopFuture *fs[] = { task1, GTKLOOP_FUTURE (task2) };

    g_print ("cancel: %s\n", PY_BOOL (gtkloop_future_cancel (task1, NULL)));
    g_autoptr(GtkloopFuture) res = gtkloop_gather (fs, 2, TRUE);
    if (!gtkloop_await (res, &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    print_children (res);
    g_print ("a still running: %s\n", PY_BOOL (!gtkloop_future_is_done (GTKLOOP_FUTURE (inner))));
    gtkloop_event_set (go_on);
    if (!gtkloop_await (GTKLOOP_FUTURE (inner), &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    g_print ("a finished: %s\n", (char *) gtkloop_future_get_result (GTKLOOP_FUTURE (inner), NULL));
  }

  g_print ("-- gather first, then cancel\n");
  {
    g_autoptr(GtkloopEvent) go_on = gtkloop_event_new ();
    g_autoptr(GtkloopTask) inner = gtkloop_spawn (a, go_on, NULL);
    g_autoptr(GtkloopFuture) task1 = gtkloop_shield (GTKLOOP_FUTURE (inner));
    g_autoptr(GtkloopTask) task2 = gtkloop_spawn (b, NULL, NULL);
    GtkloopFuture *fs[] = { task1, GTKLOOP_FUTURE (task2) };
    g_autoptr(GtkloopFuture) ts = gtkloop_gather (fs, 2, TRUE);

    g_print ("cancel: %s\n", PY_BOOL (gtkloop_future_cancel (task1, NULL)));
    if (!gtkloop_await (ts, &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    print_children (ts);
    gtkloop_event_set (go_on);
    if (!gtkloop_await (GTKLOOP_FUTURE (inner), &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    g_print ("a finished: %s\n", (char *) gtkloop_future_get_result (GTKLOOP_FUTURE (inner), NULL));
  }
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  if (!gtkloop_run (main_task, NULL, &error))
    g_error ("%s", error->message);
  return 0;
}
