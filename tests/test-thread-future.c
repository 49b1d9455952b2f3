/* Thread futures: run_task_threadsafe from plain threads and loop
 * threads, waiting with a timeout, cancelling (before and after the task
 * started), done callbacks and the thread they run on, errors, misuse, and
 * the seed's run_coroutine_threadsafe program (twin:
 * twins/run_coroutine_threadsafe.py).
 *
 * Workers record; assertions run on the test's main thread. */
#include "config.h"

#include "test-threads-util.h"

/* ---------------------------------------------------------------------- */
/* Tasks used below                                                        */

typedef struct
{
  double       sleep_s;
  const char  *result;          /* returned as a g_strdup */
  gboolean     fail;
  atomic_int   started;
  atomic_int   saw_cancel;
  ThreadRecord ran_on;
  ThreadRecord destroyed;
} Calc;

static void
calc_task (GtkloopTask *task,
           gpointer     data)
{
  Calc *c = data;
  g_autoptr(GError) error = NULL;

  thread_record (&c->ran_on);
  atomic_store (&c->started, 1);
  if (!gtkloop_sleep (c->sleep_s, &error))
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        atomic_store (&c->saw_cancel, 1);
      return;
    }
  if (c->fail)
    gtkloop_task_return_error (task, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED, "no"));
  else
    gtkloop_task_return (task, g_strdup (c->result), g_free);
}

static void
calc_destroy (gpointer data)
{
  thread_record (&((Calc *) data)->destroyed);
}

/* ---------------------------------------------------------------------- */
/* The seed's run_coroutine_threadsafe, with its defects fixed             */

static GString *twin_out;   /* written by the loop thread before the future completes */

static void
twin_calculate (GtkloopTask *task,
                gpointer     data)
{
  g_string_append (twin_out, "calculate: start\n");
  if (!gtkloop_sleep (0.05, NULL))
    return;
  g_string_append (twin_out, "calculate: done\n");
  gtkloop_task_return (task, GINT_TO_POINTER (300), NULL);
}

static void
twin_slow (GtkloopTask *task,
           gpointer     data)
{
  atomic_int *saw_cancel = data;
  g_autoptr(GError) error = NULL;

  if (!gtkloop_sleep (10, &error) && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    atomic_store (saw_cancel, 1);
}

static void
test_run_coroutine_threadsafe_twin (void **state)
{
  g_autoptr(GtkloopLoopThread) thread = NULL;
  g_autoptr(GtkloopThreadFuture) fut = NULL;
  g_autoptr(GtkloopThreadFuture) slow = NULL;
  g_autoptr(GError) error = NULL;
  atomic_int saw_cancel = 0;
  gpointer result;

  twin_out = g_string_new (NULL);
  thread = gtkloop_loop_thread_start ("calc-loop", &error);
  assert_non_null (thread);

  fut = gtkloop_run_task_threadsafe (gtkloop_loop_thread_get_loop (thread), twin_calculate, NULL, NULL);
  result = gtkloop_thread_future_wait (fut, 5, &error);
  assert_null (error);
  g_string_append_printf (twin_out, "label: %d\n", GPOINTER_TO_INT (result));

  slow = gtkloop_run_task_threadsafe (gtkloop_loop_thread_get_loop (thread), twin_slow, &saw_cancel, NULL);
  assert_null (gtkloop_thread_future_wait (slow, 0.05, &error));
  g_string_append_printf (twin_out, "timed out: %s\n",
                          g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT) ? "True" : "False");
  g_clear_error (&error);
  g_string_append_printf (twin_out, "cancel: %s\n", gtkloop_thread_future_cancel (slow) ? "True" : "False");
  g_string_append_printf (twin_out, "cancelled: %s\n", gtkloop_thread_future_is_cancelled (slow) ? "True" : "False");

  g_clear_pointer (&thread, gtkloop_loop_thread_stop);
  g_string_append (twin_out, "thread joined\n");
  g_string_append_printf (twin_out, "slow task saw the cancellation: %s\n", atomic_load (&saw_cancel) ? "True" : "False");

  test_assert_matches_twin ("run_coroutine_threadsafe", twin_out->str);
  g_string_free (twin_out, TRUE);
}

