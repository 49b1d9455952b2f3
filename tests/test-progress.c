/* Progress from workers: a million reports become far fewer updates on
 * the loop's thread, some of them while the job runs, never
 * two in one loop iteration, and the last value always arrives (before
 * the job's future is done). Messages, the minimum interval, flush,
 * disconnect, and where the callback's data is freed.
 *
 * Workers record; assertions run on the test's main thread. */
#include "config.h"

#include "test-threads-util.h"

/* What the loop-thread callback saw. */
typedef struct
{
  GArray    *times;          /* gint64 monotonic µs of each update */
  GArray    *ticks;          /* the iteration counter at each update */
  double     last_fraction;
  char      *last_message;
  guint      n_wrong_thread;
  uintptr_t  loop_thread;
  guint64    tick;           /* bumped by a callback once per iteration, when ticking */
  gboolean   ticking;
} Seen;

static void
seen_init (Seen *s)
{
  memset (s, 0, sizeof *s);
  s->times = g_array_new (FALSE, FALSE, sizeof (gint64));
  s->ticks = g_array_new (FALSE, FALSE, sizeof (guint64));
  s->loop_thread = (uintptr_t) pthread_self ();
  s->last_fraction = -1;
}

static void
seen_clear (Seen *s)
{
  g_array_unref (s->times);
  g_array_unref (s->ticks);
  g_free (s->last_message);
}

static void
on_progress (GtkloopProgress *p,
             double           fraction,
             const char      *message,
             gpointer         data)
{
  Seen *s = data;
  gint64 now = g_get_monotonic_time ();

  if ((uintptr_t) pthread_self () != s->loop_thread)
    s->n_wrong_thread++;
  g_array_append_val (s->times, now);
  g_array_append_val (s->ticks, s->tick);
  s->last_fraction = fraction;
  g_free (s->last_message);
  s->last_message = g_strdup (message);
}

/* A callback that runs once per loop iteration: it reschedules itself. */
static void
tick_cb (gpointer data)
{
  Seen *s = data;

  s->tick++;
  if (s->ticking)
    gtkloop_loop_call_soon (test_current->loop, tick_cb, s, NULL);
}

/* The job: reports n times as fast as it can. */
typedef struct
{
  GtkloopProgress *progress;   /* (owned): dropped by the job's data destroy */
  guint64          n;
  atomic_llong     started_us;
  atomic_llong     ended_us;
} Reporter;

static gpointer
report_job (gpointer      data,
            GCancellable *cancellable,
            GError      **error)
{
  Reporter *r = data;

  atomic_store (&r->started_us, g_get_monotonic_time ());
  for (guint64 i = 1; i <= r->n; i++)
    gtkloop_progress_report (r->progress, (double) i / (double) r->n, NULL);
  atomic_store (&r->ended_us, g_get_monotonic_time ());
  return NULL;
}

static void
reporter_free (gpointer data)
{
  Reporter *r = data;

  g_clear_pointer (&r->progress, gtkloop_progress_unref);
}

static struct
{
  double   fraction_when_done;
  gboolean done;
} job_done;

static void
record_done (GtkloopFuture *f,
             gpointer       data)
{
  Seen *s = data;

  job_done.fraction_when_done = s->last_fraction;
  job_done.done = TRUE;
}

/* ---------------------------------------------------------------------- */

static void
test_million_reports_coalesced (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopThreadExecutor) ex = gtkloop_thread_executor_new (1);
  g_autoptr(GtkloopFuture) f = NULL;
  Reporter r = { .n = 1000000 };
  gint64 prev, max_gap = 0;
  guint n_updates, n_during = 0;
  Seen s;

#if GTKLOOP_HAVE_TSAN
  r.n = 200000;   /* each report is a mutex round: slow under TSan */
#endif
  seen_init (&s);
  memset (&job_done, 0, sizeof job_done);
  r.progress = gtkloop_progress_new (fx->loop, on_progress, &s, NULL);
  f = gtkloop_loop_run_in_executor (fx->loop, ex, report_job, &r, reporter_free, NULL);
  gtkloop_future_add_done_callback (f, record_done, &s, NULL);
  test_iterate_until (fx->loop, &job_done.done, 30);

  n_updates = s.times->len;
  print_message ("%" G_GUINT64_FORMAT " reports in %.1f ms -> %u updates\n", r.n,
                 (atomic_load (&r.ended_us) - atomic_load (&r.started_us)) / 1000.0, n_updates);
  assert_int_equal (s.n_wrong_thread, 0);
  /* The last value arrived, before the future was done. */
  assert_true (s.last_fraction == 1.0);
  assert_true (job_done.fraction_when_done == 1.0);
  /* Far fewer updates than reports. */
  assert_true (n_updates >= 1);
  assert_true (n_updates <= r.n / 10);
  /* Updates came while the job ran, not only at its end. How often is a
   * matter of time, which a test does not judge (a loaded machine stalls
   * either thread): the longest gap is printed, for the record. */
  prev = atomic_load (&r.started_us);
  for (guint i = 0; i < n_updates; i++)
    {
      gint64 t = g_array_index (s.times, gint64, i);

      max_gap = MAX (max_gap, t - prev);
      prev = t;
      if (t >= atomic_load (&r.ended_us))
        break;
      n_during++;
    }
  print_message ("%u updates while the job ran; longest gap between updates: %.2f ms\n",
                 n_during, max_gap / 1000.0);
  assert_true (n_during >= 2);
  seen_clear (&s);
}

