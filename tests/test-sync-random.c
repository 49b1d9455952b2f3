/* Random operation sequences on a lock, a semaphore and a queue.
 *
 * Each sequence (one per seed) makes 2-5 tasks run random scripts — take
 * the lock or the semaphore and hold it for a few yields, put an item, get
 * one, yield — while the main task cancels tasks at random. The scripts
 * and cancellations come from a xorshift32 generator, so a seed always
 * gives the same run. Two tests:
 *
 *  - invariants, over thousands of seeds and the three kinds of queue: at
 *    most one lock holder and at most `value` semaphore holders at a time
 *    (no double wake-up); the lock and the semaphore are granted in the
 *    order tasks asked (FIFO fairness, cancelled ones skipped); when
 *    nothing can run any more, no task waits for a lock that is free, a
 *    unit that is available, an item that is queued or room that exists
 *    (no lost wake-up); every item handed to the queue is got once, or
 *    freed once by the queue, never both, and a FIFO queue hands them out
 *    in the order they went in (no lost item);
 *  - the first seeds' traces, line for line against asyncio running the
 *    same scripts (twin: twins/sync_random.py). */
#include "config.h"

#include "test-util.h"

#define N_TWIN_SEEDS      150   /* must match N_SEEDS in twins/sync_random.py */
#define N_RANDOM_SEEDS   3000
#define MAX_TASKS           5
#define MAX_OPS            12
#define MAX_ITEMS          (MAX_TASKS * MAX_OPS)

typedef enum { OP_LOCK, OP_SEM, OP_PUT, OP_GET, OP_YIELD } OpKind;
typedef enum { QUEUE_FIFO, QUEUE_LIFO, QUEUE_PRIORITY } QueueKind;
typedef enum { BLOCKED_NONE, BLOCKED_LOCK, BLOCKED_SEM, BLOCKED_PUT, BLOCKED_GET } Blocked;

typedef struct
{
  OpKind kind;
  int    arg;   /* yields to hold for LOCK/SEM, item id for PUT */
} Op;

typedef struct _Run Run;

typedef struct
{
  Run     *run;
  int      index;
  Op       ops[MAX_OPS];
  int      n_ops;
  Blocked  blocked;
} Script;

struct _Run
{
  guint32           rng;
  GString          *out;              /* (nullable): the trace */
  int               n_tasks;
  GtkloopLock      *lock;
  GtkloopSemaphore *sem;
  guint             sem_value;
  GtkloopQueue     *q;
  guint             maxsize;
  QueueKind         kind;
  Script            scripts[MAX_TASKS];
  int               n_items;
  int               progress;

  /* What the invariants look at. */
  int               lock_holders, sem_holders;
  guint64           lock_tickets, sem_tickets;
  guint64           last_lock_grant, last_sem_grant;
  int               handed[MAX_ITEMS], released[MAX_ITEMS], got[MAX_ITEMS];
  GArray           *put_order;        /* of int: items whose put succeeded */
  GArray           *get_order;        /* of int: items got */
  GString          *violations;
};

