/* GtkloopSemaphore: FIFO hand-over, no overtaking, a woken waiter that is
 * cancelled gives its unit back, two holders, a bounded semaphore released
 * too often (twin: twins/semaphore.py). */
#include "config.h"

#include "test-util.h"

typedef struct
{
  GtkloopSemaphore *s;
  const char       *name;
  int               hold;
} Worker;

static void
worker (GtkloopTask *t,
        gpointer     data)
{
  Worker *w = data;

  test_print (test_current, "%s waits, locked %s",
              w->name, test_py_bool (gtkloop_semaphore_is_locked (w->s)));
  if (!gtkloop_semaphore_acquire (w->s, NULL))
    {
      test_print (test_current, "%s cancelled", w->name);
      return;
    }
  test_print (test_current, "%s acquired, value %u", w->name, gtkloop_semaphore_get_value (w->s));
  for (int i = 0; i < w->hold; i++)
    gtkloop_sleep (0, NULL);
  gtkloop_semaphore_release (w->s, NULL);
  test_print (test_current, "%s released, value %u", w->name, gtkloop_semaphore_get_value (w->s));
}

static void
spawn (GtkloopSemaphore *s,
       Worker           *ws,
       GtkloopFuture   **ts,
       guint             n,
       int               hold)
{
  static const char *const names[] = { "A", "B", "C", "D" };

  for (guint i = 0; i < n; i++)
    {
      ws[i] = (Worker) { s, names[i], hold };
      ts[i] = test_spawn (worker, &ws[i]);
    }
}

static void
twin_main (GtkloopTask *t,
           gpointer     data)
{
  GtkloopSemaphore *s;
  GtkloopFuture *ts[4];
  static Worker ws[4];   /* read by the workers while this task is suspended */
  g_autoptr(GError) error = NULL;

  test_print (test_current, "-- fifo");
  s = gtkloop_semaphore_new (1, FALSE);
  gtkloop_semaphore_acquire (s, NULL);
  spawn (s, ws, ts, 3, 1);
  gtkloop_sleep (0, NULL);
  gtkloop_semaphore_release (s, NULL);
  test_gather_and_unref (ts, 3);
  test_print (test_current, "value %u", gtkloop_semaphore_get_value (s));
  gtkloop_semaphore_unref (s);

  test_print (test_current, "-- no overtaking");
  s = gtkloop_semaphore_new (1, FALSE);
  gtkloop_semaphore_acquire (s, NULL);
  spawn (s, ws, ts, 1, 1);
  gtkloop_sleep (0, NULL);
  gtkloop_semaphore_release (s, NULL);   /* hands the unit to A */
  test_print (test_current, "main acquires, locked %s",
              test_py_bool (gtkloop_semaphore_is_locked (s)));
  gtkloop_semaphore_acquire (s, NULL);
  test_print (test_current, "main acquired");
  gtkloop_semaphore_release (s, NULL);
  test_gather_and_unref (ts, 1);
  gtkloop_semaphore_unref (s);

  test_print (test_current, "-- woken then cancelled");
  s = gtkloop_semaphore_new (0, FALSE);
  spawn (s, ws, ts, 2, 1);
  gtkloop_sleep (0, NULL);
  gtkloop_semaphore_release (s, NULL);   /* wakes A */
  gtkloop_future_cancel (ts[0], NULL);   /* A gives the unit to B */
  test_gather_and_unref (ts, 2);
  test_print (test_current, "value %u", gtkloop_semaphore_get_value (s));
  gtkloop_semaphore_unref (s);

  test_print (test_current, "-- two holders");
  s = gtkloop_semaphore_new (2, FALSE);
  spawn (s, ws, ts, 4, 2);
  test_gather_and_unref (ts, 4);
  test_print (test_current, "value %u", gtkloop_semaphore_get_value (s));
  gtkloop_semaphore_unref (s);

  test_print (test_current, "-- bounded");
  s = gtkloop_semaphore_new (1, TRUE);
  gtkloop_semaphore_acquire (s, NULL);
  gtkloop_semaphore_release (s, NULL);
  if (!gtkloop_semaphore_release (s, &error) && g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE))
    test_print (test_current, "ValueError: %s", error->message);
  test_print (test_current, "value %u", gtkloop_semaphore_get_value (s));
  gtkloop_semaphore_unref (s);
}

static void
test_semaphore_matches_asyncio (void **state)
{
  TestFixture *fx = *state;

  test_run_task (twin_main, NULL);
  test_assert_matches_twin ("semaphore", fx->out->str);
}

/* An unbounded semaphore may go above its initial value. */
static void
test_unbounded_release (void **state)
{
  g_autoptr(GtkloopSemaphore) s = gtkloop_semaphore_new (0, FALSE);

  for (int i = 0; i < 3; i++)
    assert_true (gtkloop_semaphore_release (s, NULL));
  assert_int_equal (gtkloop_semaphore_get_value (s), 3);
  assert_false (gtkloop_semaphore_is_locked (s));
  for (int i = 0; i < 3; i++)
    assert_true (gtkloop_semaphore_acquire (s, NULL));   /* free units: no task needed */
  assert_true (gtkloop_semaphore_is_locked (s));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_semaphore_matches_asyncio, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_unbounded_release, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests_name ("semaphore", tests, NULL, NULL);
}
