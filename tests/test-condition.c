/* GtkloopCondition: notify (1), notify_all, wait_for, a cancelled wait
 * that takes the lock back, a notified waiter cancelled passing the
 * notification on (twin: twins/condition.py, 3.13's rule for the last);
 * plus misuse and closing the loop while waiters need the lock back. */
#include "config.h"

#include "test-util.h"

typedef struct
{
  GtkloopCondition *cond;
  const char       *name;
} Waiter;

static void
waiter (GtkloopTask *t,
        gpointer     data)
{
  Waiter *w = data;

  gtkloop_condition_acquire (w->cond, NULL);
  test_print (test_current, "%s waits", w->name);
  if (!gtkloop_condition_wait (w->cond, NULL))
    {
      test_print (test_current, "%s cancelled, locked %s",
                  w->name, test_py_bool (gtkloop_condition_is_locked (w->cond)));
      gtkloop_condition_release (w->cond);
      return;
    }
  test_print (test_current, "%s woke, locked %s",
              w->name, test_py_bool (gtkloop_condition_is_locked (w->cond)));
  gtkloop_sleep (0, NULL);
  test_print (test_current, "%s releases", w->name);
  gtkloop_condition_release (w->cond);
}

static void
spawn_three (GtkloopCondition *cond,
             Waiter           *ws,
             GtkloopFuture   **ts)
{
  static const char *const names[] = { "A", "B", "C" };

  for (int i = 0; i < 3; i++)
    {
      ws[i] = (Waiter) { cond, names[i] };
      ts[i] = test_spawn (waiter, &ws[i]);
    }
  gtkloop_sleep (0, NULL);
}

static void
notify_one (void)
{
  g_autoptr(GtkloopCondition) cond = gtkloop_condition_new (NULL);
  GtkloopFuture *ts[3];
  static Waiter ws[3];   /* read by the waiters while this task is suspended */

  test_print (test_current, "-- notify(1)");
  spawn_three (cond, ws, ts);
  for (int i = 0; i < 3; i++)
    {
      gtkloop_condition_acquire (cond, NULL);
      test_print (test_current, "notify 1");
      gtkloop_condition_notify (cond, 1);
      gtkloop_condition_release (cond);
      gtkloop_sleep (0, NULL);
      gtkloop_sleep (0, NULL);
    }
  test_gather_and_unref (ts, 3);
}

static void
notify_all (void)
{
  g_autoptr(GtkloopCondition) cond = gtkloop_condition_new (NULL);
  GtkloopFuture *ts[3];
  static Waiter ws[3];   /* read by the waiters while this task is suspended */

  test_print (test_current, "-- notify_all");
  spawn_three (cond, ws, ts);
  gtkloop_condition_acquire (cond, NULL);
  gtkloop_condition_notify_all (cond);
  test_print (test_current, "notified all, main still holds the lock");
  gtkloop_sleep (0, NULL);
  gtkloop_condition_release (cond);
  test_gather_and_unref (ts, 3);
}

typedef struct
{
  GtkloopCondition *cond;
  int               value;
} Box;

static gboolean
at_least_three (gpointer data)
{
  return ((Box *) data)->value >= 3;
}

static void
checker (GtkloopTask *t,
         gpointer     data)
{
  Box *box = data;

  gtkloop_condition_acquire (box->cond, NULL);
  if (gtkloop_condition_wait_for (box->cond, at_least_three, box, NULL))
    test_print (test_current, "predicate holds at %d", box->value);
  gtkloop_condition_release (box->cond);
}

static void
wait_for (void)
{
  g_autoptr(GtkloopCondition) cond = gtkloop_condition_new (NULL);
  static Box box;
  g_autoptr(GtkloopTask) t = NULL;

  box = (Box) { cond, 0 };
  t = gtkloop_loop_create_task (test_current->loop, checker, &box, NULL);

  test_print (test_current, "-- wait_for");
  for (int i = 0; i < 4; i++)
    {
      gtkloop_sleep (0, NULL);
      gtkloop_condition_acquire (cond, NULL);
      box.value++;
      test_print (test_current, "value %d", box.value);
      gtkloop_condition_notify_all (cond);
      gtkloop_condition_release (cond);
    }
  gtkloop_await (GTKLOOP_FUTURE (t), NULL);
}

static void
cancelled_wait (void)
{
  g_autoptr(GtkloopCondition) cond = gtkloop_condition_new (NULL);
  static Waiter w;
  g_autoptr(GtkloopFuture) t = NULL;

  w = (Waiter) { cond, "A" };
  t = test_spawn (waiter, &w);

  test_print (test_current, "-- a cancelled wait takes the lock back");
  gtkloop_sleep (0, NULL);
  gtkloop_condition_acquire (cond, NULL);
  gtkloop_future_cancel (t, NULL);
  gtkloop_sleep (0, NULL);
  test_print (test_current, "main holds the lock while A is cancelled");
  gtkloop_condition_release (cond);
  gtkloop_wait (&t, 1, GTKLOOP_ALL_COMPLETED, -1, NULL, NULL, NULL);
  test_print (test_current, "A cancelled %s locked %s",
              test_py_bool (gtkloop_future_is_cancelled (t)),
              test_py_bool (gtkloop_condition_is_locked (cond)));
}

