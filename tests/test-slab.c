/* The block heaps behind tasks, futures and fibers (src/slab.c): size
 * classes, reuse, blocks freed on other threads, heaps left by threads
 * that exited, giving empty arenas back, and what the sanitizers see. */
#include "config.h"

#include <pthread.h>

#include "test-util.h"

#include "slab-private.h"

#if GTKLOOP_HAVE_ASAN
# include <sanitizer/asan_interface.h>
#endif

/* Each test uses a size class of its own, so that blocks other tests left
 * on a free list do not answer its allocations (test_blocks_do_not_overlap,
 * which uses them all, runs last). */

static void
test_block_sizes (void **state)
{
  assert_int_equal (gtkloop_slab_block_size (1), 32);
  assert_int_equal (gtkloop_slab_block_size (32), 32);
  assert_int_equal (gtkloop_slab_block_size (33), 64);
  assert_int_equal (gtkloop_slab_block_size (240), 256);
  assert_int_equal (gtkloop_slab_block_size (GTKLOOP_SLAB_MAX_BLOCK), GTKLOOP_SLAB_MAX_BLOCK);
  /* Beyond the classes, g_malloc's own size. */
  assert_int_equal (gtkloop_slab_block_size (GTKLOOP_SLAB_MAX_BLOCK + 1), GTKLOOP_SLAB_MAX_BLOCK + 1);
}

static void
test_reuse_and_zeroing (void **state)
{
  guint8 *a = gtkloop_slab_alloc (100);
  guint8 *b;

  memset (a, 0xab, 100);
  gtkloop_slab_free (a, 100);
  /* Same class (97..128 bytes), same thread: the block just freed. */
  b = gtkloop_slab_alloc0 (120);
  assert_ptr_equal (b, a);
  for (int i = 0; i < 120; i++)
    assert_int_equal (b[i], 0);
  gtkloop_slab_free (b, 120);
}

static void
test_blocks_do_not_overlap (void **state)
{
  enum { N = 20000 };
  guint8 **blocks = g_new (guint8 *, N);
  gsize *sizes = g_new (gsize, N);
  GRand *rand = g_rand_new_with_seed (7);

  /* Far more than one 2 MiB arena, in every class and beyond. */
  for (int i = 0; i < N; i++)
    {
      sizes[i] = g_rand_int_range (rand, 1, GTKLOOP_SLAB_MAX_BLOCK + 200);
      blocks[i] = gtkloop_slab_alloc (sizes[i]);
      assert_int_equal ((guintptr) blocks[i] % 8, 0);
      /* Whole-line blocks start on a line (no false sharing between
       * neighbours handed to different threads). */
      if (sizes[i] <= GTKLOOP_SLAB_MAX_BLOCK && gtkloop_slab_block_size (sizes[i]) % 64 == 0)
        assert_int_equal ((guintptr) blocks[i] % 64, 0);
      memset (blocks[i], i & 0xff, sizes[i]);
    }
  for (int i = 0; i < N; i++)
    {
      assert_int_equal (blocks[i][0], i & 0xff);
      assert_int_equal (blocks[i][sizes[i] - 1], i & 0xff);
      assert_int_equal (blocks[i][sizes[i] / 2], i & 0xff);
    }
  for (int i = 0; i < N; i++)
    gtkloop_slab_free (blocks[i], sizes[i]);
  g_rand_free (rand);
  g_free (sizes);
  g_free (blocks);
}

static gpointer
free_block_thread (gpointer block)
{
  gtkloop_slab_free (block, 1000);
  return NULL;
}

static void
test_freed_on_another_thread (void **state)
{
  guint8 *a = gtkloop_slab_alloc (1000);
  guint8 *b;

  /* The block goes back to this thread's heap, through its remote list:
   * the next allocation of its class finds it there. */
  g_thread_join (g_thread_new ("free", free_block_thread, a));
  b = gtkloop_slab_alloc (1010);   /* the same class: 993..1024 bytes */
  assert_ptr_equal (b, a);
  gtkloop_slab_free (b, 1010);
}

typedef struct
{
  gsize    size;
  gboolean free_it;
  guint8  *block;
} ThreadAlloc;

static gpointer
alloc_block_thread (gpointer data)
{
  ThreadAlloc *t = data;

  t->block = gtkloop_slab_alloc (t->size);
  memset (t->block, 0x5a, t->size);
  if (t->free_it)
    gtkloop_slab_free (t->block, t->size);
  return NULL;
}

