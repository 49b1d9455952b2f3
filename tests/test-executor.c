/* The executor and run_in_executor: the quamash progress bar without Qt
 * (twin: twins/quamash_progress.py), results in submission order,
 * cancelling queued and running jobs, every shutdown variant, the default
 * executor and gtkloop_run, idle retirement, scoped executors, errors,
 * misuse, and a stress run with random cancels (for TSan).
 *
 * Workers record; assertions run on the test's main thread. */
#include "config.h"

#include "test-threads-util.h"

/* ---------------------------------------------------------------------- */
/* The quamash progress bar, headless                                      */

#define QM_STEPS 100

static struct
{
  int            values[QM_STEPS];
  guint          n_values;
  guint          n_wrong_thread;
  guint          n_after_done;       /* values that came after the future was done */
  guint          n_when_done;        /* values seen by the future's done callback */
  GtkloopFuture *exec_future;        /* (loop-thread) */
  uintptr_t      loop_thread;
} qm;

static void
qm_set_value (gpointer data)
{
  int i = GPOINTER_TO_INT (data);

  if ((uintptr_t) pthread_self () != qm.loop_thread)
    qm.n_wrong_thread++;
  if (qm.exec_future != NULL && gtkloop_future_is_done (qm.exec_future))
    qm.n_after_done++;
  if (qm.n_values < QM_STEPS)
    qm.values[qm.n_values++] = i;
  test_print (test_current, "value %d", i);
}

static gpointer
qm_last_50 (gpointer      data,
            GCancellable *cancellable,
            GError      **error)
{
  GtkloopLoop *loop = data;

  for (int i = 50; i < QM_STEPS; i++)
    {
      gtkloop_loop_call_soon_threadsafe (loop, qm_set_value, GINT_TO_POINTER (i), NULL);
      g_usleep (1000);
    }
  return g_strdup ("done");
}

static void
qm_future_done (GtkloopFuture *f,
                gpointer       data)
{
  qm.n_when_done = qm.n_values;
  test_print (test_current, "executor future done after %u values", qm.n_values);
}

static void
qm_master (GtkloopTask *task,
           gpointer     data)
{
  GtkloopLoop *loop = gtkloop_loop_get_running ();

  for (int i = 0; i < 50; i++)
    {
      qm_set_value (GINT_TO_POINTER (i));
      gtkloop_sleep (0.001, NULL);
    }

  {
    /* `with QThreadExecutor(1) as exec:` — the scope's end shuts it down. */
    g_autoptr(GtkloopThreadExecutor) ex = gtkloop_thread_executor_new (1);

    qm.exec_future = gtkloop_loop_run_in_executor (loop, ex, qm_last_50, loop, NULL, g_free);
    gtkloop_future_add_done_callback (qm.exec_future, qm_future_done, NULL, NULL);
    if (gtkloop_await (qm.exec_future, NULL))
      test_print (test_current, "master got %s",
                  (const char *) gtkloop_future_get_result (qm.exec_future, NULL));
  }
}

static void
test_quamash_progress_bar (void **state)
{
  memset (&qm, 0, sizeof qm);
  qm.loop_thread = (uintptr_t) pthread_self ();

  test_run_task (qm_master, NULL);

  assert_int_equal (qm.n_values, QM_STEPS);
  for (int i = 0; i < QM_STEPS; i++)
    assert_int_equal (qm.values[i], i);
  assert_int_equal (qm.n_wrong_thread, 0);
  assert_int_equal (qm.n_after_done, 0);
  assert_int_equal (qm.n_when_done, QM_STEPS);
  g_clear_pointer (&qm.exec_future, gtkloop_future_unref);
  test_assert_matches_twin ("quamash_progress", test_current->out->str);
}

/* ---------------------------------------------------------------------- */
/* Four workers, twenty jobs: results in submission order                  */

#define N_ORDER_JOBS 20

static _Atomic uintptr_t order_threads[N_ORDER_JOBS];

static gpointer
order_job (gpointer      data,
           GCancellable *cancellable,
           GError      **error)
{
  int i = GPOINTER_TO_INT (data);

  order_threads[i] = (uintptr_t) pthread_self ();
  /* Later jobs are shorter, so they finish out of submission order. */
  g_usleep ((N_ORDER_JOBS - i) * 500);
  return GINT_TO_POINTER (i * 10);
}

static struct
{
  int      results[N_ORDER_JOBS];
  gboolean ok;
  guint    max_workers_seen;
} order;

