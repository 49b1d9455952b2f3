/* GtkloopQueue: producer/consumer with maxsize 2, task_done/join, woken
 * getters and putters cancelled without losing an item, the nowait errors,
 * LIFO and priority order, 3.13's shutdown (twin: twins/sync_queue.py). Plus
 * ownership: every item handed to a queue is released exactly once —
 * taken by get, freed by the queue, or freed when a put fails — also when
 * the loop closes with blocked producers and consumers. */
#include "config.h"

#include "test-util.h"

static void
producer (GtkloopTask *t,
          gpointer     q)
{
  for (int i = 0; i < 6; i++)
    {
      test_print (test_current, "put %d, size %u", i, gtkloop_queue_size (q));
      gtkloop_queue_put (q, GINT_TO_POINTER (i), NULL);
    }
  test_print (test_current, "producer done");
}

typedef struct
{
  GtkloopQueue *q;
  const char   *name;
  int           n;
} Consumer;

static void
consumer (GtkloopTask *t,
          gpointer     data)
{
  Consumer *c = data;

  for (int i = 0; i < c->n; i++)
    {
      int item = GPOINTER_TO_INT (gtkloop_queue_get (c->q, NULL));

      test_print (test_current, "%s got %d, size %u", c->name, item, gtkloop_queue_size (c->q));
      gtkloop_sleep (0, NULL);
      gtkloop_queue_task_done (c->q);
    }
}

static void
producer_consumer (void)
{
  g_autoptr(GtkloopQueue) q = gtkloop_queue_new (2, NULL);
  /* Static, not locals: the consumers read them while this task is
   * suspended, when its stack may be copied out (SHARED stacks). */
  static Consumer c1, c2;
  GtkloopFuture *fs[3];

  test_print (test_current, "-- producer/consumer, maxsize 2");
  c1 = (Consumer) { q, "c1", 3 };
  c2 = (Consumer) { q, "c2", 3 };
  fs[0] = test_spawn (producer, q);
  fs[1] = test_spawn (consumer, &c1);
  fs[2] = test_spawn (consumer, &c2);
  test_gather_and_await (fs, 3, FALSE);
  test_print (test_current, "empty %s", test_py_bool (gtkloop_queue_is_empty (q)));
  test_unref_futures (fs, 3);
}

static void
join (void)
{
  g_autoptr(GtkloopQueue) q = gtkloop_queue_new (0, NULL);
  static Consumer c;
  g_autoptr(GtkloopFuture) w = NULL;

  test_print (test_current, "-- task_done and join");
  c = (Consumer) { q, "worker", 3 };
  for (int i = 0; i < 3; i++)
    gtkloop_queue_put_nowait (q, GINT_TO_POINTER (i), NULL);
  w = test_spawn (consumer, &c);
  gtkloop_queue_join (q, NULL);
  test_print (test_current, "joined, size %u", gtkloop_queue_size (q));
  gtkloop_await (w, NULL);
}

typedef struct
{
  GtkloopQueue *q;
  const char   *name;
} Named;

static void
getter (GtkloopTask *t,
        gpointer     data)
{
  Named *g = data;
  g_autoptr(GError) error = NULL;
  const char *item = gtkloop_queue_get (g->q, &error);

  if (error == NULL)
    test_print (test_current, "%s got %s", g->name, item);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    test_print (test_current, "%s cancelled", g->name);
  else
    gtkloop_task_return_error (t, g_steal_pointer (&error));
}

static void
putter (GtkloopTask *t,
        gpointer     data)
{
  Named *p = data;
  g_autoptr(GError) error = NULL;

  if (gtkloop_queue_put (p->q, (gpointer) p->name, &error))
    test_print (test_current, "put %s done", p->name);
  else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    test_print (test_current, "put %s cancelled", p->name);
  else
    gtkloop_task_return_error (t, g_steal_pointer (&error));
}

static void
cancelled_getter (void)
{
  g_autoptr(GtkloopQueue) q = gtkloop_queue_new (0, NULL);
  static Named n1, n2;
  GtkloopFuture *gs[2];

  n1 = (Named) { q, "g1" };
  n2 = (Named) { q, "g2" };
  gs[0] = test_spawn (getter, &n1);
  gs[1] = test_spawn (getter, &n2);

  test_print (test_current, "-- a woken getter is cancelled");
  gtkloop_sleep (0, NULL);
  gtkloop_queue_put_nowait (q, "x", NULL);   /* wakes g1 */
  gtkloop_future_cancel (gs[0], NULL);       /* g1 hands its wake-up to g2 */
  gtkloop_wait (gs, 2, GTKLOOP_ALL_COMPLETED, -1, NULL, NULL, NULL);
  test_print (test_current, "size %u", gtkloop_queue_size (q));
  gtkloop_future_unref (gs[0]);
  gtkloop_future_unref (gs[1]);
}

