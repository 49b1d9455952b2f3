/* GtkloopLock: hand-over order, cancelled waiters, a wake-up passed on by a
 * waiter cancelled after it was woken, no queue jumping, seed 001's
 * async_lock.py (twin: twins/lock.py); misuse and loop binding. */
#include "config.h"

#include "test-util.h"

typedef struct
{
  GtkloopLock *lock;
  const char  *name;
} Worker;

static void
worker (GtkloopTask *task,
        gpointer     data)
{
  Worker *w = data;
  g_autoptr(GError) error = NULL;

  test_print (test_current, "%s waits", w->name);
  if (!gtkloop_lock_acquire (w->lock, &error))
    {
      test_print (test_current, "%s cancelled while waiting", w->name);
      return;
    }
  test_print (test_current, "%s got the lock", w->name);
  gtkloop_sleep (0, NULL);
  gtkloop_lock_release (w->lock);
  test_print (test_current, "%s released", w->name);
}

static GtkloopFuture *
spawn_worker (GtkloopLock *lock,
              const char  *name)
{
  Worker *w = g_new (Worker, 1);

  w->lock = lock;
  w->name = name;
  return GTKLOOP_FUTURE (gtkloop_loop_create_task (test_current->loop, worker, w, g_free));
}

static void
spawn_abc (GtkloopLock   *lock,
           GtkloopFuture *tasks[3])
{
  tasks[0] = spawn_worker (lock, "A");
  tasks[1] = spawn_worker (lock, "B");
  tasks[2] = spawn_worker (lock, "C");
}

static void
fifo (void)
{
  g_autoptr(GtkloopLock) lock = gtkloop_lock_new ();
  GtkloopFuture *tasks[3];

  test_print (test_current, "-- fifo");
  gtkloop_lock_acquire (lock, NULL);
  spawn_abc (lock, tasks);
  gtkloop_sleep (0, NULL);
  test_print (test_current, "main releases, locked %s",
              test_py_bool (gtkloop_lock_is_locked (lock)));
  gtkloop_lock_release (lock);
  test_gather_and_await (tasks, 3, FALSE);
  test_print (test_current, "locked %s", test_py_bool (gtkloop_lock_is_locked (lock)));
  test_unref_futures (tasks, 3);
}

static void
cancelled_waiter (void)
{
  g_autoptr(GtkloopLock) lock = gtkloop_lock_new ();
  GtkloopFuture *tasks[3];

  test_print (test_current, "-- cancelled waiter");
  gtkloop_lock_acquire (lock, NULL);
  spawn_abc (lock, tasks);
  gtkloop_sleep (0, NULL);
  gtkloop_future_cancel (tasks[1], NULL);
  gtkloop_sleep (0, NULL);
  gtkloop_lock_release (lock);
  test_gather_and_await (tasks, 3, TRUE);
  test_print (test_current, "B cancelled %s; locked %s",
              test_py_bool (gtkloop_future_is_cancelled (tasks[1])),
              test_py_bool (gtkloop_lock_is_locked (lock)));
  test_unref_futures (tasks, 3);
}

static void
woken_then_cancelled (void)
{
  g_autoptr(GtkloopLock) lock = gtkloop_lock_new ();
  GtkloopFuture *tasks[3];

  test_print (test_current, "-- woken then cancelled");
  gtkloop_lock_acquire (lock, NULL);
  spawn_abc (lock, tasks);
  gtkloop_sleep (0, NULL);
  gtkloop_lock_release (lock);            /* wakes A, which has not run yet */
  gtkloop_future_cancel (tasks[0], NULL); /* A passes the wake-up to B */
  test_gather_and_await (tasks, 3, TRUE);
  test_print (test_current, "A cancelled %s; locked %s",
              test_py_bool (gtkloop_future_is_cancelled (tasks[0])),
              test_py_bool (gtkloop_lock_is_locked (lock)));
  test_unref_futures (tasks, 3);
}

