/* The loop: call_soon order, asyncio's iteration rules, run/stop/close,
 * cancellation of handles, thread ownership, the default and running
 * loops, debug mode and the exception handler. */
#include "config.h"

#include <string.h>

#include "test-util.h"

/* Helpers ------------------------------------------------------------------ */

static void
run_forever_guarded (GtkloopLoop *loop)
{
  test_run_forever (loop, 10);
}

static gboolean
run_until_complete_guarded (GtkloopLoop   *loop,
                            GtkloopFuture *future,
                            GError       **error)
{
  return test_run_until_complete (loop, future, error, 10);
}

/* Runs a few GLib iterations of the loop's context without blocking. */
static void
iterate_a_little (GtkloopLoop *loop)
{
  for (int i = 0; i < 20; i++)
    g_main_context_iteration (gtkloop_loop_get_context (loop), FALSE);
}

/* call_soon ---------------------------------------------------------------- */

static void
test_call_soon_fifo (void **state)
{
  TestFixture *fx = *state;
  GArray *order = fx->order;
  gboolean done = FALSE;

  for (int i = 0; i < 1000; i++)
    assert_true (gtkloop_loop_call_soon (fx->loop, test_append_index_cb,
                                         GINT_TO_POINTER (i), NULL) != 0);
  gtkloop_loop_call_soon (fx->loop, test_set_flag_cb, &done, NULL);
  test_iterate_until (fx->loop, &done, 5);

  assert_int_equal (order->len, 1000);
  for (int i = 0; i < 1000; i++)
    assert_int_equal (g_array_index (order, int, i), i);
}

/* Seed 000, b1: the C form of `await asyncio.sleep(0)` is a call_soon made
 * at the same point, since that is where asyncio reschedules the task. */
static void
test_call_soon_seed_b1 (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) fut = gtkloop_future_new (fx->loop);
  TestMarkDone m = { fut, "the result" };

  gtkloop_loop_call_soon (fx->loop, test_mark_done_cb, &m, NULL);
  gtkloop_loop_call_soon (fx->loop, test_print_cb, "Hello", NULL);
  gtkloop_loop_call_soon (fx->loop, test_print_cb, "Greeting", NULL);
  test_print (fx, "Done: %s", gtkloop_future_is_done (fut) ? "True" : "False");
  gtkloop_loop_call_soon (fx->loop, test_after_sleep_cb, &m, NULL);
  run_forever_guarded (fx->loop);

  test_assert_matches_twin ("call_soon_order", fx->out->str);
}

/* The snapshot rule and stop ---------------------------------------------- */

static void snap_b (gpointer data);
static void snap_c (gpointer data);

static void
snap_a (gpointer data)
{
  test_print (test_current, "a: schedules b");
  gtkloop_loop_call_soon (test_current->loop, snap_b, NULL, NULL);
}

static void
snap_b (gpointer data)
{
  test_print (test_current, "b: schedules c");
  gtkloop_loop_call_soon (test_current->loop, snap_c, NULL, NULL);
}

static void
snap_c (gpointer data)
{
  test_print (test_current, "c");
}

static void
test_snapshot_rule (void **state)
{
  TestFixture *fx = *state;

  gtkloop_loop_call_soon (fx->loop, snap_a, NULL, NULL);
  gtkloop_loop_call_soon (fx->loop, test_print_cb, "x", NULL);
  gtkloop_loop_call_soon (fx->loop, test_print_and_stop_cb, "stop 1", NULL);
  gtkloop_loop_call_soon (fx->loop, test_print_cb, "y: same iteration as stop 1", NULL);
  run_forever_guarded (fx->loop);
  test_print (fx, "run_forever returned");
  gtkloop_loop_call_soon (fx->loop, test_print_and_stop_cb, "stop 2", NULL);
  run_forever_guarded (fx->loop);
  test_print (fx, "run_forever returned");
  gtkloop_loop_call_soon (fx->loop, test_print_and_stop_cb, "stop 3", NULL);
  run_forever_guarded (fx->loop);
  test_print (fx, "run_forever returned");

  test_assert_matches_twin ("snapshot", fx->out->str);
}

/* A callback that reschedules itself forever sees the loop exactly once
 * per iteration, so its count is the number of iterations. */
static void
reschedule_cb (gpointer counter)
{
  (*(int *) counter)++;
  gtkloop_loop_call_soon (test_current->loop, reschedule_cb, counter, NULL);
}

static void
test_snapshot_self_rescheduling (void **state)
{
  TestFixture *fx = *state;
  int n = 0;

  gtkloop_loop_call_soon (fx->loop, reschedule_cb, &n, NULL);
  /* Without the snapshot rule this would never return. */
  for (int i = 1; i <= 50; i++)
    {
      gtkloop_loop_stop (fx->loop);
      run_forever_guarded (fx->loop);
      assert_int_equal (n, i);
    }
}

static void
tick_cb (gpointer data)
{
  int n = GPOINTER_TO_INT (data);

  test_print (test_current, "tick %d", n);
  if (n < 6)
    gtkloop_loop_call_soon (test_current->loop, tick_cb, GINT_TO_POINTER (n + 1), NULL);
}

static void
test_stop_resume (void **state)
{
  TestFixture *fx = *state;

  gtkloop_loop_call_soon (fx->loop, tick_cb, GINT_TO_POINTER (1), NULL);
  gtkloop_loop_call_soon (fx->loop, test_print_and_stop_cb, "stop", NULL);
  run_forever_guarded (fx->loop);
  test_print (fx, "returned");
  assert_false (gtkloop_loop_is_running (fx->loop));

  gtkloop_loop_stop (fx->loop);
  run_forever_guarded (fx->loop);
  test_print (fx, "returned (stop before run_forever)");

  gtkloop_loop_stop (fx->loop);
  gtkloop_loop_stop (fx->loop);
  run_forever_guarded (fx->loop);
  test_print (fx, "returned (stop twice before run_forever)");

  gtkloop_loop_call_soon (fx->loop, test_print_and_stop_cb, "stop", NULL);
  run_forever_guarded (fx->loop);
  test_print (fx, "returned");

  gtkloop_loop_stop (fx->loop);
  run_forever_guarded (fx->loop);
  test_print (fx, "returned (stop before run_forever)");

  gtkloop_loop_stop (fx->loop);
  run_forever_guarded (fx->loop);
  test_print (fx, "returned (stop before run_forever)");

  gtkloop_loop_stop (fx->loop);
  run_forever_guarded (fx->loop);
  test_print (fx, "returned (stop before run_forever, queue empty)");

  test_assert_matches_twin ("stop_resume", fx->out->str);
}

/* stop_now(): run_forever returns after the running callback, the rest
 * of the iteration runs first next time (asyncio after a callback's
 * KeyboardInterrupt; twin: twins/stop_now.py). */
