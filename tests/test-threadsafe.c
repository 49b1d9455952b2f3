/* call_soon_threadsafe: many producers, none lost or run twice, each
 * thread's posts in order, few context wake-ups; posts from the loop's own
 * thread; posts racing with and after close; stopping from a thread.
 *
 * Threads here synchronise only through pthread primitives, C11 atomics and
 * thread create/join, which ThreadSanitizer sees (Debian's GLib is not
 * instrumented, so a GMutex or GCond would be invisible to it). cmocka
 * assertions run on the main thread only. */
#include "config.h"

#include <pthread.h>
#include <stdatomic.h>
#include <string.h>

#include "test-util.h"

/* Many producers ---------------------------------------------------------------- */

#define N_THREADS 8
#define N_POSTS   100000

typedef struct _Flood Flood;

typedef struct
{
  Flood *flood;
  guint  thread;
} Producer;

struct _Flood
{
  GtkloopLoop *loop;
  atomic_int   go;                         /* producers start together */
  Producer     producers[N_THREADS];
  /* (loop-thread) */
  guint8      *ran;                        /* per post */
  guint8      *destroyed;                  /* per post */
  guint        next[N_THREADS];            /* the sequence number expected next */
  guint        n_out_of_order;
  guint        n_twice;
  guint        n_ran;
  gboolean     all_ran;
};

/* A post's data names it: thread in the high bits, sequence in the low. */
#define POST_DATA(t, seq)  GUINT_TO_POINTER (((t) << 20) | (seq))
#define POST_THREAD(p)     (GPOINTER_TO_UINT (p) >> 20)
#define POST_SEQ(p)        (GPOINTER_TO_UINT (p) & ((1u << 20) - 1))

static Flood *flood;   /* the callbacks' view of the running test */

static void
flood_cb (gpointer data)
{
  guint t = POST_THREAD (data), seq = POST_SEQ (data);
  guint k = t * N_POSTS + seq;

  if (flood->ran[k]++)
    flood->n_twice++;
  if (seq != flood->next[t])
    flood->n_out_of_order++;
  flood->next[t] = seq + 1;
  if (++flood->n_ran == N_THREADS * N_POSTS)
    flood->all_ran = TRUE;
}

static void
flood_destroy (gpointer data)
{
  flood->destroyed[POST_THREAD (data) * N_POSTS + POST_SEQ (data)]++;
}

static gpointer
producer_main (gpointer data)
{
  Producer *p = data;

  while (!atomic_load (&p->flood->go))
    ;
  for (guint seq = 0; seq < N_POSTS; seq++)
    gtkloop_loop_call_soon_threadsafe (p->flood->loop, flood_cb, POST_DATA (p->thread, seq), flood_destroy);
  return NULL;
}

static void
test_many_producers (void **state)
{
  TestFixture *fx = *state;
  GThread *threads[N_THREADS];
  guint64 wakeups_before = gtkloop_loop_get_n_wakeups (fx->loop);
  guint64 wakeups;
  Flood f = { .loop = fx->loop };

  f.ran = g_new0 (guint8, N_THREADS * N_POSTS);
  f.destroyed = g_new0 (guint8, N_THREADS * N_POSTS);
  flood = &f;
  atomic_init (&f.go, 0);
  for (guint t = 0; t < N_THREADS; t++)
    {
      f.producers[t] = (Producer) { &f, t };
      threads[t] = g_thread_new ("producer", producer_main, &f.producers[t]);
    }
  atomic_store (&f.go, 1);
  test_iterate_until (fx->loop, &f.all_ran, 100);
  for (guint t = 0; t < N_THREADS; t++)
    g_thread_join (threads[t]);
  /* Nothing more arrives. */
  for (int i = 0; i < 10; i++)
    g_main_context_iteration (gtkloop_loop_get_context (fx->loop), FALSE);

  assert_int_equal (f.n_ran, N_THREADS * N_POSTS);
  assert_int_equal (f.n_twice, 0);
  assert_int_equal (f.n_out_of_order, 0);
  for (guint k = 0; k < N_THREADS * N_POSTS; k++)
    {
      if (f.ran[k] != 1)
        fail_msg ("post %u of thread %u ran %u times", k % N_POSTS, k / N_POSTS, f.ran[k]);
      if (f.destroyed[k] != 1)
        fail_msg ("post %u of thread %u: destroy ran %u times", k % N_POSTS, k / N_POSTS, f.destroyed[k]);
    }
  for (guint t = 0; t < N_THREADS; t++)
    assert_int_equal (f.next[t], N_POSTS);

  /* Only a post that finds the inbox empty, while the loop may be asleep
   * in poll, wakes the context: none at all if the loop never slept
   * (test_wakes_blocked_loop checks that a sleeping loop is woken). */
  wakeups = gtkloop_loop_get_n_wakeups (fx->loop) - wakeups_before;
  print_message ("%u posts, %" G_GUINT64_FORMAT " wake-ups\n", N_THREADS * N_POSTS, wakeups);
  assert_true (wakeups < N_THREADS * N_POSTS / 10);

  flood = NULL;
  g_free (f.ran);
  g_free (f.destroyed);
}

