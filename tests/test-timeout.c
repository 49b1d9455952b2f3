/* Timeouts: gtkloop_wait_for and the GtkloopTimeout scope, line for line
 * against asyncio.wait_for / asyncio.timeout (twin: twins/timeout.py);
 * plus misuse of a scope, the task's state after a converted timeout, and
 * a scope left without exit. */
#include "config.h"

#include "test-util.h"

static const char *
error_name (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
    return "TimeoutError";
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return "CancelledError";
  return error ? error->message : "no error";
}

typedef struct
{
  const char *name;
  double      delay;
  gboolean    cleanup;
  gboolean    swallow;
  gboolean    fail;
} Job;

static void
job (GtkloopTask *t,
     gpointer     data)
{
  const Job *j = data;

  test_print (test_current, "%s starts", j->name);
  if (!gtkloop_sleep (j->delay, NULL))
    {
      test_print (test_current, "%s cancelled", j->name);
      if (j->cleanup)
        {
          gtkloop_sleep (0.01, NULL);
          test_print (test_current, "%s cleanup done", j->name);
        }
      if (j->swallow)
        gtkloop_task_return (t, "swallowed", NULL);
      return;
    }
  if (j->fail)
    {
      gtkloop_task_return_error (t, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed", j->name));
      return;
    }
  test_print (test_current, "%s finishes", j->name);
  gtkloop_task_return (t, (gpointer) j->name, NULL);
}

static void
print_wait_for (GtkloopFuture *t,
                double         timeout)
{
  g_autoptr(GError) error = NULL;

  if (gtkloop_wait_for (t, timeout, &error))
    test_print (test_current, "result: %s", (char *) gtkloop_future_get_result (t, NULL));
  else
    test_print (test_current, "wait_for: %s", error->message);
}

static void
inner_waiter (GtkloopTask *t,
              gpointer     inner)
{
  if (!gtkloop_wait_for (inner, 1, NULL))
    test_print (test_current, "waiter cancelled; inner done %s",
                test_py_bool (gtkloop_future_is_done (inner)));
}

static void
wait_for_cases (void)
{
  static const Job quick = { "quick", 0.01 }, slow = { "slow", 1, TRUE }, stubborn = { "stubborn", 1, FALSE, TRUE },
                   inner_job = { "inner", 1, TRUE }, zero = { "zero", 1 }, none = { "none", 0.01 },
                   bad = { "bad", 0, FALSE, FALSE, TRUE };
  GtkloopFuture *t, *w, *f;
  GError *error = NULL;

  test_print (test_current, "-- wait_for in time");
  t = test_spawn (job, &quick);
  print_wait_for (t, 1);
  gtkloop_future_unref (t);

  test_print (test_current, "-- wait_for times out, after the cleanup");
  t = test_spawn (job, &slow);
  if (!gtkloop_wait_for (t, 0.01, &error))
    test_print (test_current, "wait_for: %s inner cancelled %s", error_name (error),
                test_py_bool (gtkloop_future_is_cancelled (t)));
  g_clear_error (&error);
  gtkloop_future_unref (t);

  test_print (test_current, "-- the inner swallows the cancellation");
  t = test_spawn (job, &stubborn);
  print_wait_for (t, 0.01);
  gtkloop_future_unref (t);

  test_print (test_current, "-- the waiting task is cancelled");
  t = test_spawn (job, &inner_job);
  w = test_spawn (inner_waiter, t);
  gtkloop_sleep (0, NULL);
  gtkloop_future_cancel (w, NULL);
  gtkloop_wait (&w, 1, GTKLOOP_ALL_COMPLETED, -1, NULL, NULL, NULL);
  test_print (test_current, "waiter cancelled %s inner cancelled %s",
              test_py_bool (gtkloop_future_is_cancelled (w)),
              test_py_bool (gtkloop_future_is_cancelled (t)));
  gtkloop_future_unref (w);
  gtkloop_future_unref (t);

  test_print (test_current, "-- timeout 0");
  t = test_spawn (job, &zero);
  gtkloop_sleep (0, NULL);
  if (!gtkloop_wait_for (t, 0, &error))
    test_print (test_current, "wait_for: %s cancelled %s",
                error_name (error), test_py_bool (gtkloop_future_is_cancelled (t)));
  g_clear_error (&error);
  gtkloop_future_unref (t);
  f = gtkloop_future_new (test_current->loop);
  gtkloop_future_set_result (f, "ready", NULL);
  if (gtkloop_wait_for (f, 0, NULL))
    test_print (test_current, "done already: %s", (char *) gtkloop_future_get_result (f, NULL));
  gtkloop_future_unref (f);

  test_print (test_current, "-- no timeout");
  t = test_spawn (job, &none);
  print_wait_for (t, -1);
  gtkloop_future_unref (t);

  test_print (test_current, "-- the inner fails");
  t = test_spawn (job, &bad);
  print_wait_for (t, 1);
  gtkloop_future_unref (t);
}

static void
scopes (void)
{
  GtkloopLoop *loop = test_current->loop;
  GtkloopTimeout *cm, *outer, *inner;
  GError *error = NULL;

  test_print (test_current, "-- timeout expires");
  cm = gtkloop_timeout_new (0.01);
  gtkloop_sleep (1, &error);
  if (!gtkloop_timeout_exit (cm, &error))
    test_print (test_current, "scope: %s expired %s",
                error_name (error), test_py_bool (gtkloop_timeout_expired (cm)));
  g_clear_error (&error);
  gtkloop_timeout_unref (cm);
  if (gtkloop_sleep (0, NULL))
    test_print (test_current, "the task goes on");

  test_print (test_current, "-- timeout in time");
  cm = gtkloop_timeout_new (1);
  gtkloop_sleep (0, &error);
  gtkloop_timeout_exit (cm, &error);
  test_print (test_current, "expired %s", test_py_bool (gtkloop_timeout_expired (cm)));
  gtkloop_timeout_unref (cm);

  test_print (test_current, "-- reschedule");
  cm = gtkloop_timeout_new (-1);
  test_print (test_current, "when %s", gtkloop_timeout_get_when (cm) < 0 ? "None" : "?");
  gtkloop_timeout_reschedule (cm, gtkloop_loop_time (loop) + 0.01);
  gtkloop_sleep (1, &error);
  if (!gtkloop_timeout_exit (cm, &error))
    test_print (test_current, "scope: %s", error_name (error));
  g_clear_error (&error);
  gtkloop_timeout_unref (cm);

  test_print (test_current, "-- reschedule to the past");
  cm = gtkloop_timeout_new (1);
  gtkloop_timeout_reschedule (cm, gtkloop_loop_time (loop) - 1);
  test_print (test_current, "still running");
  gtkloop_sleep (1, &error);
  if (!gtkloop_timeout_exit (cm, &error))
    test_print (test_current, "scope: %s", error_name (error));
  g_clear_error (&error);
  gtkloop_timeout_unref (cm);

  test_print (test_current, "-- timeout_at");
  cm = gtkloop_timeout_new_at (gtkloop_loop_time (loop) + 0.01);
  gtkloop_sleep (1, &error);
  if (!gtkloop_timeout_exit (cm, &error))
    test_print (test_current, "scope: %s", error_name (error));
  g_clear_error (&error);
  gtkloop_timeout_unref (cm);

  test_print (test_current, "-- nested, the outer expires");
  outer = gtkloop_timeout_new (0.01);
  inner = gtkloop_timeout_new (1);
  gtkloop_sleep (1, &error);
  if (!gtkloop_timeout_exit (inner, &error))
    test_print (test_current, "inner scope: %s; inner expired %s", error_name (error),
                test_py_bool (gtkloop_timeout_expired (inner)));
  if (!gtkloop_timeout_exit (outer, &error))
    test_print (test_current, "outer scope: %s outer expired %s", error_name (error),
                test_py_bool (gtkloop_timeout_expired (outer)));
  g_clear_error (&error);
  gtkloop_timeout_unref (inner);
  gtkloop_timeout_unref (outer);

  test_print (test_current, "-- nested, the inner expires");
  outer = gtkloop_timeout_new (1);
  inner = gtkloop_timeout_new (0.01);
  gtkloop_sleep (1, &error);
  if (!gtkloop_timeout_exit (inner, &error))
    test_print (test_current, "inner scope: %s", error_name (error));
  g_clear_error (&error);
  gtkloop_sleep (0, &error);
  gtkloop_timeout_exit (outer, &error);
  test_print (test_current, "outer expired %s", test_py_bool (gtkloop_timeout_expired (outer)));
  gtkloop_timeout_unref (inner);
  gtkloop_timeout_unref (outer);
}

static void
body (GtkloopTask *t,
      gpointer     data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopTimeout) cm = gtkloop_timeout_new (1);

  gtkloop_sleep (1, &error);
  if (!gtkloop_timeout_exit (cm, &error))
    test_print (test_current, "body: %s", error_name (error));
}

