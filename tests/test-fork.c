/* fork(): in the child, loops made before the fork do nothing (their
 * sources stay attached to the copied contexts, their epoll and wake-up
 * fds are shared with the parent) and refuse calls with a critical that
 * says so, new loops work, the default loop is a new one, a fork made
 * inside a callback leaves no loop running in the child (Python's
 * ProcessPoolExecutor forks from run_in_executor, in a task step), and a
 * fork taken while another thread holds the block heaps' lock leaves the
 * child free to make a heap of its own. The parent is unaffected.
 * Children report by exit code; cmocka runs only in the parent. */
#include "config.h"

#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-util.h"

#include "slab-private.h"

enum
{
  CHILD_OK = 0,
  CHILD_PARENT_CALLBACK_RAN = 2,
  CHILD_NEW_LOOP_IDLE,
  CHILD_DEFAULT_IS_PARENTS,
  CHILD_STILL_RUNNING,
  CHILD_RUN_FAILED,
  CHILD_INHERITED_CALL_ACCEPTED,
  CHILD_TASK_FAILED,
};

static void
set_flag_cb (gpointer flag)
{
  *(gboolean *) flag = TRUE;
}

static int
wait_child (pid_t pid)
{
  int status = 0;

  assert_int_equal (waitpid (pid, &status, 0), pid);
  assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

/* In the child: a new loop on @context runs a callback. */
static gboolean
new_loop_runs (GMainContext *context)
{
  GtkloopLoop *loop = gtkloop_loop_new (context);
  gboolean ran = FALSE;

  gtkloop_loop_call_soon (loop, set_flag_cb, &ran, NULL);
  for (int i = 0; i < 100 && !ran; i++)
    g_main_context_iteration (context, FALSE);
  gtkloop_loop_close (loop);
  g_object_unref (loop);
  return ran;
}

static void
test_child_ignores_loops_made_before (void **state)
{
  TestFixture *fx = *state;
  GMainContext *context = gtkloop_loop_get_context (fx->loop);
  gboolean ran = FALSE;
  pid_t pid;

  gtkloop_loop_call_soon (fx->loop, set_flag_cb, &ran, NULL);
  pid = fork ();
  assert_true (pid >= 0);
  if (pid == 0)
    {
      for (int i = 0; i < 20; i++)
        g_main_context_iteration (context, FALSE);
      if (ran)
        _exit (CHILD_PARENT_CALLBACK_RAN);
      if (!new_loop_runs (context))
        _exit (CHILD_NEW_LOOP_IDLE);
      /* A call on the inherited loop is refused, with a critical that
       * says why. */
      test_criticals_begin ();
      if (gtkloop_loop_call_soon (fx->loop, set_flag_cb, &ran, NULL) != 0 ||
          test_criticals_end () != 1 || strstr (test_criticals_last (), "fork") == NULL)
        _exit (CHILD_INHERITED_CALL_ACCEPTED);
      /* The context's loop, for get_default, is no longer the parent's. */
      g_main_context_push_thread_default (context);
      if (gtkloop_loop_get_default () == fx->loop)
        _exit (CHILD_DEFAULT_IS_PARENTS);
      _exit (CHILD_OK);
    }
  assert_int_equal (wait_child (pid), CHILD_OK);
  /* The parent's callback is still queued, and runs here. */
  assert_false (ran);
  test_iterate_until (fx->loop, &ran, 5);
}

/* Forked inside a callback: the child has no running loop, and runs one
 * of its own to the end. */
typedef struct
{
  pid_t pid;
} ForkInCallback;

static void
finish_cb (gpointer future)
{
  gtkloop_future_set_result (future, GINT_TO_POINTER (7), NULL);
}

static void
fork_cb (gpointer data)
{
  ForkInCallback *f = data;

  f->pid = fork ();
  if (f->pid != 0)
    return;
  {
    GMainContext *context = g_main_context_new ();
    GtkloopLoop *loop;
    GtkloopFuture *future;
    gboolean ok;

    if (gtkloop_loop_get_running () != NULL)
      _exit (CHILD_STILL_RUNNING);
    loop = gtkloop_loop_new (context);
    future = gtkloop_future_new (loop);
    gtkloop_loop_call_soon (loop, finish_cb, future, NULL);
    ok = gtkloop_loop_run_until_complete (loop, future, NULL) &&
         GPOINTER_TO_INT (gtkloop_future_get_result (future, NULL)) == 7;
    /* Memcheck checks the child's exit for leaks too. */
    gtkloop_future_unref (future);
    gtkloop_loop_close (loop);
    g_object_unref (loop);
    g_main_context_unref (context);
    _exit (ok ? CHILD_OK : CHILD_RUN_FAILED);
  }
}

static void
test_fork_inside_a_callback (void **state)
{
  TestFixture *fx = *state;
  ForkInCallback f = { -1 };
  gboolean done = FALSE;

  gtkloop_loop_call_soon (fx->loop, fork_cb, &f, NULL);
  gtkloop_loop_call_soon (fx->loop, set_flag_cb, &done, NULL);
  test_iterate_until (fx->loop, &done, 5);
  assert_true (f.pid > 0);
  assert_int_equal (wait_child (f.pid), CHILD_OK);
}

/* The lock behind the heaps of exited threads, held by one thread while
 * another, which never allocated a block, forks. Without the slab's fork
 * handlers the child inherited it locked, and its first task waited for
 * it forever; the alarm turns such a hang into a failure. */
typedef struct
{
  GMutex   lock;
  GCond    cond;
  gboolean held;
  pid_t    pid;
} HeldLockFork;

static gpointer
hold_orphans_lock_thread (gpointer data)
{
  HeldLockFork *h = data;

  gtkloop_slab_lock_orphans ();
  g_mutex_lock (&h->lock);
  h->held = TRUE;
  g_cond_signal (&h->cond);
  g_mutex_unlock (&h->lock);
  /* Long enough for the other thread to be inside fork (), waiting. */
  g_usleep (100 * 1000);
  gtkloop_slab_unlock_orphans ();
  return NULL;
}

static void
return_seven (GtkloopTask *task,
              gpointer     data)
{
  gtkloop_sleep (0, NULL);
  gtkloop_task_return (task, GINT_TO_POINTER (7), NULL);
}

static gpointer
fork_while_held_thread (gpointer data)
{
  HeldLockFork *h = data;

  g_mutex_lock (&h->lock);
  while (!h->held)
    g_cond_wait (&h->cond, &h->lock);
  g_mutex_unlock (&h->lock);

  h->pid = fork ();
  if (h->pid == 0)
    {
      GMainContext *context = g_main_context_new ();
      GtkloopLoop *loop;
      GtkloopTask *task;
      gboolean ok;

      alarm (10);
      loop = gtkloop_loop_new (context);
      task = gtkloop_loop_create_task (loop, return_seven, NULL, NULL);   /* a new heap */
      ok = gtkloop_loop_run_until_complete (loop, GTKLOOP_FUTURE (task), NULL) &&
           GPOINTER_TO_INT (gtkloop_future_get_result (GTKLOOP_FUTURE (task), NULL)) == 7;
      _exit (ok ? CHILD_OK : CHILD_TASK_FAILED);
    }
  return NULL;
}

static void
test_fork_while_heaps_lock_is_held (void **state)
{
  HeldLockFork h = { .pid = -1 };
  GThread *holder, *forker;

  g_mutex_init (&h.lock);
  g_cond_init (&h.cond);
  holder = g_thread_new ("hold-lock", hold_orphans_lock_thread, &h);
  forker = g_thread_new ("fork", fork_while_held_thread, &h);
  g_thread_join (forker);
  g_thread_join (holder);
  assert_true (h.pid > 0);
  assert_int_equal (wait_child (h.pid), CHILD_OK);
  g_cond_clear (&h.cond);
  g_mutex_clear (&h.lock);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_child_ignores_loops_made_before, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_fork_inside_a_callback, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test (test_fork_while_heaps_lock_is_held),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