static void
stop_now_cb (gpointer data)
{
  TestFixture *fx = data;

  test_print (fx, "boom: interrupt");
  gtkloop_loop_stop_now (fx->loop);
}

static void
test_stop_now (void **state)
{
  TestFixture *fx = *state;

  gtkloop_loop_call_soon (fx->loop, test_print_cb, "a", NULL);
  gtkloop_loop_call_soon (fx->loop, stop_now_cb, fx, NULL);
  gtkloop_loop_call_soon (fx->loop, test_print_cb, "c", NULL);
  run_forever_guarded (fx->loop);
  test_print (fx, "run_forever returned");
  gtkloop_loop_call_soon (fx->loop, test_print_cb, "d", NULL);
  gtkloop_loop_call_soon (fx->loop, test_stop_loop_cb, fx->loop, NULL);
  run_forever_guarded (fx->loop);
  test_print (fx, "done");
  test_assert_matches_twin ("stop_now", fx->out->str);
}

/* stop() before run_forever: one iteration, and only one, even when the
 * context has other sources and GLib iterations in between. */
static void
test_stop_before_run_one_iteration (void **state)
{
  TestFixture *fx = *state;
  int n = 0;
  guint idles = 0;
  GSource *idle = g_idle_source_new ();

  g_source_set_callback (idle, test_count_source_cb, &idles, NULL);
  g_source_attach (idle, gtkloop_loop_get_context (fx->loop));

  gtkloop_loop_call_soon (fx->loop, reschedule_cb, &n, NULL);
  gtkloop_loop_stop (fx->loop);
  run_forever_guarded (fx->loop);
  assert_int_equal (n, 1);

  /* A stop() with nothing queued still returns after one iteration. */
  gtkloop_loop_call_soon (fx->loop, test_increment_int_cb, &n, NULL);
  gtkloop_loop_stop (fx->loop);
  run_forever_guarded (fx->loop);
  assert_int_equal (n, 3);   /* reschedule_cb and test_increment_int_cb, once each */

  g_source_destroy (idle);
  g_source_unref (idle);
}

/* run_until_complete ------------------------------------------------------- */

static void
set_result_cb (gpointer future)
{
  assert_true (gtkloop_future_set_result (future, g_strdup ("value"), g_free));
}

static void
set_error_cb (gpointer future)
{
  assert_true (gtkloop_future_set_error (future, g_error_new (G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                                                              "no such thing")));
}

static void
cancel_future_cb (gpointer future)
{
  assert_true (gtkloop_future_cancel (future, "cancelled by the test"));
}

static void
test_run_until_complete_result (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (fx->loop);
  g_autoptr(GError) error = NULL;

  gtkloop_loop_call_soon (fx->loop, set_result_cb, gtkloop_future_ref (f),
                          (GDestroyNotify) gtkloop_future_unref);
  assert_true (run_until_complete_guarded (fx->loop, f, &error));
  assert_null (error);
  assert_string_equal (gtkloop_future_get_result (f, NULL), "value");
  assert_false (gtkloop_loop_is_running (fx->loop));

  /* A future already done: returns at once with its result. */
  assert_true (run_until_complete_guarded (fx->loop, f, &error));
  assert_null (error);
}

static void
test_run_until_complete_error (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (fx->loop);
  g_autoptr(GError) error = NULL;

  gtkloop_loop_call_soon (fx->loop, set_error_cb, gtkloop_future_ref (f),
                          (GDestroyNotify) gtkloop_future_unref);
  assert_false (run_until_complete_guarded (fx->loop, f, &error));
  assert_non_null (error);
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  assert_string_equal (error->message, "no such thing");
  /* A copy: the future keeps its own. */
  assert_ptr_not_equal (error, gtkloop_future_get_error (f));
  assert_true (g_error_matches (gtkloop_future_get_error (f), G_IO_ERROR, G_IO_ERROR_NOT_FOUND));

  /* error == NULL is allowed. */
  assert_false (run_until_complete_guarded (fx->loop, f, NULL));
}

static void
test_run_until_complete_cancelled (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (fx->loop);
  g_autoptr(GError) error = NULL;

  gtkloop_loop_call_soon (fx->loop, cancel_future_cb, gtkloop_future_ref (f),
                          (GDestroyNotify) gtkloop_future_unref);
  assert_false (run_until_complete_guarded (fx->loop, f, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED));
  assert_string_equal (error->message, "cancelled by the test");
  assert_true (gtkloop_future_is_cancelled (f));
}

static void
test_run_until_complete_stopped (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (fx->loop);
  g_autoptr(GError) error = NULL;

  gtkloop_loop_call_soon (fx->loop, test_stop_loop_cb, fx->loop, NULL);
  assert_false (run_until_complete_guarded (fx->loop, f, &error));
  assert_non_null (error);
  assert_int_equal (error->domain, GTKLOOP_ERROR);
  assert_false (gtkloop_future_is_done (f));
  assert_false (gtkloop_loop_is_running (fx->loop));
  g_clear_error (&error);

  /* The loop is usable again, and the first run left no stop behind. */
  gtkloop_loop_call_soon (fx->loop, set_result_cb, gtkloop_future_ref (f),
                          (GDestroyNotify) gtkloop_future_unref);
  assert_true (run_until_complete_guarded (fx->loop, f, &error));
  assert_null (error);
}

static void
test_run_until_complete_other_loop (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GMainContext) context = g_main_context_new ();
  g_autoptr(GtkloopLoop) other = gtkloop_loop_new (context);
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (other);
  g_autoptr(GError) error = NULL;

  assert_false (gtkloop_loop_run_until_complete (fx->loop, f, &error));
  assert_true (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT));
  gtkloop_loop_close (other);
}

/* An iteration split over dispatches by the budget is still one asyncio
 * iteration: a stop() in its middle takes effect after all of it ran, and
 * nothing its callbacks scheduled ran. */
typedef struct
{
  int n_run;
  int n_children;
} Split;

static void
split_child_cb (gpointer data)
{
  ((Split *) data)->n_children++;
}

static void
split_cb (gpointer data)
{
  Split *sp = data;

  if (++sp->n_run == 10)
    gtkloop_loop_stop (test_current->loop);
  g_usleep (1);
  gtkloop_loop_call_soon (test_current->loop, split_child_cb, sp, NULL);
}

static void
test_stop_in_split_iteration (void **state)
{
  TestFixture *fx = *state;
  Split sp = { 0 };
  guint64 yields = gtkloop_loop_get_n_yields (fx->loop);

  gtkloop_loop_set_dispatch_budget (fx->loop, 0.0005);
  for (int i = 0; i < 5000; i++)
    gtkloop_loop_call_soon (fx->loop, split_cb, &sp, NULL);
  run_forever_guarded (fx->loop);

  assert_int_equal (sp.n_run, 5000);
  assert_int_equal (sp.n_children, 0);
  assert_true (gtkloop_loop_get_n_yields (fx->loop) > yields);   /* it was split */

  gtkloop_loop_stop (fx->loop);
  run_forever_guarded (fx->loop);
  assert_int_equal (sp.n_children, 5000);
}

