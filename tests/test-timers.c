/* Timers: call_later and call_at order (by deadline, equal deadlines in
 * scheduling order), where due timers join the ready queue, never firing
 * early, cancellation, and a 100,000-timer stress run. */
#include "config.h"

#include <math.h>
#include <string.h>

#include "test-util.h"

/* Seed 000, b2 and b3 -------------------------------------------------------- */

/* `await asyncio.sleep (d)` is a timer made after the others, whose
 * callback resumes the task: test_after_sleep_cb plays it. */
static void
test_call_later_seed_b2 (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) fut = gtkloop_future_new (fx->loop);
  TestMarkDone m = { fut, "the result" };

  gtkloop_loop_call_later (fx->loop, 0.1, test_mark_done_cb, &m, NULL);
  gtkloop_loop_call_later (fx->loop, 0.05, test_print_cb, "Hello", NULL);
  gtkloop_loop_call_later (fx->loop, 0.05, test_print_cb, "Greeting", NULL);
  test_print (fx, "Done: %s", gtkloop_future_is_done (fut) ? "True" : "False");
  gtkloop_loop_call_later (fx->loop, 0.1, test_after_sleep_cb, &m, NULL);
  test_run_forever (fx->loop, 10);

  test_assert_matches_twin ("call_later_order", fx->out->str);
}

static void
test_call_at_seed_b3 (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) fut = gtkloop_future_new (fx->loop);
  TestMarkDone m = { fut, "the result" };
  double now = gtkloop_loop_time (fx->loop);

  gtkloop_loop_call_at (fx->loop, now + 0.1, test_mark_done_cb, &m, NULL);
  gtkloop_loop_call_at (fx->loop, now + 0.05, test_print_cb, "Hello", NULL);
  gtkloop_loop_call_at (fx->loop, now + 0.05, test_print_cb, "Greeting", NULL);
  test_print (fx, "Done: %s", gtkloop_future_is_done (fut) ? "True" : "False");
  gtkloop_loop_call_later (fx->loop, 0.1, test_after_sleep_cb, &m, NULL);
  test_run_forever (fx->loop, 10);

  test_assert_matches_twin ("call_at_order", fx->out->str);
}

/* Ordering -------------------------------------------------------------------- */

/* Deadlines given out of order run sorted; equal ones in scheduling order. */
static void
test_deadline_order (void **state)
{
  TestFixture *fx = *state;
  GArray *order = fx->order;
  double base = gtkloop_loop_time (fx->loop) + 0.005;
  gboolean done = FALSE;
  int expected = 0;

  /* Index i goes to slot (i % 5) ms; within a slot, ascending index. */
  for (int i = 0; i < 1000; i++)
    gtkloop_loop_call_at (fx->loop, base + (4 - i % 5) * 0.001, test_append_index_cb,
                          GINT_TO_POINTER (i), NULL);
  gtkloop_loop_call_at (fx->loop, base + 0.004, test_set_flag_cb, &done, NULL);
  test_iterate_until (fx->loop, &done, 5);

  assert_int_equal (order->len, 1000);
  /* i % 5 == 4 has the earliest deadline, i % 5 == 0 the latest. */
  for (int r = 4; r >= 0; r--)
    for (int i = r; i < 1000; i += 5)
      assert_int_equal (g_array_index (order, int, expected++), i);
}

static void
test_equal_deadlines (void **state)
{
  TestFixture *fx = *state;
  GArray *order = fx->order;
  double when = gtkloop_loop_time (fx->loop) + 0.01;
  gboolean done = FALSE;

  for (int i = 0; i < 5000; i++)
    gtkloop_loop_call_at (fx->loop, when, test_append_index_cb, GINT_TO_POINTER (i), NULL);
  gtkloop_loop_call_at (fx->loop, when, test_set_flag_cb, &done, NULL);
  test_iterate_until (fx->loop, &done, 5);

  assert_int_equal (order->len, 5000);
  for (int i = 0; i < 5000; i++)
    assert_int_equal (g_array_index (order, int, i), i);
}