/* A post reaches a loop blocked in poll: the wake-up is not lost. */
typedef struct
{
  GtkloopLoop *loop;
  gboolean    *flag;
} DelayedPost;

static gpointer
delayed_post_main (gpointer data)
{
  DelayedPost *d = data;

  g_usleep (30 * 1000);
  gtkloop_loop_call_soon_threadsafe (d->loop, test_set_flag_cb, d->flag, NULL);
  return NULL;
}

static gboolean
give_up_cb (gpointer flag)
{
  *(gboolean *) flag = TRUE;
  return G_SOURCE_REMOVE;
}

static void
test_wakes_blocked_loop (void **state)
{
  TestFixture *fx = *state;
  GMainContext *context = gtkloop_loop_get_context (fx->loop);
  gboolean posted = FALSE, gave_up = FALSE;
  DelayedPost d = { fx->loop, &posted };
  GSource *give_up = g_timeout_source_new_seconds (5);
  GThread *thread;
  gint64 start = g_get_monotonic_time ();

  g_source_set_callback (give_up, give_up_cb, &gave_up, NULL);
  g_source_attach (give_up, context);
  thread = g_thread_new ("poster", delayed_post_main, &d);
  while (!posted && !gave_up)
    g_main_context_iteration (context, TRUE);
  g_thread_join (thread);
  g_source_destroy (give_up);
  g_source_unref (give_up);

  assert_true (posted);
  assert_false (gave_up);
  assert_true (g_get_monotonic_time () - start < 2 * G_USEC_PER_SEC);
}

/* From the loop's own thread ----------------------------------------------------- */

static void
post_inside_cb (gpointer data)
{
  test_print (test_current, "callback");
  gtkloop_loop_call_soon_threadsafe (test_current->loop, test_print_cb, "threadsafe from a callback", NULL);
  gtkloop_loop_call_soon (test_current->loop, test_print_cb, "call_soon from a callback", NULL);
}

/* On the loop thread call_soon_threadsafe is call_soon: same queue, same
 * FIFO, no wake-up needed. */
static void
test_post_from_loop_thread (void **state)
{
  TestFixture *fx = *state;
  guint64 wakeups = gtkloop_loop_get_n_wakeups (fx->loop);
  DestroyCounter dc = { 0 };
  gboolean done = FALSE;

  gtkloop_loop_call_soon (fx->loop, test_print_cb, "soon 1", NULL);
  gtkloop_loop_call_soon_threadsafe (fx->loop, test_print_cb, "threadsafe", NULL);
  gtkloop_loop_call_soon (fx->loop, test_print_cb, "soon 2", NULL);
  gtkloop_loop_call_soon (fx->loop, post_inside_cb, NULL, NULL);
  gtkloop_loop_call_soon_threadsafe (fx->loop, test_noop_cb, &dc, test_destroy_count);
  assert_int_equal (dc.count, 0);
  gtkloop_loop_call_soon (fx->loop, test_set_flag_cb, &done, NULL);
  test_iterate_until (fx->loop, &done, 5);
  done = FALSE;
  gtkloop_loop_call_soon (fx->loop, test_set_flag_cb, &done, NULL);
  test_iterate_until (fx->loop, &done, 5);

  assert_string_equal (fx->out->str,
                       "soon 1\n"
                       "threadsafe\n"
                       "soon 2\n"
                       "callback\n"
                       "threadsafe from a callback\n"
                       "call_soon from a callback\n");
  assert_int_equal (dc.count, 1);
  assert_int_equal (gtkloop_loop_get_n_wakeups (fx->loop), wakeups);
}

/* A post from another thread that happened before a call_soon runs before
 * it, as in asyncio, where both append to one ready queue (CPython's
 * test_events.test_call_soon_threadsafe). */
static gpointer
post_hello_main (gpointer data)
{
  gtkloop_loop_call_soon_threadsafe (data, test_print_cb, "hello (threadsafe, posted first)", NULL);
  return NULL;
}

static void
test_post_before_call_soon_runs_first (void **state)
{
  TestFixture *fx = *state;
  pthread_t thread;
  gboolean done = FALSE;

  assert_int_equal (pthread_create (&thread, NULL, post_hello_main, fx->loop), 0);
  assert_int_equal (pthread_join (thread, NULL), 0);   /* the post happened */
  gtkloop_loop_call_soon (fx->loop, test_print_cb, "world (call_soon, after)", NULL);
  gtkloop_loop_call_soon (fx->loop, test_set_flag_cb, &done, NULL);
  test_iterate_until (fx->loop, &done, 5);
  assert_string_equal (fx->out->str,
                       "hello (threadsafe, posted first)\n"
                       "world (call_soon, after)\n");
}

/* After close ---------------------------------------------------------------------- */

typedef struct
{
  GtkloopLoop *loop;
  GThread     *destroy_thread;
  int          destroyed;
} LatePost;

