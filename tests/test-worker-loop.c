/* Loops in worker threads, as the seeds use them: a loop on the worker's
 * own thread-default context, run_forever, work submitted from the main
 * thread, stopped from there with call_soon_threadsafe. Started and
 * stopped a hundred times with no thread, loop, future or executor left
 * behind; the same with gtkloop_loop_thread_start and with gtkloop_run,
 * with executor jobs and leftover tasks inside.
 *
 * Workers record; assertions run on the test's main thread. */
#include "config.h"

#include "test-threads-util.h"

#define N_ROUNDS 100

static void
calculate (GtkloopTask *task,
           gpointer     data)
{
  if (gtkloop_sleep (0.001, NULL))
    gtkloop_task_return (task, GINT_TO_POINTER (300), NULL);
}

/* ---------------------------------------------------------------------- */
/* The raw pattern, by hand                                                */

typedef struct
{
  pthread_mutex_t lock;
  pthread_cond_t  cond;
  GtkloopLoop    *loop;       /* (lock: lock) until ready */
  gboolean        ready;      /* (lock: lock) */
  atomic_int      closed;     /* the worker closed its loop */
} RawWorker;

static gpointer
raw_worker_main (gpointer data)
{
  RawWorker *w = data;
  GMainContext *context = g_main_context_new ();
  GtkloopLoop *loop;

  g_main_context_push_thread_default (context);
  loop = gtkloop_loop_new (context);

  pthread_mutex_lock (&w->lock);
  w->loop = loop;
  w->ready = TRUE;
  pthread_cond_signal (&w->cond);
  pthread_mutex_unlock (&w->lock);

  gtkloop_loop_run_forever (loop);
  gtkloop_loop_close (loop);
  atomic_store (&w->closed, 1);
  g_object_unref (loop);
  g_main_context_pop_thread_default (context);
  g_main_context_unref (context);
  return NULL;
}

static void
test_raw_worker_loop_hundred_times (void **state)
{
  guint threads_before = count_process_threads ();

  for (int round = 0; round < N_ROUNDS; round++)
    {
      RawWorker w = { .ready = FALSE };
      g_autoptr(GtkloopThreadFuture) f = NULL;
      g_autoptr(GError) error = NULL;
      GThread *thread;

      pthread_mutex_init (&w.lock, NULL);
      pthread_cond_init (&w.cond, NULL);
      thread = g_thread_new ("raw-loop", raw_worker_main, &w);
      pthread_mutex_lock (&w.lock);
      while (!w.ready)
        pthread_cond_wait (&w.cond, &w.lock);
      pthread_mutex_unlock (&w.lock);

      f = gtkloop_run_task_threadsafe (w.loop, calculate, NULL, NULL);
      if (GPOINTER_TO_INT (gtkloop_thread_future_wait (f, 5, &error)) != 300)
        fail_msg ("round %d: %s", round, error ? error->message : "wrong result");
      gtkloop_loop_call_soon_threadsafe (w.loop, test_stop_loop_cb, w.loop, NULL);
      g_thread_join (thread);
      assert_true (atomic_load (&w.closed));
      pthread_cond_destroy (&w.cond);
      pthread_mutex_destroy (&w.lock);
    }
  assert_int_equal (settle_process_threads (threads_before, 5), threads_before);
}

/* ---------------------------------------------------------------------- */
/* gtkloop_loop_thread_start, with executor jobs and leftovers             */

typedef struct
{
  ThreadRecord job_data_destroyed;
  ThreadRecord task_ran;
  atomic_int   leftover_cleaned_up;
} RoundRecord;

static gpointer
double_job (gpointer      data,
            GCancellable *cancellable,
            GError      **error)
{
  return GINT_TO_POINTER (GPOINTER_TO_INT (data) * 2);
}

static gpointer
noop_job (gpointer      data,
          GCancellable *cancellable,
          GError      **error)
{
  return NULL;
}

static void
with_job (GtkloopTask *task,
          gpointer     data)
{
  RoundRecord *r = data;
  g_autoptr(GtkloopFuture) f = NULL;

  thread_record (&r->task_ran);
  /* The worker loop's own default executor. */
  f = gtkloop_to_thread (noop_job, &r->job_data_destroyed, thread_record_cb, NULL);
  g_clear_pointer (&f, gtkloop_future_unref);
  f = gtkloop_to_thread (double_job, GINT_TO_POINTER (150), NULL, NULL);
  if (gtkloop_await (f, NULL))
    gtkloop_task_return (task, gtkloop_future_get_result (f, NULL), NULL);
}

static void
leftover_cleanup (gpointer data)
{
  atomic_store (&((RoundRecord *) data)->leftover_cleaned_up, 1);
}

static void
leftover_task (GtkloopTask *task,
               gpointer     data)
{
  /* Sleeps until the loop's close cancels it; its data's destroy notify
   * is its cleanup. */
  gtkloop_sleep (3600, NULL);
}