static void
test_exited_threads_heap_is_adopted (void **state)
{
  ThreadAlloc first = { .size = 1500, .free_it = TRUE };
  ThreadAlloc second = { .size = 1500, .free_it = TRUE };

  /* The first thread's heap, with the block on its free list, outlives it
   * and goes to the next thread that allocates. */
  g_thread_join (g_thread_new ("first", alloc_block_thread, &first));
  g_thread_join (g_thread_new ("second", alloc_block_thread, &second));
  assert_ptr_equal (second.block, first.block);
}

static void
test_freed_after_its_thread_exited (void **state)
{
  ThreadAlloc first = { .size = 1800, .free_it = FALSE };
  ThreadAlloc second = { .size = 1800, .free_it = TRUE };

  g_thread_join (g_thread_new ("first", alloc_block_thread, &first));
  assert_int_equal (first.block[1799], 0x5a);   /* still ours to use */
  gtkloop_slab_free (first.block, 1800);        /* into the orphaned heap */
  g_thread_join (g_thread_new ("second", alloc_block_thread, &second));
  assert_ptr_equal (second.block, first.block);
}

/* Blocks handed around a ring of threads, each freed by the next one:
 * every block crosses threads (ThreadSanitizer watches the remote lists).
 * The mailboxes use pthread, which ThreadSanitizer sees (GAsyncQueue's
 * locks are inside an uninstrumented GLib). */
enum { RING = 4, PER_THREAD = 20000 };

typedef struct
{
  pthread_mutex_t lock;
  pthread_cond_t  cond;
  GQueue          blocks;
} Mailbox;

typedef struct
{
  Mailbox inbox[RING];
  int     corrupt;   /* (atomic) */
} Ring;

typedef struct
{
  Ring *ring;
  int   index;
} RingMember;

static void
mailbox_push (Mailbox *box,
              gpointer block)
{
  pthread_mutex_lock (&box->lock);
  g_queue_push_tail (&box->blocks, block);
  pthread_cond_signal (&box->cond);
  pthread_mutex_unlock (&box->lock);
}

static gpointer
mailbox_pop (Mailbox *box)
{
  gpointer block;

  pthread_mutex_lock (&box->lock);
  while (g_queue_is_empty (&box->blocks))
    pthread_cond_wait (&box->cond, &box->lock);
  block = g_queue_pop_head (&box->blocks);
  pthread_mutex_unlock (&box->lock);
  return block;
}

static gpointer
ring_thread (gpointer data)
{
  RingMember *m = data;
  Mailbox *next = &m->ring->inbox[(m->index + 1) % RING];
  GRand *rand = g_rand_new_with_seed (m->index);

  for (int i = 0; i < PER_THREAD; i++)
    {
      gsize size = g_rand_int_range (rand, 9, 700);
      guint8 *block = gtkloop_slab_alloc (size);
      guint8 *received;

      /* Size in the first word, the pattern after it. */
      memcpy (block, &size, sizeof size);
      memset (block + sizeof size, m->index + 1, size - sizeof size);
      mailbox_push (next, block);

      received = mailbox_pop (&m->ring->inbox[m->index]);
      memcpy (&size, received, sizeof size);
      for (gsize k = sizeof size; k < size; k++)
        if (received[k] != received[sizeof size])
          {
            g_atomic_int_inc (&m->ring->corrupt);
            break;
          }
      gtkloop_slab_free (received, size);
    }
  g_rand_free (rand);
  return NULL;
}

static void
test_blocks_cross_threads (void **state)
{
  Ring ring = { 0 };
  RingMember members[RING];
  GThread *threads[RING];

  for (int i = 0; i < RING; i++)
    {
      pthread_mutex_init (&ring.inbox[i].lock, NULL);
      pthread_cond_init (&ring.inbox[i].cond, NULL);
      g_queue_init (&ring.inbox[i].blocks);
    }
  for (int i = 0; i < RING; i++)
    {
      members[i] = (RingMember) { &ring, i };
      threads[i] = g_thread_new ("ring", ring_thread, &members[i]);
    }
  for (int i = 0; i < RING; i++)
    g_thread_join (threads[i]);
  assert_int_equal (g_atomic_int_get (&ring.corrupt), 0);
  for (int i = 0; i < RING; i++)
    {
      assert_true (g_queue_is_empty (&ring.inbox[i].blocks));
      pthread_cond_destroy (&ring.inbox[i].cond);
      pthread_mutex_destroy (&ring.inbox[i].lock);
    }
}