static void
test_call_at_past (void **state)
{
  TestFixture *fx = *state;

  gtkloop_loop_call_soon (fx->loop, test_print_cb, "soon 1", NULL);
  gtkloop_loop_call_at (fx->loop, gtkloop_loop_time (fx->loop) - 1, test_print_cb, "call_at 1 s ago", NULL);
  gtkloop_loop_call_later (fx->loop, -5, test_print_cb, "call_later -5 s", NULL);
  gtkloop_loop_call_soon (fx->loop, test_print_cb, "soon 2", NULL);
  gtkloop_loop_call_at (fx->loop, gtkloop_loop_time (fx->loop), test_print_cb, "call_at now", NULL);
  gtkloop_loop_call_soon (fx->loop, test_print_and_stop_cb, "stop", NULL);
  test_run_forever (fx->loop, 10);
  test_print (fx, "returned");

  test_assert_matches_twin ("call_at_past", fx->out->str);
}

/* Where due timers join: after what is already queued --------------------- */

static void
timer_30ms_cb (gpointer data)
{
  test_print (test_current, "timer 30ms");
  gtkloop_loop_call_soon (test_current->loop, test_print_and_stop_cb, "stop", NULL);
}

static void
long_cb (gpointer data)
{
  test_print (test_current, "long: start");
  gtkloop_loop_call_later (test_current->loop, 0.03, timer_30ms_cb, NULL, NULL);
  gtkloop_loop_call_soon (test_current->loop, test_print_cb, "soon from long", NULL);
  g_usleep (80 * 1000);
  gtkloop_loop_call_later (test_current->loop, 0, test_print_cb, "later 0 from long", NULL);
  test_print (test_current, "long: end");
}

static void
test_timers_join_after_queued (void **state)
{
  TestFixture *fx = *state;

  gtkloop_loop_call_soon (fx->loop, long_cb, NULL, NULL);
  gtkloop_loop_call_soon (fx->loop, test_print_cb, "soon 2", NULL);
  test_run_forever (fx->loop, 10);
  test_print (fx, "returned");

  test_assert_matches_twin ("timers_join", fx->out->str);
}

/* The same through a dispatch split by the budget: 10,000 queued callbacks
 * take several dispatches, and a timer that falls due meanwhile still
 * waits for all of them (they were queued first). */
typedef struct
{
  int n_run;
  int n_run_when_timer_fired;
  gboolean timer_fired;
} Backlog;

static void
backlog_cb (gpointer data)
{
  Backlog *b = data;

  b->n_run++;
  if (b->n_run == 1)
    g_usleep (5000);   /* the timer falls due during the first callback */
}

static void
backlog_timer_cb (gpointer data)
{
  Backlog *b = data;

  b->n_run_when_timer_fired = b->n_run;
  b->timer_fired = TRUE;
}

static void
test_timers_join_after_split_iteration (void **state)
{
  TestFixture *fx = *state;
  Backlog b = { 0 };

  gtkloop_loop_set_dispatch_budget (fx->loop, 0.0001);
  gtkloop_loop_call_later (fx->loop, 0.001, backlog_timer_cb, &b, NULL);
  for (int i = 0; i < 10000; i++)
    gtkloop_loop_call_soon (fx->loop, backlog_cb, &b, NULL);
  test_iterate_until (fx->loop, &b.timer_fired, 10);
  assert_int_equal (b.n_run_when_timer_fired, 10000);
  assert_true (gtkloop_loop_get_n_yields (fx->loop) > 0);
}

/* Never early -------------------------------------------------------------------- */

typedef struct
{
  double   requested;   /* no earlier than this */
  double   fired_at;
  gboolean fired;
  int     *remaining;
  gboolean *all_done;
} Punctual;

