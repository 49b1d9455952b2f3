/* Unix signals on the loop: asyncio's add_signal_handler.
 *
 * Real signals sent to this process: the callback's place among call_soon
 * callbacks (twin: twins/signal_order.py); the loop's thread running every
 * callback, for a signal of GLib's set (SIGUSR1) and three outside it,
 * sent from this thread, from a worker to itself, to this thread and to
 * the process; replacing and removing, inside the callback too; the
 * disposition put back; the refusals; a GLib signal source of the
 * application's beside ours; close dropping it all; the wake-up pipe
 * closed with the last signal. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include <gio/gio.h>
#include <glib-unix.h>

#include "test-util.h"

static struct sigaction
disposition (int signum)
{
  struct sigaction sa;

  assert_int_equal (sigaction (signum, NULL, &sa), 0);
  return sa;
}

static void
set_disposition (int   signum,
                 void (*handler) (int))
{
  struct sigaction sa;

  memset (&sa, 0, sizeof sa);
  sa.sa_handler = handler;
  sigemptyset (&sa.sa_mask);
  assert_int_equal (sigaction (signum, &sa, NULL), 0);
}

static void
previous_handler (int signum)
{
  (void) signum;
}

/* A callback that notes where and how often it ran. */
typedef struct
{
  int       runs;
  gboolean  ran;
  pthread_t thread;
  gboolean  on_other_thread;
  int       destroyed;
} Noted;

static void
noted_destroy (gpointer data)
{
  ((Noted *) data)->destroyed++;
}

static void
note_cb (gpointer data)
{
  Noted *n = data;

  n->runs++;
  n->ran = TRUE;
  if (!pthread_equal (pthread_self (), n->thread))
    n->on_other_thread = TRUE;
}

/* The twin ---------------------------------------------------------------- */

static void
order_task (GtkloopTask *task,
            gpointer     data)
{
  TestFixture *fx = data;
  GtkloopLoop *loop = fx->loop;

  assert_true (gtkloop_loop_add_signal_handler (loop, SIGALRM, test_print_cb, "signal ALRM", NULL, NULL));
  gtkloop_loop_call_soon (loop, test_print_cb, "soon 1", NULL);
  raise (SIGALRM);
  gtkloop_loop_call_soon (loop, test_print_cb, "soon 2", NULL);
  gtkloop_sleep (0, NULL);
  test_print (fx, "after sleep 1");
  gtkloop_loop_call_soon (loop, test_print_cb, "soon 3", NULL);
  gtkloop_sleep (0, NULL);
  test_print (fx, "after sleep 2");
  gtkloop_sleep (0.05, NULL);

  raise (SIGALRM);
  raise (SIGALRM);
  test_print (fx, "raised twice");
  gtkloop_sleep (0.05, NULL);

  raise (SIGALRM);
  test_print (fx, "removed: %s", test_py_bool (gtkloop_loop_remove_signal_handler (loop, SIGALRM)));
  gtkloop_sleep (0.05, NULL);
  test_print (fx, "removed again: %s", test_py_bool (gtkloop_loop_remove_signal_handler (loop, SIGALRM)));
}

static void
test_signal_order_twin (void **state)
{
  TestFixture *fx = *state;

  test_run_task (order_task, fx);
  test_assert_matches_twin ("signal_order", fx->out->str);
}

/* The loop's thread, wherever the signal came from ---------------------------- */

typedef enum
{
  SEND_RAISE,          /* raise () on a worker: the handler runs there */
  SEND_TO_LOOP_THREAD, /* pthread_kill () from a worker to the loop's thread */
  SEND_TO_PROCESS,     /* kill (getpid ()) from a worker: any thread takes it */
} SendHow;

typedef struct
{
  int       signum;
  SendHow   how;
  pthread_t loop_thread;
} Sender;

static gpointer
send_from_worker (gpointer data)
{
  Sender *s = data;

  g_usleep (2000);   /* the loop is asleep by now, mostly */
  switch (s->how)
    {
    case SEND_RAISE:
      raise (s->signum);
      break;
    case SEND_TO_LOOP_THREAD:
      pthread_kill (s->loop_thread, s->signum);
      break;
    case SEND_TO_PROCESS:
      kill (getpid (), s->signum);
      break;
    }
  return NULL;
}

