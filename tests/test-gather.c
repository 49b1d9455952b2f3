/* gtkloop_gather: asyncio.gather's behaviour line for line (twin:
 * twins/gather.py), plus what C adds: no reference cycle between the
 * gather and a child that never completes, futures of different loops,
 * children's errors marked retrieved once the gather reported. */
#include "config.h"

#include "test-util.h"

/* asyncio's desc (): what a child ended with. */
static char *
desc (GtkloopFuture *f)
{
  g_autoptr(GError) error = NULL;
  const char *value = gtkloop_future_get_result (f, &error);

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup ("cancelled");
  if (error != NULL)
    return g_strdup_printf ("error %s", error->message);
  return g_strdup_printf ("value %s", value);
}

typedef struct
{
  const char *name;
  int         steps;
  gboolean    fail;
} Step;

static void
stepper (GtkloopTask *task,
         gpointer     data)
{
  const Step *s = data;

  test_print (test_current, "%s starts", s->name);
  for (int i = 0; i < s->steps; i++)
    gtkloop_sleep (0, NULL);
  if (s->fail)
    {
      test_print (test_current, "%s fails", s->name);
      gtkloop_task_return_error (task, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "boom %s", s->name));
      return;
    }
  test_print (test_current, "%s done", s->name);
  gtkloop_task_return (task, (gpointer) s->name, NULL);
}

static void
sleeper (GtkloopTask *task,
         gpointer     data)
{
  if (!gtkloop_sleep (10, NULL))
    test_print (test_current, "%s cancelled", (const char *) data);
}

static const char *
child_str (GPtrArray *children,
           guint      i)
{
  return gtkloop_future_get_result (children->pdata[i], NULL);
}

static void
seed (void)
{
  GtkloopFuture *fs[2];
  g_autoptr(GtkloopFuture) g = NULL;
  GPtrArray *children;

  test_print (test_current, "-- seed 000");
  fs[0] = test_spawn (test_seed_a_task, NULL);
  fs[1] = test_spawn (test_seed_b_task, NULL);
  g = gtkloop_gather (fs, 2, FALSE);
  gtkloop_await (g, NULL);
  children = gtkloop_future_get_result (g, NULL);
  test_print (test_current, "%s %s", child_str (children, 0), child_str (children, 1));
  test_unref_futures (fs, 2);
}

static void
order (void)
{
  static const Step steps[] = { { "A", 3 }, { "B", 1 }, { "C", 2 } };
  GtkloopFuture *fs[3];
  g_autoptr(GtkloopFuture) g = NULL;
  GPtrArray *children;

  test_print (test_current, "-- argument order");
  for (int i = 0; i < 3; i++)
    fs[i] = test_spawn (stepper, (gpointer) &steps[i]);
  g = gtkloop_gather (fs, 3, FALSE);
  gtkloop_await (g, NULL);
  children = gtkloop_future_get_result (g, NULL);
  test_print (test_current, "results %s %s %s", child_str (children, 0), child_str (children, 1),
              child_str (children, 2));
  test_unref_futures (fs, 3);
}

static void
first_error (void)
{
  static const Step steps[] = { { "A", 6 }, { "B", 1, TRUE }, { "C", 2 } };
  g_autoptr(GError) error = NULL;
  GtkloopFuture *fs[3];
  g_autoptr(GtkloopFuture) g = NULL;

  test_print (test_current, "-- first error");
  for (int i = 0; i < 3; i++)
    fs[i] = test_spawn (stepper, (gpointer) &steps[i]);
  g = gtkloop_gather (fs, 3, FALSE);
  if (!gtkloop_await (g, &error))
    test_print (test_current, "gather failed: %s", error->message);
  test_print (test_current, "A done? %s C done? %s", test_py_bool (gtkloop_future_is_done (fs[0])),
              test_py_bool (gtkloop_future_is_done (fs[2])));
  gtkloop_await (fs[0], NULL);
  test_print (test_current, "A done? %s C done? %s", test_py_bool (gtkloop_future_is_done (fs[0])),
              test_py_bool (gtkloop_future_is_done (fs[2])));
  test_unref_futures (fs, 3);
}

static void
return_exceptions (void)
{
  static const Step steps[] = { { "A", 2 }, { "B", 1, TRUE } };
  GtkloopFuture *fs[2];
  g_autoptr(GtkloopFuture) g = NULL;
  GPtrArray *children;
  g_autofree char *d0 = NULL, *d1 = NULL;

  test_print (test_current, "-- return_exceptions");
  for (int i = 0; i < 2; i++)
    fs[i] = test_spawn (stepper, (gpointer) &steps[i]);
  g = gtkloop_gather (fs, 2, TRUE);
  gtkloop_await (g, NULL);
  children = gtkloop_future_get_result (g, NULL);
  d0 = desc (children->pdata[0]);
  d1 = desc (children->pdata[1]);
  test_print (test_current, "results %s, %s", d0, d1);
  test_unref_futures (fs, 2);
}