/* ---------------------------------------------------------------------- */
/* Waiting, timing out, cancelling                                         */

static void
test_wait_result (void **state)
{
  g_autoptr(GtkloopLoopThread) thread = gtkloop_loop_thread_start (NULL, NULL);
  Calc c = { .sleep_s = 0.01, .result = "300" };
  g_autoptr(GtkloopThreadFuture) f = NULL;
  g_autoptr(GError) error = NULL;
  const char *result;

  f = gtkloop_run_task_threadsafe (gtkloop_loop_thread_get_loop (thread), calc_task, &c, calc_destroy);
  result = gtkloop_thread_future_wait (f, 5, &error);
  assert_null (error);
  assert_string_equal (result, "300");
  assert_true (gtkloop_thread_future_is_done (f));
  assert_false (gtkloop_thread_future_is_cancelled (f));
  assert_false (gtkloop_thread_future_cancel (f));   /* already done */
  /* Waiting again gives the same pointer, owned by the future. */
  assert_ptr_equal (gtkloop_thread_future_wait (f, 0, NULL), result);
  assert_false (thread_record_on_self (&c.ran_on));
  g_clear_pointer (&thread, gtkloop_loop_thread_stop);
  /* The task's data was freed on its loop's thread. */
  assert_int_equal (atomic_load (&c.destroyed.count), 1);
  assert_int_equal (atomic_load (&c.destroyed.thread), atomic_load (&c.ran_on.thread));
}