static void
no_queue_jumping (void)
{
  g_autoptr(GtkloopLock) lock = gtkloop_lock_new ();
  g_autoptr(GtkloopFuture) t = NULL;

  test_print (test_current, "-- no queue jumping");
  gtkloop_lock_acquire (lock, NULL);
  t = spawn_worker (lock, "A");
  gtkloop_sleep (0, NULL);
  gtkloop_lock_release (lock);   /* A is woken, but the lock looks free */
  test_print (test_current, "locked %s; main acquires",
              test_py_bool (gtkloop_lock_is_locked (lock)));
  gtkloop_lock_acquire (lock, NULL);
  test_print (test_current, "main got the lock");
  gtkloop_lock_release (lock);
  gtkloop_await (t, NULL);
}

/* Seed 001, async_lock.py. */
static gboolean seen_x;

static const char *
work (GtkloopLock *lock,
      const char  *name)
{
  test_print (test_current, "lalalalalalalala");
  gtkloop_lock_acquire (lock, NULL);
  test_print (test_current, "%s start", name);
  if (seen_x)
    {
      gtkloop_lock_release (lock);
      return name;
    }
  gtkloop_sleep (0, NULL);
  test_print (test_current, "----------");
  seen_x = TRUE;
  test_print (test_current, "%s end", name);
  gtkloop_lock_release (lock);
  return name;
}

static void
seed_one (GtkloopTask *task,
          gpointer     lock)
{
  test_print (test_current, "%s ok", work (lock, "one"));
}

static void
seed_two (GtkloopTask *task,
          gpointer     lock)
{
  test_print (test_current, "%s ok", work (lock, "two"));
}

static void
seed_001 (void)
{
  g_autoptr(GtkloopLock) lock = gtkloop_lock_new ();
  GtkloopFuture *tasks[2];

  test_print (test_current, "-- seed 001");
  seen_x = FALSE;
  tasks[0] = test_spawn (seed_one, lock);
  tasks[1] = test_spawn (seed_two, lock);
  gtkloop_wait (tasks, 2, GTKLOOP_ALL_COMPLETED, -1, NULL, NULL, NULL);
  test_unref_futures (tasks, 2);
}

static void
twin_main (GtkloopTask *task,
           gpointer     data)
{
  fifo ();
  cancelled_waiter ();
  woken_then_cancelled ();
  no_queue_jumping ();
  seed_001 ();
}

static void
test_lock_matches_asyncio (void **state)
{
  TestFixture *fx = *state;

  test_run_task (twin_main, NULL);
  test_assert_matches_twin ("lock", fx->out->str);
}

/* ---------------------------------------------------------------------- */

static void
test_release_unlocked_is_critical (void **state)
{
  g_autoptr(GtkloopLock) lock = gtkloop_lock_new ();

  test_criticals_begin ();
  gtkloop_lock_release (lock);
  assert_int_equal (test_criticals_end (), 1);
  assert_non_null (strstr (test_criticals_last (), "gtkloop_lock_release"));
}

static void
test_fast_path_outside_task (void **state)
{
  g_autoptr(GtkloopLock) lock = gtkloop_lock_new ();
  g_autoptr(GError) error = NULL;

  /* A free lock is taken without waiting, so also outside a task; a held
   * one would need a task to wait in. */
  assert_true (gtkloop_lock_acquire (lock, &error));
  assert_false (gtkloop_lock_acquire (lock, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_NOT_IN_TASK));
  gtkloop_lock_release (lock);
  assert_false (gtkloop_lock_is_locked (lock));
}

typedef struct
{
  GtkloopLock *lock;
  gboolean     ok;
  GError      *error;
} BindData;

static void
acquire_held (GtkloopTask *task,
              gpointer     data)
{
  BindData *bd = data;

  bd->ok = gtkloop_lock_acquire (bd->lock, &bd->error);
}

