/* GtkloopTaskGroup against asyncio.TaskGroup (twin: twins/task_group.py),
 * plus what C adds: the summary error's domain and code, a group left
 * without exit, a child failing after its parent ended, closing the loop
 * while the parent waits in exit. */
#include "config.h"

#include "test-util.h"

typedef struct
{
  const char *name;
  int         steps;
  gboolean    fail;
} Child;

static void
child (GtkloopTask *t,
       gpointer     data)
{
  const Child *c = data;

  test_print (test_current, "%s starts", c->name);
  for (int i = 0; i < c->steps; i++)
    if (!gtkloop_sleep (0, NULL))
      {
        test_print (test_current, "%s cancelled", c->name);
        return;
      }
  if (c->fail)
    {
      test_print (test_current, "%s fails", c->name);
      gtkloop_task_return_error (t, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed", c->name));
      return;
    }
  test_print (test_current, "%s done", c->name);
  gtkloop_task_return (t, (gpointer) c->name, NULL);
}

static void
add (GtkloopTaskGroup *tg,
     const Child      *c)
{
  gtkloop_task_unref (gtkloop_task_group_create_task (tg, child, (gpointer) c, NULL));
}

/* Python: f"group: {eg}; errors: {[str(e) for e in eg.exceptions]}". */
static void
report (GtkloopTaskGroup *tg,
        const GError     *error)
{
  GPtrArray *errors = gtkloop_task_group_get_errors (tg);
  g_autofree char *group = g_strndup (error->message, strstr (error->message, "): ") + 1 - error->message);
  GString *list = g_string_new ("[");

  for (guint i = 0; i < errors->len; i++)
    g_string_append_printf (list, "%s'%s'", i ? ", " : "", ((GError *) errors->pdata[i])->message);
  g_string_append_c (list, ']');
  test_print (test_current, "group: %s; errors: %s", group, list->str);
  g_string_free (list, TRUE);
}

static void
all_succeed (void)
{
  static const Child a = { "A", 2 }, b = { "B", 1 }, c = { "C", 3 };
  const Child *cs[] = { &a, &b, &c };
  g_autoptr(GtkloopTaskGroup) tg = gtkloop_task_group_new ();
  GtkloopTask *ts[3];

  test_print (test_current, "-- all succeed");
  for (int i = 0; i < 3; i++)
    ts[i] = gtkloop_task_group_create_task (tg, child, (gpointer) cs[i], NULL);
  test_print (test_current, "body ends");
  gtkloop_task_group_exit (tg, NULL);
  test_print (test_current, "results ['%s', '%s', '%s']",
              (char *) gtkloop_future_get_result (GTKLOOP_FUTURE (ts[0]), NULL),
              (char *) gtkloop_future_get_result (GTKLOOP_FUTURE (ts[1]), NULL),
              (char *) gtkloop_future_get_result (GTKLOOP_FUTURE (ts[2]), NULL));
  for (int i = 0; i < 3; i++)
    gtkloop_task_unref (ts[i]);
}

static void
one_fails (void)
{
  static const Child a = { "A", 5 }, b = { "B", 1, TRUE };
  g_autoptr(GtkloopTaskGroup) tg = gtkloop_task_group_new ();
  g_autoptr(GError) error = NULL;

  test_print (test_current, "-- one fails");
  add (tg, &a);
  add (tg, &b);
  if (!gtkloop_sleep (1, &error))
    test_print (test_current, "body's await cancelled");
  if (!gtkloop_task_group_exit (tg, &error))
    report (tg, error);
  gtkloop_sleep (0, NULL);
  test_print (test_current, "parent goes on, cancelling %u",
              gtkloop_task_cancelling (gtkloop_task_get_current ()));
}

static void
two_fail (void)
{
  static const Child a = { "A", 1, TRUE }, b = { "B", 1, TRUE }, c = { "C", 3 };
  g_autoptr(GtkloopTaskGroup) tg = gtkloop_task_group_new ();
  g_autoptr(GError) error = NULL;

  test_print (test_current, "-- two fail together");
  add (tg, &a);
  add (tg, &b);
  add (tg, &c);
  if (!gtkloop_task_group_exit (tg, &error))
    report (tg, error);
}

static void
body_fails (void)
{
  static const Child a = { "A", 3 };
  g_autoptr(GtkloopTaskGroup) tg = gtkloop_task_group_new ();
  g_autoptr(GError) error = NULL;

  test_print (test_current, "-- the body fails");
  add (tg, &a);
  gtkloop_sleep (0, NULL);
  error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "body failed");
  if (!gtkloop_task_group_exit (tg, &error))
    report (tg, error);
}