static void
test_loop_thread_hundred_times (void **state)
{
  guint threads_before = count_process_threads ();

  for (int round = 0; round < N_ROUNDS; round++)
    {
      RoundRecord r = { 0 };
      g_autoptr(GError) error = NULL;
      GtkloopLoopThread *thread = gtkloop_loop_thread_start ("worker-loop", &error);
      GtkloopThreadFuture *f, *left;

      assert_non_null (thread);
      f = gtkloop_run_task_threadsafe (gtkloop_loop_thread_get_loop (thread), with_job, &r, NULL);
      left = gtkloop_run_task_threadsafe (gtkloop_loop_thread_get_loop (thread), leftover_task,
                                          &r, leftover_cleanup);
      if (GPOINTER_TO_INT (gtkloop_thread_future_wait (f, 5, &error)) != 300)
        fail_msg ("round %d: %s", round, error ? error->message : "wrong result");
      gtkloop_loop_thread_stop (thread);

      /* The leftover task was cancelled and finished by close. */
      assert_true (atomic_load (&r.leftover_cleaned_up));
      assert_true (gtkloop_thread_future_is_cancelled (left));
      assert_int_equal (atomic_load (&r.job_data_destroyed.count), 1);
      gtkloop_thread_future_unref (f);
      gtkloop_thread_future_unref (left);
      assert_int_equal (gtkloop_executor_debug_n_threads (), 0);
      assert_int_equal (gtkloop_executor_debug_n_executors (), 0);
    }
  assert_int_equal (settle_process_threads (threads_before, 5), threads_before);
}

/* The fire-and-forget job's data is freed on the worker loop's thread,
 * where the task ran, even though nobody awaited the job. */
static void
test_job_data_freed_on_worker_loop_thread (void **state)
{
  RoundRecord r = { 0 };
  GtkloopLoopThread *thread = gtkloop_loop_thread_start (NULL, NULL);
  g_autoptr(GtkloopThreadFuture) f = NULL;

  f = gtkloop_run_task_threadsafe (gtkloop_loop_thread_get_loop (thread), with_job, &r, NULL);
  gtkloop_thread_future_wait (f, 5, NULL);
  gtkloop_loop_thread_stop (thread);
  assert_int_equal (atomic_load (&r.job_data_destroyed.count), 1);
  assert_int_equal (atomic_load (&r.job_data_destroyed.thread), atomic_load (&r.task_ran.thread));
  assert_false (thread_record_on_self (&r.job_data_destroyed));
}

/* Shared references (a binding's wrapper and its caller): the first stop
 * stops and joins, the loop stays readable (closed) until the last unref;
 * a last unref without any stop stops the thread as well. */
static void
test_loop_thread_references (void **state)
{
  guint threads_before = count_process_threads ();
  GtkloopLoopThread *thread = gtkloop_loop_thread_start ("refs", NULL);
  GtkloopLoopThread *other = gtkloop_loop_thread_ref (thread);
  GtkloopLoop *loop = gtkloop_loop_thread_get_loop (thread);
  g_autoptr(GtkloopThreadFuture) f = NULL;
  GValue value = G_VALUE_INIT;

  assert_true (G_TYPE_IS_BOXED (GTKLOOP_TYPE_LOOP_THREAD));
  g_value_init (&value, GTKLOOP_TYPE_LOOP_THREAD);
  g_value_set_boxed (&value, thread);
  assert_ptr_equal (g_value_get_boxed (&value), thread);

  gtkloop_loop_thread_stop (thread);
  assert_true (gtkloop_loop_is_closed (loop));
  assert_ptr_equal (gtkloop_loop_thread_get_loop (other), loop);
  gtkloop_loop_thread_stop (other);   /* only drops a reference */
  g_value_unset (&value);             /* the last one: frees */

  thread = gtkloop_loop_thread_start ("refs", NULL);
  f = gtkloop_run_task_threadsafe (gtkloop_loop_thread_get_loop (thread), leftover_task, NULL, NULL);
  gtkloop_loop_thread_unref (thread);
  assert_true (gtkloop_thread_future_is_cancelled (f));
  assert_int_equal (settle_process_threads (threads_before, 5), threads_before);
}

/* ---------------------------------------------------------------------- */
/* gtkloop_run in several threads at once                                  */

#define N_RUNNERS 4

static void
runner_main (GtkloopTask *task,
             gpointer     data)
{
  atomic_int *sum = data;

  for (int i = 0; i < 20; i++)
    {
      g_autoptr(GtkloopFuture) f = gtkloop_to_thread (double_job, GINT_TO_POINTER (i), NULL, NULL);

      if (gtkloop_await (f, NULL))
        atomic_fetch_add (sum, GPOINTER_TO_INT (gtkloop_future_get_result (f, NULL)));
    }
}

static gpointer
runner_thread (gpointer data)
{
  for (int round = 0; round < 10; round++)
    gtkloop_run (runner_main, data, NULL);
  return NULL;
}

static void
test_gtkloop_run_in_threads (void **state)
{
  guint threads_before = count_process_threads ();
  GThread *threads[N_RUNNERS];
  atomic_int sum = 0;

  for (int t = 0; t < N_RUNNERS; t++)
    threads[t] = g_thread_new ("runner", runner_thread, &sum);
  for (int t = 0; t < N_RUNNERS; t++)
    g_thread_join (threads[t]);
  /* 2 * (0 + ... + 19) per run, 10 runs per thread. */
  assert_int_equal (atomic_load (&sum), N_RUNNERS * 10 * 380);
  assert_int_equal (settle_process_threads (threads_before, 5), threads_before);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_raw_worker_loop_hundred_times, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_loop_thread_hundred_times, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_job_data_freed_on_worker_loop_thread, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_loop_thread_references, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_gtkloop_run_in_threads, test_fixture_setup, threads_fixture_teardown),
  };

  threads_warm_up ();
  return cmocka_run_group_tests (tests, NULL, NULL);
}