static void
cancelled_inside_scope (void)
{
  g_autoptr(GtkloopFuture) t = test_spawn (body, NULL);

  test_print (test_current, "-- cancelled from outside inside a scope");
  gtkloop_sleep (0, NULL);
  gtkloop_future_cancel (t, NULL);
  gtkloop_wait (&t, 1, GTKLOOP_ALL_COMPLETED, -1, NULL, NULL, NULL);
  test_print (test_current, "task cancelled %s", test_py_bool (gtkloop_future_is_cancelled (t)));
}

static void
twin_main (GtkloopTask *t,
           gpointer     data)
{
  wait_for_cases ();
  scopes ();
  cancelled_inside_scope ();
}

static void
test_timeouts_match_asyncio (void **state)
{
  TestFixture *fx = *state;

  test_run_task (twin_main, NULL);
  test_assert_matches_twin ("timeout", fx->out->str);
}

/* ---------------------------------------------------------------------- */

/* A timeout turned into TIMED_OUT is consumed: a task that returns after
 * it ends with its value, not cancelled (asyncio: the TimeoutError was
 * caught). */
static void
times_out_then_returns (GtkloopTask *t,
                        gpointer     data)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopTimeout) cm = gtkloop_timeout_new (0.001);

  gtkloop_sleep (1, &error);
  gtkloop_timeout_exit (cm, &error);
  *(gboolean *) data = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
}

