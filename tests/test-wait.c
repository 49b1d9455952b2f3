/* gtkloop_wait and gtkloop_as_completed: asyncio.wait's three modes, its
 * timeout, futures already done, a cancelled waiting task; as_completed
 * with and without a timeout (twin: twins/wait.py). Plus argument
 * checks, callbacks left behind, and dropping an iterator early. */
#include "config.h"

#include "test-util.h"
#include "future-private.h"

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return strcmp (*(const char **) a, *(const char **) b);
}

/* asyncio prints sets; both sides print the names sorted. */
static char *
names (GPtrArray *fs)
{
  g_autoptr(GPtrArray) sorted = g_ptr_array_new ();
  GString *s = g_string_new ("{");

  for (guint i = 0; i < fs->len; i++)
    g_ptr_array_add (sorted, (gpointer) gtkloop_task_get_name (GTKLOOP_TASK (fs->pdata[i])));
  g_ptr_array_sort (sorted, compare_names);
  for (guint i = 0; i < sorted->len; i++)
    g_string_append_printf (s, "%s%s", i ? ", " : "", (const char *) sorted->pdata[i]);
  g_string_append_c (s, '}');
  return g_string_free (s, FALSE);
}

static void
print_done_pending (const char *prefix,
                    GPtrArray  *done,
                    GPtrArray  *pending)
{
  g_autofree char *d = names (done);
  g_autofree char *p = names (pending);

  test_print (test_current, "%sdone %s pending %s", prefix, d, p);
}

static GtkloopFuture *
task (GtkloopTaskFunc func,
      gpointer        data,
      const char     *name)
{
  GtkloopTask *t = gtkloop_loop_create_task (test_current->loop, func, data, NULL);

  gtkloop_task_set_name (t, name);
  return GTKLOOP_FUTURE (t);
}

/* stepper (steps, fail): data is steps, negative to fail after -steps. */
static void
stepper (GtkloopTask *t,
         gpointer     data)
{
  int steps = GPOINTER_TO_INT (data);

  for (int i = 0; i < ABS (steps); i++)
    gtkloop_sleep (0, NULL);
  if (steps < 0)
    gtkloop_task_return_error (t, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "boom"));
  else
    gtkloop_task_return (t, data, NULL);
}

typedef struct
{
  const char *name;
  double      delay;
  gboolean    fail;
} Sleep;

static void
sleeper (GtkloopTask *t,
         gpointer     data)
{
  const Sleep *s = data;

  if (!gtkloop_sleep (s->delay, NULL))
    return;
  if (s->fail)
    gtkloop_task_return_error (t, g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "%s failed", s->name));
  else
    gtkloop_task_return (t, (gpointer) s->name, NULL);
}

static void
seed (void)
{
  g_autoptr(GPtrArray) done = NULL, pending = NULL;
  GtkloopFuture *fs[2];

  test_print (test_current, "-- seed 000: ALL_COMPLETED");
  fs[0] = task (test_seed_a_task, NULL, "a");
  fs[1] = task (test_seed_b_task, NULL, "b");
  gtkloop_wait (fs, 2, GTKLOOP_ALL_COMPLETED, -1, &done, &pending, NULL);
  print_done_pending ("", done, pending);
  test_print (test_current, "results ['%s', '%s']",
              (char *) gtkloop_future_get_result (fs[0], NULL),
              (char *) gtkloop_future_get_result (fs[1], NULL));
  test_unref_futures (fs, 2);
  g_clear_pointer (&done, g_ptr_array_unref);
  g_clear_pointer (&pending, g_ptr_array_unref);

  test_print (test_current, "-- seed 000: FIRST_COMPLETED");
  fs[0] = task (test_seed_a_task, NULL, "a");
  fs[1] = task (test_seed_b_task, NULL, "b");
  gtkloop_wait (fs, 2, GTKLOOP_FIRST_COMPLETED, -1, &done, &pending, NULL);
  print_done_pending ("", done, pending);
  gtkloop_await (fs[0], NULL);
  test_print (test_current, "a finished later: %s",
              (char *) gtkloop_future_get_result (fs[0], NULL));
  test_unref_futures (fs, 2);
}