static void
assert_runs_on_loop_thread (TestFixture *fx,
                            int          signum)
{
  Noted noted = { .thread = pthread_self () };

  assert_true (gtkloop_loop_add_signal_handler (fx->loop, signum, note_cb, &noted, noted_destroy, NULL));
  raise (signum);
  test_iterate_until (fx->loop, &noted.ran, 5);
  assert_int_equal (noted.runs, 1);

  for (SendHow how = SEND_RAISE; how <= SEND_TO_PROCESS; how++)
    {
      Sender s = { .signum = signum, .how = how, .loop_thread = pthread_self () };
      GThread *worker;

      noted.ran = FALSE;
      worker = g_thread_new ("signal-sender", send_from_worker, &s);
      test_iterate_until (fx->loop, &noted.ran, 5);
      g_thread_join (worker);
    }
  assert_int_equal (noted.runs, 4);
  assert_false (noted.on_other_thread);
  assert_true (gtkloop_loop_remove_signal_handler (fx->loop, signum));
  assert_int_equal (noted.destroyed, 1);
}

static void
test_glibs_signal_on_loop_thread (void **state)
{
  assert_runs_on_loop_thread (*state, SIGUSR1);
}

static void
test_own_signals_on_loop_thread (void **state)
{
  static const int signals[] = { SIGALRM, SIGQUIT, SIGPIPE };

  for (guint i = 0; i < G_N_ELEMENTS (signals); i++)
    assert_runs_on_loop_thread (*state, signals[i]);
}

/* Replacing and removing ----------------------------------------------------- */

static void
check_replace_and_remove (TestFixture *fx,
                          int          signum)
{
  Noted old = { .thread = pthread_self () }, new = { .thread = pthread_self () };

  assert_true (gtkloop_loop_add_signal_handler (fx->loop, signum, note_cb, &old, noted_destroy, NULL));
  assert_true (gtkloop_loop_add_signal_handler (fx->loop, signum, note_cb, &new, noted_destroy, NULL));
  assert_int_equal (old.destroyed, 1);
  assert_int_equal (new.destroyed, 0);

  raise (signum);
  test_iterate_until (fx->loop, &new.ran, 5);
  test_iterate_for (fx->loop, 0.01);
  assert_int_equal (new.runs, 1);
  assert_int_equal (old.runs, 0);

  assert_true (gtkloop_loop_remove_signal_handler (fx->loop, signum));
  assert_int_equal (new.destroyed, 1);
  assert_false (gtkloop_loop_remove_signal_handler (fx->loop, signum));
  assert_int_equal (old.destroyed, 1);
  assert_int_equal (new.destroyed, 1);
}

static void
test_replace_and_remove (void **state)
{
  check_replace_and_remove (*state, SIGALRM);
  check_replace_and_remove (*state, SIGUSR1);
}

/* A signal gets back what it had: SIG_IGN, or a function of the
 * application's, on our handler's path and on GLib's. */
static void
check_disposition_restored (TestFixture *fx,
                            int          signum,
                            void       (*before) (int))
{
  DestroyCounter destroyed = { 0 };
  struct sigaction sa;

  set_disposition (signum, before);
  assert_true (gtkloop_loop_add_signal_handler (fx->loop, signum, test_noop_cb, &destroyed,
                                                test_destroy_count, NULL));
  sa = disposition (signum);
  assert_true (sa.sa_handler != before);
  assert_true (gtkloop_loop_remove_signal_handler (fx->loop, signum));
  sa = disposition (signum);
  assert_true (sa.sa_handler == before);
  assert_int_equal (destroyed.count, 1);
  set_disposition (signum, SIG_DFL);
}

static void
test_disposition_restored (void **state)
{
  TestFixture *fx = *state;

  check_disposition_restored (fx, SIGPIPE, SIG_IGN);
  check_disposition_restored (fx, SIGQUIT, previous_handler);
  check_disposition_restored (fx, SIGUSR2, SIG_IGN);
  check_disposition_restored (fx, SIGHUP, previous_handler);
}

/* Removed while GLib has its signal source in the dispatch it is running
 * (the loop's source dispatches first, and a callback removes the
 * handler): GLib lets go at the end of that iteration, and the disposition
 * comes back in the next. */