static void
punctual_cb (gpointer data)
{
  Punctual *p = data;

  p->fired_at = gtkloop_loop_time (test_current->loop);
  p->fired = TRUE;
  if (--*p->remaining == 0)
    *p->all_done = TRUE;
}

static void
test_never_early (void **state)
{
  TestFixture *fx = *state;
  enum { N = 1000 };
  Punctual *timers = g_new0 (Punctual, N);
  GRand *rand = g_rand_new_with_seed (20240601);
  gboolean all_done = FALSE;
  int remaining = N;
  double worst_late = 0;

  for (int i = 0; i < N; i++)
    {
      double delay = g_rand_double_range (rand, 0, 0.03);

      timers[i].remaining = &remaining;
      timers[i].all_done = &all_done;
      if (i % 2 == 0)
        {
          /* call_later measures from its own call: later than this. */
          timers[i].requested = gtkloop_loop_time (fx->loop) + delay;
          gtkloop_loop_call_later (fx->loop, delay, punctual_cb, &timers[i], NULL);
        }
      else
        {
          timers[i].requested = gtkloop_loop_time (fx->loop) + delay;
          gtkloop_loop_call_at (fx->loop, timers[i].requested, punctual_cb, &timers[i], NULL);
        }
    }
  test_iterate_until (fx->loop, &all_done, 10);

  for (int i = 0; i < N; i++)
    {
      assert_true (timers[i].fired);
      if (timers[i].fired_at < timers[i].requested)
        fail_msg ("timer %d fired %.9f s early", i, timers[i].requested - timers[i].fired_at);
      worst_late = MAX (worst_late, timers[i].fired_at - timers[i].requested);
    }
  /* And not absurdly late either (a loose bound: CI machines are busy). */
  assert_true (worst_late < 1.0);

  g_rand_free (rand);
  g_free (timers);
}

/* The loop sleeps in poll until the first deadline instead of spinning,
 * and follows the deadline when the first timer is cancelled. */
static void
test_sleeps_until_deadline (void **state)
{
  TestFixture *fx = *state;
  GMainContext *context = gtkloop_loop_get_context (fx->loop);
  gboolean first = FALSE, second = FALSE;
  double start = gtkloop_loop_time (fx->loop);
  guint64 id;
  int iterations = 0;

  id = gtkloop_loop_call_later (fx->loop, 0.02, test_set_flag_cb, &first, NULL);
  gtkloop_loop_call_later (fx->loop, 0.05, test_set_flag_cb, &second, NULL);
  assert_true (gtkloop_loop_cancel (fx->loop, id));

  while (!second && gtkloop_loop_time (fx->loop) - start < 5)
    {
      g_main_context_iteration (context, TRUE);
      iterations++;
    }
  assert_true (second);
  assert_false (first);
  assert_true (gtkloop_loop_time (fx->loop) - start >= 0.05);
  /* One wake-up for the cancelled deadline at most, one for the real one,
   * and a little slack; a spinning loop would need thousands. */
  assert_true (iterations <= 5);
}

/* Deadlines at the ends of the clock: far ones never fire (and do not
 * wedge the poll timeout), past ones fire on the next iteration. */