static void
order_main (GtkloopTask *task,
            gpointer     data)
{
  g_autoptr(GtkloopThreadExecutor) ex = gtkloop_thread_executor_new (4);
  GtkloopFuture *futures[N_ORDER_JOBS];
  g_autoptr(GtkloopFuture) all = NULL;

  for (int i = 0; i < N_ORDER_JOBS; i++)
    futures[i] = gtkloop_loop_run_in_executor (gtkloop_loop_get_running (), ex, order_job,
                                               GINT_TO_POINTER (i), NULL, NULL);
  order.max_workers_seen = gtkloop_thread_executor_get_n_workers (ex);
  all = gtkloop_gather (futures, N_ORDER_JOBS, FALSE);
  order.ok = gtkloop_await (all, NULL);
  for (int i = 0; i < N_ORDER_JOBS; i++)
    {
      order.results[i] = GPOINTER_TO_INT (gtkloop_future_get_result (futures[i], NULL));
      gtkloop_future_unref (futures[i]);
    }
  order.max_workers_seen = MAX (order.max_workers_seen, gtkloop_thread_executor_get_n_workers (ex));
}

static void
test_four_workers_submission_order (void **state)
{
  GHashTable *threads = g_hash_table_new (NULL, NULL);

  memset (&order, 0, sizeof order);
  test_run_task (order_main, NULL);

  assert_true (order.ok);
  for (int i = 0; i < N_ORDER_JOBS; i++)
    {
      assert_int_equal (order.results[i], i * 10);
      g_hash_table_add (threads, (gpointer) order_threads[i]);
    }
  assert_true (order.max_workers_seen <= 4);
  assert_true (g_hash_table_size (threads) >= 2);
  assert_true (g_hash_table_size (threads) <= 4);
  g_hash_table_unref (threads);
}

/* ---------------------------------------------------------------------- */
/* Cancelling queued and running jobs                                      */

typedef struct
{
  Gate         gate;
  ThreadRecord data_destroyed;
  ThreadRecord result_destroyed;
} CancelJob;

static void
cancel_job_data_destroy (gpointer data)
{
  thread_record (&((CancelJob *) data)->data_destroyed);
}

static void
cancel_job_result_destroy (gpointer data)
{
  thread_record (&((CancelJob *) data)->result_destroyed);
}

static gpointer
cancel_job (gpointer      data,
            GCancellable *cancellable,
            GError      **error)
{
  gate_job (&((CancelJob *) data)->gate, cancellable, error);
  return data;   /* freed with cancel_job_result_destroy, which records the thread */
}

static void
test_cancel_queued_and_running (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopThreadExecutor) ex = gtkloop_thread_executor_new (1);
  CancelJob a = { 0 }, b = { 0 };
  GtkloopFuture *fa, *fb;
  GtkloopExecutorStats stats;

  fa = gtkloop_loop_run_in_executor (fx->loop, ex, cancel_job, &a,
                                     cancel_job_data_destroy, cancel_job_result_destroy);
  fb = gtkloop_loop_run_in_executor (fx->loop, ex, cancel_job, &b,
                                     cancel_job_data_destroy, cancel_job_result_destroy);
  WAIT_UNTIL (NULL, atomic_load (&a.gate.started), 5);

  /* Queued: out of the queue, destroy notify at once, on this thread. */
  assert_true (gtkloop_future_cancel (fb, NULL));
  assert_true (gtkloop_future_is_cancelled (fb));
  assert_int_equal (atomic_load (&b.data_destroyed.count), 1);
  assert_true (thread_record_on_self (&b.data_destroyed));
  assert_false (gtkloop_future_cancel (fb, NULL));

  /* Running: the future ends cancelled now, the job sees its cancellable. */
  assert_true (gtkloop_future_cancel (fa, "stop it"));
  assert_true (gtkloop_future_is_cancelled (fa));
  WAIT_UNTIL (NULL, atomic_load (&a.gate.ran), 5);
  assert_true (atomic_load (&a.gate.saw_cancel));
  /* Its late result and its data are freed on the loop thread. */
  WAIT_UNTIL (fx->loop, atomic_load (&a.data_destroyed.count) == 1, 5);
  assert_int_equal (atomic_load (&a.result_destroyed.count), 1);
  assert_true (thread_record_on_self (&a.result_destroyed));
  assert_true (thread_record_on_self (&a.data_destroyed));

  /* B never ran, and is never freed twice. */
  assert_false (atomic_load (&b.gate.started));
  assert_int_equal (atomic_load (&b.data_destroyed.count), 1);
  assert_int_equal (atomic_load (&b.result_destroyed.count), 0);
  gtkloop_thread_executor_get_stats (ex, &stats);
  assert_int_equal (stats.n_removed, 1);

  /* A fresh job after a cancelled one gets an uncancelled cancellable. */
  {
    CancelJob c = { 0 };
    GtkloopFuture *fc = gtkloop_loop_run_in_executor (fx->loop, ex, cancel_job, &c,
                                                      cancel_job_data_destroy, cancel_job_result_destroy);

    WAIT_UNTIL (NULL, atomic_load (&c.gate.started), 5);
    g_usleep (2000);
    atomic_store (&c.gate.release, 1);
    WAIT_UNTIL (fx->loop, gtkloop_future_is_done (fc), 5);
    assert_false (atomic_load (&c.gate.saw_cancel));
    assert_ptr_equal (gtkloop_future_get_result (fc, NULL), &c);
    gtkloop_future_unref (fc);
    assert_int_equal (atomic_load (&c.result_destroyed.count), 1);
    assert_int_equal (atomic_load (&c.data_destroyed.count), 1);
  }

  gtkloop_future_unref (fa);
  gtkloop_future_unref (fb);
}