static void
parent (GtkloopTask *t,
        gpointer     data)
{
  static const Child a = { "A", 5 };
  g_autoptr(GtkloopTaskGroup) tg = gtkloop_task_group_new ();
  g_autoptr(GError) error = NULL;

  add (tg, &a);
  if (!gtkloop_task_group_exit (tg, &error) && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    test_print (test_current, "parent: CancelledError");
}

static void
parent_cancelled (void)
{
  g_autoptr(GtkloopTask) p = gtkloop_loop_create_task (test_current->loop, parent, NULL, NULL);
  GtkloopFuture *pf = GTKLOOP_FUTURE (p);

  test_print (test_current, "-- the parent is cancelled from outside");
  gtkloop_sleep (0, NULL);
  gtkloop_sleep (0, NULL);
  gtkloop_task_cancel (p, NULL);
  gtkloop_wait (&pf, 1, GTKLOOP_ALL_COMPLETED, -1, NULL, NULL, NULL);
  test_print (test_current, "parent cancelled %s",
              gtkloop_future_is_cancelled (pf) ? "True" : "False");
}

static void
spawner (GtkloopTask *t,
         gpointer     tg)
{
  static const Child late = { "late", 1 };
  g_autoptr(GtkloopTask) refused = NULL;

  gtkloop_sleep (0, NULL);
  gtkloop_sleep (0, NULL);
  refused = gtkloop_task_group_create_task (tg, child, (gpointer) &late, NULL);
  if (gtkloop_future_is_done (GTKLOOP_FUTURE (refused)) &&
      g_error_matches (gtkloop_future_get_error (GTKLOOP_FUTURE (refused)), GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE))
    test_print (test_current, "create_task: RuntimeError");
}

static void
add_while_shutting_down (void)
{
  static const Child bad = { "bad", 1, TRUE };
  g_autoptr(GtkloopTaskGroup) tg = gtkloop_task_group_new ();
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopTask) s = NULL;

  test_print (test_current, "-- a child added once the group failed");
  add (tg, &bad);
  s = gtkloop_loop_create_task (test_current->loop, spawner, tg, NULL);
  if (!gtkloop_task_group_exit (tg, &error))
    report (tg, error);
  gtkloop_await (GTKLOOP_FUTURE (s), NULL);
}

static void
twin_main (GtkloopTask *t,
           gpointer     data)
{
  all_succeed ();
  one_fails ();
  two_fail ();
  body_fails ();
  parent_cancelled ();
  add_while_shutting_down ();
}

static void
test_task_group_matches_asyncio (void **state)
{
  TestFixture *fx = *state;

  test_run_task (twin_main, NULL);
  test_assert_matches_twin ("task_group", fx->out->str);
}

/* ---------------------------------------------------------------------- */

typedef struct
{
  GError *error;
  guint   n_errors;
} Outcome;

