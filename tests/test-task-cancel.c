/* Task cancellation: every case of API.md's "Points where asyncio decides",
 * matched line for line against asyncio (twins/task_cancel.py), plus the
 * task's GCancellable and closing a loop with tasks still pending. */
#include "config.h"

#include "test-util.h"

static char *
state_of (GtkloopTask *t)
{
  GtkloopFuture *f = GTKLOOP_FUTURE (t);

  if (!gtkloop_future_is_done (f))
    return g_strdup ("pending");
  if (gtkloop_future_is_cancelled (f))
    return g_strdup ("cancelled");
  if (gtkloop_future_get_result (f, NULL) == NULL)
    return g_strdup ("result None");
  return g_strdup_printf ("result %d", GPOINTER_TO_INT (gtkloop_future_get_result (f, NULL)));
}

static void
print_state (const char  *label,
             GtkloopTask *t)
{
  g_autofree char *s = state_of (t);

  test_print (test_current, "%s %s", label, s);
}

static void
yield (void)
{
  gtkloop_sleep (0, NULL);
}

static void
sleeper (GtkloopTask *task,
         gpointer     data)
{
  g_autoptr(GError) error = NULL;

  test_print (test_current, "%s sleeps", (const char *) data);
  if (!gtkloop_sleep (10, &error))
    {
      test_print (test_current, "%s cancelled: %s", (const char *) data, error->message);
      return;   /* Python: re-raise */
    }
  test_print (test_current, "%s not reached", (const char *) data);
}

static void
never_runs (GtkloopTask *task,
            gpointer     data)
{
  test_print (test_current, "never printed");
}

static void
catcher (GtkloopTask *task,
         gpointer     data)
{
  if (!gtkloop_sleep (10, NULL))
    {
      test_print (test_current, "catcher caught the cancellation and returns 7");
      gtkloop_task_return (task, GINT_TO_POINTER (7), NULL);
    }
}

static void
self_canceller (GtkloopTask *task,
                gpointer     data)
{
  gtkloop_task_cancel (gtkloop_task_get_current (), "self");
  test_print (test_current, "self_canceller returns 5 without a suspension point");
  gtkloop_task_return (task, GINT_TO_POINTER (5), NULL);
}

static void
uncanceller (GtkloopTask *task,
             gpointer     data)
{
  if (!gtkloop_sleep (10, NULL))
    test_print (test_current, "uncanceller uncancel -> %u", gtkloop_task_uncancel (task));
  if (gtkloop_sleep (0, NULL))
    test_print (test_current, "uncanceller slept fine after uncancel");
}

static void
once (GtkloopTask *task,
      gpointer     data)
{
  if (!gtkloop_sleep (10, NULL))
    test_print (test_current, "once: first sleep cancelled");
  if (gtkloop_sleep (0, NULL))
    test_print (test_current, "once: second sleep succeeded (delivered once)");
  gtkloop_task_return (task, GINT_TO_POINTER (1), NULL);
}

static void
waiter (GtkloopTask *task,
        gpointer     data)
{
  GtkloopFuture *fut = data;

  if (!gtkloop_await (fut, NULL))
    test_print (test_current, "waiter: future cancelled %s",
                test_py_bool (gtkloop_future_is_cancelled (fut)));
}