static void
test_extreme_delays (void **state)
{
  TestFixture *fx = *state;
  DestroyCounter far[4] = { { 0 } };
  guint64 ids[4];
  gboolean soon = FALSE, past1 = FALSE, past2 = FALSE;
  double start = gtkloop_loop_time (fx->loop);

  ids[0] = gtkloop_loop_call_later (fx->loop, INFINITY, test_fail_if_run_cb, &far[0],
                                    test_destroy_count);
  ids[1] = gtkloop_loop_call_later (fx->loop, 1e300, test_fail_if_run_cb, &far[1],
                                    test_destroy_count);
  ids[2] = gtkloop_loop_call_at (fx->loop, G_MAXDOUBLE, test_fail_if_run_cb, &far[2],
                                 test_destroy_count);
  ids[3] = gtkloop_loop_call_later (fx->loop, 1e6, test_fail_if_run_cb, &far[3],
                                    test_destroy_count);
  gtkloop_loop_call_later (fx->loop, -INFINITY, test_set_flag_cb, &past1, NULL);
  gtkloop_loop_call_at (fx->loop, -1e300, test_set_flag_cb, &past2, NULL);
  gtkloop_loop_call_later (fx->loop, 0.02, test_set_flag_cb, &soon, NULL);

  /* Blocking iterations: the 20 ms timer must wake the poll. */
  while (!soon && gtkloop_loop_time (fx->loop) - start < 5)
    g_main_context_iteration (gtkloop_loop_get_context (fx->loop), TRUE);
  assert_true (soon);
  assert_true (past1);
  assert_true (past2);
  assert_true (gtkloop_loop_time (fx->loop) - start < 2);

  for (int i = 0; i < 4; i++)
    {
      assert_int_equal (far[i].count, 0);
      assert_true (gtkloop_loop_cancel (fx->loop, ids[i]));
      assert_int_equal (far[i].count, 1);
    }

  /* NaN is refused with a critical. */
  test_criticals_begin ();
  assert_int_equal (gtkloop_loop_call_later (fx->loop, NAN, test_fail_if_run_cb, NULL, NULL), 0);
  assert_int_equal (gtkloop_loop_call_at (fx->loop, NAN, test_fail_if_run_cb, NULL, NULL), 0);
  assert_int_equal (test_criticals_end (), 2);
}

/* Cancelling ------------------------------------------------------------------- */

static void
test_cancel_timer (void **state)
{
  TestFixture *fx = *state;
  DestroyCounter before = { 0 }, at = { 0 };
  int ran = 0;
  guint64 id, at_id, ran_id;

  id = gtkloop_loop_call_later (fx->loop, 0.005, test_fail_if_run_cb, &before, test_destroy_count);
  at_id = gtkloop_loop_call_at (fx->loop, gtkloop_loop_time (fx->loop) + 0.005,
                                test_fail_if_run_cb, &at, test_destroy_count);
  ran_id = gtkloop_loop_call_later (fx->loop, 0.001, test_increment_int_cb, &ran, NULL);
  assert_true (gtkloop_loop_cancel (fx->loop, id));
  assert_true (gtkloop_loop_cancel (fx->loop, at_id));
  assert_int_equal (before.count, 1);
  assert_int_equal (at.count, 1);
  assert_false (gtkloop_loop_cancel (fx->loop, id));
  assert_int_equal (before.count, 1);

  test_iterate_for (fx->loop, 0.02);
  assert_int_equal (ran, 1);
  assert_int_equal (before.count, 1);
  assert_int_equal (at.count, 1);

  /* After it fired: FALSE, and no critical. */
  test_criticals_begin ();
  assert_false (gtkloop_loop_cancel (fx->loop, ran_id));
  assert_int_equal (test_criticals_end (), 0);
  assert_int_equal (gtkloop_loop_get_n_pending (fx->loop), 0);
}

/* Stress ----------------------------------------------------------------------- */

typedef struct _Stress Stress;

typedef struct
{
  Stress  *stress;
  double   when;
  guint64  id;
  guint    index;
  int      fired;
  int      destroyed;
  gboolean cancelled;
} StressTimer;

struct _Stress
{
  StressTimer *timers;
  guint        n;
  GArray      *order;        /* indices, in firing order */
  GRand       *rand;
  guint        remaining;    /* neither fired nor cancelled yet */
  gboolean     done;
  guint        n_early;
  guint        n_fired_after_destroy;
};

static void
stress_destroy (gpointer data)
{
  ((StressTimer *) data)->destroyed++;
}

static void
stress_cancel (Stress *s,
               guint   j)
{
  StressTimer *t = &s->timers[j];
  gboolean pending = !t->fired && !t->cancelled;

  /* TRUE exactly when the timer was still pending. */
  if (gtkloop_loop_cancel (test_current->loop, t->id) != pending)
    fail_msg ("cancel of timer %u returned %d, pending %d", j, !pending, pending);
  if (pending)
    {
      t->cancelled = TRUE;
      assert_int_equal (t->destroyed, 1);
      if (--s->remaining == 0)
        s->done = TRUE;
    }
}

