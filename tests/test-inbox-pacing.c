/* Pacing: a producer that opens a block of the thread inbox while the loop
 * thread is far behind (GTKLOOP_INBOX_PACING_BACKLOG posts waiting) is
 * told to pause, once per block; a producer of a loop that keeps up never
 * is; a refused post is only refused; through the loop's API a worker
 * that paused still has every post run once and in order; and
 * call_soon_threadsafe_unpaced hands the pause to its caller.
 *
 * Nothing here measures time: the pause is counted, not timed. Threads
 * synchronise through thread create/join only (for ThreadSanitizer). */
#include "config.h"

#include <pthread.h>

#include "test-util.h"
#include "inbox-private.h"

#define N_FAR_BEHIND 20000

static void
noop (gpointer data)
{
}

/* Posts n with nothing consuming; returns how many asked to pause, with
 * the index of the first and the distances between them checked. */
static guint
post_without_consuming (GtkloopInbox *inbox,
                        guint         n,
                        guint64       first_allowed)
{
  guint64 posted_before = gtkloop_inbox_get_n_posted (inbox);
  guint64 last_pause = 0;
  guint n_paced = 0;

  for (guint i = 0; i < n; i++)
    {
      GtkloopInboxPostResult result = gtkloop_inbox_post (inbox, noop, NULL, NULL);

      assert_false (result & GTKLOOP_INBOX_REFUSED);
      if (!(result & GTKLOOP_INBOX_PACE))
        continue;
      if (posted_before + i < first_allowed)
        fail_msg ("post %" G_GUINT64_FORMAT " paced with fewer than %d waiting",
                  posted_before + i, GTKLOOP_INBOX_PACING_BACKLOG);
      /* Once a block at most: full blocks are GTKLOOP_INBOX_MAX_BLOCK long
       * by then. */
      if (n_paced > 0)
        assert_int_equal (posted_before + i - last_pause, GTKLOOP_INBOX_MAX_BLOCK);
      last_pause = posted_before + i;
      n_paced++;
    }
  return n_paced;
}

static void
drain (GtkloopInbox *inbox)
{
  guint64 n_posted = gtkloop_inbox_get_n_posted (inbox);
  GtkloopInboxEntry entry;

  while (inbox->n_consumed < n_posted)
    gtkloop_inbox_pop (inbox, &entry);
}

static void
test_pace_only_while_far_behind (void **state)
{
  GtkloopInbox inbox;
  guint n_paced;

  gtkloop_inbox_init (&inbox);

  /* Nobody consumes: no pause before the backlog, then one per block. */
  n_paced = post_without_consuming (&inbox, N_FAR_BEHIND, GTKLOOP_INBOX_PACING_BACKLOG);
  assert_true (n_paced >= (N_FAR_BEHIND - GTKLOOP_INBOX_PACING_BACKLOG) / GTKLOOP_INBOX_MAX_BLOCK - 1);
  assert_true (n_paced <= (N_FAR_BEHIND - GTKLOOP_INBOX_PACING_BACKLOG) / GTKLOOP_INBOX_MAX_BLOCK + 1);
  assert_int_equal (atomic_load (&inbox.n_pauses), n_paced);

  /* The loop caught up: a backlog smaller than the threshold paces
   * nothing, however many blocks it opens. */
  drain (&inbox);
  assert_int_equal (post_without_consuming (&inbox, GTKLOOP_INBOX_PACING_BACKLOG - 2 * GTKLOOP_INBOX_MAX_BLOCK,
                                            G_MAXUINT64), 0);
  drain (&inbox);

  /* A loop that keeps up (consuming as the producer posts) never has it
   * pause. */
  for (guint i = 0; i < N_FAR_BEHIND; i++)
    {
      GtkloopInboxEntry entry;

      assert_int_equal (gtkloop_inbox_post (&inbox, noop, NULL, NULL) & GTKLOOP_INBOX_PACE, 0);
      gtkloop_inbox_pop (&inbox, &entry);
    }
  assert_int_equal (atomic_load (&inbox.n_pauses), n_paced);

  gtkloop_inbox_close (&inbox);
  gtkloop_inbox_clear (&inbox);
}

static void
test_refused_post_only_refused (void **state)
{
  GtkloopInbox inbox;

  gtkloop_inbox_init (&inbox);
  /* Far behind, with the last block full: the next post would open a
   * block and be told to pause, were the inbox open. */
  post_without_consuming (&inbox, N_FAR_BEHIND, GTKLOOP_INBOX_PACING_BACKLOG);
  while (inbox.tail_length < inbox.tail->capacity)
    gtkloop_inbox_post (&inbox, noop, NULL, NULL);
  gtkloop_inbox_close (&inbox);
  /* A closed inbox takes nothing and asks nothing else. */
  assert_int_equal (gtkloop_inbox_post (&inbox, noop, NULL, NULL), GTKLOOP_INBOX_REFUSED);
  drain (&inbox);
  gtkloop_inbox_clear (&inbox);
}

/* Through the loop: a worker posts while the loop is away (not iterated),
 * so it pauses; then every post runs once and in order. */
typedef struct
{
  GtkloopLoop *loop;
  guint        n_posts;
  guint        next;          /* (loop-thread) the post expected next */
  guint        n_out_of_order;
  guint        n_destroyed;
  gboolean     all_ran;
} Flood;