static void
cancel_main (GtkloopTask *main_task,
             gpointer     data)
{
  GtkloopLoop *loop = test_current->loop;
  GtkloopTask *t;
  GtkloopFuture *fut;
  gboolean ok;

  t = gtkloop_loop_create_task (loop, sleeper, "s1", NULL);
  yield ();
  test_print (test_current, "cancel s1 -> %s", test_py_bool (gtkloop_task_cancel (t, "stop now")));
  yield ();
  {
    g_autofree char *s = state_of (t);

    ok = gtkloop_task_cancel (t, NULL);
    test_print (test_current, "s1 %s; cancel again -> %s", s, test_py_bool (ok));
  }
  gtkloop_task_unref (t);

  t = gtkloop_loop_create_task (loop, never_runs, NULL, NULL);
  test_print (test_current, "cancel before start -> %s",
              test_py_bool (gtkloop_task_cancel (t, NULL)));
  yield ();
  print_state ("never_runs", t);
  gtkloop_task_unref (t);

  t = gtkloop_loop_create_task (loop, catcher, NULL, NULL);
  yield ();
  gtkloop_task_cancel (t, NULL);
  yield ();
  print_state ("catcher", t);
  gtkloop_task_unref (t);

  t = gtkloop_loop_create_task (loop, self_canceller, NULL, NULL);
  yield ();
  yield ();
  print_state ("self_canceller", t);
  gtkloop_task_unref (t);

  t = gtkloop_loop_create_task (loop, uncanceller, NULL, NULL);
  yield ();
  gtkloop_task_cancel (t, NULL);
  for (int i = 0; i < 3; i++)
    yield ();
  print_state ("uncanceller", t);
  gtkloop_task_unref (t);

  t = gtkloop_loop_create_task (loop, once, NULL, NULL);
  yield ();
  gtkloop_task_cancel (t, NULL);
  for (int i = 0; i < 3; i++)
    yield ();
  print_state ("once", t);
  gtkloop_task_unref (t);

  fut = gtkloop_future_new (loop);
  t = gtkloop_loop_create_task (loop, waiter, fut, NULL);
  yield ();
  gtkloop_task_cancel (t, NULL);
  yield ();
  {
    g_autofree char *s = state_of (t);

    test_print (test_current, "waiter %s; its future cancelled %s",
                s, test_py_bool (gtkloop_future_is_cancelled (fut)));
  }
  gtkloop_task_unref (t);
  gtkloop_future_unref (fut);

  fut = gtkloop_future_new (loop);
  t = gtkloop_loop_create_task (loop, waiter, fut, NULL);
  yield ();
  gtkloop_future_cancel (fut, NULL);
  yield ();
  yield ();
  print_state ("waiter after its future was cancelled:", t);
  gtkloop_task_unref (t);
  gtkloop_future_unref (fut);
}

static void
test_cancellation_matches_asyncio (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopTask) task = gtkloop_loop_create_task (fx->loop, cancel_main, NULL, NULL);

  assert_true (gtkloop_loop_run_until_complete (fx->loop, GTKLOOP_FUTURE (task), NULL));
  test_assert_matches_twin ("task_cancel", fx->out->str);
}

/* ---------------------------------------------------------------------- */

static void
cancel_message_kept (GtkloopTask *task,
                     gpointer     data)
{
  gtkloop_sleep (10, NULL);
}

static void
cancel_task (gpointer task)
{
  gtkloop_task_cancel (task, "cancelled by a timer");
}

static void
test_cancelled_task_error_carries_message (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopTask) task = gtkloop_loop_create_task (fx->loop, cancel_message_kept, NULL, NULL);
  g_autoptr(GError) error = NULL;

  gtkloop_loop_call_later (fx->loop, 0.001, cancel_task, task, NULL);
  assert_false (gtkloop_loop_run_until_complete (fx->loop, GTKLOOP_FUTURE (task), &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  assert_string_equal (error->message, "cancelled by a timer");
  assert_true (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (task)));
}

typedef struct
{
  gboolean cancelled_seen;
  gboolean fresh_after_uncancel;
  gboolean same_during_cancel;
} CancellableData;

static void
watches_cancellable (GtkloopTask *task,
                     gpointer     data)
{
  CancellableData *cd = data;
  GCancellable *first = gtkloop_task_get_cancellable (task);

  gtkloop_sleep (10, NULL);
  cd->cancelled_seen = g_cancellable_is_cancelled (first);
  cd->same_during_cancel = gtkloop_task_get_cancellable (task) == first;
  gtkloop_task_uncancel (task);
  cd->fresh_after_uncancel = !g_cancellable_is_cancelled (gtkloop_task_get_cancellable (task));
}

static void
test_cancellable_follows_the_task (void **state)
{
  TestFixture *fx = *state;
  CancellableData cd = { 0 };
  g_autoptr(GtkloopTask) task = gtkloop_loop_create_task (fx->loop, watches_cancellable, &cd, NULL);

  gtkloop_loop_call_later (fx->loop, 0.001, cancel_task, task, NULL);
  gtkloop_loop_run_until_complete (fx->loop, GTKLOOP_FUTURE (task), NULL);
  assert_true (cd.cancelled_seen);
  assert_true (cd.same_during_cancel);
  assert_true (cd.fresh_after_uncancel);
}

/* ---------------------------------------------------------------------- */
/* Closing with pending tasks                                              */

typedef struct
{
  DestroyCounter destroyed;   /* first: test_destroy_count takes the struct */
  int            started;
  int            failed_at_once;
  int            cleaned_up;
} CloseData;