/* Giving arenas back: enough blocks of 1,900 bytes (class 1889..1920) for
 * about 23 arenas. */
enum { TRIM_N = 25000, TRIM_SIZE = 1900 };

static guint
heap_arenas (void)
{
  GtkloopSlabStats stats;

  gtkloop_slab_get_stats (&stats);
  return stats.n_arenas;
}

static guint8 **
alloc_trim_blocks (void)
{
  guint8 **blocks = g_new (guint8 *, TRIM_N);

  for (int i = 0; i < TRIM_N; i++)
    {
      blocks[i] = gtkloop_slab_alloc (TRIM_SIZE);
      memset (blocks[i], i & 0xff, TRIM_SIZE);
    }
  return blocks;
}

static void
test_trim_gives_back_empty_arenas (void **state)
{
  guint8 **blocks;
  guint8 *kept;
  guint before, peak, after;

  gtkloop_slab_free (gtkloop_slab_alloc (TRIM_SIZE), TRIM_SIZE);   /* this thread has a heap */
  before = heap_arenas ();
  blocks = alloc_trim_blocks ();
  peak = heap_arenas ();
  assert_true (peak >= before + 20);

  /* One block stays live in the middle: its arena stays whole. */
  kept = blocks[TRIM_N / 2];
  for (int i = 0; i < TRIM_N; i++)
    if (blocks[i] != kept)
      gtkloop_slab_free (blocks[i], TRIM_SIZE);
  gtkloop_slab_trim ();
  after = heap_arenas ();
  assert_true (after <= before + GTKLOOP_SLAB_RESERVE_ARENAS + 1);
  for (int i = 0; i < TRIM_SIZE; i++)   /* its arena is still mapped */
    assert_int_equal (kept[i], (TRIM_N / 2) & 0xff);

  /* Once it is freed, a second trim lets its arena go too, if the
   * reserve is full. */
  gtkloop_slab_free (kept, TRIM_SIZE);
  gtkloop_slab_trim ();
  assert_true (heap_arenas () <= before + GTKLOOP_SLAB_RESERVE_ARENAS);
  g_free (blocks);

  /* What is left still hands out sound blocks, and more arenas come when
   * they are needed. */
  blocks = alloc_trim_blocks ();
  assert_true (heap_arenas () >= before + 20);
  for (int i = 0; i < TRIM_N; i++)
    {
      assert_int_equal (blocks[i][0], i & 0xff);
      assert_int_equal (blocks[i][TRIM_SIZE - 1], i & 0xff);
    }
  for (int i = 0; i < TRIM_N; i++)
    gtkloop_slab_free (blocks[i], TRIM_SIZE);
  gtkloop_slab_trim ();
  assert_true (heap_arenas () <= before + GTKLOOP_SLAB_RESERVE_ARENAS);
  g_free (blocks);
}

/* A trim in steps, with blocks freed between the steps, some of them by
 * another thread: those were live when the trim took the free lists, so
 * their arenas stay, and nothing is handed out twice. */
typedef struct
{
  guint8 **blocks;
  int      from, to;
} FreeRange;

static gpointer
free_range_thread (gpointer data)
{
  FreeRange *r = data;

  for (int i = r->from; i < r->to; i++)
    gtkloop_slab_free (r->blocks[i], TRIM_SIZE);
  return NULL;
}

