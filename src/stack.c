/* Fiber stacks: mappings with a guard region, the per-thread pool of
 * shared run stacks, and the copies that let many suspended fibers share
 * them. See stack-private.h for the two modes.
 *
 * Sanitizers and Valgrind see the copies as ordinary memory traffic, so
 * each copy first tells them what the bytes are: ASan keeps redzone shadow
 * for the frames of whichever fiber last ran on a run stack, which would
 * make memcpy () report a perfectly valid copy; Memcheck marks the memory
 * below a stack pointer that moved up as inaccessible, which is where a
 * deeper fiber's frames are copied back in. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if GTKLOOP_HAVE_ASAN
# include <sanitizer/asan_interface.h>
#endif
#if GTKLOOP_HAVE_VALGRIND
# include <valgrind/memcheck.h>
# include <valgrind/valgrind.h>
#endif

#include "gtkloop/gtkloop.h"

#include "stack-private.h"
#include "slab-private.h"

/* PROT_NONE below every stack. One page would catch a fiber that touches
 * its stack page by page, but a frame with a large local array can step
 * over a page, and the run stacks sit next to each other in one mapping:
 * a wider guard keeps such a fiber from landing in its neighbour's frames.
 * It costs address space only. */
#define GUARD_SIZE             (64 * 1024)
/* Freed default-size GUARDED stacks kept per thread for reuse. */
#define GUARDED_CACHE_SIZE     16

typedef struct
{
  GtkloopRunStack       run[GTKLOOP_N_RUN_STACKS];
  guint8               *run_map;
  gsize                 run_map_size;
  guint64               tick;
  GtkloopStack         *cache[GUARDED_CACHE_SIZE];   /* (owned) */
  guint                 n_cached;
  GtkloopRunStackStats  stats;
} StackThread;

/* initial-exec: read on every SHARED resume; one pointer of static TLS
 * (see fiber.c's fiber_thread). */
static _Thread_local StackThread *stack_thread   /* (owned) by stack_key */
  __attribute__ ((tls_model ("initial-exec")));
static pthread_key_t stack_key;
static pthread_once_t stack_key_once = PTHREAD_ONCE_INIT;

static gsize
page_size (void)
{
  static gsize size;

  if (size == 0)
    size = sysconf (_SC_PAGESIZE);
  return size;
}

static void
mark_undefined (void *addr,
                gsize len)
{
#if GTKLOOP_HAVE_ASAN
  ASAN_UNPOISON_MEMORY_REGION (addr, len);
#endif
#if GTKLOOP_HAVE_VALGRIND
  VALGRIND_MAKE_MEM_UNDEFINED (addr, len);
#endif
  (void) addr;
  (void) len;
}

static void
set_resources_error (GError    **error,
                     const char *what,
                     gsize       size,
                     int         saved_errno)
{
  g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES,
               "Could not map %s of %" G_GSIZE_FORMAT " bytes: %s",
               what, size, g_strerror (saved_errno));
}

/* Mappings ---------------------------------------------------------------- */

static void
stack_register (GtkloopStack *stack,
                guint8       *map,
                gsize         map_size)
{
  stack->map = map;
  stack->map_size = map_size;
  stack->bottom = map + GUARD_SIZE;
  stack->top = map + map_size;
#if GTKLOOP_HAVE_VALGRIND
  stack->valgrind_id = VALGRIND_STACK_REGISTER (stack->bottom, stack->top);
#endif
}

static void
stack_unregister (GtkloopStack *stack)
{
#if GTKLOOP_HAVE_VALGRIND
  VALGRIND_STACK_DEREGISTER (stack->valgrind_id);
#endif
#if GTKLOOP_HAVE_ASAN
  /* Frames that never returned leave poisoned shadow behind; whatever is
   * mapped here next must not inherit it. */
  ASAN_UNPOISON_MEMORY_REGION (stack->bottom, gtkloop_stack_get_size (stack));
#endif
}