/* A task awaiting a job, cancelled: the job is cancelled with it. */
static void
await_job_main (GtkloopTask *task,
                gpointer     data)
{
  g_autoptr(GtkloopFuture) f = gtkloop_loop_run_in_executor (gtkloop_loop_get_running (), NULL,
                                                             gate_job, data, NULL, NULL);
  g_autoptr(GError) error = NULL;

  if (!gtkloop_await (f, &error) && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    gtkloop_task_return (task, GINT_TO_POINTER (1), NULL);
}

static void
test_cancel_task_awaiting_job (void **state)
{
  TestFixture *fx = *state;
  Gate gate = { 0 };
  g_autoptr(GtkloopTask) task = gtkloop_loop_create_task (fx->loop, await_job_main, &gate, NULL);

  WAIT_UNTIL (fx->loop, atomic_load (&gate.started), 5);
  gtkloop_task_cancel (task, NULL);
  WAIT_UNTIL (fx->loop, gtkloop_future_is_done (GTKLOOP_FUTURE (task)), 5);
  WAIT_UNTIL (NULL, atomic_load (&gate.ran), 5);
  assert_true (atomic_load (&gate.saw_cancel));
  assert_false (gtkloop_future_is_cancelled (GTKLOOP_FUTURE (task)));
  assert_int_equal (GPOINTER_TO_INT (gtkloop_future_get_result (GTKLOOP_FUTURE (task), NULL)), 1);
  /* Closing (teardown) waits for the job to come home. */
}

/* ---------------------------------------------------------------------- */
/* Shutdown                                                                */

typedef struct
{
  ThreadRecord ran;
  ThreadRecord data_destroyed;
} QuickJob;

static gpointer
quick_job (gpointer      data,
           GCancellable *cancellable,
           GError      **error)
{
  thread_record (&((QuickJob *) data)->ran);
  return GINT_TO_POINTER (7);
}

static void
quick_job_destroy (gpointer data)
{
  thread_record (&((QuickJob *) data)->data_destroyed);
}

typedef struct
{
  GtkloopThreadExecutor *ex;
  gboolean               wait;
  gboolean               cancel_futures;
  atomic_int             returned;
} ShutdownCall;

static gpointer
shutdown_thread (gpointer data)
{
  ShutdownCall *s = data;

  gtkloop_thread_executor_shutdown (s->ex, s->wait, s->cancel_futures);
  atomic_store (&s->returned, 1);
  return NULL;
}

#define N_QUEUED 3

/* One gated job running, N_QUEUED queued, then a shutdown from another
 * thread (or this one); returns the futures. */
static void
shutdown_scenario (GtkloopThreadExecutor *ex,
                   Gate                  *gate,
                   QuickJob              *jobs,
                   GtkloopFuture        **running,
                   GtkloopFuture        **queued)
{
  *running = gtkloop_loop_run_in_executor (test_current->loop, ex, gate_job, gate, NULL, NULL);
  WAIT_UNTIL (NULL, atomic_load (&gate->started), 5);
  for (int i = 0; i < N_QUEUED; i++)
    queued[i] = gtkloop_loop_run_in_executor (test_current->loop, ex, quick_job, &jobs[i],
                                              quick_job_destroy, NULL);
}

static void
assert_refused_after_shutdown (GtkloopThreadExecutor *ex)
{
  QuickJob late = { 0 };
  g_autoptr(GtkloopFuture) f = gtkloop_loop_run_in_executor (test_current->loop, ex, quick_job, &late,
                                                             quick_job_destroy, NULL);
  g_autoptr(GError) error = NULL;

  assert_true (gtkloop_future_is_done (f));
  assert_null (gtkloop_future_get_result (f, &error));
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED));
  assert_int_equal (atomic_load (&late.data_destroyed.count), 1);
  assert_true (thread_record_on_self (&late.data_destroyed));
  assert_int_equal (atomic_load (&late.ran.count), 0);
}