static Flood *flood;

static void
flood_post_cb (gpointer data)
{
  guint seq = GPOINTER_TO_UINT (data);

  if (seq != flood->next)
    flood->n_out_of_order++;
  flood->next = seq + 1;
  if (flood->next == flood->n_posts)
    flood->all_ran = TRUE;
}

static void
flood_destroy (gpointer data)
{
  flood->n_destroyed++;
}

static gpointer
flood_worker_main (gpointer data)
{
  Flood *f = data;

  for (guint seq = 0; seq < f->n_posts; seq++)
    gtkloop_loop_call_soon_threadsafe (f->loop, flood_post_cb, GUINT_TO_POINTER (seq), flood_destroy);
  return NULL;
}

/* Runs worker_main (f) on a thread of its own to the end; returns what it
 * returned. */
static gpointer
flood_from_worker (Flood *f,
                   gpointer (*worker_main) (gpointer))
{
  pthread_t worker;
  gpointer result;

  assert_int_equal (pthread_create (&worker, NULL, worker_main, f), 0);
  assert_int_equal (pthread_join (worker, &result), 0);
  return result;
}

static void
test_worker_paced_while_loop_away (void **state)
{
  TestFixture *fx = *state;
  Flood f = { .loop = fx->loop, .n_posts = N_FAR_BEHIND };
  gulong pauses_before = atomic_load (&fx->loop->inbox.n_pauses);
  gulong paced;

  flood = &f;
  flood_from_worker (&f, flood_worker_main);
  paced = atomic_load (&fx->loop->inbox.n_pauses) - pauses_before;
  assert_true (paced >= (N_FAR_BEHIND - GTKLOOP_INBOX_PACING_BACKLOG) / GTKLOOP_INBOX_MAX_BLOCK - 1);

  test_iterate_until (fx->loop, &f.all_ran, 60);
  assert_int_equal (f.next, N_FAR_BEHIND);
  assert_int_equal (f.n_out_of_order, 0);
  assert_int_equal (f.n_destroyed, N_FAR_BEHIND);

  /* Caught up: a smaller burst after it does not pause. */
  f = (Flood) { .loop = fx->loop, .n_posts = GTKLOOP_INBOX_PACING_BACKLOG / 2 };
  pauses_before = atomic_load (&fx->loop->inbox.n_pauses);
  flood_from_worker (&f, flood_worker_main);
  assert_int_equal (atomic_load (&fx->loop->inbox.n_pauses), pauses_before);
  test_iterate_until (fx->loop, &f.all_ran, 60);
  assert_int_equal (f.n_destroyed, f.n_posts);
  flood = NULL;
}

/* The same through call_soon_threadsafe_unpaced: the pause comes back to
 * the caller (for a binding to release its lock around it), as often as
 * the inbox asked for one; a closed loop runs the notify and says none. */
static gpointer
unpaced_worker_main (gpointer data)
{
  Flood *f = data;
  guint n_asked = 0;

  for (guint seq = 0; seq < f->n_posts; seq++)
    {
      guint pause_us = gtkloop_loop_call_soon_threadsafe_unpaced (f->loop, flood_post_cb,
                                                                  GUINT_TO_POINTER (seq), flood_destroy);

      if (pause_us != 0)
        {
          assert_int_equal (pause_us, GTKLOOP_INBOX_PACING_PAUSE_US);
          n_asked++;
        }
    }
  return GUINT_TO_POINTER (n_asked);
}

static void
test_unpaced_leaves_the_pause_to_the_caller (void **state)
{
  TestFixture *fx = *state;
  Flood f = { .loop = fx->loop, .n_posts = N_FAR_BEHIND };
  gulong pauses_before = atomic_load (&fx->loop->inbox.n_pauses);
  gpointer n_asked;

  flood = &f;
  n_asked = flood_from_worker (&f, unpaced_worker_main);
  assert_true (GPOINTER_TO_UINT (n_asked) >= (N_FAR_BEHIND - GTKLOOP_INBOX_PACING_BACKLOG) / GTKLOOP_INBOX_MAX_BLOCK - 1);
  assert_int_equal (GPOINTER_TO_UINT (n_asked), atomic_load (&fx->loop->inbox.n_pauses) - pauses_before);

  test_iterate_until (fx->loop, &f.all_ran, 60);
  assert_int_equal (f.n_out_of_order, 0);
  assert_int_equal (f.n_destroyed, N_FAR_BEHIND);
  flood = NULL;
}

static void
count_destroy (gpointer counter)
{
  (*(guint *) counter)++;
}

static void
test_unpaced_on_closed_loop (void **state)
{
  TestFixture *fx = *state;
  guint destroyed = 0;

  gtkloop_loop_close (fx->loop);
  test_criticals_begin ();
  assert_int_equal (gtkloop_loop_call_soon_threadsafe_unpaced (fx->loop, noop, &destroyed, count_destroy), 0);
  assert_int_equal (test_criticals_end (), 1);
  assert_non_null (strstr (test_criticals_last (), "closed"));
  assert_int_equal (destroyed, 1);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_pace_only_while_far_behind),
    cmocka_unit_test (test_refused_post_only_refused),
    cmocka_unit_test_setup_teardown (test_worker_paced_while_loop_away, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_unpaced_leaves_the_pause_to_the_caller, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_unpaced_on_closed_loop, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