/* Never two updates in one loop iteration, however fast the reports. */
static void
test_one_update_per_iteration (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopThreadExecutor) ex = gtkloop_thread_executor_new (1);
  g_autoptr(GtkloopFuture) f = NULL;
  Reporter r = { .n = 100000 };
  Seen s;

  seen_init (&s);
  memset (&job_done, 0, sizeof job_done);
  s.ticking = TRUE;
  gtkloop_loop_call_soon (fx->loop, tick_cb, &s, NULL);
  r.progress = gtkloop_progress_new (fx->loop, on_progress, &s, NULL);
  f = gtkloop_loop_run_in_executor (fx->loop, ex, report_job, &r, reporter_free, NULL);
  gtkloop_future_add_done_callback (f, record_done, &s, NULL);
  test_iterate_until (fx->loop, &job_done.done, 30);
  s.ticking = FALSE;
  for (int i = 0; i < 5; i++)
    g_main_context_iteration (gtkloop_loop_get_context (fx->loop), FALSE);

  for (guint i = 1; i < s.ticks->len; i++)
    if (g_array_index (s.ticks, guint64, i) == g_array_index (s.ticks, guint64, i - 1))
      fail_msg ("updates %u and %u came in the same iteration", i - 1, i);
  assert_true (s.ticks->len <= s.tick + 1);
  assert_true (s.last_fraction == 1.0);
  print_message ("%u updates over %" G_GUINT64_FORMAT " iterations\n", s.ticks->len, s.tick);
  seen_clear (&s);
}

/* ---------------------------------------------------------------------- */
/* Reports from a plain thread: messages, interval, flush, disconnect       */

typedef struct
{
  GtkloopProgress *progress;
  const char     **messages;   /* NULL-terminated; "" means report NULL */
  double           duration_s; /* report continuously this long, if > 0 */
  atomic_int       done;
} Plain;

static gpointer
plain_reporter (gpointer data)
{
  Plain *p = data;

  if (p->messages != NULL)
    for (guint i = 0; p->messages[i] != NULL; i++)
      {
        gtkloop_progress_report (p->progress, i, p->messages[i][0] ? p->messages[i] : NULL);
        g_usleep (2000);
      }
  if (p->duration_s > 0)
    {
      gint64 end = g_get_monotonic_time () + (gint64) (p->duration_s * 1e6);
      double x = 0;

      while (g_get_monotonic_time () < end)
        gtkloop_progress_report (p->progress, x++, NULL);
      gtkloop_progress_report (p->progress, -1, "last");
    }
  atomic_store (&p->done, 1);
  return NULL;
}

static void
test_messages (void **state)
{
  TestFixture *fx = *state;
  const char *messages[] = { "reading", "reading", "", "writing", "", NULL };
  Plain p = { .messages = messages };
  GThread *thread;
  Seen s;

  seen_init (&s);
  p.progress = gtkloop_progress_new (fx->loop, on_progress, &s, NULL);
  thread = g_thread_new ("reporter", plain_reporter, &p);
  WAIT_UNTIL (fx->loop, atomic_load (&p.done) && s.last_fraction == 4, 5);
  g_thread_join (thread);
  /* NULL keeps the last message. */
  assert_string_equal (s.last_message, "writing");
  assert_int_equal (gtkloop_progress_get_n_reports (p.progress), 5);
  assert_int_equal (gtkloop_progress_get_n_updates (p.progress), s.times->len);
  gtkloop_progress_unref (p.progress);
  seen_clear (&s);
}