static void
cancelled_putter (void)
{
  g_autoptr(GtkloopQueue) q = gtkloop_queue_new (1, NULL);
  static Named a, b;
  GtkloopFuture *ps[2];

  test_print (test_current, "-- a woken putter is cancelled");
  a = (Named) { q, "a" };
  b = (Named) { q, "b" };
  gtkloop_queue_put_nowait (q, "first", NULL);
  ps[0] = test_spawn (putter, &a);
  ps[1] = test_spawn (putter, &b);
  gtkloop_sleep (0, NULL);
  test_print (test_current, "got %s", (char *) gtkloop_queue_get_nowait (q, NULL));   /* wakes a */
  gtkloop_future_cancel (ps[0], NULL);                                          /* a hands its wake-up to b */
  gtkloop_wait (ps, 2, GTKLOOP_ALL_COMPLETED, -1, NULL, NULL, NULL);
  test_print (test_current, "queue holds %s", (char *) gtkloop_queue_get_nowait (q, NULL));
  gtkloop_future_unref (ps[0]);
  gtkloop_future_unref (ps[1]);
}

static void
nowait_errors (void)
{
  g_autoptr(GtkloopQueue) q = gtkloop_queue_new (1, NULL);
  g_autoptr(GError) empty = NULL, full = NULL;

  test_print (test_current, "-- nowait errors");
  gtkloop_queue_get_nowait (q, &empty);
  if (g_error_matches (empty, GTKLOOP_ERROR, GTKLOOP_ERROR_QUEUE_EMPTY))
    test_print (test_current, "QueueEmpty");
  gtkloop_queue_put_nowait (q, GINT_TO_POINTER (1), NULL);
  if (!gtkloop_queue_put_nowait (q, GINT_TO_POINTER (2), &full) &&
      g_error_matches (full, GTKLOOP_ERROR, GTKLOOP_ERROR_QUEUE_FULL))
    test_print (test_current, "QueueFull");
}

typedef struct
{
  int         prio;
  const char *name;
} Prio;

static int
compare_prio (gconstpointer a,
              gconstpointer b,
              gpointer      data)
{
  return ((const Prio *) a)->prio - ((const Prio *) b)->prio;
}

static void
lifo_and_priority (void)
{
  static const Prio entries[] = { { 3, "low" }, { 1, "urgent" }, { 2, "b1" }, { 2, "b2" }, { 1, "urgent2" } };
  g_autoptr(GtkloopQueue) lifo = gtkloop_queue_new_lifo (0, NULL);
  g_autoptr(GtkloopQueue) prio = gtkloop_queue_new_priority (0, compare_prio, NULL, NULL);
  GString *s = g_string_new ("[");

  test_print (test_current, "-- LIFO");
  for (int i = 0; i < 4; i++)
    gtkloop_queue_put_nowait (lifo, GINT_TO_POINTER (i), NULL);
  for (int i = 0; i < 4; i++)
    g_string_append_printf (s, "%s%d", i ? ", " : "", GPOINTER_TO_INT (gtkloop_queue_get_nowait (lifo, NULL)));
  test_print (test_current, "%s]", s->str);

  test_print (test_current, "-- priority");
  g_string_assign (s, "[");
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    gtkloop_queue_put_nowait (prio, (gpointer) &entries[i], NULL);
  for (guint i = 0; i < G_N_ELEMENTS (entries); i++)
    g_string_append_printf (s, "%s'%s'", i ? ", " : "", ((Prio *) gtkloop_queue_get_nowait (prio, NULL))->name);
  test_print (test_current, "%s]", s->str);
  g_string_free (s, TRUE);
}

static gboolean
is_shut_down (const GError *error)
{
  return g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_QUEUE_SHUT_DOWN);
}

static void
joiner (GtkloopTask *t,
        gpointer     q)
{
  gtkloop_queue_join (q, NULL);
}

