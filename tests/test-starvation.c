/* Liveness: a loop with endless work must still let GTK draw. GTK paints
 * at GDK_PRIORITY_REDRAW, below the loop's G_PRIORITY_DEFAULT source, so
 * the loop has to hand GLib an iteration now and then (issue 2). These
 * tests drive the context the way GTK does, with a GMainLoop, not with
 * run_forever. */
#include "config.h"

#include "test-util.h"

/* GDK's value, defined here so the test needs no GTK. */
#define GDK_PRIORITY_REDRAW (G_PRIORITY_HIGH_IDLE + 20)

G_STATIC_ASSERT (GDK_PRIORITY_REDRAW == 120);

/* A frame clock stand-in: a 16 ms timeout at GDK_PRIORITY_REDRAW. */
typedef struct
{
  guint   n_frames;
  gint64  first_frame_us;
  guint64 callbacks_at_first_frame;
} Frames;

static guint64 n_callbacks;

static gboolean
frame_cb (gpointer data)
{
  Frames *f = data;

  if (f->n_frames++ == 0)
    {
      f->first_frame_us = g_get_monotonic_time ();
      f->callbacks_at_first_frame = n_callbacks;
    }
  return G_SOURCE_CONTINUE;
}

static GSource *
add_frames (GMainContext *context,
            Frames       *frames)
{
  GSource *source = g_timeout_source_new (16);

  g_source_set_priority (source, GDK_PRIORITY_REDRAW);
  g_source_set_callback (source, frame_cb, frames, NULL);
  g_source_attach (source, context);
  return source;
}

static GSource *
add_idle (GMainContext *context,
          guint        *counter)
{
  GSource *source = g_idle_source_new ();   /* G_PRIORITY_DEFAULT_IDLE */

  g_source_set_callback (source, test_count_source_cb, counter, NULL);
  g_source_attach (source, context);
  return source;
}

static gboolean
quit_cb (gpointer main_loop)
{
  g_main_loop_quit (main_loop);
  return G_SOURCE_REMOVE;
}

/* Runs the context with a GMainLoop for `seconds`, quit by a timeout at
 * G_PRIORITY_HIGH (which nothing of ours may starve either). */
static void
run_main_loop_for (GMainContext *context,
                   double        seconds)
{
  GMainLoop *main_loop = g_main_loop_new (context, FALSE);
  GSource *quit = g_timeout_source_new ((guint) (seconds * 1000));

  g_source_set_priority (quit, G_PRIORITY_HIGH);
  g_source_set_callback (quit, quit_cb, main_loop, NULL);
  g_source_attach (quit, context);
  g_main_loop_run (main_loop);
  g_source_destroy (quit);
  g_source_unref (quit);
  g_main_loop_unref (main_loop);
}

static void
destroy_source (GSource *source)
{
  g_source_destroy (source);
  g_source_unref (source);
}

/* Issue 2: 1,000 callbacks reschedule themselves forever beside a 16 ms
 * timeout at GDK_PRIORITY_REDRAW; after 2 s the timeout ran at least 20
 * times and the callbacks at least 100,000 times. */
static void
reschedule_soon_cb (gpointer data)
{
  n_callbacks++;
  gtkloop_loop_call_soon (test_current->loop, reschedule_soon_cb, NULL, NULL);
}

static void
test_busy_callbacks (void **state)
{
  TestFixture *fx = *state;
  GMainContext *context = gtkloop_loop_get_context (fx->loop);
  Frames frames = { 0 };
  guint idles = 0;
  GSource *frame_source, *idle_source;

  n_callbacks = 0;
  for (int i = 0; i < 1000; i++)
    gtkloop_loop_call_soon (fx->loop, reschedule_soon_cb, NULL, NULL);
  frame_source = add_frames (context, &frames);
  idle_source = add_idle (context, &idles);
  run_main_loop_for (context, 2.0);
  destroy_source (frame_source);
  destroy_source (idle_source);

  print_message ("2 s: %u frames, %" G_GUINT64_FORMAT " callbacks, %u idles\n",
                 frames.n_frames, n_callbacks, idles);
  assert_true (frames.n_frames >= 20);
  assert_true (n_callbacks >= 100000);
  /* Beyond the bar: an idle GUI gets ~120 frames in 2 s; a busy
   * loop must leave it most of them. */
  assert_true (frames.n_frames >= 60);
  /* Sources below the redraw priority get their turn too. */
  assert_true (idles >= 20);
}