static void
test_min_interval_and_flush (void **state)
{
  TestFixture *fx = *state;
  Plain p = { .duration_s = 0.1 };
  GThread *thread;
  gint64 min_gap = G_MAXINT64;
  Seen s;

  seen_init (&s);
  p.progress = gtkloop_progress_new (fx->loop, on_progress, &s, NULL);
  gtkloop_progress_set_min_interval (p.progress, 0.01);
  thread = g_thread_new ("reporter", plain_reporter, &p);
  WAIT_UNTIL (fx->loop, atomic_load (&p.done), 5);
  g_thread_join (thread);

  /* The last report may still wait for its interval: flush delivers it. */
  gtkloop_progress_flush (p.progress);
  assert_true (s.last_fraction == -1);
  assert_string_equal (s.last_message, "last");
  for (guint i = 1; i < s.times->len; i++)
    min_gap = MIN (min_gap, g_array_index (s.times, gint64, i) - g_array_index (s.times, gint64, i - 1));
  print_message ("%u updates in 100 ms at a 10 ms interval; shortest gap %.2f ms\n",
                 s.times->len, min_gap / 1000.0);
  /* Spaced by the interval, except the flush at the end. */
  for (guint i = 1; i + 1 < s.times->len; i++)
    if (g_array_index (s.times, gint64, i) - g_array_index (s.times, gint64, i - 1) < 9900)
      fail_msg ("updates %u and %u only %.2f ms apart", i - 1, i,
                (g_array_index (s.times, gint64, i) - g_array_index (s.times, gint64, i - 1)) / 1000.0);
  assert_true (s.times->len <= 100 / 10 + 3);
  /* Nothing new: a second flush delivers nothing. */
  {
    guint before = s.times->len;

    gtkloop_progress_flush (p.progress);
    assert_int_equal (s.times->len, before);
  }
  gtkloop_progress_unref (p.progress);
  seen_clear (&s);
}

static void
test_disconnect (void **state)
{
  TestFixture *fx = *state;
  ThreadRecord destroyed = { 0 };
  Seen s;
  GtkloopProgress *p;

  seen_init (&s);
  p = gtkloop_progress_new (fx->loop, on_progress, &s, NULL);
  gtkloop_progress_report (p, 0.5, NULL);
  gtkloop_progress_disconnect (p);
  gtkloop_progress_report (p, 0.7, NULL);
  for (int i = 0; i < 5; i++)
    g_main_context_iteration (gtkloop_loop_get_context (fx->loop), FALSE);
  assert_int_equal (s.times->len, 0);
  assert_int_equal (gtkloop_progress_get_n_reports (p), 2);
  gtkloop_progress_unref (p);

  /* The destroy notify runs at disconnect, once. */
  p = gtkloop_progress_new (fx->loop, on_progress, &destroyed, thread_record_cb);
  gtkloop_progress_disconnect (p);
  assert_int_equal (atomic_load (&destroyed.count), 1);
  gtkloop_progress_disconnect (p);
  gtkloop_progress_unref (p);
  assert_int_equal (atomic_load (&destroyed.count), 1);
  seen_clear (&s);
}

/* The last reference dropped by a worker: the callback's data is freed on
 * the loop's thread. */
static void
ignore_progress (GtkloopProgress *p,
                 double           fraction,
                 const char      *message,
                 gpointer         data)
{
}

static gpointer
drop_on_worker (gpointer data)
{
  gtkloop_progress_report (data, 1, NULL);
  gtkloop_progress_unref (data);
  return NULL;
}

static void
test_data_freed_on_loop_thread (void **state)
{
  TestFixture *fx = *state;
  ThreadRecord destroyed = { 0 };
  GtkloopProgress *p = gtkloop_progress_new (fx->loop, ignore_progress, &destroyed, thread_record_cb);
  GThread *thread = g_thread_new ("dropper", drop_on_worker, p);

  g_thread_join (thread);
  WAIT_UNTIL (fx->loop, atomic_load (&destroyed.count) == 1, 5);
  assert_true (thread_record_on_self (&destroyed));
}

/* Reports to a closed loop are dropped; the data goes with the last ref. */
static void
test_closed_loop (void **state)
{
  TestFixture *fx = *state;
  ThreadRecord destroyed = { 0 };
  GtkloopProgress *p = gtkloop_progress_new (fx->loop, ignore_progress, &destroyed, thread_record_cb);

  gtkloop_progress_report (p, 0.1, NULL);   /* a delivery is queued ... */
  gtkloop_loop_close (fx->loop);            /* ... and dropped by close */
  gtkloop_progress_report (p, 0.2, "after");
  gtkloop_progress_report (p, 0.3, NULL);
  assert_int_equal (atomic_load (&destroyed.count), 0);
  gtkloop_progress_unref (p);
  assert_int_equal (atomic_load (&destroyed.count), 1);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_million_reports_coalesced, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_one_update_per_iteration, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_messages, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_min_interval_and_flush, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_disconnect, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_data_freed_on_loop_thread, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_closed_loop, test_fixture_setup, threads_fixture_teardown),
  };

  threads_warm_up ();
  return cmocka_run_group_tests (tests, NULL, NULL);
}
