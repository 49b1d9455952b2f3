/* GtkloopEvent: set wakes every waiter in order, a wait on a set event does
 * not yield, clear after set does not take back wake-ups, a cancelled
 * waiter (twin: twins/event.py); plus waiting outside a task and closing
 * the loop with waiters. */
#include "config.h"

#include "test-util.h"

static TestFixture *the_fx;

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

  test_print (the_fx, "%s waits", w->name);
  if (!gtkloop_event_wait (w->e, NULL))
    {
      test_print (the_fx, "%s cancelled", w->name);
      return;
    }
  test_print (the_fx, "%s woke, is_set %s", w->name, gtkloop_event_is_set (w->e) ? "True" : "False");
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
      ts[i] = GTKLOOP_FUTURE (gtkloop_loop_create_task (the_fx->loop, waiter, &ws[i], NULL));
    }
}

static void
gather_and_unref (GtkloopFuture **ts,
                  guint           n)
{
  g_autoptr(GtkloopFuture) g = gtkloop_gather (ts, n, TRUE);

  gtkloop_await (g, NULL);
  for (guint i = 0; i < n; i++)
    gtkloop_future_unref (ts[i]);
}

static void
spinner (GtkloopTask *t,
         gpointer     data)
{
  for (int i = 0; i < 3; i++)
    {
      test_print (the_fx, "spin %d", i);
      gtkloop_sleep (0, NULL);
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

  test_print (the_fx, "-- set wakes all");
  spawn_waiters (e, ws, ts, 3);
  gtkloop_sleep (0, NULL);
  test_print (the_fx, "set");
  gtkloop_event_set (e);
  gather_and_unref (ts, 3);

  test_print (the_fx, "-- wait on a set event");
  s = GTKLOOP_FUTURE (gtkloop_loop_create_task (the_fx->loop, spinner, NULL, NULL));
  gtkloop_sleep (0, NULL);
  test_print (the_fx, "wait: %s", gtkloop_event_wait (e, NULL) ? "True" : "False");
  test_print (the_fx, "no yield");
  gtkloop_await (s, NULL);

  test_print (the_fx, "-- set then clear");
  gtkloop_event_clear (e);
  spawn_waiters (e, ws, ts, 2);
  gtkloop_sleep (0, NULL);
  gtkloop_event_set (e);
  gtkloop_event_clear (e);
  gather_and_unref (ts, 2);

  test_print (the_fx, "-- a cancelled waiter");
  spawn_waiters (e, ws, ts, 3);
  gtkloop_sleep (0, NULL);
  gtkloop_future_cancel (ts[1], NULL);
  gtkloop_sleep (0, NULL);
  gtkloop_event_set (e);
  {
    g_autoptr(GtkloopFuture) g = gtkloop_gather (ts, 3, TRUE);

    gtkloop_await (g, NULL);
  }
  test_print (the_fx, "B cancelled %s", gtkloop_future_is_cancelled (ts[1]) ? "True" : "False");
  for (int i = 0; i < 3; i++)
    gtkloop_future_unref (ts[i]);
}

static void
test_event_matches_asyncio (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopTask) t = gtkloop_loop_create_task (fx->loop, twin_main, NULL, NULL);

  assert_true (test_run_until_complete (fx->loop, GTKLOOP_FUTURE (t), NULL, 10));
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
set_flag (gpointer data)
{
  *(gboolean *) data = TRUE;
}

static void
test_close_with_waiters (void **state)
{
  TestFixture *fx = *state;
  GtkloopEvent *e = gtkloop_event_new ();
  GtkloopFuture *ts[3];
  Waiter ws[3];
  gboolean ticked = FALSE;

  spawn_waiters (e, ws, ts, 3);
  gtkloop_loop_call_later (fx->loop, 0.01, set_flag, &ticked, NULL);
  test_iterate_until (fx->loop, &ticked, 5);
  gtkloop_loop_close (fx->loop);
  for (int i = 0; i < 3; i++)
    {
      assert_true (gtkloop_future_is_cancelled (ts[i]));
      gtkloop_future_unref (ts[i]);
    }
  gtkloop_event_unref (e);
}

static int
setup (void **state)
{
  test_fixture_setup (state);
  the_fx = *state;
  return 0;
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_event_matches_asyncio, setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_wait_outside_task, setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_with_waiters, setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests_name ("event", tests, NULL, NULL);
}