/* The same load made of timers that are always due (call_later (0)). */
static void
reschedule_later_cb (gpointer data)
{
  n_callbacks++;
  gtkloop_loop_call_later (test_current->loop, 0, reschedule_later_cb, NULL, NULL);
}

static void
busy_timers (TestFixture *fx,
             int          n_timers)
{
  GMainContext *context = gtkloop_loop_get_context (fx->loop);
  Frames frames = { 0 };
  guint idles = 0;
  GSource *frame_source, *idle_source;

  n_callbacks = 0;
  for (int i = 0; i < n_timers; i++)
    gtkloop_loop_call_later (fx->loop, 0, reschedule_later_cb, NULL, NULL);
  frame_source = add_frames (context, &frames);
  idle_source = add_idle (context, &idles);
  run_main_loop_for (context, 2.0);
  destroy_source (frame_source);
  destroy_source (idle_source);

  print_message ("2 s, %d timers: %u frames, %" G_GUINT64_FORMAT " timer callbacks, %u idles\n",
                 n_timers, frames.n_frames, n_callbacks, idles);
  assert_true (frames.n_frames >= 20);
  assert_true (n_callbacks >= 100000);
  assert_true (frames.n_frames >= 60);
  assert_true (idles >= 20);
}

static void
test_busy_timers (void **state)
{
  busy_timers (*state, 1000);
}

/* Fewer timers than the budget's clock-check interval: every dispatch ends
 * on an iteration boundary, with nothing queued but timers already due. */
static void
test_busy_few_timers (void **state)
{
  busy_timers (*state, 30);
}

/* A backlog of 1,000,000 callbacks queued at once: the first frame comes
 * while it drains (or the whole backlog is done) within ~100 ms. */
static void
count_cb (gpointer data)
{
  n_callbacks++;
}

/* About 5 µs of work. */
static void
busy_count_cb (gpointer data)
{
  gint64 until = g_get_monotonic_time () + 5;

  n_callbacks++;
  while (g_get_monotonic_time () < until)
    ;
}

typedef struct
{
  gint64  start;
  gint64  drained;
  Frames  frames;
} BacklogRun;

static void
run_backlog (TestFixture    *fx,
             guint           backlog,
             GtkloopCallback cb,
             BacklogRun     *run)
{
  GMainContext *context = gtkloop_loop_get_context (fx->loop);
  GSource *frame_source;
  gint64 deadline;

  n_callbacks = 0;
  for (guint i = 0; i < backlog; i++)
    gtkloop_loop_call_soon (fx->loop, cb, NULL, NULL);

  run->start = g_get_monotonic_time ();
  run->drained = 0;
  deadline = run->start + 60 * G_USEC_PER_SEC;
  frame_source = add_frames (context, &run->frames);
  while (n_callbacks < backlog || run->frames.n_frames == 0)
    {
      if (g_get_monotonic_time () > deadline)
        fail_msg ("timed out: %" G_GUINT64_FORMAT " callbacks, %u frames", n_callbacks, run->frames.n_frames);
      g_main_context_iteration (context, TRUE);
      if (run->drained == 0 && n_callbacks == backlog)
        run->drained = g_get_monotonic_time ();
    }
  destroy_source (frame_source);

  print_message ("backlog of %u drained in %.1f ms; first frame after %.1f ms, %" G_GUINT64_FORMAT " callbacks in\n",
                 backlog, (run->drained - run->start) / 1000.0,
                 (run->frames.first_frame_us - run->start) / 1000.0,
                 run->frames.callbacks_at_first_frame);
  assert_int_equal (n_callbacks, backlog);
}

static void
test_backlog (void **state)
{
  TestFixture *fx = *state;
  enum { BACKLOG = 1000000 };
  BacklogRun run = { 0 };

  run_backlog (fx, BACKLOG, count_cb, &run);
  assert_true (run.frames.first_frame_us - run.start < 100 * 1000 ||
               run.drained - run.start < 100 * 1000);
}

/* A backlog that takes about a second: the first frame comes on time,
 * long before the backlog is done, and frames keep coming. */
static void
test_backlog_slow_callbacks (void **state)
{
  TestFixture *fx = *state;
  enum { BACKLOG = 200000 };
  BacklogRun run = { 0 };

  run_backlog (fx, BACKLOG, busy_count_cb, &run);
  assert_true (run.frames.first_frame_us - run.start < 100 * 1000);
  assert_true (run.frames.callbacks_at_first_frame < BACKLOG);
  assert_true (run.frames.n_frames >= (run.drained - run.start) / (2 * 16 * 1000));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_busy_callbacks, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_busy_timers, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_busy_few_timers, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_backlog, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_backlog_slow_callbacks, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