static void
cancel_gather (void)
{
  GtkloopFuture *fs[2];
  g_autoptr(GtkloopFuture) g = NULL;
  g_autoptr(GError) error = NULL;

  test_print (test_current, "-- cancel the gather");
  fs[0] = test_spawn (sleeper, "A");
  fs[1] = test_spawn (sleeper, "B");
  gtkloop_sleep (0, NULL);
  g = gtkloop_gather (fs, 2, FALSE);
  test_print (test_current, "cancel -> %s", test_py_bool (gtkloop_future_cancel (g, NULL)));
  if (!gtkloop_await (g, &error) && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    test_print (test_current, "await gather: cancelled");
  test_print (test_current, "gather done %s cancelled %s",
              test_py_bool (gtkloop_future_is_done (g)),
              test_py_bool (gtkloop_future_is_cancelled (g)));
  test_print (test_current, "children cancelled %s %s",
              test_py_bool (gtkloop_future_is_cancelled (fs[0])),
              test_py_bool (gtkloop_future_is_cancelled (fs[1])));
  test_print (test_current, "cancel again -> %s", test_py_bool (gtkloop_future_cancel (g, NULL)));
  test_unref_futures (fs, 2);
}

static void
cancelled_child (void)
{
  static const Step step_b = { "B", 2 };
  GtkloopFuture *fs[2];
  g_autoptr(GtkloopFuture) g = NULL;
  g_autoptr(GError) error = NULL;

  test_print (test_current, "-- a cancelled child");
  fs[0] = test_spawn (sleeper, "A");
  fs[1] = test_spawn (stepper, (gpointer) &step_b);
  gtkloop_sleep (0, NULL);
  g = gtkloop_gather (fs, 2, FALSE);
  gtkloop_future_cancel (fs[0], NULL);
  if (!gtkloop_await (g, &error) && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    test_print (test_current, "await gather: cancelled");
  test_print (test_current, "gather cancelled() %s B done? %s",
              test_py_bool (gtkloop_future_is_cancelled (g)),
              test_py_bool (gtkloop_future_is_done (fs[1])));
  gtkloop_await (fs[1], NULL);
  test_print (test_current, "B result %s", (const char *) gtkloop_future_get_result (fs[1], NULL));
  test_unref_futures (fs, 2);
}

static void
empty_and_duplicates (void)
{
  static const Step step_d = { "D", 1 };
  g_autoptr(GtkloopFuture) empty = gtkloop_gather (NULL, 0, FALSE);
  g_autoptr(GtkloopFuture) g = NULL;
  GtkloopFuture *fs[2];
  GPtrArray *children;

  test_print (test_current, "-- empty and duplicates");
  gtkloop_await (empty, NULL);
  children = gtkloop_future_get_result (empty, NULL);
  test_print (test_current, "empty -> [%s]", children->len == 0 ? "" : "?");
  fs[0] = fs[1] = test_spawn (stepper, (gpointer) &step_d);
  g = gtkloop_gather (fs, 2, FALSE);
  gtkloop_await (g, NULL);
  children = gtkloop_future_get_result (g, NULL);
  test_print (test_current, "duplicates -> ['%s', '%s']",
              child_str (children, 0), child_str (children, 1));
  gtkloop_future_unref (fs[0]);
}

static void
awaiter (GtkloopTask *task,
         gpointer     data)
{
  g_autoptr(GtkloopFuture) g = gtkloop_gather (data, 2, FALSE);

  if (!gtkloop_await (g, NULL))
    test_print (test_current, "awaiter cancelled");
}

static void
cancel_awaiting_task (void)
{
  static GtkloopFuture *fs[2];   /* read by awaiter: not on this task's stack */
  GtkloopFuture *w;
  g_autoptr(GtkloopFuture) g = NULL;

  test_print (test_current, "-- cancel the task awaiting a gather");
  fs[0] = test_spawn (sleeper, "A");
  fs[1] = test_spawn (sleeper, "B");
  w = test_spawn (awaiter, fs);
  gtkloop_sleep (0, NULL);
  gtkloop_future_cancel (w, NULL);
  g = gtkloop_gather (&w, 1, TRUE);
  gtkloop_await (g, NULL);
  test_print (test_current, "awaiter cancelled() %s children %s %s",
              test_py_bool (gtkloop_future_is_cancelled (w)),
              test_py_bool (gtkloop_future_is_cancelled (fs[0])),
              test_py_bool (gtkloop_future_is_cancelled (fs[1])));
  gtkloop_future_unref (w);
  test_unref_futures (fs, 2);
}

static void
twin_main (GtkloopTask *task,
           gpointer     data)
{
  seed ();
  order ();
  first_error ();
  return_exceptions ();
  cancel_gather ();
  cancelled_child ();
  empty_and_duplicates ();
  cancel_awaiting_task ();
}

static void
test_gather_matches_asyncio (void **state)
{
  TestFixture *fx = *state;

  test_run_task (twin_main, NULL);
  test_assert_matches_twin ("gather", fx->out->str);
}

/* ---------------------------------------------------------------------- */

/* The cycle the old gather had: outer -> child -> its done callback ->
 * outer. With a child that nobody will ever complete and both references
 * dropped, everything must be freed (the fixture's counters check it). */
static void
test_no_cycle_with_a_child_that_never_completes (void **state)
{
  TestFixture *fx = *state;
  GtkloopFuture *never = gtkloop_future_new (fx->loop);
  GtkloopFuture *done = gtkloop_future_new (fx->loop);
  GtkloopFuture *fs[2] = { never, done };
  GtkloopFuture *g = gtkloop_gather (fs, 2, FALSE);

  gtkloop_future_set_result (done, NULL, NULL);
  gtkloop_future_unref (g);
  gtkloop_future_unref (never);
  gtkloop_future_unref (done);
  /* The done callback of `done` may still be queued: let it run. */
  gtkloop_loop_stop (fx->loop);
  test_run_forever (fx->loop, 5);
}

/* A gather freed after it reported keeps marking its children's errors
 * retrieved, as asyncio does: no "exception was never retrieved". */
static void
test_later_errors_marked_retrieved (void **state)
{
  TestFixture *fx = *state;
  GtkloopFuture *a = gtkloop_future_new (fx->loop);
  GtkloopFuture *b = gtkloop_future_new (fx->loop);
  GtkloopFuture *fs[2] = { a, b };
  GtkloopFuture *g = gtkloop_gather (fs, 2, FALSE);

  gtkloop_future_set_error (a, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "first"));
  test_run_until_complete (fx->loop, g, NULL, 5);
  assert_true (gtkloop_future_get_error (g) != NULL);
  gtkloop_future_unref (g);
  gtkloop_future_set_error (b, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "second"));
  gtkloop_loop_stop (fx->loop);
  test_run_forever (fx->loop, 5);

  test_warnings_begin ();
  gtkloop_future_unref (a);
  gtkloop_future_unref (b);
  assert_int_equal (test_warnings_end (), 0);
}

