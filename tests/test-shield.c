/* gtkloop_shield: seed 000's two ways of shielding, a cancelled awaiting
 * task, an inner that is cancelled or fails, a future already done (twin:
 * twins/shield.py); and no cycle between an abandoned shield and an inner
 * that never completes. */
#include "config.h"

#include "test-util.h"
#include "future-private.h"

static void
print_gather_result (GtkloopFuture *g)
{
  GPtrArray *children = gtkloop_future_get_result (g, NULL);
  GtkloopFuture *first = children->pdata[0];

  test_print (test_current, "[%s, '%s']",
              gtkloop_future_is_cancelled (first) ? "CancelledError()" : "?",
              (char *) gtkloop_future_get_result (children->pdata[1], NULL));
}

static void
seed_wrong (void)
{
  g_autoptr(GtkloopFuture) inner = test_spawn (test_seed_a_task, NULL);
  g_autoptr(GtkloopFuture) task1 = gtkloop_shield (inner);
  g_autoptr(GtkloopFuture) task2 = test_spawn (test_seed_b_task, NULL);
  g_autoptr(GtkloopFuture) g = NULL;
  GtkloopFuture *fs[2] = { task1, task2 };

  test_print (test_current, "-- seed 000: shield, cancel, then gather");
  test_print (test_current, "cancel -> %s", test_py_bool (gtkloop_future_cancel (task1, NULL)));
  g = gtkloop_gather (fs, 2, TRUE);
  gtkloop_await (g, NULL);
  print_gather_result (g);
  test_print (test_current, "a still running: %s", test_py_bool (!gtkloop_future_is_done (inner)));
  gtkloop_await (inner, NULL);
  test_print (test_current, "a finished: %s", (char *) gtkloop_future_get_result (inner, NULL));
}

static void
seed_right (void)
{
  g_autoptr(GtkloopFuture) inner = test_spawn (test_seed_a_task, NULL);
  g_autoptr(GtkloopFuture) task1 = gtkloop_shield (inner);
  g_autoptr(GtkloopFuture) task2 = test_spawn (test_seed_b_task, NULL);
  GtkloopFuture *fs[2] = { task1, task2 };
  g_autoptr(GtkloopFuture) ts = gtkloop_gather (fs, 2, TRUE);

  test_print (test_current, "-- seed 000: gather first, then cancel");
  test_print (test_current, "cancel -> %s", test_py_bool (gtkloop_future_cancel (task1, NULL)));
  gtkloop_await (ts, NULL);
  print_gather_result (ts);
  gtkloop_await (inner, NULL);
  test_print (test_current, "a finished: %s", (char *) gtkloop_future_get_result (inner, NULL));
}

static void
work (GtkloopTask *t,
      gpointer     data)
{
  test_print (test_current, "%s starts", (char *) data);
  gtkloop_sleep (0.02, NULL);
  test_print (test_current, "%s finishes", (char *) data);
  gtkloop_task_return (t, data, NULL);
}

static void
awaiter (GtkloopTask *t,
         gpointer     inner)
{
  g_autoptr(GtkloopFuture) s = gtkloop_shield (inner);

  if (!gtkloop_await (s, NULL))
    test_print (test_current, "awaiter cancelled at once");
}

static void
cancel_awaiting_task (void)
{
  g_autoptr(GtkloopFuture) inner = test_spawn (work, "save");
  g_autoptr(GtkloopFuture) w = test_spawn (awaiter, inner);

  test_print (test_current, "-- cancel the task awaiting a shield");
  gtkloop_sleep (0, NULL);
  gtkloop_future_cancel (w, NULL);
  gtkloop_wait (&w, 1, GTKLOOP_ALL_COMPLETED, -1, NULL, NULL, NULL);
  test_print (test_current, "awaiter cancelled %s inner done %s",
              test_py_bool (gtkloop_future_is_cancelled (w)),
              test_py_bool (gtkloop_future_is_done (inner)));
  gtkloop_await (inner, NULL);
  test_print (test_current, "inner: %s", (char *) gtkloop_future_get_result (inner, NULL));
}

static void
inner_cancelled_or_failed (void)
{
  GtkloopFuture *f, *s;
  g_autoptr(GError) error = NULL;

  test_print (test_current, "-- the inner is cancelled, or fails");
  f = gtkloop_future_new (test_current->loop);
  s = gtkloop_shield (f);
  gtkloop_future_cancel (f, NULL);
  gtkloop_sleep (0, NULL);
  gtkloop_sleep (0, NULL);
  test_print (test_current, "outer cancelled %s", test_py_bool (gtkloop_future_is_cancelled (s)));
  gtkloop_future_unref (s);
  gtkloop_future_unref (f);

  f = gtkloop_future_new (test_current->loop);
  s = gtkloop_shield (f);
  gtkloop_future_set_error (f, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "bad"));
  if (!gtkloop_await (s, &error))
    test_print (test_current, "outer failed: %s", error->message);
  gtkloop_future_unref (s);
  gtkloop_future_unref (f);

  f = gtkloop_future_new (test_current->loop);
  s = gtkloop_shield (f);
  gtkloop_future_set_result (f, GINT_TO_POINTER (42), NULL);
  gtkloop_await (s, NULL);
  test_print (test_current, "outer result: %d",
              GPOINTER_TO_INT (gtkloop_future_get_result (s, NULL)));
  gtkloop_future_unref (s);
  gtkloop_future_unref (f);
}

static void
already_done (void)
{
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (test_current->loop);
  g_autoptr(GtkloopFuture) s = NULL;

  test_print (test_current, "-- already done");
  gtkloop_future_set_result (f, GINT_TO_POINTER (7), NULL);
  s = gtkloop_shield (f);
  test_print (test_current, "same future: %s", test_py_bool (s == f));
}

static void
twin_main (GtkloopTask *t,
           gpointer     data)
{
  seed_wrong ();
  seed_right ();
  cancel_awaiting_task ();
  inner_cancelled_or_failed ();
  already_done ();
}

static void
test_shield_matches_asyncio (void **state)
{
  TestFixture *fx = *state;

  test_run_task (twin_main, NULL);
  test_assert_matches_twin ("shield", fx->out->str);
}

/* ---------------------------------------------------------------------- */

static void
test_no_cycle_with_inner_that_never_completes (void **state)
{
  TestFixture *fx = *state;
  GtkloopFuture *inner = gtkloop_future_new (fx->loop);
  GtkloopFuture *outer = gtkloop_shield (inner);

  assert_false (gtkloop_future_is_task (outer));
  gtkloop_future_unref (inner);
  gtkloop_future_unref (outer);   /* frees both: the fixture checks */
}

static void
test_abandoned_shield_lets_go_of_inner (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) inner = gtkloop_future_new (fx->loop);
  GtkloopFuture *outer = gtkloop_shield (inner);

  gtkloop_future_unref (outer);
  /* Its callback went with it. */
  assert_int_equal (inner->n_callbacks, 0);
  gtkloop_future_set_result (inner, NULL, NULL);
  gtkloop_loop_stop (fx->loop);
  test_run_forever (fx->loop, 5);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_shield_matches_asyncio, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_no_cycle_with_inner_that_never_completes, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_abandoned_shield_lets_go_of_inner, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests_name ("shield", tests, NULL, NULL);
}