static void
shutdown (void)
{
  GtkloopQueue *q = gtkloop_queue_new (2, NULL);
  static Named c, n0, n1;
  GtkloopFuture *p, *j, *gs[2];
  GError *error = NULL;
  const char *first, *second;

  test_print (test_current, "-- shutdown");
  c = (Named) { q, "c" };
  gtkloop_queue_put_nowait (q, "a", NULL);
  gtkloop_queue_put_nowait (q, "b", NULL);
  p = test_spawn (putter, &c);
  gtkloop_sleep (0, NULL);
  gtkloop_queue_shutdown (q, FALSE);
  if (!gtkloop_await (p, &error) && is_shut_down (error))
    test_print (test_current, "blocked put: QueueShutDown");
  g_clear_error (&error);
  gtkloop_future_unref (p);
  if (!gtkloop_queue_put_nowait (q, "d", &error) && is_shut_down (error))
    test_print (test_current, "put_nowait: QueueShutDown");
  g_clear_error (&error);
  first = gtkloop_queue_get (q, NULL);
  second = gtkloop_queue_get (q, NULL);
  test_print (test_current, "get %s %s", first, second);
  gtkloop_queue_get (q, &error);
  if (is_shut_down (error))
    test_print (test_current, "get on empty: QueueShutDown");
  g_clear_error (&error);
  gtkloop_queue_unref (q);

  test_print (test_current, "-- shutdown, blocked getters");
  q = gtkloop_queue_new (0, NULL);
  n0 = (Named) { q, "g0" };
  n1 = (Named) { q, "g1" };
  gs[0] = test_spawn (getter, &n0);
  gs[1] = test_spawn (getter, &n1);
  gtkloop_sleep (0, NULL);
  gtkloop_queue_shutdown (q, FALSE);
  gtkloop_wait (gs, 2, GTKLOOP_ALL_COMPLETED, -1, NULL, NULL, NULL);
  for (int i = 0; i < 2; i++)
    {
      test_print (test_current, "getter: %s",
                  is_shut_down (gtkloop_future_get_error (gs[i])) ? "QueueShutDown" : "?");
      gtkloop_future_unref (gs[i]);
    }
  gtkloop_queue_unref (q);

  test_print (test_current, "-- shutdown immediate");
  q = gtkloop_queue_new (0, NULL);
  for (int i = 0; i < 3; i++)
    gtkloop_queue_put_nowait (q, GINT_TO_POINTER (i), NULL);
  test_print (test_current, "got %d", GPOINTER_TO_INT (gtkloop_queue_get (q, NULL)));
  j = test_spawn (joiner, q);
  gtkloop_sleep (0, NULL);
  gtkloop_queue_shutdown (q, TRUE);
  test_print (test_current, "size %u", gtkloop_queue_size (q));
  gtkloop_queue_get_nowait (q, &error);
  if (is_shut_down (error))
    test_print (test_current, "get_nowait: QueueShutDown");
  g_clear_error (&error);
  gtkloop_sleep (0, NULL);
  test_print (test_current, "join done %s", test_py_bool (gtkloop_future_is_done (j)));
  gtkloop_queue_task_done (q);
  gtkloop_await (j, NULL);
  test_print (test_current, "join returned");
  gtkloop_future_unref (j);
  gtkloop_queue_unref (q);
}

static void
twin_main (GtkloopTask *t,
           gpointer     data)
{
  producer_consumer ();
  join ();
  cancelled_getter ();
  cancelled_putter ();
  nowait_errors ();
  lifo_and_priority ();
  shutdown ();
}

static void
test_queue_matches_asyncio (void **state)
{
  TestFixture *fx = *state;

  test_run_task (twin_main, NULL);
  test_assert_matches_twin ("sync_queue", fx->out->str);
}

/* ---------------------------------------------------------------------- */
/* Ownership                                                               */

typedef struct
{
  int id;
  int handed;       /* times given to put */
  int released;     /* times item_destroy ran */
  int taken;        /* times a get returned it */
} Item;

static void
item_release (gpointer data)
{
  ((Item *) data)->released++;
}

typedef struct
{
  GtkloopQueue *q;
  Item         *items;
  int           first, n;
} Producer;

static void
producing (GtkloopTask *t,
           gpointer     data)
{
  Producer *p = data;

  for (int i = p->first; i < p->first + p->n; i++)
    {
      p->items[i].handed++;
      if (!gtkloop_queue_put (p->q, &p->items[i], NULL))
        return;
    }
}