static void
test_trim_in_steps_while_blocks_are_freed (void **state)
{
  enum { FREED_FIRST = TRIM_N * 4 / 5 };   /* more than one step looks at */
  guint8 **blocks = alloc_trim_blocks ();
  FreeRange remote = { blocks, (FREED_FIRST + TRIM_N) / 2, TRIM_N };
  GHashTable *late_arenas = g_hash_table_new (NULL, NULL);
  GHashTable *seen = g_hash_table_new (NULL, NULL);
  guint steps = 0;
  guint before_trim;
  guint8 **again;

  G_STATIC_ASSERT (FREED_FIRST > GTKLOOP_SLAB_TRIM_STEP_BLOCKS);
  for (int i = 0; i < FREED_FIRST; i++)
    gtkloop_slab_free (blocks[i], TRIM_SIZE);
  for (int i = FREED_FIRST; i < TRIM_N; i++)
    g_hash_table_add (late_arenas, GSIZE_TO_POINTER ((gsize) blocks[i] & ~(gsize) (2 * 1024 * 1024 - 1)));
  before_trim = heap_arenas ();
  assert_true (gtkloop_slab_trim_step ());
  /* Freed while the trim is under way: here and on another thread. */
  for (int i = FREED_FIRST; i < remote.from; i++)
    gtkloop_slab_free (blocks[i], TRIM_SIZE);
  g_thread_join (g_thread_new ("free", free_range_thread, &remote));
  while (gtkloop_slab_trim_step ())
    steps++;
  assert_true (steps > 0);
  /* The arenas of the first blocks went (but the reserve); those of the
   * blocks freed late stayed. */
  assert_true (heap_arenas () >= g_hash_table_size (late_arenas));
  assert_true (heap_arenas () + 10 <= before_trim);

  /* Every block freed is handed out again once, none twice. */
  again = g_new (guint8 *, TRIM_N);
  for (int i = 0; i < TRIM_N; i++)
    {
      again[i] = gtkloop_slab_alloc (TRIM_SIZE);
      assert_false (g_hash_table_contains (seen, again[i]));
      g_hash_table_add (seen, again[i]);
      memset (again[i], 0x77, TRIM_SIZE);
    }
  for (int i = 0; i < TRIM_N; i++)
    gtkloop_slab_free (again[i], TRIM_SIZE);
  gtkloop_slab_trim ();
  g_hash_table_unref (seen);
  g_hash_table_unref (late_arenas);
  g_free (again);
  g_free (blocks);
}

/* A thread that exits trims its heap: the next thread adopts it with no
 * more than the reserve of empty arenas (nothing else in this program
 * keeps blocks alive). */
static gpointer
burst_and_exit_thread (gpointer data)
{
  guint8 **blocks = alloc_trim_blocks ();

  *(guint *) data = heap_arenas ();
  for (int i = 0; i < TRIM_N; i++)
    gtkloop_slab_free (blocks[i], TRIM_SIZE);
  g_free (blocks);
  return NULL;
}

static gpointer
adopt_thread (gpointer data)
{
  gtkloop_slab_free (gtkloop_slab_alloc (TRIM_SIZE), TRIM_SIZE);
  *(guint *) data = heap_arenas ();
  return NULL;
}

static void
test_exiting_thread_trims_its_heap (void **state)
{
  guint peak = 0, adopted = 0;

  g_thread_join (g_thread_new ("burst", burst_and_exit_thread, &peak));
  g_thread_join (g_thread_new ("adopt", adopt_thread, &adopted));
  assert_true (peak >= 20);
  assert_true (adopted <= GTKLOOP_SLAB_RESERVE_ARENAS);
}

#if GTKLOOP_HAVE_ASAN
/* A freed block is poisoned as a freed malloc block would be, all but the
 * link word; a live one is not. */
static void
test_asan_sees_freed_blocks (void **state)
{
  guint8 *a = gtkloop_slab_alloc (200);

  assert_false (__asan_region_is_poisoned (a, 200));
  gtkloop_slab_free (a, 200);
  assert_true (__asan_address_is_poisoned (a + 8));
  assert_true (__asan_address_is_poisoned (a + 199));
  a = gtkloop_slab_alloc (200);
  assert_false (__asan_region_is_poisoned (a, 200));
  gtkloop_slab_free (a, 200);
}
#endif

int
main (void)
{
  const struct CMUnitTest tests[] = {
    cmocka_unit_test (test_block_sizes),
    cmocka_unit_test (test_reuse_and_zeroing),
    cmocka_unit_test (test_freed_on_another_thread),
    cmocka_unit_test (test_exited_threads_heap_is_adopted),
    cmocka_unit_test (test_freed_after_its_thread_exited),
    cmocka_unit_test (test_blocks_cross_threads),
    cmocka_unit_test (test_trim_gives_back_empty_arenas),
    cmocka_unit_test (test_trim_in_steps_while_blocks_are_freed),
    cmocka_unit_test (test_exiting_thread_trims_its_heap),
#if GTKLOOP_HAVE_ASAN
    cmocka_unit_test (test_asan_sees_freed_blocks),
#endif
    cmocka_unit_test (test_blocks_do_not_overlap),
  };

  return cmocka_run_group_tests (tests, NULL, NULL);
}