/* run_* on a context another thread holds (g_main_context_acquire) fails
 * with WRONG_THREAD and takes nothing over. */
typedef struct
{
  GtkloopLoop *loop;
  GError      *error;
  gboolean     ok;
} ForeignRun;

static gpointer
foreign_run_main (gpointer data)
{
  ForeignRun *r = data;
  GtkloopFuture *f = gtkloop_future_new (r->loop);

  /* The future is made here, before the loop refused this thread. */
  r->ok = gtkloop_loop_run_until_complete (r->loop, f, &r->error);
  gtkloop_future_unref (f);
  return NULL;
}

static void
test_run_context_held_elsewhere (void **state)
{
  TestFixture *fx = *state;
  GMainContext *context = gtkloop_loop_get_context (fx->loop);
  ForeignRun r = { fx->loop };
  gboolean done = FALSE;

  assert_true (g_main_context_acquire (context));
  g_thread_join (g_thread_new ("foreign", foreign_run_main, &r));
  g_main_context_release (context);

  assert_false (r.ok);
  assert_true (g_error_matches (r.error, GTKLOOP_ERROR, GTKLOOP_ERROR_WRONG_THREAD));
  assert_false (gtkloop_loop_is_running (fx->loop));
  g_clear_error (&r.error);

  /* This thread still owns the loop. */
  gtkloop_loop_call_soon (fx->loop, test_set_flag_cb, &done, NULL);
  test_iterate_until (fx->loop, &done, 5);
}

/* Running a closed loop, nested runs, closing a running loop ------------- */

static void
test_run_closed_loop (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) f = gtkloop_future_new (fx->loop);
  g_autoptr(GError) error = NULL;
  guint n;

  gtkloop_loop_close (fx->loop);
  assert_true (gtkloop_loop_is_closed (fx->loop));

  assert_false (gtkloop_loop_run_until_complete (fx->loop, f, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED));

  test_criticals_begin ();
  gtkloop_loop_run_forever (fx->loop);
  n = test_criticals_end ();
  assert_int_equal (n, 1);
  assert_non_null (strstr (test_criticals_last (), "closed"));
  assert_false (gtkloop_loop_is_running (fx->loop));

  /* Closing twice does nothing. */
  gtkloop_loop_close (fx->loop);
}

typedef struct
{
  GtkloopLoop *other;
  GError      *nested_error;
  GError      *other_error;
  gboolean     nested_ok;
  gboolean     other_ok;
  gboolean     was_running;
  gboolean     ran;
} NestedRun;

static void
nested_run_cb (gpointer data)
{
  NestedRun *r = data;
  g_autoptr(GtkloopFuture) mine = gtkloop_future_new (test_current->loop);
  g_autoptr(GtkloopFuture) theirs = gtkloop_future_new (r->other);

  r->ran = TRUE;
  r->was_running = gtkloop_loop_is_running (test_current->loop);
  r->nested_ok = gtkloop_loop_run_until_complete (test_current->loop, mine, &r->nested_error);
  gtkloop_loop_run_forever (test_current->loop);   /* a critical */
  r->other_ok = gtkloop_loop_run_until_complete (r->other, theirs, &r->other_error);
  gtkloop_loop_run_forever (r->other);    /* a critical */
  gtkloop_loop_stop (test_current->loop);
}

static void
test_run_nested (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GMainContext) context = g_main_context_new ();
  NestedRun r = { .other = gtkloop_loop_new (context) };
  guint n;

  gtkloop_loop_call_soon (fx->loop, nested_run_cb, &r, NULL);
  test_criticals_begin ();
  run_forever_guarded (fx->loop);
  n = test_criticals_end ();

  assert_true (r.ran);
  assert_true (r.was_running);
  assert_false (r.nested_ok);
  assert_true (g_error_matches (r.nested_error, GTKLOOP_ERROR, GTKLOOP_ERROR_REENTRANT));
  assert_false (r.other_ok);
  assert_true (g_error_matches (r.other_error, GTKLOOP_ERROR, GTKLOOP_ERROR_REENTRANT));
  assert_int_equal (n, 2);
  assert_non_null (strstr (test_criticals_last (), "gtkloop_loop_run_forever"));
  assert_false (gtkloop_loop_is_running (r.other));
  assert_false (gtkloop_loop_is_running (fx->loop));

  g_clear_error (&r.nested_error);
  g_clear_error (&r.other_error);
  gtkloop_loop_close (r.other);
  g_object_unref (r.other);
}

typedef struct
{
  gboolean ran;
  gboolean closed_after;
} CloseRunning;

static void
close_running_cb (gpointer data)
{
  CloseRunning *c = data;

  c->ran = TRUE;
  gtkloop_loop_close (test_current->loop);
  c->closed_after = gtkloop_loop_is_closed (test_current->loop);
  gtkloop_loop_stop (test_current->loop);
}

static void
test_close_running (void **state)
{
  TestFixture *fx = *state;
  CloseRunning c = { 0 };
  int after = 0;
  guint n;

  gtkloop_loop_call_soon (fx->loop, close_running_cb, &c, NULL);
  test_criticals_begin ();
  run_forever_guarded (fx->loop);
  n = test_criticals_end ();

  assert_true (c.ran);
  assert_int_equal (n, 1);
  assert_non_null (strstr (test_criticals_last (), "gtkloop_loop_close"));
  assert_false (c.closed_after);
  assert_false (gtkloop_loop_is_closed (fx->loop));

  /* Still a working loop. */
  gtkloop_loop_call_soon (fx->loop, test_increment_int_cb, &after, NULL);
  gtkloop_loop_stop (fx->loop);
  run_forever_guarded (fx->loop);
  assert_int_equal (after, 1);
}

/* Closing with work pending ------------------------------------------------ */

typedef struct
{
  DestroyCounter *late;
} Rescheduler;

/* A destroy notify that schedules more work while the loop closes: that
 * work is dropped too, with its own notify run once. */
static void
schedule_from_destroy (gpointer data)
{
  Rescheduler *r = data;

  gtkloop_loop_call_soon (test_current->loop, test_fail_if_run_cb, r->late, test_destroy_count);
}

static gpointer
post_from_thread (gpointer data)
{
  gtkloop_loop_call_soon_threadsafe (test_current->loop, test_fail_if_run_cb, data,
                                     test_destroy_count);
  return NULL;
}

