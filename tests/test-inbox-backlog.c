/* A backlog of posts from another thread (a worker's flood): each post
 * runs once and in order while the loop splits the work over dispatches,
 * GLib's other sources (painting, at GDK_PRIORITY_REDRAW) get their turns
 * between the portions, the posts wait behind one mark in the ready queue
 * rather than as a handle each, and stop_now () and close () inside a
 * backlog keep the rules.
 *
 * Nothing here measures time: the budget is made so small that every
 * clock check ends a dispatch, so a portion is at most 64 callbacks
 * whatever the machine's speed. Threads synchronise through pthread
 * primitives and thread create/join only (for ThreadSanitizer). */
#include "config.h"

#include <pthread.h>

#include "test-util.h"

#define N_POSTS            200000
#define TINY_BUDGET_S      1e-9      /* every clock check finds it spent */
#define GDK_PRIORITY_REDRAW (G_PRIORITY_HIGH_IDLE + 20)   /* GDK's, without GDK */

typedef struct
{
  GtkloopLoop *loop;
  guint        n_posts;
  guint        stop_now_at;      /* G_MAXUINT: never */
  /* (loop-thread) */
  guint        next;             /* the sequence number expected next */
  guint        n_out_of_order;
  guint        n_twice;
  guint8      *ran;
  guint8      *destroyed;
  guint        handles_midway;   /* live handles halfway through */
  guint        scheduled_ran_at; /* posts run when post 0's call_soon ran */
  gboolean     all_ran;
  /* the redraw-priority source */
  guint        paints;
  guint        paints_midway;    /* while some but not all posts had run */
} Backlog;

static Backlog *backlog;   /* the callbacks' view of the running test */

static void
scheduled_by_first_post_cb (gpointer data)
{
  backlog->scheduled_ran_at = backlog->next;
}

static void
post_cb (gpointer data)
{
  guint seq = GPOINTER_TO_UINT (data);

  if (backlog->ran[seq]++)
    backlog->n_twice++;
  if (seq != backlog->next)
    backlog->n_out_of_order++;
  backlog->next = seq + 1;
  if (seq == 0)   /* the snapshot rule: after the whole batch */
    gtkloop_loop_call_soon (backlog->loop, scheduled_by_first_post_cb, NULL, NULL);
  if (seq == backlog->n_posts / 2)
    backlog->handles_midway = backlog->loop->handles.n_live;
  if (seq == backlog->stop_now_at)
    gtkloop_loop_stop_now (backlog->loop);
  if (seq + 1 == backlog->n_posts)
    backlog->all_ran = TRUE;
}

static void
post_destroy (gpointer data)
{
  backlog->destroyed[GPOINTER_TO_UINT (data)]++;
}

static gpointer
worker_main (gpointer data)
{
  Backlog *b = data;

  for (guint seq = 0; seq < b->n_posts; seq++)
    gtkloop_loop_call_soon_threadsafe (b->loop, post_cb, GUINT_TO_POINTER (seq), post_destroy);
  return NULL;
}

/* A source always ready at GTK's painting priority, as a frame clock with
 * frames due: it runs only in the iterations gtkloop leaves to GLib. */
static gboolean
paint_prepare (GSource *source,
               gint    *timeout)
{
  *timeout = 0;
  return TRUE;
}

static gboolean
paint_dispatch (GSource    *source,
                GSourceFunc callback,
                gpointer    user_data)
{
  backlog->paints++;
  if (backlog->next > 0 && backlog->next < backlog->n_posts)
    backlog->paints_midway++;
  return G_SOURCE_CONTINUE;
}

static GSourceFuncs paint_funcs = { .prepare = paint_prepare, .dispatch = paint_dispatch };

static GSource *
add_paint_source (GtkloopLoop *loop)
{
  GSource *source = g_source_new (&paint_funcs, sizeof (GSource));

  g_source_set_priority (source, GDK_PRIORITY_REDRAW);
  g_source_attach (source, gtkloop_loop_get_context (loop));
  return source;
}

static void
backlog_init (Backlog     *b,
              GtkloopLoop *loop,
              guint        n_posts)
{
  *b = (Backlog) { .loop = loop, .n_posts = n_posts, .stop_now_at = G_MAXUINT };
  b->ran = g_new0 (guint8, n_posts);
  b->destroyed = g_new0 (guint8, n_posts);
  backlog = b;
}

/* Posts everything from a worker before the loop looks: one batch. */
static void
post_all_from_worker (Backlog *b)
{
  pthread_t worker;

  assert_int_equal (pthread_create (&worker, NULL, worker_main, b), 0);
  assert_int_equal (pthread_join (worker, NULL), 0);
}

static void
backlog_clear (Backlog *b)
{
  g_free (b->ran);
  g_free (b->destroyed);
  backlog = NULL;
}

static void
assert_each_destroyed_once (Backlog *b)
{
  for (guint seq = 0; seq < b->n_posts; seq++)
    if (b->destroyed[seq] != 1)
      fail_msg ("post %u: destroy notify ran %u times", seq, b->destroyed[seq]);
}

