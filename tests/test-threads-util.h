#pragma once

/* Helpers shared by the tests of the threads layer (executor, thread
 * futures, worker loops, progress). Header-only: each test program
 * includes it once.
 *
 * Threads in these tests synchronise only through pthread primitives, C11
 * atomics and thread create/join, which ThreadSanitizer sees; cmocka
 * assertions run on the test's main thread only (workers record, the test
 * asserts afterwards). */

#include <dirent.h>
#include <pthread.h>
#include <stdatomic.h>

#include "test-util.h"
#include "executor-private.h"
#include "progress-private.h"
#include "thread-future-private.h"

/* Where a destroy notify (or a callback) ran, and how often. */
typedef struct
{
  atomic_int       count;
  _Atomic uintptr_t thread;   /* pthread_self () of the last run */
} ThreadRecord;

static inline void
thread_record (ThreadRecord *r)
{
  atomic_store (&r->thread, (uintptr_t) pthread_self ());
  atomic_fetch_add (&r->count, 1);
}

static inline void
thread_record_cb (gpointer r)
{
  thread_record (r);
}

static inline gboolean
thread_record_on_self (ThreadRecord *r)
{
  return atomic_load (&r->thread) == (uintptr_t) pthread_self ();
}

/* Polls cond (an expression re-read each round) for up to timeout_s,
 * iterating the loop's context meanwhile when loop is not NULL. */
#define WAIT_UNTIL(loop, cond, timeout_s)                                          \
  G_STMT_START {                                                                   \
    gint64 _deadline = g_get_monotonic_time () + (gint64) ((timeout_s) * 1e6);     \
    while (!(cond))                                                                \
      {                                                                            \
        if (g_get_monotonic_time () > _deadline)                                   \
          fail_msg ("timed out after %.1f s waiting for %s", (double) (timeout_s), #cond); \
        if ((loop) != NULL)                                                        \
          g_main_context_iteration (gtkloop_loop_get_context (loop), FALSE);       \
        g_usleep (100);                                                            \
      }                                                                            \
  } G_STMT_END

/* Threads of this process now, from /proc/self/task. */
static inline guint
count_process_threads (void)
{
  DIR *dir = opendir ("/proc/self/task");
  struct dirent *e;
  guint n = 0;

  if (dir == NULL)
    return 0;
  while ((e = readdir (dir)) != NULL)
    if (e->d_name[0] != '.')
      n++;
  closedir (dir);
  return n;
}

static inline gpointer
noop_thread (gpointer data)
{
  return NULL;
}

/* Call first in main (): runtimes start helper threads of their own on
 * the first pthread_create (ThreadSanitizer's background thread), which
 * would otherwise count as a thread a test left behind. */
static inline void
threads_warm_up (void)
{
  g_thread_join (g_thread_new ("warm-up", noop_thread, NULL));
}

/* Waits (up to timeout_s) for the process to be back to `expected`
 * threads: threads that detach themselves end a moment after their last
 * work. Returns the count seen last. */
static inline guint
settle_process_threads (guint  expected,
                        double timeout_s)
{
  gint64 deadline = g_get_monotonic_time () + (gint64) (timeout_s * 1e6);
  guint n;

  while ((n = count_process_threads ()) != expected && g_get_monotonic_time () < deadline)
    g_usleep (1000);
  return n;
}

/* The executor layer's own leak check, for teardown: no executor, worker
 * thread, thread future or progress object left. Workers that detached
 * themselves may take a moment to be gone. */
static inline void
assert_threads_layer_clean (void)
{
  gint64 deadline = g_get_monotonic_time () + 5 * G_USEC_PER_SEC;

  while ((gtkloop_executor_debug_n_threads () > 0 || gtkloop_executor_debug_n_executors () > 0) &&
         g_get_monotonic_time () < deadline)
    g_usleep (1000);
  if (gtkloop_executor_debug_n_executors () != 0)
    fail_msg ("leaked %u executor(s)", gtkloop_executor_debug_n_executors ());
  if (gtkloop_executor_debug_n_threads () != 0)
    fail_msg ("leaked %u worker thread(s)", gtkloop_executor_debug_n_threads ());
  if (gtkloop_thread_future_debug_n_live () != 0)
    fail_msg ("leaked %u thread future(s)", gtkloop_thread_future_debug_n_live ());
  if (gtkloop_progress_debug_n_live () != 0)
    fail_msg ("leaked %u progress object(s)", gtkloop_progress_debug_n_live ());
}

/* Teardown for these tests: test_fixture_teardown's checks, then the
 * threads layer's own. */
static inline int
threads_fixture_teardown (void **state)
{
  int ret = test_fixture_teardown (state);

  assert_threads_layer_clean ();
  return ret;
}

/* A gate a job waits at: released by the test, or by the job's
 * cancellable. */
typedef struct
{
  atomic_int started;
  atomic_int release;
  atomic_int saw_cancel;
  atomic_int ran;
} Gate;

static inline gpointer
gate_job (gpointer      data,
          GCancellable *cancellable,
          GError      **error)
{
  Gate *g = data;
  gint64 deadline = g_get_monotonic_time () + 20 * G_USEC_PER_SEC;

  atomic_store (&g->started, 1);
  while (!atomic_load (&g->release) && g_get_monotonic_time () < deadline)
    {
      if (g_cancellable_is_cancelled (cancellable))
        {
          atomic_store (&g->saw_cancel, 1);
          break;
        }
      g_usleep (200);
    }
  atomic_store (&g->ran, 1);
  return NULL;
}