/* xorshift32, bit for bit as in the twin. */
static guint32
rng_next (guint32 *s)
{
  guint32 x = *s;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

static guint
rng_below (guint32 *s,
           guint    n)
{
  return rng_next (s) % n;
}

static void say (Run *r, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
say (Run        *r,
     const char *format,
     ...)
{
  va_list args;

  if (r->out == NULL)
    return;
  va_start (args, format);
  test_append_line_va (r->out, format, args);
  va_end (args);
}

static void violation (Run *r, const char *format, ...) G_GNUC_PRINTF (2, 3);

static void
violation (Run        *r,
           const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  test_append_line_va (r->violations, format, args);
  va_end (args);
}

/* Items: a non-NULL pointer per id, freed by counting. */
static Run *releasing_run;

static void
release_item (gpointer item)
{
  releasing_run->released[GPOINTER_TO_INT (item) - 1]++;
}

static int
compare_items (gconstpointer a,
               gconstpointer b,
               gpointer      data)
{
  /* Odd ids first, then by id: some order that is not the put order. */
  int x = GPOINTER_TO_INT (a), y = GPOINTER_TO_INT (b);

  if ((x & 1) != (y & 1))
    return (y & 1) - (x & 1);
  return x - y;
}

static void
run_init (Run      *r,
          guint     seed,
          QueueKind kind,
          GString  *out)
{
  memset (r, 0, sizeof *r);
  r->rng = (guint32) (seed * 2654435761u + 1u);
  if (r->rng == 0)
    r->rng = 1;
  r->out = out;
  r->kind = kind;
  r->n_tasks = 2 + rng_below (&r->rng, 4);
  r->sem_value = 1 + rng_below (&r->rng, 2);
  r->maxsize = rng_below (&r->rng, 3);
  r->lock = gtkloop_lock_new ();
  r->sem = gtkloop_semaphore_new (r->sem_value, TRUE);
  if (kind == QUEUE_FIFO)
    r->q = gtkloop_queue_new (r->maxsize, release_item);
  else if (kind == QUEUE_LIFO)
    r->q = gtkloop_queue_new_lifo (r->maxsize, release_item);
  else
    r->q = gtkloop_queue_new_priority (r->maxsize, compare_items, NULL, release_item);
  r->put_order = g_array_new (FALSE, FALSE, sizeof (int));
  r->get_order = g_array_new (FALSE, FALSE, sizeof (int));
  r->violations = g_string_new (NULL);

  for (int i = 0; i < r->n_tasks; i++)
    {
      Script *s = &r->scripts[i];

      s->run = r;
      s->index = i;
      s->n_ops = 3 + rng_below (&r->rng, 10);
      for (int j = 0; j < s->n_ops; j++)
        {
          Op *op = &s->ops[j];

          op->kind = rng_below (&r->rng, 5);
          if (op->kind == OP_LOCK || op->kind == OP_SEM)
            op->arg = rng_below (&r->rng, 3);
          else if (op->kind == OP_PUT)
            op->arg = r->n_items++;
        }
    }
}

static void
run_clear (Run *r)
{
  g_clear_pointer (&r->lock, gtkloop_lock_unref);
  g_clear_pointer (&r->sem, gtkloop_semaphore_unref);
  g_clear_pointer (&r->q, gtkloop_queue_unref);
  g_array_unref (r->put_order);
  g_array_unref (r->get_order);
  g_string_free (r->violations, TRUE);
}

/* Operations -------------------------------------------------------------- */

static gboolean
hold_lock (Script *s,
           int     yields)
{
  Run *r = s->run;
  guint64 ticket = ++r->lock_tickets;

  s->blocked = BLOCKED_LOCK;
  if (!gtkloop_lock_acquire (r->lock, NULL))
    {
      s->blocked = BLOCKED_NONE;
      say (r, "t%d lock cancelled", s->index);
      return FALSE;
    }
  s->blocked = BLOCKED_NONE;
  if (++r->lock_holders > 1)
    violation (r, "lock: %d holders", r->lock_holders);
  if (ticket < r->last_lock_grant)
    violation (r, "lock: ticket %" G_GUINT64_FORMAT " granted after %" G_GUINT64_FORMAT,
               ticket, r->last_lock_grant);
  r->last_lock_grant = ticket;
  say (r, "t%d lock held", s->index);
  for (int i = 0; i < yields; i++)
    if (!gtkloop_sleep (0, NULL))
      {
        r->lock_holders--;
        gtkloop_lock_release (r->lock);
        say (r, "t%d lock cancelled inside", s->index);
        return FALSE;
      }
  r->lock_holders--;
  gtkloop_lock_release (r->lock);
  say (r, "t%d lock released", s->index);
  return TRUE;
}

static void
release_sem (Run *r)
{
  g_autoptr(GError) error = NULL;

  r->sem_holders--;
  if (!gtkloop_semaphore_release (r->sem, &error))
    violation (r, "sem: release refused: %s", error->message);
}

static gboolean
hold_sem (Script *s,
          int     yields)
{
  Run *r = s->run;
  guint64 ticket = ++r->sem_tickets;

  s->blocked = BLOCKED_SEM;
  if (!gtkloop_semaphore_acquire (r->sem, NULL))
    {
      s->blocked = BLOCKED_NONE;
      say (r, "t%d sem cancelled", s->index);
      return FALSE;
    }
  s->blocked = BLOCKED_NONE;
  if (++r->sem_holders > (int) r->sem_value)
    violation (r, "sem: %d holders of %u", r->sem_holders, r->sem_value);
  if (ticket < r->last_sem_grant)
    violation (r, "sem: ticket %" G_GUINT64_FORMAT " granted after %" G_GUINT64_FORMAT,
               ticket, r->last_sem_grant);
  r->last_sem_grant = ticket;
  say (r, "t%d sem held", s->index);
  for (int i = 0; i < yields; i++)
    if (!gtkloop_sleep (0, NULL))
      {
        release_sem (r);
        say (r, "t%d sem cancelled inside", s->index);
        return FALSE;
      }
  release_sem (r);
  say (r, "t%d sem released", s->index);
  return TRUE;
}

static gboolean
put (Script *s,
     int     item)
{
  Run *r = s->run;
  gboolean ok;

  r->handed[item]++;
  s->blocked = BLOCKED_PUT;
  ok = gtkloop_queue_put (r->q, GINT_TO_POINTER (item + 1), NULL);
  s->blocked = BLOCKED_NONE;
  if (!ok)
    {
      say (r, "t%d put %d cancelled", s->index, item);
      return FALSE;
    }
  /* No suspension between the push and here: this is the queue's order. */
  g_array_append_val (r->put_order, item);
  say (r, "t%d put %d", s->index, item);
  return TRUE;
}

static gboolean
get (Script *s)
{
  Run *r = s->run;
  g_autoptr(GError) error = NULL;
  int item;

  s->blocked = BLOCKED_GET;
  item = GPOINTER_TO_INT (gtkloop_queue_get (r->q, &error)) - 1;
  s->blocked = BLOCKED_NONE;
  if (error != NULL)
    {
      say (r, "t%d get cancelled", s->index);
      return FALSE;
    }
  gtkloop_queue_task_done (r->q);
  r->got[item]++;
  g_array_append_val (r->get_order, item);
  say (r, "t%d got %d", s->index, item);
  return TRUE;
}

static gboolean
run_op (Script   *s,
        const Op *op)
{
  switch (op->kind)
    {
    case OP_LOCK:
      return hold_lock (s, op->arg);
    case OP_SEM:
      return hold_sem (s, op->arg);
    case OP_PUT:
      return put (s, op->arg);
    case OP_GET:
      return get (s);
    case OP_YIELD:
    default:
      if (gtkloop_sleep (0, NULL))
        return TRUE;
      say (s->run, "t%d yield cancelled", s->index);
      return FALSE;
    }
}

static void
script_task (GtkloopTask *task,
             gpointer     data)
{
  Script *s = data;

  for (int j = 0; j < s->n_ops; j++)
    {
      if (!run_op (s, &s->ops[j]))
        return;
      s->run->progress++;
    }
  say (s->run, "t%d done", s->index);
}

/* One run ----------------------------------------------------------------- */

static gboolean
all_done (GtkloopFuture **tasks,
          int             n)
{
  for (int i = 0; i < n; i++)
    if (!gtkloop_future_is_done (tasks[i]))
      return FALSE;
  return TRUE;
}

/* Nothing can run: nobody may wait for something that is there. */
static void
check_quiescent (Run            *r,
                 GtkloopFuture **tasks)
{
  for (int i = 0; i < r->n_tasks; i++)
    {
      Script *s = &r->scripts[i];

      if (gtkloop_future_is_done (tasks[i]))
        continue;
      if (s->blocked == BLOCKED_LOCK && !gtkloop_lock_is_locked (r->lock))
        violation (r, "lost wake-up: t%d waits for a free lock", i);
      if (s->blocked == BLOCKED_SEM && gtkloop_semaphore_get_value (r->sem) > 0)
        violation (r, "lost wake-up: t%d waits for a semaphore of value %u", i,
                   gtkloop_semaphore_get_value (r->sem));
      if (s->blocked == BLOCKED_GET && !gtkloop_queue_is_empty (r->q))
        violation (r, "lost wake-up: t%d waits for an item; %u queued", i, gtkloop_queue_size (r->q));
      if (s->blocked == BLOCKED_PUT && !gtkloop_queue_is_full (r->q))
        violation (r, "lost wake-up: t%d waits for room in a queue of %u/%u", i,
                   gtkloop_queue_size (r->q), r->maxsize);
    }
}

static void
check_final (Run *r)
{
  g_autoptr(GArray) remaining = g_array_new (FALSE, FALSE, sizeof (int));
  gpointer item;

  if (gtkloop_lock_is_locked (r->lock) || r->lock_holders != 0)
    violation (r, "lock still held at the end");
  if (gtkloop_semaphore_get_value (r->sem) != r->sem_value || r->sem_holders != 0)
    violation (r, "semaphore at %u, not %u, at the end", gtkloop_semaphore_get_value (r->sem), r->sem_value);
  while (!gtkloop_queue_is_empty (r->q))
    {
      int id;

      item = gtkloop_queue_get_nowait (r->q, NULL);
      id = GPOINTER_TO_INT (item) - 1;
      g_array_append_val (remaining, id);
      r->got[id]++;
    }
  for (int i = 0; i < r->n_items; i++)
    if (r->got[i] + r->released[i] != r->handed[i])
      violation (r, "item %d: handed %d, got %d, released %d", i, r->handed[i], r->got[i], r->released[i]);
  if (r->kind == QUEUE_FIFO)
    {
      /* What came out, then what was left, is what went in. */
      g_array_append_vals (r->get_order, remaining->data, remaining->len);
      if (r->get_order->len != r->put_order->len ||
          (r->put_order->len > 0 &&
           memcmp (r->get_order->data, r->put_order->data, r->put_order->len * sizeof (int)) != 0))
        violation (r, "FIFO queue: items out of order");
    }
}

static void
one_run (Run          *r,
         GtkloopLoop  *loop)
{
  GtkloopFuture *tasks[MAX_TASKS];
  int iterations = 0, idle = 0, last = r->progress;
  g_autoptr(GtkloopFuture) all = NULL;

  releasing_run = r;
  for (int i = 0; i < r->n_tasks; i++)
    tasks[i] = GTKLOOP_FUTURE (gtkloop_loop_create_task (loop, script_task, &r->scripts[i], NULL));

  while (!all_done (tasks, r->n_tasks) && idle < 40 && iterations < 400)
    {
      gtkloop_sleep (0, NULL);
      iterations++;
      if (rng_below (&r->rng, 6) == 0)
        {
          int k = rng_below (&r->rng, r->n_tasks);

          if (!gtkloop_future_is_done (tasks[k]))
            {
              gtkloop_future_cancel (tasks[k], NULL);
              say (r, "cancel t%d", k);
            }
        }
      if (r->progress == last)
        idle++;
      else
        {
          idle = 0;
          last = r->progress;
        }
    }
  if (!all_done (tasks, r->n_tasks))
    {
      say (r, "quiescent");
      check_quiescent (r, tasks);
    }
  for (int i = 0; i < r->n_tasks; i++)
    gtkloop_future_cancel (tasks[i], NULL);
  all = gtkloop_gather (tasks, r->n_tasks, TRUE);
  gtkloop_await (all, NULL);
  say (r, "end, queue %u, locked %s, sem %u", gtkloop_queue_size (r->q),
       gtkloop_lock_is_locked (r->lock) ? "True" : "False", gtkloop_semaphore_get_value (r->sem));
  check_final (r);
  for (int i = 0; i < r->n_tasks; i++)
    gtkloop_future_unref (tasks[i]);
}

/* Tests ------------------------------------------------------------------- */

typedef struct
{
  TestFixture *fx;
  guint        first_seed, n_seeds;
  gboolean     trace;
  GString     *violations;   /* "seed N (kind): what" lines */
  guint        n_runs;
} Batch;

static const char *const kind_names[] = { "fifo", "lifo", "priority" };

static void
batch_task (GtkloopTask *task,
            gpointer     data)
{
  Batch *b = data;

  for (guint seed = b->first_seed; seed < b->first_seed + b->n_seeds; seed++)
    for (QueueKind kind = QUEUE_FIFO; kind <= (b->trace ? QUEUE_FIFO : QUEUE_PRIORITY); kind++)
      {
        /* On the heap: the script tasks use it while this task is
         * suspended, when its stack may be copied out. */
        g_autofree Run *r = g_new (Run, 1);

        run_init (r, seed, kind, b->trace ? b->fx->out : NULL);
        say (r, "seed %u: %d tasks, sem %u, maxsize %u", seed, r->n_tasks, r->sem_value, r->maxsize);
        one_run (r, gtkloop_future_get_loop (GTKLOOP_FUTURE (task)));
        if (r->violations->len > 0)
          g_string_append_printf (b->violations, "seed %u (%s): %s", seed, kind_names[kind], r->violations->str);
        b->n_runs++;
        run_clear (r);
      }
}

static void
run_batch (Batch *b)
{
  g_autoptr(GtkloopTask) task = gtkloop_loop_create_task (b->fx->loop, batch_task, b, NULL);

  b->violations = g_string_new (NULL);
  assert_true (test_run_until_complete (b->fx->loop, GTKLOOP_FUTURE (task), NULL, 120));
}

/* GTKLOOP_TEST_SEEDS=N runs N seeds instead (a longer soak). */
static guint
n_random_seeds (void)
{
  const char *env = g_getenv ("GTKLOOP_TEST_SEEDS");

  return env != NULL ? (guint) g_ascii_strtoull (env, NULL, 10) : N_RANDOM_SEEDS;
}

static void
test_invariants (void **state)
{
  Batch b = { *state, N_TWIN_SEEDS, n_random_seeds (), FALSE };

  run_batch (&b);
  if (b.violations->len > 0)
    fail_msg ("%s", b.violations->str);
  assert_int_equal (b.n_runs, 3 * b.n_seeds);
  g_string_free (b.violations, TRUE);
}

static void
test_traces_match_asyncio (void **state)
{
  Batch b = { *state, 0, N_TWIN_SEEDS, TRUE };

  run_batch (&b);
  if (b.violations->len > 0)
    fail_msg ("%s", b.violations->str);
  g_string_free (b.violations, TRUE);
  test_assert_matches_twin ("sync_random", b.fx->out->str);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_traces_match_asyncio, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_invariants, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests_name ("sync-random", tests, NULL, NULL);
}