static void
test_backlog_runs_in_portions_in_order (void **state)
{
  TestFixture *fx = *state;
  GSource *paint = add_paint_source (fx->loop);
  guint64 dispatches_before = fx->loop->n_dispatches;
  Backlog b;

  backlog_init (&b, fx->loop, N_POSTS);
  gtkloop_loop_set_dispatch_budget (fx->loop, TINY_BUDGET_S);
  post_all_from_worker (&b);
  test_iterate_until (fx->loop, &b.all_ran, 60);
  test_iterate_for (fx->loop, 0);   /* the call_soon of post 0 */

  assert_int_equal (b.next, N_POSTS);
  assert_int_equal (b.n_out_of_order, 0);
  assert_int_equal (b.n_twice, 0);
  assert_each_destroyed_once (&b);
  /* One batch, split: at most 64 posts a dispatch with this budget, and
   * painting ran between the portions. */
  assert_true (fx->loop->n_dispatches - dispatches_before >= N_POSTS / 64);
  assert_true (b.paints_midway >= N_POSTS / 64 - 1);
  /* The posts waited behind one mark, not as a handle each. */
  assert_true (b.handles_midway < 16);
  /* What a post schedules runs in the next iteration: after the batch. */
  assert_int_equal (b.scheduled_ran_at, N_POSTS);

  g_source_destroy (paint);
  g_source_unref (paint);
  backlog_clear (&b);
}

/* The same while the worker is still posting: the loop never waits for
 * the flood to end before painting. */
typedef struct
{
  Backlog        *b;
  pthread_mutex_t lock;
  pthread_cond_t  cond;
  gboolean        first_ran;   /* (lock: lock) */
} LiveFlood;

static LiveFlood *live;

static gpointer
live_worker_main (gpointer data)
{
  LiveFlood *lf = data;

  gtkloop_loop_call_soon_threadsafe (lf->b->loop, post_cb, GUINT_TO_POINTER (0), post_destroy);
  /* The rest once the loop is running its first post: it takes the
   * flood while it grows. */
  pthread_mutex_lock (&lf->lock);
  while (!lf->first_ran)
    pthread_cond_wait (&lf->cond, &lf->lock);
  pthread_mutex_unlock (&lf->lock);
  for (guint seq = 1; seq < lf->b->n_posts; seq++)
    gtkloop_loop_call_soon_threadsafe (lf->b->loop, post_cb, GUINT_TO_POINTER (seq), post_destroy);
  return NULL;
}

static void
note_first_ran_cb (gpointer data)
{
  pthread_mutex_lock (&live->lock);
  live->first_ran = TRUE;
  pthread_cond_signal (&live->cond);
  pthread_mutex_unlock (&live->lock);
}

static void
test_flood_while_running_stays_in_order (void **state)
{
  TestFixture *fx = *state;
  GSource *paint = add_paint_source (fx->loop);
  LiveFlood lf;
  pthread_t worker;
  Backlog b;

  backlog_init (&b, fx->loop, N_POSTS);
  lf.b = &b;
  lf.first_ran = FALSE;
  pthread_mutex_init (&lf.lock, NULL);
  pthread_cond_init (&lf.cond, NULL);
  live = &lf;
  gtkloop_loop_set_dispatch_budget (fx->loop, TINY_BUDGET_S);
  gtkloop_loop_call_soon (fx->loop, note_first_ran_cb, NULL, NULL);
  assert_int_equal (pthread_create (&worker, NULL, live_worker_main, &lf), 0);
  test_iterate_until (fx->loop, &b.all_ran, 60);
  assert_int_equal (pthread_join (worker, NULL), 0);

  assert_int_equal (b.next, N_POSTS);
  assert_int_equal (b.n_out_of_order, 0);
  assert_int_equal (b.n_twice, 0);
  assert_each_destroyed_once (&b);
  assert_true (b.paints_midway >= 2);

  g_source_destroy (paint);
  g_source_unref (paint);
  pthread_cond_destroy (&lf.cond);
  pthread_mutex_destroy (&lf.lock);
  live = NULL;
  backlog_clear (&b);
}

/* stop_now () in the middle of a batch: the rest stays first in line. */
static void
test_stop_now_inside_backlog (void **state)
{
  TestFixture *fx = *state;
  Backlog b;

  backlog_init (&b, fx->loop, 1000);
  b.stop_now_at = 500;
  post_all_from_worker (&b);
  test_run_forever (fx->loop, 10);
  assert_int_equal (b.next, 501);

  /* Queued after the rest of the batch, so it runs after it. */
  b.stop_now_at = G_MAXUINT;
  gtkloop_loop_call_soon (fx->loop, test_stop_loop_cb, fx->loop, NULL);
  test_run_forever (fx->loop, 10);
  assert_int_equal (b.next, 1000);
  assert_int_equal (b.n_out_of_order, 0);
  assert_int_equal (b.n_twice, 0);
  assert_each_destroyed_once (&b);
  backlog_clear (&b);
}

/* close () with half a batch left: the rest are dropped, each destroy
 * notify once, no callback. */
static void
test_close_drops_rest_of_backlog (void **state)
{
  TestFixture *fx = *state;
  Backlog b;

  backlog_init (&b, fx->loop, 1000);
  b.stop_now_at = 99;
  post_all_from_worker (&b);
  test_run_forever (fx->loop, 10);
  gtkloop_loop_close (fx->loop);

  assert_int_equal (b.next, 100);
  for (guint seq = 0; seq < b.n_posts; seq++)
    assert_int_equal (b.ran[seq], seq < 100 ? 1 : 0);
  assert_each_destroyed_once (&b);
  backlog_clear (&b);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_backlog_runs_in_portions_in_order, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_flood_while_running_stays_in_order, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_stop_now_inside_backlog, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_drops_rest_of_backlog, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