static void
first_exception (void)
{
  g_autoptr(GPtrArray) done = NULL, pending = NULL;
  GtkloopFuture *fs[2];

  test_print (test_current, "-- FIRST_EXCEPTION");
  fs[0] = task (stepper, GINT_TO_POINTER (-1), "fails");
  fs[1] = task (stepper, GINT_TO_POINTER (4), "slow");
  gtkloop_wait (fs, 2, GTKLOOP_FIRST_EXCEPTION, -1, &done, &pending, NULL);
  print_done_pending ("", done, pending);
  gtkloop_await (fs[1], NULL);
  test_unref_futures (fs, 2);
  g_clear_pointer (&done, g_ptr_array_unref);
  g_clear_pointer (&pending, g_ptr_array_unref);

  fs[0] = task (stepper, GINT_TO_POINTER (1), "x");
  fs[1] = task (stepper, GINT_TO_POINTER (2), "y");
  gtkloop_wait (fs, 2, GTKLOOP_FIRST_EXCEPTION, -1, &done, &pending, NULL);
  print_done_pending ("no failure: ", done, pending);
  test_unref_futures (fs, 2);
  g_clear_pointer (&done, g_ptr_array_unref);
  g_clear_pointer (&pending, g_ptr_array_unref);

  fs[0] = gtkloop_future_new (test_current->loop);
  fs[1] = task (stepper, GINT_TO_POINTER (3), "s");
  gtkloop_future_cancel (fs[0], NULL);
  gtkloop_wait (fs, 2, GTKLOOP_FIRST_EXCEPTION, -1, &done, &pending, NULL);
  {
    g_autofree char *p = names (pending);

    test_print (test_current, "a cancelled future is no exception: pending %s", p);
  }
  test_unref_futures (fs, 2);
}

static void
with_timeout (void)
{
  static const Sleep late = { "late", 0.25 };
  g_autoptr(GPtrArray) done = NULL, pending = NULL;
  g_autoptr(GtkloopFuture) t = task (sleeper, (gpointer) &late, "late");

  test_print (test_current, "-- timeout");
  gtkloop_wait (&t, 1, GTKLOOP_ALL_COMPLETED, 0.01, &done, &pending, NULL);
  {
    g_autofree char *d = names (done);
    g_autofree char *p = names (pending);

    test_print (test_current, "done %s pending %s cancelled %s",
                d, p, test_py_bool (gtkloop_future_is_cancelled (t)));
  }
  gtkloop_await (t, NULL);
  test_print (test_current, "it goes on: %s", (char *) gtkloop_future_get_result (t, NULL));
}

static void
already_done (void)
{
  g_autoptr(GPtrArray) done = NULL, pending = NULL;
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (test_current->loop);
  g_autoptr(GtkloopFuture) s = NULL;

  test_print (test_current, "-- already done");
  gtkloop_future_set_result (f, GINT_TO_POINTER (1), NULL);
  s = task (test_spin_task, GINT_TO_POINTER (4), "spinner");
  gtkloop_sleep (0, NULL);
  test_print (test_current, "wait starts");
  gtkloop_wait (&f, 1, GTKLOOP_ALL_COMPLETED, -1, &done, &pending, NULL);
  test_print (test_current, "wait returns %u %u", done->len, pending->len);
  gtkloop_await (s, NULL);
}

static void
waiter (GtkloopTask *t,
        gpointer     data)
{
  GtkloopFuture *kept = data;

  if (!gtkloop_wait (&kept, 1, GTKLOOP_ALL_COMPLETED, -1, NULL, NULL, NULL))
    test_print (test_current, "waiter cancelled");
}

static void
waiting_task_cancelled (void)
{
  static const Sleep kept = { "kept", 0.02 };
  g_autoptr(GtkloopFuture) t = task (sleeper, (gpointer) &kept, "kept");
  g_autoptr(GtkloopFuture) w = task (waiter, t, "waiter");

  test_print (test_current, "-- the waiting task is cancelled");
  gtkloop_sleep (0, NULL);
  gtkloop_future_cancel (w, NULL);
  gtkloop_wait (&w, 1, GTKLOOP_ALL_COMPLETED, -1, NULL, NULL, NULL);
  test_print (test_current, "waiter cancelled %s t cancelled %s",
              test_py_bool (gtkloop_future_is_cancelled (w)),
              test_py_bool (gtkloop_future_is_cancelled (t)));
  gtkloop_await (t, NULL);
  test_print (test_current, "t: %s", (char *) gtkloop_future_get_result (t, NULL));
}