static void
sleeps_with_cleanup (GtkloopTask *task,
                     gpointer     data)
{
  CloseData *cd = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopFuture) never = gtkloop_future_new (gtkloop_future_get_loop (GTKLOOP_FUTURE (task)));

  cd->started++;
  gtkloop_await (never, NULL);
  /* While the loop closes, every further suspension point fails at once. */
  if (!gtkloop_sleep (5, &error) && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    cd->failed_at_once++;
  cd->cleaned_up++;
}

static void
test_close_finishes_pending_tasks (void **state)
{
  TestFixture *fx = *state;
  CloseData cd = { { 0 } };
  GtkloopTask *tasks[4];

  for (int i = 0; i < 3; i++)
    tasks[i] = gtkloop_loop_create_task (fx->loop, sleeps_with_cleanup, &cd, test_destroy_count);
  test_iterate_for (fx->loop, 0.01);
  assert_int_equal (cd.started, 3);

  /* One more that never gets to start. */
  tasks[3] = gtkloop_loop_create_task (fx->loop, sleeps_with_cleanup, &cd, test_destroy_count);
  gtkloop_loop_close (fx->loop);

  assert_int_equal (cd.started, 3);
  assert_int_equal (cd.failed_at_once, 3);
  assert_int_equal (cd.cleaned_up, 3);
  assert_int_equal (cd.destroyed.count, 4);
  for (int i = 0; i < 4; i++)
    {
      assert_true (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (tasks[i])));
      gtkloop_task_unref (tasks[i]);
    }
}

/* Close with a fire-and-forget task: the loop's reference is the only one,
 * and finishing the task for close drops it (ASan/Valgrind catch a read of
 * the freed task here). */
static void
sleeps_long (GtkloopTask *task,
             gpointer     data)
{
  gtkloop_sleep (10, NULL);
  ((DestroyCounter *) data)->count++;
}

static void
test_close_finishes_fire_and_forget_task (void **state)
{
  TestFixture *fx = *state;
  DestroyCounter finished = { 0 }, destroyed = { 0 };
  GtkloopTask *task = gtkloop_loop_create_task (fx->loop, sleeps_long, &finished, NULL);

  gtkloop_task_unref (task);
  gtkloop_future_unref (GTKLOOP_FUTURE (gtkloop_loop_create_task (fx->loop, sleeps_long, &destroyed,
                                                                  test_destroy_count)));
  test_iterate_for (fx->loop, 0.005);
  gtkloop_loop_close (fx->loop);
  assert_int_equal (finished.count, 1);
  assert_int_equal (destroyed.count, 2);   /* its body's count, then its destroy notify */
}

/* A task awaiting an executor job, dropped by its creator, then the loop
 * closes while the job still runs: the wake-up queued by the cancellation
 * must not outlive the task it points to. */
static gpointer
slow_job (gpointer       data,
          GCancellable  *cancellable,
          GError       **error)
{
  g_atomic_int_set ((gint *) data, 1);
  g_usleep (200 * 1000);
  return NULL;
}

typedef struct
{
  gint     job_running;
  gboolean awaiting;
  gboolean await_failed;
} JobWait;

static void
awaits_slow_job (GtkloopTask *task,
                 gpointer     data)
{
  JobWait *jw = data;
  GtkloopLoop *loop = gtkloop_future_get_loop (GTKLOOP_FUTURE (task));
  g_autoptr(GtkloopFuture) job = gtkloop_loop_run_in_executor (loop, NULL, slow_job, &jw->job_running,
                                                                NULL, NULL);

  jw->awaiting = TRUE;
  jw->await_failed = !gtkloop_await (job, NULL);
}

static void
test_close_while_awaiting_running_job (void **state)
{
  TestFixture *fx = *state;
  JobWait *jw = g_new0 (JobWait, 1);
  GtkloopTask *task = gtkloop_loop_create_task (fx->loop, awaits_slow_job, jw, NULL);

  test_iterate_until (fx->loop, &jw->awaiting, 5);
  while (!g_atomic_int_get (&jw->job_running))
    g_usleep (1000);
  gtkloop_task_unref (task);
  gtkloop_loop_close (fx->loop);
  assert_true (jw->await_failed);
  g_free (jw);
}

/* A destroy notify run by close that starts a task: the task could never
 * run any more, so it comes back failed with GTKLOOP_ERROR_CLOSED and its
 * own destroy notify runs at once. */
typedef struct
{
  GtkloopLoop   *loop;
  GtkloopTask   *late;
  DestroyCounter late_destroyed;
} LateTask;

static void
never_starts (GtkloopTask *task,
              gpointer     data)
{
  ((DestroyCounter *) data)->count += 100;
}