static void
notified_then_cancelled (void)
{
  g_autoptr(GtkloopCondition) cond = gtkloop_condition_new (NULL);
  GtkloopFuture *ts[3];
  static Waiter ws[3];   /* read by the waiters while this task is suspended */

  test_print (test_current, "-- a notified waiter is cancelled");
  spawn_three (cond, ws, ts);
  gtkloop_condition_acquire (cond, NULL);
  gtkloop_condition_notify (cond, 1);    /* A */
  gtkloop_future_cancel (ts[0], NULL);   /* A passes the notification to B */
  gtkloop_condition_release (cond);
  for (int i = 0; i < 3; i++)
    gtkloop_sleep (0, NULL);
  gtkloop_condition_acquire (cond, NULL);
  gtkloop_condition_notify (cond, 1);    /* C */
  gtkloop_condition_release (cond);
  test_gather_and_unref (ts, 3);
}

static void
twin_main (GtkloopTask *t,
           gpointer     data)
{
  notify_one ();
  notify_all ();
  wait_for ();
  cancelled_wait ();
  notified_then_cancelled ();
}

static void
test_condition_matches_asyncio (void **state)
{
  TestFixture *fx = *state;

  test_run_task (twin_main, NULL);
  test_assert_matches_twin ("condition", fx->out->str);
}

/* ---------------------------------------------------------------------- */

static void
waits_without_lock (GtkloopTask *t,
                    gpointer     data)
{
  g_autoptr(GtkloopCondition) cond = gtkloop_condition_new (NULL);

  gtkloop_condition_wait (cond, data);
}

static void
test_misuse (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopCondition) cond = gtkloop_condition_new (NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopTask) t = gtkloop_loop_create_task (fx->loop, waits_without_lock, &error, NULL);

  test_run_until_complete (fx->loop, GTKLOOP_FUTURE (t), NULL, 5);
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE));
  g_clear_error (&error);

  test_criticals_begin ();
  gtkloop_condition_notify (cond, 1);
  assert_int_equal (test_criticals_end (), 1);
  assert_non_null (strstr (test_criticals_last (), "un-acquired lock"));

  /* Outside a task the lock is kept, not given up. */
  gtkloop_condition_acquire (cond, NULL);
  assert_false (gtkloop_condition_wait (cond, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_NOT_IN_TASK));
  assert_true (gtkloop_condition_is_locked (cond));
  gtkloop_condition_release (cond);
}

/* A shared lock: two conditions over one lock. */
static void
test_shared_lock (void **state)
{
  g_autoptr(GtkloopLock) lock = gtkloop_lock_new ();
  g_autoptr(GtkloopCondition) a = gtkloop_condition_new (lock);
  g_autoptr(GtkloopCondition) b = gtkloop_condition_new (lock);

  assert_true (gtkloop_condition_get_lock (a) == lock);
  gtkloop_condition_acquire (a, NULL);
  assert_true (gtkloop_condition_is_locked (b));
  gtkloop_condition_release (b);
  assert_false (gtkloop_lock_is_locked (lock));
}

/* Closing the loop while waiters wait, and one of them must wait for the
 * lock to come back: nothing spins, every release balances. */
static void
holds_lock_and_sleeps (GtkloopTask *t,
                       gpointer     cond)
{
  gtkloop_condition_acquire (cond, NULL);
  gtkloop_condition_notify_all (cond);
  gtkloop_sleep (10, NULL);
  gtkloop_condition_release (cond);
}

static void
waits_then_releases (GtkloopTask *t,
                     gpointer     cond)
{
  gtkloop_condition_acquire (cond, NULL);
  gtkloop_condition_wait (cond, NULL);
  gtkloop_condition_release (cond);
}

static void
test_close_while_reacquiring (void **state)
{
  TestFixture *fx = *state;
  GtkloopCondition *cond = gtkloop_condition_new (NULL);
  GtkloopTask *ts[3];

  ts[0] = gtkloop_loop_create_task (fx->loop, waits_then_releases, cond, NULL);
  ts[1] = gtkloop_loop_create_task (fx->loop, waits_then_releases, cond, NULL);
  ts[2] = gtkloop_loop_create_task (fx->loop, holds_lock_and_sleeps, cond, NULL);
  test_iterate_for (fx->loop, 0.01);
  /* The waiters were notified and wait for the lock, held by a sleeper. */
  gtkloop_loop_close (fx->loop);
  for (int i = 0; i < 3; i++)
    gtkloop_task_unref (ts[i]);
  assert_false (gtkloop_condition_is_locked (cond));
  gtkloop_condition_unref (cond);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_condition_matches_asyncio, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_misuse, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_shared_lock, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_while_reacquiring, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests_name ("condition", tests, NULL, NULL);
}