static void
test_close_pending (void **state)
{
  TestFixture *fx = *state;
  DestroyCounter soon[10] = { 0 }, later[10] = { 0 }, at[10] = { 0 };
  DestroyCounter cancelled = { 0 }, late = { 0 }, posted = { 0 };
  Rescheduler r = { &late };
  guint64 id;
  int ran = 0;

  for (int i = 0; i < 10; i++)
    {
      gtkloop_loop_call_soon (fx->loop, test_fail_if_run_cb, &soon[i], test_destroy_count);
      gtkloop_loop_call_later (fx->loop, 10 + i, test_fail_if_run_cb, &later[i],
                               test_destroy_count);
      gtkloop_loop_call_at (fx->loop, gtkloop_loop_time (fx->loop) - 1 + i, test_fail_if_run_cb,
                            &at[i], test_destroy_count);
    }
  id = gtkloop_loop_call_later (fx->loop, 5, test_fail_if_run_cb, &cancelled, test_destroy_count);
  assert_true (gtkloop_loop_cancel (fx->loop, id));
  id = gtkloop_loop_call_soon (fx->loop, test_fail_if_run_cb, &cancelled, test_destroy_count);
  assert_true (gtkloop_loop_cancel (fx->loop, id));
  assert_int_equal (cancelled.count, 2);
  gtkloop_loop_call_soon (fx->loop, test_increment_int_cb, &ran, NULL);
  gtkloop_loop_call_soon (fx->loop, test_fail_if_run_cb, &r, schedule_from_destroy);
  g_thread_join (g_thread_new ("poster", post_from_thread, &posted));
  assert_int_equal (posted.count, 0);

  gtkloop_loop_close (fx->loop);

  assert_true (gtkloop_loop_is_closed (fx->loop));
  assert_int_equal (ran, 0);
  for (int i = 0; i < 10; i++)
    {
      assert_int_equal (soon[i].count, 1);
      assert_int_equal (later[i].count, 1);
      assert_int_equal (at[i].count, 1);
    }
  assert_int_equal (cancelled.count, 2);
  assert_int_equal (late.count, 1);
  assert_int_equal (posted.count, 1);
  assert_int_equal (gtkloop_loop_get_n_pending (fx->loop), 0);

  /* A second close runs nothing again. */
  gtkloop_loop_close (fx->loop);
  assert_int_equal (soon[0].count, 1);
  assert_int_equal (late.count, 1);
}

static void
test_call_soon_closed (void **state)
{
  TestFixture *fx = *state;
  DestroyCounter dc = { 0 };
  guint64 id;
  guint n;

  gtkloop_loop_close (fx->loop);

  test_criticals_begin ();
  id = gtkloop_loop_call_soon (fx->loop, test_fail_if_run_cb, &dc, test_destroy_count);
  n = test_criticals_end ();
  assert_int_equal (id, 0);
  assert_int_equal (dc.count, 1);
  assert_int_equal (n, 1);
  assert_non_null (strstr (test_criticals_last (), "gtkloop_loop_call_soon"));

  test_criticals_begin ();
  id = gtkloop_loop_call_later (fx->loop, 0.01, test_fail_if_run_cb, &dc, test_destroy_count);
  n = test_criticals_end ();
  assert_int_equal (id, 0);
  assert_int_equal (dc.count, 2);
  assert_int_equal (n, 1);
  assert_non_null (strstr (test_criticals_last (), "gtkloop_loop_call_later"));

  test_criticals_begin ();
  id = gtkloop_loop_call_at (fx->loop, 0, test_fail_if_run_cb, &dc, test_destroy_count);
  n = test_criticals_end ();
  assert_int_equal (id, 0);
  assert_int_equal (dc.count, 3);
  assert_int_equal (n, 1);
  assert_non_null (strstr (test_criticals_last (), "gtkloop_loop_call_at"));

  /* NULL destroy: still one critical, nothing else. */
  test_criticals_begin ();
  id = gtkloop_loop_call_soon (fx->loop, test_fail_if_run_cb, NULL, NULL);
  n = test_criticals_end ();
  assert_int_equal (id, 0);
  assert_int_equal (n, 1);
}

/* Another thread may close a loop its owner has stopped running; it becomes
 * the owner, and the destroy notifies run there. */
typedef struct
{
  GThread *thread;
  int      destroyed;
} WhereDestroyed;

static void
where_destroyed (gpointer data)
{
  WhereDestroyed *w = data;

  w->thread = g_thread_self ();
  w->destroyed++;
}

static gpointer
run_forever_main (gpointer loop)
{
  gtkloop_loop_run_forever (loop);
  return NULL;
}

/* A destroy notify that cancels its own handle (a common cleanup idiom)
 * while close drops it: the cancel gets FALSE and the notify runs once. */
typedef struct
{
  GtkloopLoop *loop;
  guint64      id;
  int          destroyed;
  int          cancel_result;
} CancelInNotify;

static void
cancel_own_handle (gpointer data)
{
  CancelInNotify *c = data;

  c->destroyed++;
  c->cancel_result = gtkloop_loop_cancel (c->loop, c->id);
}

static void
test_close_notify_cancels_own_handle (void **state)
{
  TestFixture *fx = *state;
  CancelInNotify timer = { fx->loop, 0, 0, -1 };
  CancelInNotify soon = { fx->loop, 0, 0, -1 };

  timer.id = gtkloop_loop_call_later (fx->loop, 100, test_fail_if_run_cb, &timer,
                                      cancel_own_handle);
  soon.id = gtkloop_loop_call_soon (fx->loop, test_fail_if_run_cb, &soon, cancel_own_handle);
  gtkloop_loop_close (fx->loop);
  assert_int_equal (timer.destroyed, 1);
  assert_int_equal (timer.cancel_result, FALSE);
  assert_int_equal (soon.destroyed, 1);
  assert_int_equal (soon.cancel_result, FALSE);
}

static void
test_close_from_other_thread (void **state)
{
  TestFixture *fx = *state;
  WhereDestroyed pending = { 0 }, refused = { 0 };
  GThread *runner;
  guint n;

  gtkloop_loop_call_later (fx->loop, 30, test_fail_if_run_cb, &pending, where_destroyed);
  gtkloop_loop_call_soon (fx->loop, test_stop_loop_cb, fx->loop, NULL);
  runner = g_thread_new ("runner", run_forever_main, fx->loop);
  g_thread_join (runner);

  /* The runner owns the loop now: this thread's call_soon is refused. */
  test_criticals_begin ();
  gtkloop_loop_call_soon (fx->loop, test_fail_if_run_cb, &refused, where_destroyed);
  n = test_criticals_end ();
  assert_int_equal (n, 1);
  assert_int_equal (refused.destroyed, 1);

  gtkloop_loop_close (fx->loop);
  assert_true (gtkloop_loop_is_closed (fx->loop));
  assert_int_equal (pending.destroyed, 1);
  assert_ptr_equal (pending.thread, g_thread_self ());
}

/* Dropping the last reference closes the loop: notifies run, callbacks
 * do not. */