static void
start_task_from_notify (gpointer data)
{
  LateTask *lt = data;

  lt->late = gtkloop_loop_create_task (lt->loop, never_starts, &lt->late_destroyed, test_destroy_count);
}

static void
test_task_started_by_close_is_refused (void **state)
{
  TestFixture *fx = *state;
  LateTask lt = { fx->loop, NULL, { 0 } };
  g_autoptr(GError) error = NULL;

  gtkloop_loop_call_later (fx->loop, 100, test_noop_cb, &lt, start_task_from_notify);
  gtkloop_loop_close (fx->loop);
  assert_non_null (lt.late);
  assert_true (gtkloop_future_is_done (GTKLOOP_FUTURE (lt.late)));
  assert_null (gtkloop_future_get_result (GTKLOOP_FUTURE (lt.late), &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED));
  assert_int_equal (lt.late_destroyed.count, 1);
  gtkloop_task_unref (lt.late);
}

/* Two tasks awaiting each other. Cancelling one used to pass the
 * cancellation round the cycle until the stack overflowed (found by the
 * scheduler fuzzer, tests/fuzz); now it counts once for each task and
 * breaks the deadlock: the first task's await fails with it, and once that
 * task has ended, so does the other's. */
typedef struct
{
  GtkloopTask *other;
  char        *message;     /* of the error its await failed with */
  int          returned;
} CycleSide;

static void
awaits_the_other (GtkloopTask *task,
                  gpointer     data)
{
  CycleSide *side = data;
  g_autoptr(GError) error = NULL;

  gtkloop_sleep (0, NULL);   /* both exist before either awaits */
  if (!gtkloop_await (GTKLOOP_FUTURE (side->other), &error))
    {
      assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
      side->message = g_strdup (error->message);
    }
  side->returned++;
}

static void
start_cycle (TestFixture *fx,
             CycleSide   *a,
             CycleSide   *b,
             GtkloopTask **ta,
             GtkloopTask **tb)
{
  *ta = gtkloop_loop_create_task (fx->loop, awaits_the_other, a, NULL);
  *tb = gtkloop_loop_create_task (fx->loop, awaits_the_other, b, NULL);
  a->other = *tb;
  b->other = *ta;
  test_iterate_for (fx->loop, 0.005);
  assert_false (gtkloop_future_is_done (GTKLOOP_FUTURE (*ta)));
  assert_false (gtkloop_future_is_done (GTKLOOP_FUTURE (*tb)));
}

static void
test_cancel_round_a_cycle_of_awaits (void **state)
{
  TestFixture *fx = *state;
  CycleSide a = { 0 }, b = { 0 };
  GtkloopTask *ta, *tb;

  start_cycle (fx, &a, &b, &ta, &tb);
  assert_true (gtkloop_task_cancel (ta, "round"));
  assert_int_equal (gtkloop_task_cancelling (ta), 1);
  assert_int_equal (gtkloop_task_cancelling (tb), 1);
  test_iterate_for (fx->loop, 0.005);

  assert_int_equal (a.returned, 1);
  assert_int_equal (b.returned, 1);
  assert_string_equal (a.message, "round");
  assert_non_null (b.message);   /* it awaited a task that ended cancelled */
  assert_true (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (ta)));
  assert_true (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (tb)));
  g_free (a.message);
  g_free (b.message);
  gtkloop_task_unref (ta);
  gtkloop_task_unref (tb);
}

/* A task awaiting a gather of two tasks that both await it: the
 * cancellation comes back round twice, through each child (the second
 * time the task had already stopped waiting: a critical, found by the
 * fuzzer). */
typedef struct
{
  GtkloopTask *children[2];
  CycleSide    sides[2];
  int          returned;
  gboolean     cancelled;
} GatherCycle;

static void
awaits_a_gather_of_its_awaiters (GtkloopTask *task,
                                 gpointer     data)
{
  GatherCycle *gc = data;
  GtkloopLoop *loop = gtkloop_future_get_loop (GTKLOOP_FUTURE (task));
  GtkloopFuture *fs[2];
  g_autoptr(GtkloopFuture) g = NULL;
  g_autoptr(GError) error = NULL;

  for (int i = 0; i < 2; i++)
    {
      gc->sides[i].other = task;
      gc->children[i] = gtkloop_loop_create_task (loop, awaits_the_other, &gc->sides[i], NULL);
      fs[i] = GTKLOOP_FUTURE (gc->children[i]);
    }
  g = gtkloop_gather (fs, 2, FALSE);
  gc->cancelled = !gtkloop_await (g, &error) &&
                  g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  gc->returned++;
}