static void
test_shutdown_wait (void **state)
{
  g_autoptr(GtkloopThreadExecutor) ex = gtkloop_thread_executor_new (1);
  Gate gate = { 0 };
  QuickJob jobs[N_QUEUED] = { 0 };
  GtkloopFuture *running, *queued[N_QUEUED];
  ShutdownCall call = { ex, TRUE, FALSE };
  GThread *thread;

  shutdown_scenario (ex, &gate, jobs, &running, queued);
  thread = g_thread_new ("shutdown", shutdown_thread, &call);
  g_usleep (30 * 1000);
  assert_false (atomic_load (&call.returned));   /* waiting for the running job */
  atomic_store (&gate.release, 1);
  g_thread_join (thread);

  /* Queued jobs ran before it returned; the threads are gone. */
  for (int i = 0; i < N_QUEUED; i++)
    assert_int_equal (atomic_load (&jobs[i].ran.count), 1);
  assert_int_equal (gtkloop_thread_executor_get_n_workers (ex), 0);
  assert_true (gtkloop_thread_executor_is_shutdown (ex));
  assert_refused_after_shutdown (ex);

  WAIT_UNTIL (test_current->loop, gtkloop_future_is_done (queued[N_QUEUED - 1]), 5);
  assert_true (gtkloop_future_is_done (running));
  for (int i = 0; i < N_QUEUED; i++)
    {
      assert_int_equal (GPOINTER_TO_INT (gtkloop_future_get_result (queued[i], NULL)), 7);
      assert_true (thread_record_on_self (&jobs[i].data_destroyed));
      gtkloop_future_unref (queued[i]);
    }
  gtkloop_future_unref (running);
}

static void
test_shutdown_cancel_futures_no_wait (void **state)
{
  g_autoptr(GtkloopThreadExecutor) ex = gtkloop_thread_executor_new (1);
  Gate gate = { 0 };
  QuickJob jobs[N_QUEUED] = { 0 };
  GtkloopFuture *running, *queued[N_QUEUED];

  shutdown_scenario (ex, &gate, jobs, &running, queued);
  gtkloop_thread_executor_shutdown (ex, FALSE, TRUE);   /* on the loop thread */
  assert_refused_after_shutdown (ex);

  /* The queued jobs come home cancelled; their data is freed here. */
  WAIT_UNTIL (test_current->loop, gtkloop_future_is_done (queued[N_QUEUED - 1]), 5);
  for (int i = 0; i < N_QUEUED; i++)
    {
      assert_true (gtkloop_future_is_cancelled (queued[i]));
      assert_int_equal (atomic_load (&jobs[i].data_destroyed.count), 1);
      assert_true (thread_record_on_self (&jobs[i].data_destroyed));
      assert_int_equal (atomic_load (&jobs[i].ran.count), 0);
      gtkloop_future_unref (queued[i]);
    }
  /* The running one finishes normally. */
  assert_false (gtkloop_future_is_done (running));
  atomic_store (&gate.release, 1);
  WAIT_UNTIL (test_current->loop, gtkloop_future_is_done (running), 5);
  assert_false (gtkloop_future_is_cancelled (running));
  assert_false (atomic_load (&gate.saw_cancel));
  gtkloop_future_unref (running);
  /* Its worker exits by itself (nobody joins it). */
  WAIT_UNTIL (NULL, gtkloop_thread_executor_get_n_workers (ex) == 0, 5);
}

static void
test_shutdown_wait_cancel_futures (void **state)
{
  g_autoptr(GtkloopThreadExecutor) ex = gtkloop_thread_executor_new (1);
  Gate gate = { 0 };
  QuickJob jobs[N_QUEUED] = { 0 };
  GtkloopFuture *running, *queued[N_QUEUED];
  ShutdownCall call = { ex, TRUE, TRUE };
  GThread *thread;

  shutdown_scenario (ex, &gate, jobs, &running, queued);
  thread = g_thread_new ("shutdown", shutdown_thread, &call);
  g_usleep (20 * 1000);
  assert_false (atomic_load (&call.returned));
  atomic_store (&gate.release, 1);
  g_thread_join (thread);
  assert_int_equal (gtkloop_thread_executor_get_n_workers (ex), 0);

  WAIT_UNTIL (test_current->loop,
              gtkloop_future_is_done (running) && gtkloop_future_is_done (queued[N_QUEUED - 1]), 5);
  assert_false (gtkloop_future_is_cancelled (running));
  for (int i = 0; i < N_QUEUED; i++)
    {
      assert_true (gtkloop_future_is_cancelled (queued[i]));
      assert_int_equal (atomic_load (&jobs[i].ran.count), 0);
      assert_true (thread_record_on_self (&jobs[i].data_destroyed));
      gtkloop_future_unref (queued[i]);
    }
  gtkloop_future_unref (running);
}