static void
remove_usr1_cb (gpointer data)
{
  TestFixture *fx = data;

  assert_true (gtkloop_loop_remove_signal_handler (fx->loop, SIGUSR1));
}

static void
test_disposition_restored_after_dispatch (void **state)
{
  TestFixture *fx = *state;
  GMainContext *context = gtkloop_loop_get_context (fx->loop);
  Noted noted = { .thread = pthread_self () };

  set_disposition (SIGUSR1, SIG_IGN);
  assert_true (gtkloop_loop_add_signal_handler (fx->loop, SIGUSR1, note_cb, &noted, noted_destroy, NULL));
  raise (SIGUSR1);
  g_usleep (50000);   /* GLib's worker marks the signal source ready */
  gtkloop_loop_call_soon (fx->loop, remove_usr1_cb, fx, NULL);
  g_main_context_iteration (context, FALSE);
  assert_int_equal (noted.destroyed, 1);
  test_iterate_for (fx->loop, 0.01);
  assert_true (disposition (SIGUSR1).sa_handler == SIG_IGN);
  assert_int_equal (noted.runs, 0);
  set_disposition (SIGUSR1, SIG_DFL);
}

/* Inside the callback ------------------------------------------------------ */

typedef struct
{
  TestFixture    *fx;
  int             signum;
  int             runs;
  gboolean        ran;
  DestroyCounter  destroyed;
  int             destroyed_inside;
} SelfRemover;

static void
remove_self_cb (gpointer data)
{
  SelfRemover *r = data;

  r->runs++;
  r->ran = TRUE;
  assert_true (gtkloop_loop_remove_signal_handler (r->fx->loop, r->signum));
  r->destroyed_inside = r->destroyed.count;   /* its data is still there */
}

static void
self_remover_destroyed (gpointer data)
{
  SelfRemover *r = data;

  r->destroyed.count++;
}

static void
check_remove_inside_callback (TestFixture *fx,
                              int          signum)
{
  SelfRemover r = { .fx = fx, .signum = signum };

  assert_true (gtkloop_loop_add_signal_handler (fx->loop, signum, remove_self_cb, &r,
                                                self_remover_destroyed, NULL));
  raise (signum);
  test_iterate_until (fx->loop, &r.ran, 5);
  assert_int_equal (r.destroyed_inside, 0);
  assert_int_equal (r.destroyed.count, 1);
  assert_int_equal (r.runs, 1);
  assert_true (disposition (signum).sa_handler == SIG_DFL);
}

static void
test_remove_inside_callback (void **state)
{
  check_remove_inside_callback (*state, SIGALRM);
  check_remove_inside_callback (*state, SIGUSR1);
}

/* Two signals noted before the read queue two runs; the first removes the
 * handler, so the second, queued already, does not run (its data is gone;
 * asyncio would still run it). */
static void
test_queued_run_dropped_by_remove (void **state)
{
  TestFixture *fx = *state;
  SelfRemover r = { .fx = fx, .signum = SIGALRM };

  assert_true (gtkloop_loop_add_signal_handler (fx->loop, SIGALRM, remove_self_cb, &r,
                                                self_remover_destroyed, NULL));
  raise (SIGALRM);
  raise (SIGALRM);
  test_iterate_until (fx->loop, &r.ran, 5);
  test_iterate_for (fx->loop, 0.02);
  assert_int_equal (r.runs, 1);
  assert_int_equal (r.destroyed.count, 1);
}

/* Refusals ----------------------------------------------------------------- */

static void
assert_refused (GtkloopLoop *loop,
                int          signum,
                GQuark       domain,
                int          code,
                const char  *in_message)
{
  g_autoptr(GError) error = NULL;
  DestroyCounter destroyed = { 0 };
  struct sigaction before = { 0 };
  gboolean has_disposition = signum > 0 && signum < NSIG && sigaction (signum, NULL, &before) == 0;

  assert_false (gtkloop_loop_add_signal_handler (loop, signum, test_fail_if_run_cb, &destroyed,
                                                 test_destroy_count, &error));
  assert_non_null (error);
  if (!g_error_matches (error, domain, code) || strstr (error->message, in_message) == NULL)
    fail_msg ("signal %d: unexpected error %s %d: %s", signum,
              g_quark_to_string (error->domain), error->code, error->message);
  assert_int_equal (destroyed.count, 1);
  assert_false (gtkloop_loop_remove_signal_handler (loop, signum));
  if (has_disposition)
    assert_true (disposition (signum).sa_handler == before.sa_handler);
}