static void
test_bound_to_first_loop (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GtkloopLoop) other = gtkloop_loop_new (context);
  g_autoptr(GtkloopLock) lock = gtkloop_lock_new ();
  BindData bd = { lock, FALSE, NULL };
  GtkloopTask *t;

  gtkloop_lock_acquire (lock, NULL);
  t = gtkloop_loop_create_task (fx->loop, acquire_held, &bd, NULL);
  gtkloop_loop_call_later (fx->loop, 0.01, (GtkloopCallback) gtkloop_lock_release, lock, NULL);
  test_run_until_complete (fx->loop, GTKLOOP_FUTURE (t), NULL, 5);
  gtkloop_task_unref (t);
  assert_true (bd.ok);

  /* Now bound to fx->loop: a task of another loop must not wait on it. */
  t = gtkloop_loop_create_task (other, acquire_held, &bd, NULL);
  test_run_until_complete (other, GTKLOOP_FUTURE (t), NULL, 5);
  gtkloop_task_unref (t);
  assert_false (bd.ok);
  assert_true (g_error_matches (bd.error, GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE));
  g_clear_error (&bd.error);
  gtkloop_lock_release (lock);
  gtkloop_loop_close (other);
}

/* Closing the loop while tasks wait: each gets G_IO_ERROR_CANCELLED, the
 * lock stays consistent, nothing leaks. */
typedef struct
{
  GtkloopLock *lock;
  int          cancelled;
} CloseData;

static void
waits_forever (GtkloopTask *task,
               gpointer     data)
{
  CloseData *cd = data;
  g_autoptr(GError) error = NULL;

  if (!gtkloop_lock_acquire (cd->lock, &error) && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    cd->cancelled++;
}

static void
test_close_with_waiters (void **state)
{
  TestFixture *fx = *state;
  GtkloopLock *lock = gtkloop_lock_new ();
  CloseData cd = { lock, 0 };
  GtkloopTask *tasks[3];

  gtkloop_lock_acquire (lock, NULL);
  for (int i = 0; i < 3; i++)
    tasks[i] = gtkloop_loop_create_task (fx->loop, waits_forever, &cd, NULL);
  test_iterate_for (fx->loop, 0.01);
  gtkloop_loop_close (fx->loop);
  assert_int_equal (cd.cancelled, 3);
  for (int i = 0; i < 3; i++)
    gtkloop_task_unref (tasks[i]);
  gtkloop_lock_release (lock);
  gtkloop_lock_unref (lock);
}

/* Loop-bound: once bound, a call from another thread is refused with a
 * critical and changes nothing. */
static gpointer
release_from_thread (gpointer lock)
{
  gtkloop_lock_release (lock);
  return NULL;
}

static void
test_other_thread_refused (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopLock) lock = gtkloop_lock_new ();
  BindData bd = { lock, FALSE, NULL };
  GtkloopTask *t;
  GThread *thread;

  /* Bind it: a task waits for it once. */
  gtkloop_lock_acquire (lock, NULL);
  t = gtkloop_loop_create_task (fx->loop, acquire_held, &bd, NULL);
  gtkloop_loop_call_later (fx->loop, 0.01, (GtkloopCallback) gtkloop_lock_release, lock, NULL);
  test_run_until_complete (fx->loop, GTKLOOP_FUTURE (t), NULL, 5);
  gtkloop_task_unref (t);
  assert_true (bd.ok && gtkloop_lock_is_locked (lock));

  test_criticals_begin ();
  thread = g_thread_new ("other", release_from_thread, lock);
  g_thread_join (thread);
  assert_int_equal (test_criticals_end (), 1);
  assert_non_null (strstr (test_criticals_last (), "gtkloop_lock_release"));
  assert_true (gtkloop_lock_is_locked (lock));
  gtkloop_lock_release (lock);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_lock_matches_asyncio, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_release_unlocked_is_critical, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_fast_path_outside_task, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_bound_to_first_loop, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_with_waiters, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_other_thread_refused, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests_name ("lock", tests, NULL, NULL);
}