static void
test_unref_closes (void **state)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  GtkloopLoop *loop = gtkloop_loop_new (context);
  DestroyCounter soon = { 0 }, later = { 0 };

  gtkloop_loop_call_soon (loop, test_fail_if_run_cb, &soon, test_destroy_count);
  gtkloop_loop_call_later (loop, 5, test_fail_if_run_cb, &later, test_destroy_count);
  g_object_unref (loop);
  assert_int_equal (soon.count, 1);
  assert_int_equal (later.count, 1);
}

/* A callback may drop the last reference to its own loop: the dispatch
 * keeps the loop alive until it ends, then it closes and is freed. */
typedef struct
{
  GtkloopLoop   *loop;
  DestroyCounter next_destroyed;
  gboolean       second_ran;
} LastRef;

static void
drop_last_ref_cb (gpointer data)
{
  LastRef *l = data;

  g_object_unref (l->loop);
}

static void
after_drop_cb (gpointer data)
{
  LastRef *l = data;

  l->second_ran = TRUE;
  /* The loop is still usable until this dispatch ends (a timer, since a
   * call_soon would run in this dispatch's next asyncio iteration). */
  assert_true (gtkloop_loop_call_later (gtkloop_loop_get_running (), 10, test_fail_if_run_cb,
                                        &l->next_destroyed, test_destroy_count) != 0);
}

static void
test_callback_drops_last_ref (void **state)
{
  g_autoptr(GMainContext) context = g_main_context_new ();
  LastRef l = { gtkloop_loop_new (context) };
  GtkloopLoop *weak = l.loop;
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  g_object_add_weak_pointer (G_OBJECT (l.loop), (gpointer *) &weak);
  gtkloop_loop_call_soon (l.loop, drop_last_ref_cb, &l, NULL);
  gtkloop_loop_call_soon (l.loop, after_drop_cb, &l, NULL);
  while (weak != NULL && g_get_monotonic_time () < deadline)
    g_main_context_iteration (context, FALSE);

  assert_null (weak);
  assert_true (l.second_ran);
  assert_int_equal (l.next_destroyed.count, 1);
}

/* A callback scheduling far more than the tables hold: handle chunks and
 * the ready ring grow under the running handle (ASan watches its use). */
typedef struct
{
  DestroyCounter destroyed;
  int            ran;
  int            own_destroyed;
} Burst;

static void
burst_child_cb (gpointer data)
{
  ((Burst *) data)->ran++;
}

static void
burst_child_destroy (gpointer data)
{
  ((Burst *) data)->destroyed.count++;
}

static void
burst_cb (gpointer data)
{
  /* 2 × 100,000 handles: more than one handle chunk (131,072). */
  for (int i = 0; i < 100000; i++)
    {
      gtkloop_loop_call_soon (test_current->loop, burst_child_cb, data, burst_child_destroy);
      gtkloop_loop_call_later (test_current->loop, 0, burst_child_cb, data, burst_child_destroy);
    }
}

static void
burst_destroy (gpointer data)
{
  ((Burst *) data)->own_destroyed++;
}

static void
test_burst_from_callback (void **state)
{
  TestFixture *fx = *state;
  Burst b = { { 0 } };
  gboolean done = FALSE;

  gtkloop_loop_call_soon (fx->loop, burst_cb, &b, burst_destroy);
  test_iterate_until (fx->loop, (const gboolean *) &b.own_destroyed, 5);
  gtkloop_loop_call_later (fx->loop, 0, test_set_flag_cb, &done, NULL);
  test_iterate_until (fx->loop, &done, 10);
  assert_int_equal (b.own_destroyed, 1);
  assert_int_equal (b.ran, 200000);
  assert_int_equal (b.destroyed.count, 200000);
}

/* Thread ownership ---------------------------------------------------------- */

typedef enum {
  OP_CALL_SOON,
  OP_CALL_LATER,
  OP_CALL_AT,
  OP_CANCEL,
  OP_STOP,
} WrongThreadOp;

typedef struct
{
  WrongThreadOp op;
  guint64       id;        /* in: for OP_CANCEL; out: what scheduling returned */
  gboolean      cancelled;
  GThread      *destroy_thread;
  int           destroyed;
} WrongThread;

static void
wrong_thread_destroy (gpointer data)
{
  WrongThread *w = data;

  w->destroy_thread = g_thread_self ();
  w->destroyed++;
}

static gpointer
wrong_thread_main (gpointer data)
{
  WrongThread *w = data;

  switch (w->op)
    {
    case OP_CALL_SOON:
      w->id = gtkloop_loop_call_soon (test_current->loop, test_fail_if_run_cb, w,
                                      wrong_thread_destroy);
      break;
    case OP_CALL_LATER:
      w->id = gtkloop_loop_call_later (test_current->loop, 0, test_fail_if_run_cb, w,
                                       wrong_thread_destroy);
      break;
    case OP_CALL_AT:
      w->id = gtkloop_loop_call_at (test_current->loop, 0, test_fail_if_run_cb, w,
                                    wrong_thread_destroy);
      break;
    case OP_CANCEL:
      w->cancelled = gtkloop_loop_cancel (test_current->loop, w->id);
      break;
    case OP_STOP:
      gtkloop_loop_stop (test_current->loop);
      break;
    default:
      g_assert_not_reached ();
    }
  return NULL;
}

static void
run_wrong_thread (WrongThread *w,
                  const char  *function)
{
  GThread *thread;
  guint n;

  test_criticals_begin ();
  thread = g_thread_new ("wrong-thread", wrong_thread_main, w);
  g_thread_join (thread);
  n = test_criticals_end ();

  assert_int_equal (n, 1);
  assert_non_null (strstr (test_criticals_last (), function));
  if (w->op <= OP_CALL_AT)
    {
      assert_int_equal (w->id, 0);
      assert_int_equal (w->destroyed, 1);
      assert_ptr_equal (w->destroy_thread, thread);
    }
}

static void
test_wrong_thread (void **state)
{
  TestFixture *fx = *state;
  WrongThread soon = { OP_CALL_SOON }, later = { OP_CALL_LATER }, at = { OP_CALL_AT };
  WrongThread cancel = { OP_CANCEL }, stop = { OP_STOP };
  DestroyCounter dc = { 0 };
  gboolean done = FALSE;

  run_wrong_thread (&soon, "gtkloop_loop_call_soon");
  run_wrong_thread (&later, "gtkloop_loop_call_later");
  run_wrong_thread (&at, "gtkloop_loop_call_at");
  assert_int_equal (gtkloop_loop_get_n_pending (fx->loop), 0);

  /* A cancel from another thread does nothing: the callback still runs. */
  cancel.id = gtkloop_loop_call_soon (fx->loop, test_set_flag_cb, &done, NULL);
  run_wrong_thread (&cancel, "gtkloop_loop_cancel");
  assert_false (cancel.cancelled);

  /* Nor does a stop. */
  run_wrong_thread (&stop, "gtkloop_loop_stop");
  gtkloop_loop_call_soon (fx->loop, test_increment_int_cb, &dc.count, NULL);

  test_iterate_until (fx->loop, &done, 5);
  iterate_a_little (fx->loop);
  assert_int_equal (dc.count, 1);
  assert_int_equal (gtkloop_loop_get_n_pending (fx->loop), 0);
}