static void
test_shutdown_no_wait_keeps_queue (void **state)
{
  g_autoptr(GtkloopThreadExecutor) ex = gtkloop_thread_executor_new (1);
  Gate gate = { 0 };
  QuickJob jobs[N_QUEUED] = { 0 };
  GtkloopFuture *running, *queued[N_QUEUED];

  shutdown_scenario (ex, &gate, jobs, &running, queued);
  gtkloop_thread_executor_shutdown (ex, FALSE, FALSE);
  gtkloop_thread_executor_shutdown (ex, FALSE, FALSE);   /* twice is fine */
  assert_refused_after_shutdown (ex);
  atomic_store (&gate.release, 1);

  WAIT_UNTIL (test_current->loop, gtkloop_future_is_done (queued[N_QUEUED - 1]), 5);
  for (int i = 0; i < N_QUEUED; i++)
    {
      assert_int_equal (GPOINTER_TO_INT (gtkloop_future_get_result (queued[i], NULL)), 7);
      gtkloop_future_unref (queued[i]);
    }
  gtkloop_future_unref (running);
  WAIT_UNTIL (NULL, gtkloop_thread_executor_get_n_workers (ex) == 0, 5);
}

/* The last reference of a scoped executor waits for its jobs. */
static gpointer
release_later (gpointer data)
{
  g_usleep (20 * 1000);
  atomic_store (&((Gate *) data)->release, 1);
  return NULL;
}

static void
test_scoped_executor_waits (void **state)
{
  Gate gate = { 0 };
  GtkloopFuture *f;
  GThread *thread;
  guint threads_before = gtkloop_executor_debug_n_threads ();

  {
    g_autoptr(GtkloopThreadExecutor) ex = gtkloop_thread_executor_new (2);

    f = gtkloop_loop_run_in_executor (test_current->loop, ex, gate_job, &gate, NULL, NULL);
    thread = g_thread_new ("release", release_later, &gate);
  }
  /* The unref returned: the job ran and the worker is gone. */
  assert_true (atomic_load (&gate.ran));
  assert_int_equal (gtkloop_executor_debug_n_threads (), threads_before);
  g_thread_join (thread);
  WAIT_UNTIL (test_current->loop, gtkloop_future_is_done (f), 5);
  gtkloop_future_unref (f);
}

/* ---------------------------------------------------------------------- */
/* The default executor, to_thread, gtkloop_run                            */

static gpointer
plus_one_job (gpointer      data,
              GCancellable *cancellable,
              GError      **error)
{
  return GINT_TO_POINTER (GPOINTER_TO_INT (data) + 1);
}

static struct
{
  QuickJob      forgotten;
  Gate          cancelled_gate;
  int           to_thread_result;
  gboolean      leftover_saw_cancel;
  uintptr_t     main_thread;
} run_state;

static gpointer
slow_quick_job (gpointer      data,
                GCancellable *cancellable,
                GError      **error)
{
  g_usleep (50 * 1000);
  return quick_job (data, cancellable, error);
}

static void
leftover_task (GtkloopTask *task,
               gpointer     data)
{
  g_autoptr(GtkloopFuture) f = gtkloop_to_thread (gate_job, &run_state.cancelled_gate, NULL, NULL);

  gtkloop_await (f, NULL);
}

static void
run_main (GtkloopTask *task,
          gpointer     data)
{
  GtkloopLoop *loop = gtkloop_loop_get_running ();
  g_autoptr(GtkloopFuture) f = NULL;
  GtkloopTask *leftover;

  /* Fire and forget: gtkloop_run waits for it, as asyncio.run does. */
  gtkloop_future_unref (gtkloop_loop_run_in_executor (loop, NULL, slow_quick_job, &run_state.forgotten,
                                                      quick_job_destroy, NULL));
  f = gtkloop_to_thread (plus_one_job, GINT_TO_POINTER (41), NULL, NULL);
  if (gtkloop_await (f, NULL))
    run_state.to_thread_result = GPOINTER_TO_INT (gtkloop_future_get_result (f, NULL));
  /* A task left awaiting a job: cancelled by gtkloop_run, with its job. */
  leftover = gtkloop_spawn (leftover_task, NULL, NULL);
  gtkloop_task_unref (leftover);
  while (!atomic_load (&run_state.cancelled_gate.started))
    gtkloop_sleep (0.001, NULL);
}

