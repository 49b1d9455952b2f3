/* GtkloopBarrier: three parties over two rounds, abort, reset, a cancelled
 * waiter (twin: twins/barrier.py). */
#include "config.h"

#include "test-util.h"

typedef struct
{
  GtkloopBarrier *b;
  const char     *name;
  int             rounds;
} Party;

static void
party (GtkloopTask *t,
       gpointer     data)
{
  Party *p = data;

  for (int r = 0; r < p->rounds; r++)
    {
      g_autoptr(GError) error = NULL;
      guint index;

      test_print (test_current, "%s arrives, n_waiting %u",
                  p->name, gtkloop_barrier_get_n_waiting (p->b));
      if (!gtkloop_barrier_wait (p->b, &index, &error))
        {
          if (g_error_matches (error, GTKLOOP_ERROR, GTKLOOP_ERROR_BROKEN_BARRIER))
            test_print (test_current, "%s: BrokenBarrierError", p->name);
          else
            test_print (test_current, "%s cancelled, n_waiting %u",
                        p->name, gtkloop_barrier_get_n_waiting (p->b));
          return;
        }
      test_print (test_current, "%s passes with index %u", p->name, index);
    }
}

static void
twin_main (GtkloopTask *t,
           gpointer     data)
{
  GtkloopBarrier *b;
  GtkloopFuture *ts[3];
  static Party ps[3], late;   /* read by the parties while this task is suspended */

  test_print (test_current, "-- three parties, two rounds");
  b = gtkloop_barrier_new (3);
  ps[0] = (Party) { b, "A", 2 };
  ps[1] = (Party) { b, "B", 2 };
  ps[2] = (Party) { b, "C", 2 };
  for (int i = 0; i < 3; i++)
    ts[i] = test_spawn (party, &ps[i]);
  test_gather_and_unref (ts, 3);
  test_print (test_current, "n_waiting %u broken %s", gtkloop_barrier_get_n_waiting (b),
              test_py_bool (gtkloop_barrier_is_broken (b)));
  gtkloop_barrier_unref (b);

  test_print (test_current, "-- abort");
  b = gtkloop_barrier_new (3);
  ps[0] = (Party) { b, "A", 1 };
  ps[1] = (Party) { b, "B", 1 };
  ts[0] = test_spawn (party, &ps[0]);
  ts[1] = test_spawn (party, &ps[1]);
  gtkloop_sleep (0, NULL);
  gtkloop_barrier_abort (b, NULL);
  test_gather_and_unref (ts, 2);
  test_print (test_current, "broken %s", test_py_bool (gtkloop_barrier_is_broken (b)));
  late = (Party) { b, "late", 1 };
  party (t, &late);
  gtkloop_barrier_unref (b);

  test_print (test_current, "-- reset");
  b = gtkloop_barrier_new (2);
  ps[0] = (Party) { b, "A", 1 };
  ts[0] = test_spawn (party, &ps[0]);
  gtkloop_sleep (0, NULL);
  gtkloop_barrier_reset (b, NULL);
  gtkloop_await (ts[0], NULL);
  gtkloop_future_unref (ts[0]);
  test_print (test_current, "broken %s n_waiting %u", test_py_bool (gtkloop_barrier_is_broken (b)),
              gtkloop_barrier_get_n_waiting (b));
  ps[1] = (Party) { b, "B", 1 };
  ps[2] = (Party) { b, "C", 1 };
  ts[0] = test_spawn (party, &ps[1]);
  ts[1] = test_spawn (party, &ps[2]);
  test_gather_and_unref (ts, 2);
  gtkloop_barrier_unref (b);

  test_print (test_current, "-- a waiter is cancelled");
  b = gtkloop_barrier_new (2);
  ps[0] = (Party) { b, "A", 1 };
  ts[0] = test_spawn (party, &ps[0]);
  gtkloop_sleep (0, NULL);
  test_print (test_current, "n_waiting %u", gtkloop_barrier_get_n_waiting (b));
  gtkloop_future_cancel (ts[0], NULL);
  test_gather_and_unref (ts, 1);
  test_print (test_current, "n_waiting %u", gtkloop_barrier_get_n_waiting (b));
  ps[1] = (Party) { b, "B", 1 };
  ps[2] = (Party) { b, "C", 1 };
  ts[0] = test_spawn (party, &ps[1]);
  ts[1] = test_spawn (party, &ps[2]);
  test_gather_and_unref (ts, 2);
  gtkloop_barrier_unref (b);
}

static void
test_barrier_matches_asyncio (void **state)
{
  TestFixture *fx = *state;

  test_run_task (twin_main, NULL);
  test_assert_matches_twin ("barrier", fx->out->str);
}

/* With one party, wait never blocks: every call passes with index 0. */
static void
alone (GtkloopTask *t,
       gpointer     data)
{
  g_autoptr(GtkloopBarrier) b = gtkloop_barrier_new (1);
  guint index = 99;

  for (int i = 0; i < 3; i++)
    if (!gtkloop_barrier_wait (b, &index, NULL) || index != 0)
      return;
  *(gboolean *) data = gtkloop_barrier_get_parties (b) == 1;
}

static void
test_single_party (void **state)
{
  TestFixture *fx = *state;
  gboolean ok = FALSE;
  g_autoptr(GtkloopTask) t = gtkloop_loop_create_task (fx->loop, alone, &ok, NULL);

  test_run_until_complete (fx->loop, GTKLOOP_FUTURE (t), NULL, 5);
  assert_true (ok);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup_teardown (test_barrier_matches_asyncio, test_fixture_setup, test_fixture_teardown),
    cmocka_unit_test_setup_teardown (test_single_party, test_fixture_setup, test_fixture_teardown),
  };

  return cmocka_run_group_tests_name ("barrier", tests, NULL, NULL);
}