/* gtkloop_loop_cancel -------------------------------------------------------- */

typedef struct
{
  guint64  id;
  gboolean result;
  gboolean ran;
  int      destroyed;
  gboolean result_in_destroy;
} SelfCancel;

static void
self_cancel_cb (gpointer data)
{
  SelfCancel *s = data;

  s->ran = TRUE;
  s->result = gtkloop_loop_cancel (test_current->loop, s->id);
}

static void
self_cancel_destroy (gpointer data)
{
  SelfCancel *s = data;

  s->destroyed++;
  /* Runs after the callback, or inside cancel: the id is no longer pending. */
  s->result_in_destroy = gtkloop_loop_cancel (test_current->loop, s->id);
}

static void
test_cancel (void **state)
{
  TestFixture *fx = *state;
  DestroyCounter dc = { 0 }, timer_dc = { 0 };
  SelfCancel self = { 0 }, in_destroy = { 0 };
  guint64 id, timer_id, ran_id;
  int ran = 0;
  gboolean done = FALSE;
  const guint64 garbage[] = {
    0, 1, 42, G_MAXUINT32, G_MAXUINT64, G_MAXUINT64 - 1,
    (G_GUINT64_CONSTANT (0xffffffff) << 32) | 3,
    (G_GUINT64_CONSTANT (7) << 32) | 0x7fffffff,
  };

  /* Pending: TRUE, the notify ran before cancel returned, never runs. */
  id = gtkloop_loop_call_soon (fx->loop, test_fail_if_run_cb, &dc, test_destroy_count);
  timer_id = gtkloop_loop_call_later (fx->loop, 0.001, test_fail_if_run_cb, &timer_dc,
                                      test_destroy_count);
  assert_true (id != 0 && timer_id != 0 && id != timer_id);
  assert_true (gtkloop_loop_cancel (fx->loop, id));
  assert_int_equal (dc.count, 1);
  assert_true (gtkloop_loop_cancel (fx->loop, timer_id));
  assert_int_equal (timer_dc.count, 1);

  /* Twice: FALSE, and no second notify. */
  assert_false (gtkloop_loop_cancel (fx->loop, id));
  assert_false (gtkloop_loop_cancel (fx->loop, timer_id));
  assert_int_equal (dc.count, 1);
  assert_int_equal (timer_dc.count, 1);

  /* After it ran: FALSE, no critical (the program runs with fatal criticals,
   * and the count proves it). */
  ran_id = gtkloop_loop_call_soon (fx->loop, test_increment_int_cb, &ran, NULL);
  g_usleep (2000);   /* the cancelled timer is due now */
  test_iterate_for (fx->loop, 0.002);
  assert_int_equal (ran, 1);
  test_criticals_begin ();
  assert_false (gtkloop_loop_cancel (fx->loop, ran_id));
  assert_int_equal (test_criticals_end (), 0);
  assert_int_equal (dc.count, 1);
  assert_int_equal (timer_dc.count, 1);

  /* A callback cancelling itself: FALSE (it is running), notify once. */
  self.id = gtkloop_loop_call_soon (fx->loop, self_cancel_cb, &self, self_cancel_destroy);
  /* A notify cancelling its own id from inside cancel: FALSE. */
  in_destroy.id = gtkloop_loop_call_soon (fx->loop, test_fail_if_run_cb, &in_destroy,
                                          self_cancel_destroy);
  assert_true (gtkloop_loop_cancel (fx->loop, in_destroy.id));
  assert_int_equal (in_destroy.destroyed, 1);
  assert_false (in_destroy.result_in_destroy);
  done = FALSE;
  gtkloop_loop_call_soon (fx->loop, test_set_flag_cb, &done, NULL);
  test_iterate_until (fx->loop, &done, 5);
  assert_true (self.ran);
  assert_false (self.result);
  assert_int_equal (self.destroyed, 1);
  assert_false (self.result_in_destroy);
  assert_int_equal (in_destroy.destroyed, 1);

  /* Id 0 and ids that never were: FALSE, no critical. */
  test_criticals_begin ();
  for (guint i = 0; i < G_N_ELEMENTS (garbage); i++)
    assert_false (gtkloop_loop_cancel (fx->loop, garbage[i]));
  assert_int_equal (test_criticals_end (), 0);
  assert_int_equal (gtkloop_loop_get_n_pending (fx->loop), 0);
}

/* A callback cancelling others of its own iteration: a call_soon queued
 * behind it and a due timer already moved to the ready queue. Both give
 * TRUE, neither runs, each notify runs once. */
typedef struct
{
  guint64        soon_id;
  guint64        timer_id;
  gboolean       soon_result;
  gboolean       timer_result;
  DestroyCounter soon_destroyed;
  DestroyCounter timer_destroyed;
} CancelSiblings;

static void
cancel_siblings_cb (gpointer data)
{
  CancelSiblings *c = data;

  c->soon_result = gtkloop_loop_cancel (test_current->loop, c->soon_id);
  c->timer_result = gtkloop_loop_cancel (test_current->loop, c->timer_id);
}

static void
test_cancel_in_same_iteration (void **state)
{
  TestFixture *fx = *state;
  CancelSiblings c = { 0 };
  gboolean done = FALSE;

  c.timer_id = gtkloop_loop_call_at (fx->loop, 0, test_fail_if_run_cb, &c.timer_destroyed,
                                     test_destroy_count);
  gtkloop_loop_call_soon (fx->loop, cancel_siblings_cb, &c, NULL);
  c.soon_id = gtkloop_loop_call_soon (fx->loop, test_fail_if_run_cb, &c.soon_destroyed,
                                      test_destroy_count);
  gtkloop_loop_call_soon (fx->loop, test_set_flag_cb, &done, NULL);
  test_iterate_until (fx->loop, &done, 5);
  iterate_a_little (fx->loop);

  assert_true (c.soon_result);
  assert_true (c.timer_result);
  assert_int_equal (c.soon_destroyed.count, 1);
  assert_int_equal (c.timer_destroyed.count, 1);
  assert_int_equal (gtkloop_loop_get_n_pending (fx->loop), 0);
}

static gint
compare_u64 (gconstpointer a,
             gconstpointer b)
{
  guint64 x = *(const guint64 *) a, y = *(const guint64 *) b;

  return x < y ? -1 : x > y;
}

/* Ids are never reused, though slots are: every id ever handed out is
 * distinct, while far fewer slots were used than ids. */