static void
test_gtkloop_run_shuts_down_default_executor (void **state)
{
  guint threads_before = count_process_threads ();
  g_autoptr(GError) error = NULL;

  memset (&run_state, 0, sizeof run_state);
  assert_true (gtkloop_run (run_main, NULL, &error));

  assert_int_equal (run_state.to_thread_result, 42);
  assert_int_equal (atomic_load (&run_state.forgotten.ran.count), 1);
  assert_int_equal (atomic_load (&run_state.forgotten.data_destroyed.count), 1);
  assert_true (thread_record_on_self (&run_state.forgotten.data_destroyed));
  assert_true (atomic_load (&run_state.cancelled_gate.saw_cancel));
  /* The default executor's idle threads were joined by close. A joined
   * thread can still be listed in /proc for a moment: pthread_join returns
   * when the kernel clears its tid, a little before it is reaped. */
  assert_int_equal (gtkloop_executor_debug_n_executors (), 0);
  assert_int_equal (gtkloop_executor_debug_n_threads (), 0);
  assert_int_equal (settle_process_threads (threads_before, 1.0), threads_before);
}

static void
test_set_default_executor (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopThreadExecutor) mine = gtkloop_thread_executor_new (2);
  GtkloopThreadExecutor *made;
  GtkloopExecutorStats stats;
  GtkloopFuture *f;

  /* Made on first use, then replaced. */
  made = gtkloop_loop_get_default_executor (fx->loop);
  assert_non_null (made);
  assert_ptr_equal (gtkloop_loop_get_default_executor (fx->loop), made);
  assert_int_equal (gtkloop_thread_executor_get_max_workers (made), MIN (32, g_get_num_processors () + 4));
  gtkloop_loop_set_default_executor (fx->loop, mine);
  assert_ptr_equal (gtkloop_loop_get_default_executor (fx->loop), mine);

  f = gtkloop_loop_run_in_executor (fx->loop, NULL, plus_one_job, GINT_TO_POINTER (1), NULL, NULL);
  WAIT_UNTIL (fx->loop, gtkloop_future_is_done (f), 5);
  assert_int_equal (GPOINTER_TO_INT (gtkloop_future_get_result (f, NULL)), 2);
  gtkloop_future_unref (f);
  gtkloop_thread_executor_get_stats (mine, &stats);
  assert_int_equal (stats.n_jobs, 1);

  /* Closing the loop shuts its default executor down, whoever made it,
   * as asyncio's loop.close () does. */
  gtkloop_loop_close (fx->loop);
  assert_true (gtkloop_thread_executor_is_shutdown (mine));
  assert_null (gtkloop_loop_get_default_executor (fx->loop));
}

/* ---------------------------------------------------------------------- */
/* Workers on demand, retired when idle                                    */

static gpointer
sleepy_job (gpointer      data,
            GCancellable *cancellable,
            GError      **error)
{
  g_usleep (GPOINTER_TO_UINT (data));
  return NULL;
}

static void
test_idle_workers_retire (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopThreadExecutor) ex = gtkloop_thread_executor_new (3);
  guint threads_before = count_process_threads ();
  GtkloopExecutorStats stats;
  GtkloopFuture *f[3];

  gtkloop_thread_executor_set_idle_timeout (ex, 0.05);
  assert_true (gtkloop_thread_executor_get_idle_timeout (ex) > 0.049);
  assert_int_equal (gtkloop_thread_executor_get_n_workers (ex), 0);   /* none before a job */

  for (int i = 0; i < 3; i++)
    f[i] = gtkloop_loop_run_in_executor (fx->loop, ex, sleepy_job, GUINT_TO_POINTER (20000), NULL, NULL);
  assert_int_equal (gtkloop_thread_executor_get_n_workers (ex), 3);
  WAIT_UNTIL (fx->loop, gtkloop_future_is_done (f[0]) && gtkloop_future_is_done (f[1]) &&
                        gtkloop_future_is_done (f[2]), 5);
  for (int i = 0; i < 3; i++)
    gtkloop_future_unref (f[i]);

  WAIT_UNTIL (NULL, gtkloop_thread_executor_get_n_workers (ex) == 0, 5);
  gtkloop_thread_executor_get_stats (ex, &stats);
  assert_int_equal (stats.n_retired, 3);
  assert_int_equal (settle_process_threads (threads_before, 5), threads_before);

  /* And a new job brings a worker back. */
  f[0] = gtkloop_loop_run_in_executor (fx->loop, ex, plus_one_job, GINT_TO_POINTER (1), NULL, NULL);
  WAIT_UNTIL (fx->loop, gtkloop_future_is_done (f[0]), 5);
  assert_int_equal (GPOINTER_TO_INT (gtkloop_future_get_result (f[0], NULL)), 2);
  gtkloop_future_unref (f[0]);
}