static void
test_converted_timeout_does_not_cancel_the_task (void **state)
{
  TestFixture *fx = *state;
  gboolean timed_out = FALSE;
  g_autoptr(GtkloopTask) t = gtkloop_loop_create_task (fx->loop, times_out_then_returns, &timed_out, NULL);

  assert_true (test_run_until_complete (fx->loop, GTKLOOP_FUTURE (t), NULL, 5));
  assert_true (timed_out);
  assert_false (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (t)));
}

typedef struct
{
  guint criticals;
  gboolean was_null;
} Misuse;

static void
misuses_scope (GtkloopTask *t,
               gpointer     data)
{
  Misuse *m = data;
  GtkloopTimeout *cm = gtkloop_timeout_new (1);

  gtkloop_timeout_exit (cm, NULL);
  test_criticals_begin ();
  gtkloop_timeout_reschedule (cm, 0);   /* after exit */
  gtkloop_timeout_exit (cm, NULL);      /* twice */
  m->criticals = test_criticals_end ();
  gtkloop_timeout_unref (cm);
}

static void
test_misuse (void **state)
{
  TestFixture *fx = *state;
  Misuse m = { 0 };
  g_autoptr(GtkloopTask) t = gtkloop_loop_create_task (fx->loop, misuses_scope, &m, NULL);

  test_run_until_complete (fx->loop, GTKLOOP_FUTURE (t), NULL, 5);
  assert_int_equal (m.criticals, 2);

  test_criticals_begin ();
  m.was_null = gtkloop_timeout_new (1) == NULL;   /* outside a task */
  assert_int_equal (test_criticals_end (), 1);
  assert_true (m.was_null);
}

/* A scope dropped without exit still cancels the task when it expires,
 * as an `async with` that was never left would; the timer's reference
 * is released when it fires. */
static void
forgets_exit (GtkloopTask *t,
              gpointer     data)
{
  gtkloop_timeout_unref (gtkloop_timeout_new (0.001));
  if (!gtkloop_sleep (1, NULL))
    *(gboolean *) data = TRUE;
}

static void
test_scope_without_exit (void **state)
{
  TestFixture *fx = *state;
  gboolean cancelled = FALSE;
  g_autoptr(GtkloopTask) t = gtkloop_loop_create_task (fx->loop, forgets_exit, &cancelled, NULL);

  test_run_until_complete (fx->loop, GTKLOOP_FUTURE (t), NULL, 5);
  assert_true (cancelled);
  assert_true (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (t)));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_timeouts_match_asyncio, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_converted_timeout_does_not_cancel_the_task, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_misuse, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_scope_without_exit, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests_name ("timeout", tests, NULL, NULL);
}