static void
test_cancel_round_a_gather_cycle (void **state)
{
  TestFixture *fx = *state;
  GatherCycle gc = { 0 };
  GtkloopTask *t = gtkloop_loop_create_task (fx->loop, awaits_a_gather_of_its_awaiters, &gc, NULL);

  test_iterate_for (fx->loop, 0.005);
  assert_false (gtkloop_future_is_done (GTKLOOP_FUTURE (t)));
  assert_true (gtkloop_task_cancel (t, "round"));
  assert_int_equal (gtkloop_task_cancelling (t), 1);
  test_iterate_for (fx->loop, 0.005);

  assert_int_equal (gc.returned, 1);
  assert_true (gc.cancelled);
  assert_true (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (t)));
  for (int i = 0; i < 2; i++)
    {
      assert_int_equal (gc.sides[i].returned, 1);
      assert_true (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (gc.children[i])));
      g_free (gc.sides[i].message);
      gtkloop_task_unref (gc.children[i]);
    }
  gtkloop_task_unref (t);
}

/* The same cycle left to close: close cancels each task in turn (this
 * overflowed the stack too). */
static void
test_close_with_a_cycle_of_awaits (void **state)
{
  TestFixture *fx = *state;
  CycleSide a = { 0 }, b = { 0 };
  GtkloopTask *ta, *tb;

  start_cycle (fx, &a, &b, &ta, &tb);
  gtkloop_loop_close (fx->loop);
  assert_int_equal (a.returned, 1);
  assert_int_equal (b.returned, 1);
  assert_true (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (ta)));
  assert_true (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (tb)));
  g_free (a.message);
  g_free (b.message);
  gtkloop_task_unref (ta);
  gtkloop_task_unref (tb);
}

/* A task cancelled with a message and still pending when the loop closes,
 * awaiting a gather: close cancels it again with that same message, which
 * was freed before being copied and then passed on to the gather's child
 * (use after free, reported by ASan under the scheduler fuzzer). */
typedef struct
{
  char *message;   /* of the error its await failed with */
  int   returned;
} MessageSeen;

static void
awaits_forever (GtkloopTask *task,
                gpointer     data)
{
  MessageSeen *seen = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopFuture) never = gtkloop_future_new (gtkloop_future_get_loop (GTKLOOP_FUTURE (task)));

  if (!gtkloop_await (never, &error))
    seen->message = g_strdup (error->message);
  seen->returned++;
}

static void
awaits_a_gather (GtkloopTask *task,
                 gpointer     data)
{
  MessageSeen *seen = data;   /* [0]: this task, [1]: its child */
  g_autoptr(GError) error = NULL;
  g_autoptr(GtkloopTask) child =
    gtkloop_loop_create_task (gtkloop_future_get_loop (GTKLOOP_FUTURE (task)), awaits_forever, &seen[1], NULL);
  GtkloopFuture *fs[1] = { GTKLOOP_FUTURE (child) };
  g_autoptr(GtkloopFuture) g = gtkloop_gather (fs, 1, FALSE);

  if (!gtkloop_await (g, &error))
    seen[0].message = g_strdup (error->message);
  seen[0].returned++;
}

static void
test_close_keeps_the_cancel_message (void **state)
{
  TestFixture *fx = *state;
  const char *msg = "stop, with a message long enough to be noticed";
  MessageSeen seen[2] = { { 0 } };
  GtkloopTask *t = gtkloop_loop_create_task (fx->loop, awaits_a_gather, seen, NULL);

  test_iterate_for (fx->loop, 0.002);
  assert_true (gtkloop_task_cancel (t, msg));
  gtkloop_loop_close (fx->loop);   /* before the tasks saw it */
  for (int i = 0; i < 2; i++)
    {
      assert_int_equal (seen[i].returned, 1);
      assert_string_equal (seen[i].message, msg);
      g_free (seen[i].message);
    }
  gtkloop_task_unref (t);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_cancellation_matches_asyncio, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_cancelled_task_error_carries_message, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_cancellable_follows_the_task, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_finishes_pending_tasks, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_finishes_fire_and_forget_task, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_while_awaiting_running_job, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_task_started_by_close_is_refused, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_cancel_round_a_cycle_of_awaits, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_cancel_round_a_gather_cycle, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_with_a_cycle_of_awaits, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_keeps_the_cancel_message, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests_name ("task-cancel", tests, NULL, NULL);
}