/* An idle worker is woken, not a new one started. */
static void
test_idle_worker_reused (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopThreadExecutor) ex = gtkloop_thread_executor_new (4);
  GtkloopExecutorStats stats;

  for (int i = 0; i < 20; i++)
    {
      GtkloopFuture *f = gtkloop_loop_run_in_executor (fx->loop, ex, plus_one_job, GINT_TO_POINTER (i),
                                                       NULL, NULL);

      WAIT_UNTIL (fx->loop, gtkloop_future_is_done (f), 5);
      assert_int_equal (GPOINTER_TO_INT (gtkloop_future_get_result (f, NULL)), i + 1);
      gtkloop_future_unref (f);
      /* Let the worker go back to sleep. */
      WAIT_UNTIL (NULL, (gtkloop_thread_executor_get_stats (ex, &stats), stats.n_idle == 1), 5);
    }
  gtkloop_thread_executor_get_stats (ex, &stats);
  assert_int_equal (stats.n_jobs, 20);
  assert_int_equal (stats.n_spawns, 1);
}

/* A job submitted while a worker sleeps never waits behind a busy one:
 * the wake-up passed from worker to worker must not be lost in a race
 * with submissions. */
static void
test_no_job_waits_behind_a_busy_worker (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopThreadExecutor) ex = gtkloop_thread_executor_new (2);
  GtkloopExecutorStats stats;
  int rounds = 200;

#if GTKLOOP_HAVE_TSAN
  rounds = 50;
#endif
  for (int round = 0; round < rounds; round++)
    {
      Gate gate = { 0 };
      GtkloopFuture *busy, *quick;

      /* Both workers asleep (after the first round). */
      if (round > 0)
        WAIT_UNTIL (NULL, (gtkloop_thread_executor_get_stats (ex, &stats), stats.n_idle == 2), 5);
      busy = gtkloop_loop_run_in_executor (fx->loop, ex, gate_job, &gate, NULL, NULL);
      quick = gtkloop_loop_run_in_executor (fx->loop, ex, plus_one_job, GINT_TO_POINTER (round), NULL, NULL);
      WAIT_UNTIL (fx->loop, gtkloop_future_is_done (quick), 5);
      if (atomic_load (&gate.ran))
        fail_msg ("round %d: the quick job waited for the busy one", round);
      atomic_store (&gate.release, 1);
      WAIT_UNTIL (fx->loop, gtkloop_future_is_done (busy), 5);
      gtkloop_future_unref (busy);
      gtkloop_future_unref (quick);
    }
}

/* ---------------------------------------------------------------------- */
/* Errors and misuse                                                       */

static gpointer
failing_job (gpointer      data,
             GCancellable *cancellable,
             GError      **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no such thing");
  return NULL;
}

static void
test_job_error (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopFuture) f = gtkloop_loop_run_in_executor (fx->loop, NULL, failing_job, NULL, NULL, NULL);
  const GError *failure;

  WAIT_UNTIL (fx->loop, gtkloop_future_is_done (f), 5);
  failure = gtkloop_future_get_error (f);
  assert_non_null (failure);
  assert_true (g_error_matches (failure, G_IO_ERROR, G_IO_ERROR_NOT_FOUND));
  assert_string_equal (failure->message, "no such thing");
}

typedef struct
{
  GtkloopLoop   *loop;
  GtkloopFuture *future;
  ThreadRecord   destroyed;
} WrongThread;

static gpointer
wrong_thread_main (gpointer data)
{
  WrongThread *w = data;

  w->future = gtkloop_loop_run_in_executor (w->loop, NULL, plus_one_job, &w->destroyed, thread_record_cb, NULL);
  return NULL;
}

static void
test_misuse (void **state)
{
  TestFixture *fx = *state;
  WrongThread w = { fx->loop };
  ThreadRecord closed_destroyed = { 0 };
  g_autoptr(GtkloopFuture) f = NULL;
  g_autoptr(GError) error = NULL;
  GThread *thread;

  /* From a thread that does not own the loop: a critical, the notify runs there. */
  test_criticals_begin ();
  thread = g_thread_new ("wrong", wrong_thread_main, &w);
  g_thread_join (thread);
  assert_int_equal (test_criticals_end (), 1);
  assert_non_null (strstr (test_criticals_last (), "gtkloop_loop_run_in_executor"));
  assert_null (w.future);
  assert_int_equal (atomic_load (&w.destroyed.count), 1);
  assert_false (thread_record_on_self (&w.destroyed));

  /* On a closed loop: a failed future. */
  gtkloop_loop_close (fx->loop);
  f = gtkloop_loop_run_in_executor (fx->loop, NULL, plus_one_job, &closed_destroyed, thread_record_cb, NULL);
  assert_true (gtkloop_future_is_done (f));
  gtkloop_future_get_result (f, &error);
  assert_true (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_CLOSED));
  assert_int_equal (atomic_load (&closed_destroyed.count), 1);
}