/* @n stacks of @size bytes, each with the guard below it, in one mapping:
 * one mmap, and 2 * n map entries against vm.max_map_count. */
static guint8 *
map_stacks (gsize    size,
            guint    n,
            gsize   *map_size_out,
            GError **error)
{
  gsize one = GUARD_SIZE + size;
  gsize total;
  guint8 *map;

  if (size > G_MAXSIZE - GUARD_SIZE || !g_size_checked_mul (&total, one, n))
    {
      set_resources_error (error, "a fiber stack", size, ENOMEM);
      return NULL;
    }
  map = mmap (NULL, total, PROT_READ | PROT_WRITE,
              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (map == MAP_FAILED)
    {
      set_resources_error (error, "a fiber stack", size, errno);
      return NULL;
    }
  for (guint i = 0; i < n; i++)
    if (mprotect (map + i * one, GUARD_SIZE, PROT_NONE) != 0)
      {
        int saved_errno = errno;

        munmap (map, total);
        set_resources_error (error, "a fiber stack guard", GUARD_SIZE, saved_errno);
        return NULL;
      }
  *map_size_out = total;
  return map;
}

/* Per-thread state --------------------------------------------------------- */

static void
stack_thread_free (void *data)
{
  StackThread *t = data;

  for (guint i = 0; i < t->n_cached; i++)
    {
      stack_unregister (t->cache[i]);
      munmap (t->cache[i]->map, t->cache[i]->map_size);
      g_free (t->cache[i]);
    }
  /* Fibers still suspended on these run stacks can never resume anyway:
   * a fiber belongs to the thread that created it, which is exiting. */
  if (t->run_map != NULL)
    {
      for (guint i = 0; i < GTKLOOP_N_RUN_STACKS; i++)
        stack_unregister (&t->run[i].stack);
      munmap (t->run_map, t->run_map_size);
    }
  g_free (t);
  stack_thread = NULL;
}

static void
stack_key_create (void)
{
  pthread_key_create (&stack_key, stack_thread_free);
}

static StackThread *
stack_thread_get (void)
{
  if (G_LIKELY (stack_thread != NULL))
    return stack_thread;

  pthread_once (&stack_key_once, stack_key_create);
  stack_thread = g_new0 (StackThread, 1);
  pthread_setspecific (stack_key, stack_thread);
  return stack_thread;
}

/* GUARDED ----------------------------------------------------------------- */

GtkloopStack *
gtkloop_guarded_stack_new (gsize    size,
                           GError **error)
{
  StackThread *t = stack_thread_get ();
  GtkloopStack *stack;
  gsize map_size;
  guint8 *map;

  if (size == 0)
    size = GTKLOOP_STACK_DEFAULT_SIZE;
  if (size == GTKLOOP_STACK_DEFAULT_SIZE && t->n_cached > 0)
    return t->cache[--t->n_cached];

  if (size > G_MAXSIZE - page_size ())
    {
      set_resources_error (error, "a fiber stack", size, ENOMEM);
      return NULL;
    }
  size = (size + page_size () - 1) & ~(page_size () - 1);
  map = map_stacks (size, 1, &map_size, error);
  if (map == NULL)
    return NULL;

  stack = g_new0 (GtkloopStack, 1);
  stack_register (stack, map, map_size);
  return stack;
}

void
gtkloop_guarded_stack_free (GtkloopStack *stack)
{
  StackThread *t = stack_thread_get ();

  if (gtkloop_stack_get_size (stack) == GTKLOOP_STACK_DEFAULT_SIZE &&
      t->n_cached < GUARDED_CACHE_SIZE)
    {
      mark_undefined (stack->bottom, gtkloop_stack_get_size (stack));
      t->cache[t->n_cached++] = stack;
      return;
    }
  stack_unregister (stack);
  munmap (stack->map, stack->map_size);
  g_free (stack);
}

/* SHARED ------------------------------------------------------------------ */

gboolean
gtkloop_run_stacks_ensure (GError **error)
{
  StackThread *t = stack_thread_get ();
  gsize one = GUARD_SIZE + GTKLOOP_STACK_DEFAULT_SIZE;

  if (G_LIKELY (t->run_map != NULL))
    return TRUE;

  t->run_map = map_stacks (GTKLOOP_STACK_DEFAULT_SIZE, GTKLOOP_N_RUN_STACKS,
                           &t->run_map_size, error);
  if (t->run_map == NULL)
    return FALSE;
  for (guint i = 0; i < GTKLOOP_N_RUN_STACKS; i++)
    stack_register (&t->run[i].stack, t->run_map + i * one, one);
  return TRUE;
}

/* Never-started fibers go to a free run stack first, so that two fibers
 * handing work back and forth each keep one of their own and never copy;
 * failing that, the stack whose occupant has waited longest is the one
 * least likely to be resumed next. */
GtkloopRunStack *
gtkloop_run_stack_pick (void)
{
  StackThread *t = stack_thread;
  GtkloopRunStack *lru = &t->run[0];

  for (guint i = 0; i < GTKLOOP_N_RUN_STACKS; i++)
    {
      GtkloopRunStack *run = &t->run[i];

      if (run->occupant == NULL)
        return run;
      if (run->last_used < lru->last_used)
        lru = run;
    }
  return lru;
}

void
gtkloop_run_stack_touch (GtkloopRunStack *run)
{
  run->last_used = ++stack_thread->tick;
}

void
gtkloop_run_stack_copy_out (GtkloopRunStack  *run,
                            const void       *sp,
                            GtkloopStackSave *save)
{
  guint8 *from = MAX ((guint8 *) sp, run->stack.bottom);
  gsize len = run->stack.top - from;

  g_assert (from <= run->stack.top);

  /* A block of the next 32-byte class (slab-private.h): W7 counts every
   * byte a suspended fiber keeps, and huge-page arenas spare W3 a page
   * fault per few tasks. */
  if (save->capacity < len)
    {
      /* The whole block is asked for, so that a later, deeper suspension
       * that still fits writes bytes the sanitizers know are ours. */
      gsize capacity = gtkloop_slab_block_size (len);

      gtkloop_slab_free (save->data, save->capacity);
      save->data = gtkloop_slab_alloc (capacity);
      save->capacity = (guint32) capacity;
    }
#if GTKLOOP_HAVE_ASAN
  ASAN_UNPOISON_MEMORY_REGION (from, len);
#endif
  memcpy (save->data, from, len);
  save->len = (guint32) len;
  stack_thread->stats.copies_out++;
  stack_thread->stats.bytes_out += len;
}

void
gtkloop_run_stack_copy_in (GtkloopRunStack  *run,
                           GtkloopStackSave *save)
{
  guint8 *to = run->stack.top - save->len;
  /* glibc's swapcontext () resumes by pushing the return address just
   * below the restored stack pointer, memory a previous occupant may have
   * given up (Memcheck: inaccessible); 128 bytes is the red zone. */
  guint8 *below = MAX (to - 128, run->stack.bottom);

  mark_undefined (below, run->stack.top - below);
  memcpy (to, save->data, save->len);
  stack_thread->stats.copies_in++;
}

/* The next fiber's first frame goes at the top: it must find neither
 * ASan redzones nor Memcheck's "inaccessible" left there. */
void
gtkloop_run_stack_forget (GtkloopRunStack *run,
                          const void      *sp)
{
  guint8 *from = MAX ((guint8 *) sp, run->stack.bottom);

  mark_undefined (from, run->stack.top - from);
}

void
gtkloop_stack_save_clear (GtkloopStackSave *save)
{
  gtkloop_slab_free (g_steal_pointer (&save->data), save->capacity);
  save->len = 0;
  save->capacity = 0;
}

void
gtkloop_run_stack_get_stats (GtkloopRunStackStats *stats)
{
  StackThread *t = stack_thread_get ();

  *stats = t->stats;
}