static void
test_different_loops (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GtkloopLoop) other = gtkloop_loop_new (context);
  g_autoptr(GtkloopFuture) a = gtkloop_future_new (fx->loop);
  g_autoptr(GtkloopFuture) b = gtkloop_future_new (other);
  GtkloopFuture *fs[2] = { a, b };
  g_autoptr(GtkloopFuture) g = gtkloop_gather (fs, 2, FALSE);
  g_autoptr(GError) error = NULL;

  assert_true (gtkloop_future_is_done (g));
  gtkloop_future_get_result (g, &error);
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  assert_false (gtkloop_future_is_task (g));
  gtkloop_loop_close (other);
}

/* A gather that failed because a child was cancelled propagates the
 * cancellation to the task awaiting it: returning without a value then
 * ends that task cancelled, as the CancelledError would in asyncio. */
static void
awaits_and_returns (GtkloopTask *t,
                    gpointer     g)
{
  gtkloop_await (g, NULL);
}

static void
cancel_future (gpointer f)
{
  gtkloop_future_cancel (f, NULL);
}

static void
test_cancelled_child_cancels_the_awaiting_task (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) child = gtkloop_future_new (fx->loop);
  g_autoptr(GtkloopFuture) g = gtkloop_gather (&child, 1, FALSE);
  g_autoptr(GtkloopTask) t = gtkloop_loop_create_task (fx->loop, awaits_and_returns, g, NULL);

  gtkloop_loop_call_later (fx->loop, 0.001, cancel_future, child, NULL);
  test_run_until_complete (fx->loop, GTKLOOP_FUTURE (t), NULL, 5);
  assert_true (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (t)));
  assert_false (gtkloop_future_is_cancelled (g));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_gather_matches_asyncio, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_no_cycle_with_a_child_that_never_completes, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_later_errors_marked_retrieved, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_different_loops, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_cancelled_child_cancels_the_awaiting_task, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests_name ("gather", tests, NULL, NULL);
}