/* ---------------------------------------------------------------------- */
/* Stress: many jobs, random cancels, every notify once on the loop thread */

#define N_STRESS 5000

static struct
{
  atomic_int ran[N_STRESS];
  int        data_destroyed[N_STRESS];     /* loop thread only */
  int        result_destroyed[N_STRESS];   /* loop thread only */
  guint      wrong_thread;
  uintptr_t  loop_thread;
} stress;

static gpointer
stress_job (gpointer      data,
            GCancellable *cancellable,
            GError      **error)
{
  guint i = GPOINTER_TO_UINT (data);

  atomic_fetch_add (&stress.ran[i], 1);
  if (i % 7 == 0)
    g_usleep (50);
  return GUINT_TO_POINTER (i + 1);
}

static void
stress_data_destroy (gpointer data)
{
  if ((uintptr_t) pthread_self () != stress.loop_thread)
    stress.wrong_thread++;
  stress.data_destroyed[GPOINTER_TO_UINT (data)]++;
}

static void
stress_result_destroy (gpointer result)
{
  if ((uintptr_t) pthread_self () != stress.loop_thread)
    stress.wrong_thread++;
  stress.result_destroyed[GPOINTER_TO_UINT (result) - 1]++;
}

static gboolean
stress_all_data_destroyed (guint n)
{
  for (guint i = 0; i < n; i++)
    if (stress.data_destroyed[i] == 0)
      return FALSE;
  return TRUE;
}

static void
test_stress_random_cancel (void **state)
{
  TestFixture *fx = *state;
  g_autoptr(GtkloopThreadExecutor) ex = gtkloop_thread_executor_new (4);
  GtkloopFuture **f = g_new (GtkloopFuture *, N_STRESS);
  guint32 x = 12345;
  guint n_cancelled = 0;
  guint n = N_STRESS;

#if GTKLOOP_HAVE_TSAN
  n = N_STRESS / 5;
#endif
  memset (&stress, 0, sizeof stress);
  stress.loop_thread = (uintptr_t) pthread_self ();
  for (guint i = 0; i < n; i++)
    {
      f[i] = gtkloop_loop_run_in_executor (fx->loop, ex, stress_job, GUINT_TO_POINTER (i),
                                           stress_data_destroy, stress_result_destroy);
      x = x * 1103515245 + 12345;
      if ((x >> 16) % 3 == 0 && i > 0)
        n_cancelled += gtkloop_future_cancel (f[(x >> 8) % i], NULL);
      if (i % 100 == 0)
        g_main_context_iteration (gtkloop_loop_get_context (fx->loop), FALSE);
    }
  for (guint i = 0; i < n; i++)
    WAIT_UNTIL (fx->loop, gtkloop_future_is_done (f[i]), 10);
  /* Cancelled running jobs come home after their future is done. */
  WAIT_UNTIL (fx->loop, stress_all_data_destroyed (n), 10);

  for (guint i = 0; i < n; i++)
    {
      int ran = atomic_load (&stress.ran[i]);

      if (ran > 1 || stress.data_destroyed[i] != 1)
        fail_msg ("job %u ran %d times, data destroyed %d times", i, ran, stress.data_destroyed[i]);
      if (gtkloop_future_is_cancelled (f[i]))
        {
          /* A result that came home to a cancelled future is freed at once. */
          if (stress.result_destroyed[i] != ran)
            fail_msg ("job %u: cancelled, ran %d, result destroyed %d", i, ran, stress.result_destroyed[i]);
        }
      else if (ran != 1 || GPOINTER_TO_UINT (gtkloop_future_get_result (f[i], NULL)) != i + 1)
        fail_msg ("job %u: wrong result", i);
      gtkloop_future_unref (f[i]);
    }
  assert_int_equal (stress.wrong_thread, 0);
  print_message ("%u jobs, %u cancelled\n", n, n_cancelled);
  g_free (f);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_quamash_progress_bar, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_four_workers_submission_order, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_cancel_queued_and_running, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_cancel_task_awaiting_job, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_shutdown_wait, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_shutdown_cancel_futures_no_wait, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_shutdown_wait_cancel_futures, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_shutdown_no_wait_keeps_queue, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_scoped_executor_waits, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_gtkloop_run_shuts_down_default_executor, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_set_default_executor, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_idle_workers_retire, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_idle_worker_reused, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_no_job_waits_behind_a_busy_worker, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_job_error, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_misuse, test_fixture_setup, threads_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_stress_random_cancel, test_fixture_setup, threads_fixture_teardown),
  };

  threads_warm_up ();
  return cmocka_run_group_tests (tests, NULL, NULL);
}