static void
test_ids_never_reused (void **state)
{
  TestFixture *fx = *state;
  GArray *ids = g_array_new (FALSE, FALSE, sizeof (guint64));
  GHashTable *slots = g_hash_table_new (NULL, NULL);
  int ran = 0, expected = 0;

  for (int round = 0; round < 40; round++)
    {
      gboolean done = FALSE;

      for (int i = 0; i < 300; i++)
        {
          guint64 id;

          switch (i % 3)
            {
            case 0:
              id = gtkloop_loop_call_soon (fx->loop, test_increment_int_cb, &ran, NULL);
              break;
            case 1:
              id = gtkloop_loop_call_later (fx->loop, 0, test_increment_int_cb, &ran, NULL);
              break;
            default:
              id = gtkloop_loop_call_at (fx->loop, 0, test_increment_int_cb, &ran, NULL);
              break;
            }
          assert_true (id != 0);
          g_array_append_val (ids, id);
          g_hash_table_add (slots, GUINT_TO_POINTER ((guint32) id + 1));
          /* Cancel every fourth, alternating between the queue and the heap. */
          if (i % 4 == 0)
            assert_true (gtkloop_loop_cancel (fx->loop, id));
          else
            expected++;
        }
      gtkloop_loop_call_soon (fx->loop, test_set_flag_cb, &done, NULL);
      test_iterate_until (fx->loop, &done, 5);
      iterate_a_little (fx->loop);
      assert_int_equal (ran, expected);
    }

  g_array_sort (ids, compare_u64);
  for (guint i = 1; i < ids->len; i++)
    if (g_array_index (ids, guint64, i) == g_array_index (ids, guint64, i - 1))
      fail_msg ("handle id %" G_GUINT64_FORMAT " was handed out twice", g_array_index (ids, guint64, i));
  assert_true (g_hash_table_size (slots) < ids->len / 4);

  g_hash_table_unref (slots);
  g_array_unref (ids);
}

/* get_running / get_default ---------------------------------------------- */

typedef struct
{
  GtkloopLoop *seen;
  gboolean     ran;
} SeenLoop;

static void
record_running_cb (gpointer data)
{
  SeenLoop *s = data;

  s->seen = gtkloop_loop_get_running ();
  s->ran = TRUE;
}

static gboolean
record_running_glib_cb (gpointer data)
{
  record_running_cb (data);
  return G_SOURCE_REMOVE;
}

static void
test_get_running (void **state)
{
  TestFixture *fx = *state;
  SeenLoop in_cb = { 0 }, in_glib_source = { 0 };
  GSource *idle;

  assert_null (gtkloop_loop_get_running ());

  /* Inside a callback, driven by a plain g_main_context_iteration. */
  gtkloop_loop_call_soon (fx->loop, record_running_cb, &in_cb, NULL);
  test_iterate_until (fx->loop, &in_cb.ran, 5);
  assert_ptr_equal (in_cb.seen, fx->loop);
  assert_null (gtkloop_loop_get_running ());

  /* Inside run_forever, in another GSource of the same context. */
  idle = g_idle_source_new ();
  g_source_set_callback (idle, record_running_glib_cb, &in_glib_source, NULL);
  g_source_attach (idle, gtkloop_loop_get_context (fx->loop));
  g_source_unref (idle);
  gtkloop_loop_call_later (fx->loop, 0.01, test_stop_loop_cb, fx->loop, NULL);
  run_forever_guarded (fx->loop);
  assert_true (in_glib_source.ran);
  assert_ptr_equal (in_glib_source.seen, fx->loop);
  assert_null (gtkloop_loop_get_running ());
}

typedef struct
{
  GtkloopLoop  *main_default;
  GtkloopLoop  *made;
  GtkloopLoop  *made_again;
  GMainContext *made_context;
  GMainContext *pushed;
  gboolean      own_found;
} DefaultInThread;

static gpointer
default_thread_main (gpointer data)
{
  DefaultInThread *d = data;
  GMainContext *context = g_main_context_new ();
  GMainContext *context2 = g_main_context_new ();
  GtkloopLoop *own;

  /* A fresh thread-default context: get_default makes it a loop. */
  g_main_context_push_thread_default (context);
  d->pushed = context;
  d->made = gtkloop_loop_get_default ();
  d->made_again = gtkloop_loop_get_default ();
  d->made_context = gtkloop_loop_get_context (d->made);
  g_main_context_pop_thread_default (context);

  /* A context that got its loop from gtkloop_loop_new: get_default finds it. */
  own = gtkloop_loop_new (context2);
  g_main_context_push_thread_default (context2);
  d->own_found = gtkloop_loop_get_default () == own;
  g_main_context_pop_thread_default (context2);
  gtkloop_loop_close (own);
  g_object_unref (own);

  g_main_context_unref (context2);
  g_main_context_unref (context);
  return NULL;
}

static void
test_get_default (void **state)
{
  TestFixture *fx = *state;
  DefaultInThread d = { 0 };
  GtkloopLoop *main_default;
  GtkloopDebugCounters start, end;

  gtkloop_debug_counters_snapshot (&start);
  /* Main thread, no thread-default context pushed: the global default. */
  main_default = gtkloop_loop_get_default ();
  assert_non_null (main_default);
  assert_ptr_equal (gtkloop_loop_get_context (main_default), g_main_context_default ());
  assert_ptr_equal (gtkloop_loop_get_default (), main_default);
  assert_ptr_not_equal (main_default, fx->loop);

  /* The fixture's loop was made with gtkloop_loop_new on a fresh context:
   * with that context pushed, get_default finds it. */
  g_main_context_push_thread_default (gtkloop_loop_get_context (fx->loop));
  assert_ptr_equal (gtkloop_loop_get_default (), fx->loop);
  g_main_context_pop_thread_default (gtkloop_loop_get_context (fx->loop));
  assert_ptr_equal (gtkloop_loop_get_default (), main_default);

  g_thread_join (g_thread_new ("default", default_thread_main, &d));
  assert_non_null (d.made);
  assert_ptr_equal (d.made, d.made_again);
  assert_ptr_not_equal (d.made, main_default);
  assert_ptr_not_equal (d.made, fx->loop);
  assert_ptr_equal (d.made_context, d.pushed);
  assert_true (d.own_found);

  /* Loops made by get_default live as long as the process, by design: two
   * were made (the thread's own loop is gone), and the leak check expects
   * them. */
  gtkloop_debug_counters_snapshot (&end);
  if (gtkloop_debug_counters_enabled ())
    assert_int_equal (end.values[GTKLOOP_COUNTER_LOOPS] - start.values[GTKLOOP_COUNTER_LOOPS], 2);
  fx->before.values[GTKLOOP_COUNTER_LOOPS] += end.values[GTKLOOP_COUNTER_LOOPS] - start.values[GTKLOOP_COUNTER_LOOPS];
}

/* Debug mode -------------------------------------------------------------- */

/* Not static: the slow-callback report names it, found by dladdr because
 * the tests link with export_dynamic. */
void gtkloop_test_slow_callback (gpointer flag);