static void
consuming (GtkloopTask *t,
           gpointer     q)
{
  for (;;)
    {
      g_autoptr(GError) error = NULL;
      Item *item = gtkloop_queue_get (q, &error);

      if (error != NULL)
        return;
      item->taken++;
      gtkloop_sleep (1, NULL);
    }
}

/* Blocked producers and consumers when the loop closes: each put that
 * fails frees its item, the queue frees what it holds when freed, and
 * nothing is freed twice. */
static void
test_every_item_released_once_on_close (void **state)
{
  TestFixture *fx = *state;
  enum { N_PRODUCERS = 4, PER_PRODUCER = 5, N = N_PRODUCERS * PER_PRODUCER };
  Item items[N] = { { 0 } };
  Producer ps[N_PRODUCERS];
  GtkloopQueue *q = gtkloop_queue_new (3, item_release);
  GtkloopTask *tasks[N_PRODUCERS + 1];
  int n_handed = 0, n_released = 0;

  for (int i = 0; i < N; i++)
    items[i].id = i;
  for (int i = 0; i < N_PRODUCERS; i++)
    {
      ps[i] = (Producer) { q, items, i * PER_PRODUCER, PER_PRODUCER };
      tasks[i] = gtkloop_loop_create_task (fx->loop, producing, &ps[i], NULL);
    }
  tasks[N_PRODUCERS] = gtkloop_loop_create_task (fx->loop, consuming, q, NULL);
  /* Let them run a little: the consumer is slower than the producers,
   * so producers end up blocked with an item each, and the queue full. */
  gtkloop_loop_call_later (fx->loop, 0.01, test_stop_loop_cb, fx->loop, NULL);
  test_run_forever (fx->loop, 5);
  assert_int_equal (gtkloop_queue_size (q), 3);
  gtkloop_loop_close (fx->loop);
  gtkloop_queue_unref (q);

  /* An item handed over is either taken by a get or released by the
   * queue, once; the blocked producers each had one in hand. */
  for (int i = 0; i < N; i++)
    {
      assert_int_equal (items[i].taken + items[i].released, items[i].handed);
      n_handed += items[i].handed;
      n_released += items[i].released;
    }
  assert_int_equal (n_handed, 1 + 3 + N_PRODUCERS);   /* taken, in the queue, in hand */
  /* While the loop closes, the consumer may still take what is queued (a
   * get that need not wait succeeds); the items in hand are freed. */
  assert_true (n_released >= N_PRODUCERS);
  for (int i = 0; i <= N_PRODUCERS; i++)
    gtkloop_task_unref (tasks[i]);
}

/* put_nowait refuses an item without taking it; put takes it always. */
static void
put_to_shut_queue (GtkloopTask *t,
                   gpointer     data)
{
  Item *items = data;
  GtkloopQueue *q = gtkloop_queue_new (1, item_release);

  g_assert (gtkloop_queue_put_nowait (q, &items[0], NULL));
  g_assert (!gtkloop_queue_put_nowait (q, &items[1], NULL));   /* full: stays ours */
  gtkloop_queue_shutdown (q, FALSE);
  g_assert (!gtkloop_queue_put (q, &items[2], NULL));           /* taken and freed */
  gtkloop_queue_shutdown (q, TRUE);                             /* frees items[0] */
  gtkloop_queue_unref (q);
}

static void
test_refused_items (void **state)
{
  TestFixture *fx = *state;
  Item items[3] = { { 0 } };
  g_autoptr(GtkloopTask) t = gtkloop_loop_create_task (fx->loop, put_to_shut_queue, items, NULL);

  assert_true (test_run_until_complete (fx->loop, GTKLOOP_FUTURE (t), NULL, 5));
  assert_int_equal (items[0].released, 1);
  assert_int_equal (items[1].released, 0);
  assert_int_equal (items[2].released, 1);
}

static void
test_task_done_too_often (void **state)
{
  g_autoptr(GtkloopQueue) q = gtkloop_queue_new (0, NULL);

  gtkloop_queue_put_nowait (q, NULL, NULL);
  assert_null (gtkloop_queue_get_nowait (q, NULL));   /* a NULL item */
  gtkloop_queue_task_done (q);
  test_criticals_begin ();
  gtkloop_queue_task_done (q);
  assert_int_equal (test_criticals_end (), 1);
  assert_non_null (strstr (test_criticals_last (), "task_done() called too many times"));
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_queue_matches_asyncio, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_every_item_released_once_on_close, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_refused_items, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_task_done_too_often, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests_name ("queue", tests, NULL, NULL);
}