static void
late_destroy (gpointer data)
{
  LatePost *p = data;

  p->destroy_thread = g_thread_self ();
  p->destroyed++;
}

static gpointer
late_post_main (gpointer data)
{
  LatePost *p = data;

  gtkloop_loop_call_soon_threadsafe (p->loop, test_fail_if_run_cb, p, late_destroy);
  return NULL;
}

static void
test_post_after_close (void **state)
{
  TestFixture *fx = *state;
  LatePost from_thread = { fx->loop }, from_owner = { fx->loop };
  GThread *thread;
  guint n;

  gtkloop_loop_close (fx->loop);

  test_criticals_begin ();
  thread = g_thread_new ("late", late_post_main, &from_thread);
  g_thread_join (thread);
  n = test_criticals_end ();
  assert_int_equal (n, 1);
  assert_non_null (strstr (test_criticals_last (), "gtkloop_loop_call_soon_threadsafe"));
  assert_int_equal (from_thread.destroyed, 1);
  assert_ptr_equal (from_thread.destroy_thread, thread);

  test_criticals_begin ();
  late_post_main (&from_owner);
  n = test_criticals_end ();
  assert_int_equal (n, 1);
  assert_non_null (strstr (test_criticals_last (), "closed"));
  assert_int_equal (from_owner.destroyed, 1);
  assert_ptr_equal (from_owner.destroy_thread, g_thread_self ());
}

/* Posts racing with close: every one is either taken by close (its notify
 * runs there) or refused (the poster runs the notify), exactly once. This
 * uses the library's quiet post, which reports refusal instead of logging a
 * critical, so several threads can be refused at once. */
#define N_RACERS      4
#define RACE_POSTS    20000

typedef struct
{
  GtkloopLoop *loop;
  atomic_int  *go;
  guint8      *destroyed;   /* per post; each element written by one thread at a time */
  guint        n_refused;
} Racer;

static void
racer_destroy (gpointer data)
{
  guint8 *slot = data;

  (*slot)++;
}

static gpointer
racer_main (gpointer data)
{
  Racer *r = data;

  while (!atomic_load (r->go))
    ;
  for (guint i = 0; i < RACE_POSTS; i++)
    if (!gtkloop_loop_post_quiet (r->loop, test_fail_if_run_cb, &r->destroyed[i], racer_destroy))
      {
        racer_destroy (&r->destroyed[i]);
        r->n_refused++;
      }
  return NULL;
}

static void
test_post_racing_close (void **state)
{
  TestFixture *fx = *state;
  Racer racers[N_RACERS];
  GThread *threads[N_RACERS];
  atomic_int go;
  guint refused = 0;

  atomic_init (&go, 0);
  for (guint t = 0; t < N_RACERS; t++)
    {
      racers[t] = (Racer) { fx->loop, &go, g_new0 (guint8, RACE_POSTS), 0 };
      threads[t] = g_thread_new ("racer", racer_main, &racers[t]);
    }
  atomic_store (&go, 1);
  g_usleep (2000);   /* let some posts land before close */
  gtkloop_loop_close (fx->loop);
  for (guint t = 0; t < N_RACERS; t++)
    g_thread_join (threads[t]);

  for (guint t = 0; t < N_RACERS; t++)
    {
      for (guint i = 0; i < RACE_POSTS; i++)
        if (racers[t].destroyed[i] != 1)
          fail_msg ("racer %u post %u: destroy ran %u times", t, i, racers[t].destroyed[i]);
      refused += racers[t].n_refused;
      g_free (racers[t].destroyed);
    }
  print_message ("%u of %u posts refused after close\n", refused, N_RACERS * RACE_POSTS);
}

/* Stopping from another thread -------------------------------------------------- */

typedef struct
{
  GtkloopLoop *loop;
  int          n_ran;
} Stopper;

static void
stopper_count_cb (gpointer data)
{
  ((Stopper *) data)->n_ran++;
}

static gpointer
stopper_main (gpointer data)
{
  Stopper *s = data;

  g_usleep (20 * 1000);
  for (int i = 0; i < 1000; i++)
    gtkloop_loop_call_soon_threadsafe (s->loop, stopper_count_cb, s, NULL);
  gtkloop_loop_call_soon_threadsafe (s->loop, test_stop_loop_cb, s->loop, NULL);
  return NULL;
}

static void
test_stop_from_thread (void **state)
{
  TestFixture *fx = *state;
  Stopper s = { fx->loop, 0 };
  GThread *thread = g_thread_new ("stopper", stopper_main, &s);

  test_run_forever (fx->loop, 10);
  g_thread_join (thread);
  /* Posted before the stop, so run no later than the stop's iteration. */
  assert_int_equal (s.n_ran, 1000);
  assert_false (gtkloop_loop_is_running (fx->loop));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_many_producers, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_wakes_blocked_loop, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_post_from_loop_thread, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_post_before_call_soon_runs_first, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_post_after_close, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_post_racing_close, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_stop_from_thread, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
