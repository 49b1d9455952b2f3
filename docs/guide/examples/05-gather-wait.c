/* gather vs wait (seed 000, "asyncio.gather vs asyncio.wait"; seed 002,
 * "the difference between gather and wait"): gather gives the results in
 * the order the futures were given; wait gives the futures back, split
 * into done and pending, and can return at the first completion or the
 * first error. Then wait_for and as_completed (seed 001's API index).
 * (gtkloop_wait returns arrays in argument order where asyncio returns
 * sets; both programs print the names sorted. Tasks that race start in the
 * same iteration, so their timers fire in deadline order however late the
 * loop gets to them.) */
#include <gtkloop/gtkloop.h>

#define PY_BOOL(b) ((b) ? "True" : "False")

static void
a (GtkloopTask *task,
   gpointer     data)
{
  g_print ("Suspending a\n");
  if (!gtkloop_sleep (0.3, NULL))
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
fail (GtkloopTask *task,
      gpointer     data)
{
  if (!gtkloop_sleep (0, NULL))
    return;
  gtkloop_task_return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED,
                                                        "fail failed"));
}

static void
slow (GtkloopTask *task,
      gpointer     data)
{
  if (!gtkloop_sleep (10, NULL))
    {
      g_print ("slow: cancelled, cleaning up\n");
      return;                   /* no value given: the task ends cancelled */
    }
}

typedef struct {
  const char *name;
  double      delay;
} Nap;

static void
nap (GtkloopTask *task,
     gpointer     data)
{
  const Nap *n = data;

  if (gtkloop_sleep (n->delay, NULL))
    gtkloop_task_return (task, (gpointer) n->name, NULL);
}

static GtkloopTask *
named_task (GtkloopTaskFunc func,
            const char     *name)
{
  GtkloopTask *task = gtkloop_spawn (func, NULL, NULL);

  gtkloop_task_set_name (task, name);
  return task;
}

static int
compare_strings (gconstpointer x,
                 gconstpointer y)
{
  return g_strcmp0 (*(const char *const *) x, *(const char *const *) y);
}

/* "['a', 'b']": the tasks' names, sorted, as Python prints a sorted list. */
static char *
names (GPtrArray *tasks)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  GString *s = g_string_new ("[");

  for (guint i = 0; i < tasks->len; i++)
    g_ptr_array_add (sorted, (gpointer) gtkloop_task_get_name (tasks->pdata[i]));
  g_ptr_array_sort (sorted, compare_strings);
  for (guint i = 0; i < sorted->len; i++)
    g_string_append_printf (s, "%s'%s'", i > 0 ? ", " : "", (char *) sorted->pdata[i]);
  g_string_append_c (s, ']');
  return g_string_free (s, FALSE);
}

static void
print_done_pending (GPtrArray *done,
                    GPtrArray *pending)
{
  g_autofree char *done_names = names (done);
  g_autofree char *pending_names = names (pending);

  g_print ("done %s, pending %s\n", done_names, pending_names);
}