static void
stress_cb (gpointer data)
{
  StressTimer *t = data;
  Stress *s = t->stress;

  if (gtkloop_loop_time (test_current->loop) < t->when)
    s->n_early++;
  if (t->destroyed)
    s->n_fired_after_destroy++;
  t->fired++;
  g_array_append_val (s->order, t->index);
  if (--s->remaining == 0)
    s->done = TRUE;

  /* Some callbacks cancel another timer: pending, fired or cancelled. */
  if (t->index % 16 == 0)
    stress_cancel (s, g_rand_int_range (s->rand, 0, s->n));
}

static void
stress_run (TestFixture *fx,
            guint        n,
            double       cancel_fraction)
{
  Stress s = { 0 };
  double base = gtkloop_loop_time (fx->loop);

  s.n = n;
  s.timers = g_new0 (StressTimer, n);
  s.order = g_array_sized_new (FALSE, FALSE, sizeof (guint), n);
  s.rand = g_rand_new_with_seed (n);
  s.remaining = n;

  /* Deadlines in 0-50 ms, on a 0.1 ms grid so that many are equal. */
  for (guint i = 0; i < n; i++)
    {
      StressTimer *t = &s.timers[i];

      t->stress = &s;
      t->index = i;
      t->when = base + g_rand_int_range (s.rand, 0, 501) * 0.0001;
      t->id = gtkloop_loop_call_at (fx->loop, t->when, stress_cb, t, stress_destroy);
      assert_true (t->id != 0);
    }
  for (guint i = 0; i < n; i++)
    if (g_rand_double (s.rand) < cancel_fraction)
      stress_cancel (&s, i);

  test_iterate_until (fx->loop, &s.done, 30);
  /* A few more iterations: nothing else may fire. */
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (gtkloop_loop_get_context (fx->loop), FALSE);

  assert_int_equal (s.n_early, 0);
  assert_int_equal (s.n_fired_after_destroy, 0);
  for (guint i = 0; i < n; i++)
    {
      StressTimer *t = &s.timers[i];

      if (t->destroyed != 1)
        fail_msg ("timer %u: destroy ran %d times", i, t->destroyed);
      if (t->fired != (t->cancelled ? 0 : 1))
        fail_msg ("timer %u (cancelled %d) fired %d times", i, t->cancelled, t->fired);
    }
  /* Firing order is (deadline, scheduling order). */
  for (guint k = 1; k < s.order->len; k++)
    {
      StressTimer *a = &s.timers[g_array_index (s.order, guint, k - 1)];
      StressTimer *b = &s.timers[g_array_index (s.order, guint, k)];

      if (a->when > b->when || (a->when == b->when && a->index > b->index))
        fail_msg ("timer %u (%.4f) fired before timer %u (%.4f)",
                  a->index, a->when - base, b->index, b->when - base);
    }
  assert_int_equal (gtkloop_loop_get_n_pending (fx->loop), 0);

  g_rand_free (s.rand);
  g_array_unref (s.order);
  g_free (s.timers);
}

static void
test_stress_100k (void **state)
{
  stress_run (*state, 100000, 0.25);
}

/* Most of the heap cancelled: the heap compacts, and what is left still
 * fires once, in order. */
static void
test_stress_mostly_cancelled (void **state)
{
  stress_run (*state, 20000, 0.85);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_call_later_seed_b2, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_call_at_seed_b3, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_deadline_order, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_equal_deadlines, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_call_at_past, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_timers_join_after_queued, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_timers_join_after_split_iteration, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_never_early, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_sleeps_until_deadline, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_extreme_delays, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_cancel_timer, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_stress_100k, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_stress_mostly_cancelled, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