static void
test_wait_timeout_then_cancel (void **state)
{
  g_autoptr(GtkloopLoopThread) thread = gtkloop_loop_thread_start (NULL, NULL);
  Calc c = { .sleep_s = 30 };
  g_autoptr(GtkloopThreadFuture) f = NULL;
  g_autoptr(GError) error = NULL;
  gint64 t0;

  f = gtkloop_run_task_threadsafe (gtkloop_loop_thread_get_loop (thread), calc_task, &c, calc_destroy);
  t0 = g_get_monotonic_time ();
  assert_null (gtkloop_thread_future_wait (f, 0.05, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  assert_true (g_get_monotonic_time () - t0 >= 50000);
  assert_false (gtkloop_thread_future_is_done (f));
  g_clear_error (&error);
  assert_null (gtkloop_thread_future_wait (f, 0, &error));   /* does not block */
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT));
  g_clear_error (&error);

  WAIT_UNTIL (NULL, atomic_load (&c.started), 5);
  assert_true (gtkloop_thread_future_cancel (f));
  assert_false (gtkloop_thread_future_cancel (f));
  assert_true (gtkloop_thread_future_is_cancelled (f));
  assert_null (gtkloop_thread_future_wait (f, 5, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  /* The task itself is cancelled on its loop. */
  WAIT_UNTIL (NULL, atomic_load (&c.saw_cancel), 5);
  WAIT_UNTIL (NULL, atomic_load (&c.destroyed.count) == 1, 5);
  assert_int_equal (atomic_load (&c.destroyed.thread), atomic_load (&c.ran_on.thread));
}

/* Cancelled before the loop started it: the function never runs; its
 * data is freed on the loop's thread. */
static void
test_cancel_before_start (void **state)
{
  TestFixture *fx = *state;
  Calc c = { .sleep_s = 0 };
  g_autoptr(GtkloopThreadFuture) f = gtkloop_run_task_threadsafe (fx->loop, calc_task, &c, calc_destroy);
  g_autoptr(GError) error = NULL;

  assert_true (gtkloop_thread_future_cancel (f));
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (gtkloop_loop_get_context (fx->loop), FALSE);
  assert_int_equal (atomic_load (&c.ran_on.count), 0);
  assert_int_equal (atomic_load (&c.destroyed.count), 1);
  assert_true (thread_record_on_self (&c.destroyed));
  assert_null (gtkloop_thread_future_wait (f, 1, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
}

static void
test_task_error (void **state)
{
  g_autoptr(GtkloopLoopThread) thread = gtkloop_loop_thread_start (NULL, NULL);
  Calc c = { .sleep_s = 0.001, .fail = TRUE };
  g_autoptr(GtkloopThreadFuture) f = NULL;
  g_autoptr(GError) error = NULL;

  f = gtkloop_run_task_threadsafe (gtkloop_loop_thread_get_loop (thread), calc_task, &c, NULL);
  assert_null (gtkloop_thread_future_wait (f, 5, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_PERMISSION_DENIED));
  assert_false (gtkloop_thread_future_is_cancelled (f));
  assert_true (gtkloop_thread_future_is_done (f));
}

/* ---------------------------------------------------------------------- */
/* Done callbacks                                                          */

typedef struct
{
  ThreadRecord         ran;
  ThreadRecord         destroyed;
  GtkloopThreadFuture *seen;
} Watcher;

static void
watcher_cb (GtkloopThreadFuture *f,
            gpointer             data)
{
  Watcher *w = data;

  w->seen = f;
  thread_record (&w->ran);
}

static void
watcher_destroy (gpointer data)
{
  thread_record (&((Watcher *) data)->destroyed);
}

static void
test_done_callbacks (void **state)
{
  g_autoptr(GtkloopLoopThread) thread = gtkloop_loop_thread_start (NULL, NULL);
  Calc c = { .sleep_s = 0.02, .result = "x" };
  Calc slow = { .sleep_s = 30 };
  Watcher before = { 0 }, after = { 0 }, on_cancel = { 0 };
  g_autoptr(GtkloopThreadFuture) f = NULL;
  g_autoptr(GtkloopThreadFuture) g = NULL;

  /* Added while pending: runs on the loop's thread when the task ends. */
  f = gtkloop_run_task_threadsafe (gtkloop_loop_thread_get_loop (thread), calc_task, &c, NULL);
  gtkloop_thread_future_add_done_callback (f, watcher_cb, &before, watcher_destroy);
  gtkloop_thread_future_wait (f, 5, NULL);
  WAIT_UNTIL (NULL, atomic_load (&before.destroyed.count) == 1, 5);
  assert_int_equal (atomic_load (&before.ran.count), 1);
  assert_ptr_equal (before.seen, f);
  assert_int_equal (atomic_load (&before.ran.thread), atomic_load (&c.ran_on.thread));

  /* Added when done: runs at once, here. */
  gtkloop_thread_future_add_done_callback (f, watcher_cb, &after, watcher_destroy);
  assert_int_equal (atomic_load (&after.ran.count), 1);
  assert_true (thread_record_on_self (&after.ran));
  assert_int_equal (atomic_load (&after.destroyed.count), 1);

  /* Cancelled: on the cancelling thread. */
  g = gtkloop_run_task_threadsafe (gtkloop_loop_thread_get_loop (thread), calc_task, &slow, NULL);
  gtkloop_thread_future_add_done_callback (g, watcher_cb, &on_cancel, watcher_destroy);
  gtkloop_thread_future_cancel (g);
  assert_int_equal (atomic_load (&on_cancel.ran.count), 1);
  assert_true (thread_record_on_self (&on_cancel.ran));
}

/* A loop closed with the start request unread: the data is freed by the
 * close and the future fails with GTKLOOP_ERROR_CLOSED (asyncio's would
 * stay pending for ever). */
static void
test_closed_loop (void **state)
{
  TestFixture *fx = *state;
  Calc c = { 0 }, d = { 0 };
  Watcher w = { 0 };
  g_autoptr(GtkloopThreadFuture) unread = gtkloop_run_task_threadsafe (fx->loop, calc_task, &c, calc_destroy);
  g_autoptr(GtkloopThreadFuture) refused = NULL;
  g_autoptr(GError) error = NULL;

  gtkloop_thread_future_add_done_callback (unread, watcher_cb, &w, watcher_destroy);
  gtkloop_loop_close (fx->loop);
  assert_int_equal (atomic_load (&c.destroyed.count), 1);
  assert_true (thread_record_on_self (&c.destroyed));
  assert_int_equal (atomic_load (&c.ran_on.count), 0);
  assert_true (gtkloop_thread_future_is_done (unread));
  assert_null (gtkloop_thread_future_wait (unread, 0, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED));
  g_clear_error (&error);
  assert_int_equal (atomic_load (&w.ran.count), 1);
  assert_true (thread_record_on_self (&w.ran));
  assert_int_equal (atomic_load (&w.destroyed.count), 1);

  /* After close: failed at once, data freed on the calling thread. */
  refused = gtkloop_run_task_threadsafe (fx->loop, calc_task, &d, calc_destroy);
  assert_true (gtkloop_thread_future_is_done (refused));
  assert_null (gtkloop_thread_future_wait (refused, 0, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED));
  assert_int_equal (atomic_load (&d.destroyed.count), 1);
  assert_true (thread_record_on_self (&d.destroyed));
}

/* ---------------------------------------------------------------------- */
/* Misuse: waiting on the loop's own thread would never end                */

static struct
{
  gboolean refused;
  gboolean result_ok;
} self_wait;

static void
waits_on_itself (GtkloopTask *task,
                 gpointer     data)
{
  Calc *c = data;
  g_autoptr(GtkloopThreadFuture) f = gtkloop_run_task_threadsafe (gtkloop_loop_get_running (), calc_task, c, NULL);
  g_autoptr(GError) error = NULL;

  self_wait.refused = gtkloop_thread_future_wait (f, 1, &error) == NULL &&
                      g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_WRONG_THREAD);
  /* Once it is done, waiting is fine anywhere. */
  while (!gtkloop_thread_future_is_done (f))
    gtkloop_sleep (0.001, NULL);
  self_wait.result_ok = g_strcmp0 (gtkloop_thread_future_wait (f, 0, NULL), "ok") == 0;
}

static void
test_wait_on_loop_thread_is_refused (void **state)
{
  TestFixture *fx = *state;
  Calc c = { .sleep_s = 0, .result = "ok" };
  g_autoptr(GtkloopTask) task = gtkloop_loop_create_task (fx->loop, waits_on_itself, &c, NULL);

  memset (&self_wait, 0, sizeof self_wait);
  assert_true (test_run_until_complete (fx->loop, GTKLOOP_FUTURE (task), NULL, 10));
  assert_true (self_wait.refused);
  assert_true (self_wait.result_ok);
}

/* ---------------------------------------------------------------------- */
/* Many threads submitting to one loop                                     */

#define N_SUBMITTERS 4
#define N_SUBMITS    200

typedef struct
{
  GtkloopLoop *loop;
  guint        index;
  guint        n_ok;
} Submitter;

static void
echo_task (GtkloopTask *task,
           gpointer     data)
{
  if (GPOINTER_TO_UINT (data) % 2)
    gtkloop_sleep (0, NULL);
  gtkloop_task_return (task, data, NULL);
}

static gpointer
submitter_main (gpointer data)
{
  Submitter *s = data;

  for (guint i = 0; i < N_SUBMITS; i++)
    {
      guint v = s->index * 1000 + i;
      GtkloopThreadFuture *f = gtkloop_run_task_threadsafe (s->loop, echo_task, GUINT_TO_POINTER (v), NULL);

      if (i % 3 == 0)
        gtkloop_thread_future_cancel (f);
      else if (GPOINTER_TO_UINT (gtkloop_thread_future_wait (f, 10, NULL)) == v)
        s->n_ok++;
      gtkloop_thread_future_unref (f);
    }
  return NULL;
}

static void
test_many_submitters (void **state)
{
  g_autoptr(GtkloopLoopThread) thread = gtkloop_loop_thread_start ("target", NULL);
  Submitter s[N_SUBMITTERS];
  GThread *threads[N_SUBMITTERS];
  guint expected = 0;

  for (guint i = 0; i < N_SUBMITS; i++)
    expected += i % 3 != 0;
  for (guint t = 0; t < N_SUBMITTERS; t++)
    {
      s[t] = (Submitter) { gtkloop_loop_thread_get_loop (thread), t, 0 };
      threads[t] = g_thread_new ("submitter", submitter_main, &s[t]);
    }
  for (guint t = 0; t < N_SUBMITTERS; t++)
    {
      g_thread_join (threads[t]);
      assert_int_equal (s[t].n_ok, expected);
    }
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_run_coroutine_threadsafe_twin, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_wait_result, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_wait_timeout_then_cancel, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_cancel_before_start, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_task_error, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_done_callbacks, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_closed_loop, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_wait_on_loop_thread_is_refused, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_many_submitters, test_fixture_setup, threads_fixture_teardown),
  };

  threads_warm_up ();
  return cmocka_run_group_tests (tests, NULL, NULL);
}