static void
test_refusals (void **state)
{
  TestFixture *fx = *state;
  GMainContext *context = g_main_context_new ();
  GtkloopLoop *other = gtkloop_loop_new (context);
  g_autoptr(GError) error = NULL;

  assert_refused (fx->loop, SIGKILL, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "SIGKILL cannot be caught");
  assert_refused (fx->loop, SIGSTOP, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "SIGSTOP cannot be caught");
  assert_refused (fx->loop, 0, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid signal number 0");
  assert_refused (fx->loop, -1, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid signal number -1");
  assert_refused (fx->loop, NSIG, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "invalid signal number");
  assert_refused (fx->loop, SIGCHLD, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "GLib's child watches");
  assert_refused (fx->loop, SIGSEGV, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "fault");
  /* glibc keeps the first two real-time signals for its threads. */
  assert_refused (fx->loop, SIGRTMIN - 1, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "cannot be handled");

  /* A signal has one loop at a time, on our handler's path and on GLib's. */
  assert_true (gtkloop_loop_add_signal_handler (fx->loop, SIGALRM, test_noop_cb, NULL, NULL, NULL));
  assert_true (gtkloop_loop_add_signal_handler (fx->loop, SIGTERM, test_noop_cb, NULL, NULL, NULL));
  assert_refused (other, SIGALRM, GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE, "another loop");
  assert_refused (other, SIGTERM, GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE, "another loop");
  assert_true (gtkloop_loop_remove_signal_handler (fx->loop, SIGALRM));
  assert_true (gtkloop_loop_remove_signal_handler (fx->loop, SIGTERM));
  assert_true (gtkloop_loop_add_signal_handler (other, SIGALRM, test_noop_cb, NULL, NULL, &error));
  g_assert_no_error (error);
  assert_refused (fx->loop, SIGALRM, GTKLOOP_ERROR, GTKLOOP_ERROR_INVALID_STATE, "another loop");

  /* Closing the other loop frees its signals for this one. */
  gtkloop_loop_close (other);
  assert_refused (other, SIGQUIT, GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED, "closed");
  assert_true (gtkloop_loop_add_signal_handler (fx->loop, SIGALRM, test_noop_cb, NULL, NULL, NULL));
  assert_true (gtkloop_loop_remove_signal_handler (fx->loop, SIGALRM));
  g_object_unref (other);
  g_main_context_unref (context);

  /* A NULL callback is a programming error: a critical, and refused. */
  {
    g_autoptr(GError) null_error = NULL;
    DestroyCounter destroyed = { 0 };

    test_criticals_begin ();
    assert_false (gtkloop_loop_add_signal_handler (fx->loop, SIGALRM, NULL, &destroyed,
                                                   test_destroy_count, &null_error));
    assert_int_equal (test_criticals_end (), 1);
    g_assert_error (null_error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT);
    assert_int_equal (destroyed.count, 1);
  }
}

/* An application's GLib signal source beside ours ------------------------------ */

static gboolean
count_glib_signal (gpointer data)
{
  Noted *n = data;

  note_cb (n);
  return G_SOURCE_CONTINUE;
}

static void
test_beside_applications_glib_source (void **state)
{
  TestFixture *fx = *state;
  Noted ours = { .thread = pthread_self () }, theirs = { .thread = pthread_self () };
  GSource *source;

  set_disposition (SIGUSR2, SIG_IGN);
  source = g_unix_signal_source_new (SIGUSR2);
  g_source_set_callback (source, count_glib_signal, &theirs, NULL);
  g_source_attach (source, gtkloop_loop_get_context (fx->loop));
  assert_true (gtkloop_loop_add_signal_handler (fx->loop, SIGUSR2, note_cb, &ours, NULL, NULL));

  raise (SIGUSR2);
  test_iterate_until (fx->loop, &ours.ran, 5);
  test_iterate_until (fx->loop, &theirs.ran, 5);

  /* Ours gone, theirs goes on: GLib's handler stays. */
  assert_true (gtkloop_loop_remove_signal_handler (fx->loop, SIGUSR2));
  theirs.ran = FALSE;
  raise (SIGUSR2);
  test_iterate_until (fx->loop, &theirs.ran, 5);
  assert_int_equal (ours.runs, 1);
  assert_int_equal (theirs.runs, 2);

  /* GLib sets SIG_DFL when its last source goes. */
  g_source_destroy (source);
  g_source_unref (source);
  assert_true (disposition (SIGUSR2).sa_handler == SIG_DFL);
}

/* Closing ------------------------------------------------------------------- */

static void
test_close_drops_handlers (void **state)
{
  TestFixture *fx = *state;
  DestroyCounter alrm = { 0 }, usr1 = { 0 };
  guint fds_before;
  g_autoptr(GError) error = NULL;

  set_disposition (SIGALRM, SIG_IGN);
  set_disposition (SIGUSR1, SIG_IGN);
  /* GLib's first signal source ever starts a worker with an fd that stays. */
  assert_true (gtkloop_loop_add_signal_handler (fx->loop, SIGUSR1, test_fail_if_run_cb, &usr1,
                                                test_destroy_count, NULL));
  fds_before = test_count_open_fds ();
  assert_true (gtkloop_loop_add_signal_handler (fx->loop, SIGALRM, test_fail_if_run_cb, &alrm,
                                                test_destroy_count, NULL));
  raise (SIGALRM);   /* noted, never read: close drops it */
  assert_true (test_count_open_fds () > fds_before);

  gtkloop_loop_close (fx->loop);
  assert_int_equal (alrm.count, 1);
  assert_int_equal (usr1.count, 1);
  assert_true (disposition (SIGALRM).sa_handler == SIG_IGN);
  assert_true (disposition (SIGUSR1).sa_handler == SIG_IGN);
  assert_int_equal (test_count_open_fds (), fds_before);
  assert_false (gtkloop_loop_remove_signal_handler (fx->loop, SIGALRM));

  assert_false (gtkloop_loop_add_signal_handler (fx->loop, SIGALRM, test_fail_if_run_cb, NULL, NULL, &error));
  g_assert_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED);
  set_disposition (SIGALRM, SIG_DFL);
  set_disposition (SIGUSR1, SIG_DFL);
}

/* The wake-up pipe lives while the loop has a signal on our handler. */
static void
test_wake_pipe_closed_with_last_signal (void **state)
{
  TestFixture *fx = *state;
  guint with_pipe, before;

  /* The loop's epoll fd comes with its first fd watch and stays. */
  assert_true (gtkloop_loop_add_signal_handler (fx->loop, SIGALRM, test_noop_cb, NULL, NULL, NULL));
  assert_true (gtkloop_loop_remove_signal_handler (fx->loop, SIGALRM));
  before = test_count_open_fds ();

  assert_true (gtkloop_loop_add_signal_handler (fx->loop, SIGALRM, test_noop_cb, NULL, NULL, NULL));
  with_pipe = test_count_open_fds ();
  assert_int_equal (with_pipe, before + 2);
  assert_true (gtkloop_loop_add_signal_handler (fx->loop, SIGQUIT, test_noop_cb, NULL, NULL, NULL));
  assert_true (gtkloop_loop_add_signal_handler (fx->loop, SIGUSR1, test_noop_cb, NULL, NULL, NULL));
  assert_int_equal (test_count_open_fds (), with_pipe);   /* one pipe per loop; GLib's way needs none */
  assert_true (gtkloop_loop_remove_signal_handler (fx->loop, SIGALRM));
  assert_int_equal (test_count_open_fds (), with_pipe);
  assert_true (gtkloop_loop_remove_signal_handler (fx->loop, SIGQUIT));
  assert_int_equal (test_count_open_fds (), before);
  assert_true (gtkloop_loop_remove_signal_handler (fx->loop, SIGUSR1));
  assert_int_equal (test_count_open_fds (), before);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_signal_order_twin, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_glibs_signal_on_loop_thread, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_own_signals_on_loop_thread, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_replace_and_remove, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_disposition_restored, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_disposition_restored_after_dispatch, test_fixture_setup,
                                     test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_remove_inside_callback, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_queued_run_dropped_by_remove, test_fixture_setup,
                                     test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_refusals, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_beside_applications_glib_source, test_fixture_setup,
                                     test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_close_drops_handlers, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_wake_pipe_closed_with_last_signal, test_fixture_setup,
                                     test_fixture_teardown),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
