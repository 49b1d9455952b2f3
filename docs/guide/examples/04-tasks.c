/* Tasks (seed 000, "the right and wrong ways" and "create_task vs
 * loop.create_task vs ensure_future"; seed 001, "Task objects"): a task
 * runs a function concurrently with its creator. Calling a function that
 * suspends runs it to its end first, in the caller's task; only tasks
 * overlap. (a sleeps ten times as long as b, so the order below holds on
 * a loaded machine too.) */
#include <gtkloop/gtkloop.h>

#define PY_BOOL(b) ((b) ? "True" : "False")

/* The coroutines: plain functions that suspend; NULL when cancelled. */
static const char *
a (void)
{
  g_print ("Suspending a\n");
  if (!gtkloop_sleep (0.5, NULL))
    return NULL;
  g_print ("Resuming a\n");
  return "A";
}

static const char *
b (void)
{
  g_print ("Suspending b\n");
  if (!gtkloop_sleep (0.05, NULL))
    return NULL;
  g_print ("Resuming b\n");
  return "B";
}

/* Task bodies around them: what create_task (a ()) runs. A task that
 * returns without gtkloop_task_return after a failed suspension point
 * ends cancelled, as a coroutine that lets CancelledError through. */
static void
a_task (GtkloopTask *task,
        gpointer     data)
{
  const char *result = a ();

  if (result != NULL)
    gtkloop_task_return (task, (gpointer) result, NULL);
}

static void
b_task (GtkloopTask *task,
        gpointer     data)
{
  const char *result = b ();

  if (result != NULL)
    gtkloop_task_return (task, (gpointer) result, NULL);
}

static void
s1 (void)                       /* wrong: one after the other */
{
  a ();
  b ();
}

static void
c3 (void)                       /* right: two tasks, then wait for both */
{
  g_autoptr(GtkloopTask) task1 = gtkloop_spawn (a_task, NULL, NULL);
  g_autoptr(GtkloopTask) task2 = gtkloop_spawn (b_task, NULL, NULL);

  gtkloop_await (GTKLOOP_FUTURE (task1), NULL);
  gtkloop_await (GTKLOOP_FUTURE (task2), NULL);
}

static void
c4 (void)                       /* right: a task, and a () meanwhile */
{
  g_autoptr(GtkloopTask) task = gtkloop_spawn (b_task, NULL, NULL);

  a ();
  gtkloop_await (GTKLOOP_FUTURE (task), NULL);
}

static void
s2 (void)                       /* wrong: each task awaited as soon as made */
{
  g_autoptr(GtkloopTask) task1 = gtkloop_spawn (a_task, NULL, NULL);
  gtkloop_await (GTKLOOP_FUTURE (task1), NULL);

  g_autoptr(GtkloopTask) task2 = gtkloop_spawn (b_task, NULL, NULL);
  gtkloop_await (GTKLOOP_FUTURE (task2), NULL);
}

static void
callback (GtkloopFuture *future,
          gpointer       data)
{
  GtkloopTask *task = GTKLOOP_TASK (future);

  g_print ("callback: %s returned %s\n", gtkloop_task_get_name (task),
           (char *) gtkloop_future_get_result (future, NULL));
}

static guint
n_tasks (GtkloopLoop *loop)
{
  g_autoptr(GPtrArray) tasks = gtkloop_loop_all_tasks (loop);

  return tasks->len;
}

static void
inspect (void)
{
  GtkloopLoop *loop = gtkloop_loop_get_running ();
  g_autoptr(GtkloopTask) task = gtkloop_loop_create_task (loop, b_task, NULL, NULL);
  GtkloopFuture *future = GTKLOOP_FUTURE (task);

  gtkloop_task_set_name (task, "b-task");
  gtkloop_future_add_done_callback (future, callback, NULL, NULL);
  g_print ("%s done: %s\n", gtkloop_task_get_name (task), PY_BOOL (gtkloop_future_is_done (future)));
  g_print ("tasks on the loop: %u\n", n_tasks (loop));
  g_print ("current task: %s\n", gtkloop_task_get_name (gtkloop_task_get_current ()));
  if (!gtkloop_await (future, NULL))
    return;
  g_print ("awaited: %s\n", (char *) gtkloop_future_get_result (future, NULL));
  g_print ("%s done: %s, result: %s\n", gtkloop_task_get_name (task),
           PY_BOOL (gtkloop_future_is_done (future)),
           (char *) gtkloop_future_get_result (future, NULL));
  g_print ("tasks on the loop: %u\n", n_tasks (loop));
}

static void
main_task (GtkloopTask *task,
           gpointer     data)
{
  gtkloop_task_set_name (task, "main");
  g_print ("-- s1\n");
  s1 ();
  g_print ("-- c3\n");
  c3 ();
  g_print ("-- c4\n");
  c4 ();
  g_print ("-- s2\n");
  s2 ();
  g_print ("-- a task, inspected\n");
  inspect ();
}

int
main (void)
{
  g_autoptr(GError) error = NULL;

  if (!gtkloop_run (main_task, NULL, &error))
    g_error ("%s", error->message);
  return 0;
}