static void
fails_with_not_found (GtkloopTask *t,
                      gpointer     data)
{
  gtkloop_task_return_error (t, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no such file"));
}

static void
group_with_one_error (GtkloopTask *t,
                      gpointer     data)
{
  Outcome *o = data;
  g_autoptr(GtkloopTaskGroup) tg = gtkloop_task_group_new ();

  gtkloop_task_unref (gtkloop_task_group_create_task (tg, fails_with_not_found, NULL, NULL));
  gtkloop_task_group_exit (tg, &o->error);
  o->n_errors = gtkloop_task_group_get_errors (tg)->len;
}

static void
test_summary_keeps_the_first_code (void **state)
{
  TestFixture *fx = *state;
  Outcome o = { 0 };
  g_autoptr(GtkloopTask) t = gtkloop_loop_create_task (fx->loop, group_with_one_error, &o, NULL);

  assert_true (test_run_until_complete (fx->loop, GTKLOOP_FUTURE (t), NULL, 5));
  assert_true (g_error_matches (o.error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  assert_string_equal (o.error->message, "unhandled errors in a TaskGroup (1 sub-exception): no such file");
  assert_int_equal (o.n_errors, 1);
  g_clear_error (&o.error);
}

/* A child that fails after its parent ended is reported through the
 * exception handler, as asyncio does. */
static void
late_failure (GtkloopTask *t,
              gpointer     data)
{
  gtkloop_sleep (0.01, NULL);
  gtkloop_task_return_error (t, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "too late"));
}

static void
parent_without_exit (GtkloopTask *t,
                     gpointer     data)
{
  GtkloopTaskGroup *tg = gtkloop_task_group_new ();

  *(GtkloopTask **) data = gtkloop_task_group_create_task (tg, late_failure, NULL, NULL);
  gtkloop_task_group_unref (tg);
}

static void
test_orphan_error_reported (void **state)
{
  TestFixture *fx = *state;
  GtkloopTask *orphan = NULL;
  g_autoptr(GtkloopTask) t = gtkloop_loop_create_task (fx->loop, parent_without_exit, &orphan, NULL);

  test_run_until_complete (fx->loop, GTKLOOP_FUTURE (t), NULL, 5);
  test_warnings_begin ();
  test_run_until_complete (fx->loop, GTKLOOP_FUTURE (orphan), NULL, 5);
  gtkloop_loop_stop (fx->loop);
  test_run_forever (fx->loop, 5);
  assert_int_equal (test_warnings_end (), 1);
  assert_non_null (strstr (test_warnings_last (), "has errored out but its parent task"));
  gtkloop_task_unref (orphan);
}

/* Closing the loop while the parent waits in exit: the close finishes every
 * task; exit gives up waiting instead of looping. */
static void
never_ending_child (GtkloopTask *t,
                    gpointer     data)
{
  g_autoptr(GtkloopFuture) never = gtkloop_future_new (gtkloop_future_get_loop (GTKLOOP_FUTURE (t)));

  gtkloop_await (never, NULL);
}

static void
waits_in_exit (GtkloopTask *t,
               gpointer     data)
{
  g_autoptr(GtkloopTaskGroup) tg = gtkloop_task_group_new ();
  g_autoptr(GError) error = NULL;

  gtkloop_task_unref (gtkloop_task_group_create_task (tg, never_ending_child, NULL, NULL));
  gtkloop_task_unref (gtkloop_task_group_create_task (tg, never_ending_child, NULL, NULL));
  if (!gtkloop_task_group_exit (tg, &error) && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    *(gboolean *) data = TRUE;
}

static void
test_close_while_in_exit (void **state)
{
  TestFixture *fx = *state;
  gboolean cancelled = FALSE;
  GtkloopTask *t = gtkloop_loop_create_task (fx->loop, waits_in_exit, &cancelled, NULL);

  test_iterate_for (fx->loop, 0.01);
  gtkloop_loop_close (fx->loop);
  assert_true (cancelled);
  assert_true (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (t)));
  gtkloop_task_unref (t);
}

/* Every destroy notify runs once: after a child ran, and at once for a
 * child refused because the group already ended. */
static void
group_then_refused (GtkloopTask *t,
                    gpointer     counter)
{
  g_autoptr(GtkloopTaskGroup) tg = gtkloop_task_group_new ();
  g_autoptr(GtkloopTask) refused = NULL;

  gtkloop_task_unref (gtkloop_task_group_create_task (tg, test_noop_task, counter,
                                                      test_destroy_count));
  gtkloop_task_group_exit (tg, NULL);
  refused = gtkloop_task_group_create_task (tg, test_noop_task, counter, test_destroy_count);
  g_assert (gtkloop_future_is_done (GTKLOOP_FUTURE (refused)));
  g_assert (g_error_matches (gtkloop_future_get_error (GTKLOOP_FUTURE (refused)),
                             GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE));
}

static void
test_destroy_notifies (void **state)
{
  TestFixture *fx = *state;
  DestroyCounter counter = { 0 };
  g_autoptr(GtkloopTask) t = gtkloop_loop_create_task (fx->loop, group_then_refused, &counter, NULL);

  assert_true (test_run_until_complete (fx->loop, GTKLOOP_FUTURE (t), NULL, 5));
  assert_int_equal (counter.count, 2);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_task_group_matches_asyncio, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_summary_keeps_the_first_code, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_orphan_error_reported, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_while_in_exit, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_destroy_notifies, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests_name ("task-group", tests, NULL, NULL);
}