static void
empty (void)
{
  g_autoptr(GError) error = NULL;

  test_print (test_current, "-- empty");
  if (!gtkloop_wait (NULL, 0, GTKLOOP_ALL_COMPLETED, -1, NULL, NULL, &error) &&
      g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT))
    test_print (test_current, "ValueError: %s", strstr (error->message, "Set of"));
}

static void
drain_as_completed (GtkloopAsCompleted *ac)
{
  while (gtkloop_as_completed_get_n_left (ac) > 0)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GtkloopFuture) f = gtkloop_as_completed_next (ac, &error);

      if (f == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT))
        test_print (test_current, "timed out");
      else if (f != NULL && gtkloop_future_get_error (f) != NULL)
        test_print (test_current, "error %s", gtkloop_future_get_error (f)->message);
      else if (f != NULL)
        test_print (test_current, "got %s", (char *) gtkloop_future_get_result (f, NULL));
    }
}

static void
as_completed (void)
{
  static const Sleep first[] = { { "slow", 0.03 }, { "fast", 0.01 }, { "bad", 0.02, TRUE } };
  static const Sleep second[] = { { "quick", 0.01 }, { "never", 10 }, { "never2", 10 } };
  GtkloopFuture *fs[3];
  GtkloopAsCompleted *ac;

  test_print (test_current, "-- as_completed");
  for (int i = 0; i < 3; i++)
    fs[i] = task (sleeper, (gpointer) &first[i], first[i].name);
  ac = gtkloop_as_completed_new (fs, 3, -1);
  drain_as_completed (ac);
  gtkloop_as_completed_unref (ac);
  test_unref_futures (fs, 3);

  test_print (test_current, "-- as_completed with a timeout");
  for (int i = 0; i < 3; i++)
    fs[i] = task (sleeper, (gpointer) &second[i], second[i].name);
  ac = gtkloop_as_completed_new (fs, 3, 0.15);
  drain_as_completed (ac);
  gtkloop_as_completed_unref (ac);
  for (int i = 0; i < 3; i++)
    gtkloop_future_cancel (fs[i], NULL);
  gtkloop_wait (fs, 3, GTKLOOP_ALL_COMPLETED, -1, NULL, NULL, NULL);
  test_unref_futures (fs, 3);
}

static void
twin_main (GtkloopTask *t,
           gpointer     data)
{
  seed ();
  first_exception ();
  with_timeout ();
  already_done ();
  waiting_task_cancelled ();
  empty ();
  as_completed ();
}

static void
test_wait_matches_asyncio (void **state)
{
  TestFixture *fx = *state;

  test_run_task (twin_main, NULL);
  test_assert_matches_twin ("wait", fx->out->str);
}

/* ---------------------------------------------------------------------- */

typedef struct
{
  GtkloopFuture *fs[2];
  GtkloopFuture *foreign;
  gboolean       ok;
  GError        *error;
  GError        *foreign_error;
  GPtrArray     *done;
  GPtrArray     *pending;
} Checks;

static void
wait_with_bad_arguments (GtkloopTask *t,
                         gpointer     data)
{
  Checks *c = data;
  GtkloopFuture *mixed[2] = { c->fs[0], c->foreign };

  c->ok = gtkloop_wait (c->fs, 2, (GtkloopWaitMode) 7, -1, &c->done, &c->pending, &c->error);
  c->ok |= gtkloop_wait (mixed, 2, GTKLOOP_ALL_COMPLETED, -1, NULL, NULL, &c->foreign_error);
}