void
gtkloop_test_slow_callback (gpointer flag)
{
  g_usleep (30 * 1000);
  *(gboolean *) flag = TRUE;
}

static void
test_debug_slow_callback (void **state)
{
  TestFixture *fx = *state;
  gboolean done = FALSE;
  guint n;

  gtkloop_loop_set_debug (fx->loop, TRUE);
  assert_true (gtkloop_loop_get_debug (fx->loop));
  gtkloop_loop_set_slow_callback_duration (fx->loop, 0.01);
  assert_true (gtkloop_loop_get_slow_callback_duration (fx->loop) >= 0.01 &&
               gtkloop_loop_get_slow_callback_duration (fx->loop) < 0.0101);

  test_warnings_begin ();
  gtkloop_loop_call_soon (fx->loop, gtkloop_test_slow_callback, &done, NULL);
  test_iterate_until (fx->loop, &done, 5);
  n = test_warnings_end ();
  assert_int_equal (n, 1);
  assert_non_null (strstr (test_warnings_last (), "took"));
  assert_non_null (strstr (test_warnings_last (), "gtkloop_test_slow_callback"));

  /* A fast callback is not reported. */
  done = FALSE;
  test_warnings_begin ();
  gtkloop_loop_call_soon (fx->loop, test_set_flag_cb, &done, NULL);
  test_iterate_until (fx->loop, &done, 5);
  assert_int_equal (test_warnings_end (), 0);

  /* Debug off: no report, however slow. */
  gtkloop_loop_set_debug (fx->loop, FALSE);
  done = FALSE;
  test_warnings_begin ();
  gtkloop_loop_call_soon (fx->loop, gtkloop_test_slow_callback, &done, NULL);
  test_iterate_until (fx->loop, &done, 5);
  assert_int_equal (test_warnings_end (), 0);
}

/* Exception handler --------------------------------------------------------- */

typedef struct
{
  int          calls;
  int          destroyed;
  char        *message;
  GError      *error;
  GtkloopLoop *loop;
} HandlerLog;

static void
record_handler (GtkloopLoop               *loop,
                const GtkloopErrorContext *context,
                gpointer                   user_data)
{
  HandlerLog *log = user_data;

  log->calls++;
  log->loop = loop;
  g_free (log->message);
  log->message = g_strdup (context->message);
  g_clear_error (&log->error);
  log->error = context->error ? g_error_copy (context->error) : NULL;
}

static void
handler_log_destroyed (gpointer data)
{
  ((HandlerLog *) data)->destroyed++;
}

static void
handler_log_clear (HandlerLog *log)
{
  g_free (log->message);
  g_clear_error (&log->error);
}

static void
test_exception_handler (void **state)
{
  TestFixture *fx = *state;
  HandlerLog first = { 0 }, second = { 0 }, on_finalize = { 0 };
  g_autoptr(GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, "it broke");
  GtkloopErrorContext context = { .message = "Something happened", .error = error };
  g_autoptr(GMainContext) other_context = g_main_context_new ();
  GtkloopLoop *other;

  gtkloop_loop_set_exception_handler (fx->loop, record_handler, &first, handler_log_destroyed);
  gtkloop_loop_call_exception_handler (fx->loop, &context);
  assert_int_equal (first.calls, 1);
  assert_ptr_equal (first.loop, fx->loop);
  assert_string_equal (first.message, "Something happened");
  assert_true (g_error_matches (first.error, G_IO_ERROR, G_IO_ERROR_FAILED));
  assert_int_equal (first.destroyed, 0);

  /* Replacing runs the old notify once; the new handler gets the calls. */
  gtkloop_loop_set_exception_handler (fx->loop, record_handler, &second, handler_log_destroyed);
  assert_int_equal (first.destroyed, 1);
  gtkloop_loop_call_exception_handler (fx->loop, &context);
  assert_int_equal (first.calls, 1);
  assert_int_equal (second.calls, 1);

  /* NULL restores the default, which logs a warning with the message. */
  gtkloop_loop_set_exception_handler (fx->loop, NULL, NULL, NULL);
  assert_int_equal (second.destroyed, 1);
  test_warnings_begin ();
  gtkloop_loop_call_exception_handler (fx->loop, &context);
  assert_int_equal (test_warnings_end (), 1);
  assert_non_null (strstr (test_warnings_last (), "Something happened"));
  assert_non_null (strstr (test_warnings_last (), "it broke"));
  assert_int_equal (second.calls, 1);
  assert_int_equal (first.destroyed, 1);
  assert_int_equal (second.destroyed, 1);

  /* The handler still set when the loop is freed: its notify runs once. */
  other = gtkloop_loop_new (other_context);
  gtkloop_loop_set_exception_handler (other, record_handler, &on_finalize, handler_log_destroyed);
  gtkloop_loop_close (other);
  assert_int_equal (on_finalize.destroyed, 0);
  g_object_unref (other);
  assert_int_equal (on_finalize.destroyed, 1);
  assert_int_equal (on_finalize.calls, 0);

  handler_log_clear (&first);
  handler_log_clear (&second);
  handler_log_clear (&on_finalize);
}

/* Time ------------------------------------------------------------------------ */

static void
test_loop_time (void **state)
{
  TestFixture *fx = *state;
  double previous = gtkloop_loop_time (fx->loop);
  double glib_now, ours;

  for (int i = 0; i < 100000; i++)
    {
      double now = gtkloop_loop_time (fx->loop);

      if (now < previous)
        fail_msg ("loop time went back: %.9f after %.9f", now, previous);
      previous = now;
    }

  /* Not cached per iteration: it moves while a callback sleeps. */
  previous = gtkloop_loop_time (fx->loop);
  g_usleep (5000);
  assert_true (gtkloop_loop_time (fx->loop) - previous >= 0.005);

  /* The same clock as GLib's monotonic time. */
  glib_now = g_get_monotonic_time () / 1e6;
  ours = gtkloop_loop_time (fx->loop);
  assert_true (ours - glib_now >= -0.000001);
  assert_true (ours - glib_now < 0.01);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_call_soon_fifo, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_call_soon_seed_b1, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_snapshot_rule, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_snapshot_self_rescheduling, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_stop_resume, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_stop_now, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_stop_before_run_one_iteration, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_stop_in_split_iteration, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_run_until_complete_result, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_run_until_complete_error, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_run_until_complete_cancelled, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_run_until_complete_stopped, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_run_until_complete_other_loop, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_run_context_held_elsewhere, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_run_closed_loop, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_run_nested, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_running, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_pending, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_call_soon_closed, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_notify_cancels_own_handle, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_from_other_thread, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_unref_closes, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_callback_drops_last_ref, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_burst_from_callback, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_wrong_thread, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_cancel, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_cancel_in_same_iteration, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_ids_never_reused, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_get_running, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_get_default, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_debug_slow_callback, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_exception_handler, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_loop_time, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
