/* The ready queue's ring (src/ready-queue.c): FIFO order while it grows,
 * wrapped or not, through the sizes where it moves from malloc to mapped
 * pages and where mapped pages are moved with mremap. */
#include "config.h"

#include "test-util.h"

#include "ready-queue-private.h"

/* The queue only stores and returns the pointers (and prefetches them,
 * which never faults): numbers stand in for handles. */
static GtkloopHandle *
fake (guint32 i)
{
  return GUINT_TO_POINTER ((gsize) i + 1);
}

/* Pushes `n` after rotating the ring by `offset`, then pops everything
 * and checks the order. */
static void
check_growth_from (guint32 offset,
                   guint32 n)
{
  GtkloopReadyQueue q;
  guint32 next_pop = 0;

  gtkloop_ready_queue_init (&q);
  /* Move head into the middle, so that the first growth finds the ring
   * wrapped round its end. */
  for (guint32 i = 0; i < offset; i++)
    {
      gtkloop_ready_queue_push (&q, fake (i));
      assert_ptr_equal (gtkloop_ready_queue_pop (&q), fake (i));
    }
  for (guint32 i = 0; i < n; i++)
    {
      gtkloop_ready_queue_push (&q, fake (offset + i));
      /* Keep a pop going now and then, so head moves during growth too. */
      if (i % 7 == 3)
        assert_ptr_equal (gtkloop_ready_queue_pop (&q), fake (offset + next_pop++));
    }
  while (q.length > 0)
    assert_ptr_equal (gtkloop_ready_queue_pop (&q), fake (offset + next_pop++));
  assert_int_equal (next_pop, n);
  assert_null (gtkloop_ready_queue_pop (&q));
  gtkloop_ready_queue_clear (&q);
}

static void
test_fifo_small (void **state)
{
  check_growth_from (0, 1000);
  check_growth_from (200, 1000);
}

/* Past 2 MiB of pointers (262,144): mapped rings, grown with mremap. */
static void
test_fifo_through_mapped_sizes (void **state)
{
  check_growth_from (0, 1200000);
  check_growth_from (150, 1200000);
}

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_fifo_small),
    cmocka_unit_test (test_fifo_through_mapped_sizes),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