static void
test_checks (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GtkloopLoop) other = gtkloop_loop_new (context);
  Checks c = { { gtkloop_future_new (fx->loop), gtkloop_future_new (fx->loop) }, gtkloop_future_new (other) };
  g_autoptr(GtkloopTask) t = gtkloop_loop_create_task (fx->loop, wait_with_bad_arguments, &c, NULL);

  /* A bad mode; a future of another loop. */
  test_run_until_complete (fx->loop, GTKLOOP_FUTURE (t), NULL, 5);
  assert_false (c.ok);
  assert_true (g_error_matches (c.error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  assert_true (g_error_matches (c.foreign_error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  assert_null (c.done);
  assert_null (c.pending);
  g_clear_error (&c.error);
  g_clear_error (&c.foreign_error);
  gtkloop_future_unref (c.foreign);

  /* Outside a task. */
  assert_false (gtkloop_wait (c.fs, 2, GTKLOOP_ALL_COMPLETED, -1, NULL, NULL, &c.error));
  assert_true (g_error_matches (c.error, GTKLOOP_ERROR, GTKLOOP_ERROR_NOT_IN_TASK));
  g_clear_error (&c.error);
  assert_false (gtkloop_wait_for (c.fs[0], 1, &c.error));
  assert_true (g_error_matches (c.error, GTKLOOP_ERROR, GTKLOOP_ERROR_NOT_IN_TASK));
  g_clear_error (&c.error);

  test_unref_futures (c.fs, 2);
  gtkloop_loop_close (other);
}

/* After wait () returns, none of its callbacks is left on the futures
 * still pending (asyncio removes them in its finally). */
typedef struct
{
  GtkloopFuture *never;
  GtkloopFuture *soon;
} Leftover;

static void
resolve_soon (gpointer f)
{
  gtkloop_future_set_result (f, NULL, NULL);
}

static void
waits_first_completed (GtkloopTask *t,
                       gpointer     data)
{
  Leftover *l = data;
  GtkloopFuture *fs[2] = { l->never, l->soon };

  gtkloop_loop_call_soon (test_current->loop, resolve_soon, l->soon, NULL);
  gtkloop_wait (fs, 2, GTKLOOP_FIRST_COMPLETED, -1, NULL, NULL, NULL);
}

static void
test_no_callbacks_left (void **state)
{
  TestFixture *fx = *state;
  Leftover l = { gtkloop_future_new (fx->loop), gtkloop_future_new (fx->loop) };
  g_autoptr(GtkloopTask) t = gtkloop_loop_create_task (fx->loop, waits_first_completed, &l, NULL);

  test_run_until_complete (fx->loop, GTKLOOP_FUTURE (t), NULL, 5);
  /* Nothing of wait's left on `never`: removing finds nothing. */
  assert_int_equal (l.never->n_callbacks, 0);
  gtkloop_future_unref (l.never);
  gtkloop_future_unref (l.soon);
}

static void
drops_iterator_early (GtkloopTask *t,
                      gpointer     data)
{
  GtkloopFuture **fs = data;
  GtkloopAsCompleted *ac = gtkloop_as_completed_new (fs, 2, 5.0);
  GtkloopFuture *first;

  gtkloop_loop_call_soon (test_current->loop, resolve_soon, fs[1], NULL);
  first = gtkloop_as_completed_next (ac, NULL);
  g_assert (first == fs[1]);
  gtkloop_future_unref (first);
  /* fs[0] never completes; the timer is pending: both must let go. */
  gtkloop_as_completed_unref (ac);
}

static void
test_as_completed_dropped_early (void **state)
{
  TestFixture *fx = *state;
  GtkloopFuture *fs[2] = { gtkloop_future_new (fx->loop), gtkloop_future_new (fx->loop) };
  g_autoptr(GtkloopTask) t = gtkloop_loop_create_task (fx->loop, drops_iterator_early, fs, NULL);

  test_run_until_complete (fx->loop, GTKLOOP_FUTURE (t), NULL, 5);
  assert_int_equal (fs[0]->n_callbacks, 0);
  assert_int_equal (gtkloop_loop_get_n_pending (fx->loop), 0);
  test_unref_futures (fs, 2);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_wait_matches_asyncio, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_checks, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_no_callbacks_left, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_as_completed_dropped_early, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests_name ("wait", tests, NULL, NULL);
}
