/* GtkloopEvent: set wakes every waiter in order, a wait on a set event does
 * not yield, clear after set does not take back wake-ups, a cancelled
 * waiter (twin: twins/event.py); plus waiting outside a task and closing
 * the loop with waiters. */
#include "config.h"

#include "test-util.h"

typedef struct
{
  GtkloopEvent *e;
  const char   *name;
} Waiter;

static void
waiter (GtkloopTask *t,
        gpointer     data)
{
  Waiter *w = data;

  test_print (test_current, "%s waits", w->name);
  if (!gtkloop_event_wait (w->e, NULL))
    {
      test_print (test_current, "%s cancelled", w->name);
      return;
    }
  test_print (test_current, "%s woke, is_set %s",
              w->name, test_py_bool (gtkloop_event_is_set (w->e)));
}

static void
spawn_waiters (GtkloopEvent  *e,
               Waiter        *ws,
               GtkloopFuture **ts,
               guint          n)
{
  static const char *const names[] = { "A", "B", "C" };

  for (guint i = 0; i < n; i++)
    {
      ws[i] = (Waiter) { e, names[i] };
      ts[i] = test_spawn (waiter, &ws[i]);
    }
}

static void
twin_main (GtkloopTask *t,
           gpointer     data)
{
  g_autoptr(GtkloopEvent) e = gtkloop_event_new ();
  GtkloopFuture *ts[3];
  static Waiter ws[3];   /* read by the waiters while this task is suspended */
  g_autoptr(GtkloopFuture) s = NULL;

  test_print (test_current, "-- set wakes all");
  spawn_waiters (e, ws, ts, 3);
  gtkloop_sleep (0, NULL);
  test_print (test_current, "set");
  gtkloop_event_set (e);
  test_gather_and_unref (ts, 3);

  test_print (test_current, "-- wait on a set event");
  s = test_spawn (test_spin_task, GINT_TO_POINTER (3));
  gtkloop_sleep (0, NULL);
  test_print (test_current, "wait: %s", test_py_bool (gtkloop_event_wait (e, NULL)));
  test_print (test_current, "no yield");
  gtkloop_await (s, NULL);

  test_print (test_current, "-- set then clear");
  gtkloop_event_clear (e);
  spawn_waiters (e, ws, ts, 2);
  gtkloop_sleep (0, NULL);
  gtkloop_event_set (e);
  gtkloop_event_clear (e);
  test_gather_and_unref (ts, 2);

  test_print (test_current, "-- a cancelled waiter");
  spawn_waiters (e, ws, ts, 3);
  gtkloop_sleep (0, NULL);
  gtkloop_future_cancel (ts[1], NULL);
  gtkloop_sleep (0, NULL);
  gtkloop_event_set (e);
  test_gather_and_await (ts, 3, TRUE);
  test_print (test_current, "B cancelled %s", test_py_bool (gtkloop_future_is_cancelled (ts[1])));
  test_unref_futures (ts, 3);
}

static void
test_event_matches_asyncio (void **state)
{
  TestFixture *fx = *state;

  test_run_task (twin_main, NULL);
  test_assert_matches_twin ("event", fx->out->str);
}

static void
test_wait_outside_task (void **state)
{
  g_autoptr(GtkloopEvent) e = gtkloop_event_new ();
  g_autoptr(GError) error = NULL;

  assert_false (gtkloop_event_wait (e, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_NOT_IN_TASK));
  gtkloop_event_set (e);
  assert_true (gtkloop_event_wait (e, NULL));   /* set: no need to wait */
}

static void
test_close_with_waiters (void **state)
{
  TestFixture *fx = *state;
  GtkloopEvent *e = gtkloop_event_new ();
  GtkloopFuture *ts[3];
  Waiter ws[3];

  spawn_waiters (e, ws, ts, 3);
  test_iterate_for (fx->loop, 0.01);
  gtkloop_loop_close (fx->loop);
  for (int i = 0; i < 3; i++)
    {
      assert_true (gtkloop_future_is_cancelled (ts[i]));
      gtkloop_future_unref (ts[i]);
    }
  gtkloop_event_unref (e);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_event_matches_asyncio, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_wait_outside_task, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_with_waiters, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests_name ("event", tests, NULL, NULL);
}