static void
main_task (GtkloopTask *task,
           gpointer     data)
{
  g_autoptr(GError) error = NULL;

  g_print ("-- gather: results in argument order\n");
  {
    g_autoptr(GtkloopTask) ta = gtkloop_spawn (a, NULL, NULL);
    g_autoptr(GtkloopTask) tb = gtkloop_spawn (b, NULL, NULL);
    GtkloopFuture *fs[] = { GTKLOOP_FUTURE (ta), GTKLOOP_FUTURE (tb) };
    g_autoptr(GtkloopFuture) all = gtkloop_gather (fs, 2, FALSE);

    if (!gtkloop_await (all, &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    GPtrArray *children = gtkloop_future_get_result (all, NULL);   /* the futures, in order */
    g_print ("('%s', '%s')\n",
             (char *) gtkloop_future_get_result (children->pdata[0], NULL),
             (char *) gtkloop_future_get_result (children->pdata[1], NULL));
  }

  g_print ("-- wait: ALL_COMPLETED\n");
  {
    g_autoptr(GtkloopTask) ta = named_task (a, "a");
    g_autoptr(GtkloopTask) tb = named_task (b, "b");
    GtkloopFuture *fs[] = { GTKLOOP_FUTURE (ta), GTKLOOP_FUTURE (tb) };
    g_autoptr(GPtrArray) done = NULL, pending = NULL;

    if (!gtkloop_wait (fs, 2, GTKLOOP_ALL_COMPLETED, -1, &done, &pending, &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    print_done_pending (done, pending);
    g_print ("results ['%s', '%s']\n",
             (char *) gtkloop_future_get_result (done->pdata[0], NULL),
             (char *) gtkloop_future_get_result (done->pdata[1], NULL));
  }

  g_print ("-- wait: FIRST_COMPLETED\n");
  {
    g_autoptr(GtkloopTask) ts = named_task (slow, "slow");
    g_autoptr(GtkloopTask) tb = named_task (b, "b");
    GtkloopFuture *fs[] = { GTKLOOP_FUTURE (ts), GTKLOOP_FUTURE (tb) };
    g_autoptr(GPtrArray) done = NULL, pending = NULL;

    if (!gtkloop_wait (fs, 2, GTKLOOP_FIRST_COMPLETED, -1, &done, &pending, &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    print_done_pending (done, pending);
    for (guint i = 0; i < pending->len; i++)          /* wait never cancels them itself */
      gtkloop_future_cancel (pending->pdata[i], NULL);
    if (!gtkloop_wait ((GtkloopFuture **) pending->pdata, pending->len, GTKLOOP_ALL_COMPLETED,
                       -1, NULL, NULL, &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    g_print ("slow cancelled: %s\n", PY_BOOL (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (ts))));
  }

  g_print ("-- wait: FIRST_EXCEPTION\n");
  {
    g_autoptr(GtkloopTask) tf = named_task (fail, "fail");
    g_autoptr(GtkloopTask) ts = named_task (slow, "slow");
    GtkloopFuture *fs[] = { GTKLOOP_FUTURE (tf), GTKLOOP_FUTURE (ts) };
    g_autoptr(GPtrArray) done = NULL, pending = NULL;

    if (!gtkloop_wait (fs, 2, GTKLOOP_FIRST_EXCEPTION, -1, &done, &pending, &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
    print_done_pending (done, pending);
    g_print ("fail raised: %s\n", gtkloop_future_get_error (GTKLOOP_FUTURE (tf))->message);
    gtkloop_task_cancel (ts, NULL);
    if (!gtkloop_wait ((GtkloopFuture **) pending->pdata, pending->len, GTKLOOP_ALL_COMPLETED,
                       -1, NULL, NULL, &error))
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
  }

  g_print ("-- wait_for: a timeout cancels the task and waits for it\n");
  {
    g_autoptr(GtkloopTask) ts = gtkloop_spawn (slow, NULL, NULL);

    if (!gtkloop_wait_for (GTKLOOP_FUTURE (ts), 0.1, &error)
        && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
      g_print ("wait_for: TimeoutError\n");
    g_clear_error (&error);
  }

  g_print ("-- as_completed: first done, first out\n");
  {
    static const Nap naps[] = { { "third", 0.5 }, { "first", 0.1 }, { "second", 0.3 } };
    g_autoptr(GtkloopTask) t0 = gtkloop_spawn (nap, (gpointer) &naps[0], NULL);
    g_autoptr(GtkloopTask) t1 = gtkloop_spawn (nap, (gpointer) &naps[1], NULL);
    g_autoptr(GtkloopTask) t2 = gtkloop_spawn (nap, (gpointer) &naps[2], NULL);
    GtkloopFuture *fs[] = { GTKLOOP_FUTURE (t0), GTKLOOP_FUTURE (t1), GTKLOOP_FUTURE (t2) };
    g_autoptr(GtkloopAsCompleted) ac = gtkloop_as_completed_new (fs, 3, -1);
    GtkloopFuture *next_done;

    while ((next_done = gtkloop_as_completed_next (ac, &error)) != NULL)
      {
        g_print ("%s\n", (char *) gtkloop_future_get_result (next_done, NULL));
        gtkloop_future_unref (next_done);
      }
    if (error != NULL)
      return gtkloop_task_return_error (task, g_steal_pointer (&error));
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
