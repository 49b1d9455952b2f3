/* Fibers: a function on a stack of its own, entered with resume and left
 * with suspend. This file is the life cycle and the bookkeeping around the
 * switch; the switch itself is fiber-context-*.S, the memory stack.c.
 *
 * Every switch goes between the thread's own stack and one fiber, never
 * from fiber to fiber: resume is called from outside any fiber, suspend
 * returns there. That keeps one saved context per thread (FiberThread.ctx)
 * and makes the SHARED mode simple: when a fiber is resumed, no fiber is
 * running, so the occupant of its run stack is suspended and can be copied
 * out.
 *
 * The sanitizers must hear of every switch, or they take the new stack for
 * an overflow of the old one (ASan) or lose track of happens-before (TSan):
 * sanitizer_leave () goes right before each switch, sanitizer_arrive ()
 * right after it, on the stack that was switched to.
 *
 * ASan's detect_stack_use_after_return keeps locals in "fake frames"
 * outside the real stack and sweeps them by comparing real stack
 * addresses; fibers sharing a run stack reuse the same addresses. Each
 * fiber's fake stack is handed to ASan at every switch (and dropped when
 * the fiber finishes), and test-fiber passes with it on, but the setting
 * we run and support is gcc 12's default, detect_stack_use_after_return=0.
 *
 * TSan counts every fiber as a thread and allows 8128 at once, so a TSan
 * build cannot hold 100,000 suspended fibers.
 *
 * Valgrind knows each stack from stack.c; it needs nothing per switch. */
#include "config.h"

#include <pthread.h>

#if GTKLOOP_HAVE_ASAN
# include <sanitizer/common_interface_defs.h>
#endif
#if GTKLOOP_HAVE_TSAN
# include <stdatomic.h>
# include <sanitizer/tsan_interface.h>
#endif

#include "gtkloop/gtkloop.h"

#include "debug-private.h"
#include "fiber-context-private.h"
#include "fiber-overflow-private.h"
#include "fiber-private.h"
#include "slab-private.h"
#include "stack-private.h"

typedef enum {
  FIBER_NEW,
  FIBER_RUNNING,
  FIBER_SUSPENDED,
  FIBER_FINISHED,
} FiberState;

/* Kept small: W7 counts every byte of a suspended fiber, and every new
 * heap page is a 2.1 us page fault in W3. */
struct _GtkloopFiber
{
  GtkloopFiberContext  ctx;        /* the saved registers while not running */
  GtkloopFiberFunc     func;
  gpointer             data;
  union
  {
    GtkloopRunStack   *run;        /* SHARED: bound from first resume to finish */
    GtkloopStack      *stack;      /* GUARDED: (owned) */
  };
  GtkloopStackSave     save;       /* SHARED: (owned) frames copied off run */
  char                *name;       /* (owned) (nullable) */
  guint64              number;     /* the task's number, for "Task-N" in overflow reports */
  gconstpointer        owner;      /* the creating thread's FiberThread */
  guint8               state;      /* FiberState */
  guint8               mode;       /* GtkloopFiberStackMode */
#if GTKLOOP_HAVE_ASAN
  void                *asan_fake_stack;
#endif
#if GTKLOOP_HAVE_TSAN
  void                *tsan_fiber;
#endif
};

/* (thread-local) */
typedef struct
{
  GtkloopFiber        *current;    /* the running fiber, or NULL */
  GtkloopFiberContext  ctx;        /* the thread's own stack while a fiber runs */
  gboolean             ready;
#if GTKLOOP_HAVE_ASAN
  void                *asan_fake_stack;
  const void          *stack_bottom;
  size_t               stack_size;
#endif
#if GTKLOOP_HAVE_TSAN
  void                *tsan_fiber;
#endif
} FiberThread;

/* Every resume and suspend reads this. In the shared library the default
 * TLS model costs a __tls_get_addr () call per access, about 6 ns of a
 * 26 ns hand-off; initial-exec is a plain %fs-relative load. That model
 * takes static TLS space, which a dlopen()ed library (the Python module's
 * dependency) gets only a little of, so the ucontext back end, whose
 * FiberThread holds a whole ucontext_t, keeps the default. */
#if GTKLOOP_FIBER_ASM
# define FIBER_TLS_MODEL __attribute__ ((tls_model ("initial-exec")))
#else
# define FIBER_TLS_MODEL
#endif

static _Thread_local FiberThread fiber_thread FIBER_TLS_MODEL;

static const GtkloopStack *
fiber_stack (GtkloopFiber *self)
{
  if (self->mode == GTKLOOP_FIBER_STACK_SHARED)
    return self->run != NULL ? &self->run->stack : NULL;
  return self->stack;
}

/* Sanitizers --------------------------------------------------------------- */

/* Towards a fiber: pass fake_save = &fiber_thread.asan_fake_stack and the
 * fiber's stack. Towards the thread: the fiber's own fake_save, or NULL
 * when the fiber is finished and its fake frames can go. */
static inline void
sanitizer_leave (void       **fake_save,
                 const void  *bottom,
                 size_t       size,
                 void        *tsan_to)
{
#if GTKLOOP_HAVE_ASAN
  __sanitizer_start_switch_fiber (fake_save, bottom, size);
#endif
#if GTKLOOP_HAVE_TSAN
  __tsan_switch_to_fiber (tsan_to, 0);
#endif
  (void) fake_save;
  (void) bottom;
  (void) size;
  (void) tsan_to;
}

static inline void
sanitizer_arrive (void        *fake_stack,
                  const void **old_bottom,
                  size_t      *old_size)
{
#if GTKLOOP_HAVE_ASAN
  __sanitizer_finish_switch_fiber (fake_stack, old_bottom, old_size);
#endif
  (void) fake_stack;
  (void) old_bottom;
  (void) old_size;
}

#if GTKLOOP_HAVE_ASAN
# define FIBER_FAKE_SAVE(f)    (&(f)->asan_fake_stack)
# define FIBER_FAKE_STACK(f)   ((f)->asan_fake_stack)
# define THREAD_STACK_BOTTOM   (fiber_thread.stack_bottom)
# define THREAD_STACK_SIZE     (fiber_thread.stack_size)
# define THREAD_STACK_OUT      (&fiber_thread.stack_bottom), (&fiber_thread.stack_size)
#else
# define FIBER_FAKE_SAVE(f)    NULL
# define FIBER_FAKE_STACK(f)   NULL
# define THREAD_STACK_BOTTOM   NULL
# define THREAD_STACK_SIZE     0
# define THREAD_STACK_OUT      NULL, NULL
#endif

#if GTKLOOP_HAVE_TSAN
# define FIBER_TSAN(f)         ((f)->tsan_fiber)
# define THREAD_TSAN           (fiber_thread.tsan_fiber)
#else
# define FIBER_TSAN(f)         NULL
# define THREAD_TSAN           NULL
#endif

/* Switches ----------------------------------------------------------------- */

/* Thread stack -> fiber, and back when the fiber suspends or finishes. */
static void
switch_into (GtkloopFiber *self)
{
  const GtkloopStack *stack = fiber_stack (self);

  sanitizer_leave (FIBER_FAKE_SAVE (&fiber_thread), stack->bottom,
                   gtkloop_stack_get_size (stack), FIBER_TSAN (self));
  gtkloop_fiber_context_switch (&fiber_thread.ctx, &self->ctx);
  sanitizer_arrive (FIBER_FAKE_STACK (&fiber_thread), NULL, NULL);
}

/* Fiber -> thread stack. Returns when the fiber is resumed again. */
static void
switch_out (GtkloopFiber *self,
            void        **fake_save)
{
  sanitizer_leave (fake_save, THREAD_STACK_BOTTOM, THREAD_STACK_SIZE, THREAD_TSAN);
  gtkloop_fiber_context_switch (&self->ctx, &fiber_thread.ctx);
  sanitizer_arrive (FIBER_FAKE_STACK (self), THREAD_STACK_OUT);
}

/* The first frame on a fiber's stack: runs its function to the end, then
 * leaves the stack for good. */
static void
run_fiber_to_end (void *arg)
{
  GtkloopFiber *self = arg;

  /* Also learns the thread stack's bounds, for the switches back. */
  sanitizer_arrive (NULL, THREAD_STACK_OUT);
  self->func (self->data);
  self->state = FIBER_FINISHED;
  switch_out (self, NULL);
  g_assert_not_reached ();
}

/* SHARED: make the run stack hold this fiber's frames. A never-started
 * fiber is bound to a run stack here, for life. */
static void
shared_move_in (GtkloopFiber *self)
{
  GtkloopRunStack *run = self->run;
  GtkloopFiber *occupant;

  if (run == NULL)
    run = self->run = gtkloop_run_stack_pick ();
  occupant = run->occupant;
  if (occupant != self)
    {
      if (occupant != NULL)
        gtkloop_run_stack_copy_out (run, gtkloop_fiber_context_get_sp (&occupant->ctx),
                                    &occupant->save);
      if (self->state == FIBER_SUSPENDED)
        gtkloop_run_stack_copy_in (run, &self->save);
      run->occupant = self;
    }
  gtkloop_run_stack_touch (run);
}

/* A finished SHARED fiber leaves its run stack at once: the next fiber may
 * use it while this one waits to be freed. (A GUARDED stack goes back to
 * the cache when the fiber is freed.) */
static void
leave_run_stack (GtkloopFiber *self)
{
  gtkloop_run_stack_forget (self->run, gtkloop_fiber_context_get_sp (&self->ctx));
  self->run->occupant = NULL;
  self->run = NULL;
  gtkloop_stack_save_clear (&self->save);
}

/* Life cycle --------------------------------------------------------------- */

static gsize
fiber_stack_size (GtkloopFiber *self)
{
  if (self->mode == GTKLOOP_FIBER_STACK_SHARED)
    return GTKLOOP_STACK_DEFAULT_SIZE;
  return gtkloop_stack_get_size (self->stack);
}

/* The GtkloopOverflowLookup the overflow handler asks (async-signal-safe:
 * it only reads this thread's fiber state). */
static gboolean
overflow_lookup (const void          *addr,
                 GtkloopOverflowInfo *info)
{
  GtkloopFiber *self = fiber_thread.current;
  const GtkloopStack *stack;

  if (self == NULL)
    return FALSE;
  stack = fiber_stack (self);
  if (stack == NULL || !gtkloop_stack_guard_contains (stack, addr))
    return FALSE;

  info->name = self->name;
  info->number = self->number;
  info->size = fiber_stack_size (self);
  info->mode = self->mode == GTKLOOP_FIBER_STACK_SHARED ? "shared" : "guarded";
  return TRUE;
}

static gboolean
fiber_thread_init (GError **error)
{
  if (G_LIKELY (fiber_thread.ready))
    return TRUE;
  if (!gtkloop_fiber_overflow_init_thread (overflow_lookup, error))
    return FALSE;
#if GTKLOOP_HAVE_TSAN
  fiber_thread.tsan_fiber = __tsan_get_current_fiber ();
#endif
  fiber_thread.ready = TRUE;
  return TRUE;
}

#if GTKLOOP_HAVE_TSAN
/* TSan dies outright past 8128 threads and fibers together; failing the
 * fiber first gives the caller an error it can report. */
# define TSAN_MAX_FIBERS 8000

static atomic_int tsan_fibers;

static gboolean
tsan_fiber_reserve (GError **error)
{
  if (atomic_fetch_add (&tsan_fibers, 1) < TSAN_MAX_FIBERS)
    return TRUE;
  atomic_fetch_sub (&tsan_fibers, 1);
  g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES,
               "ThreadSanitizer allows only %d fibers at once", TSAN_MAX_FIBERS);
  return FALSE;
}
#endif

static gboolean
check_shared_size (gsize    stack_size,
                   GError **error)
{
  if (stack_size <= GTKLOOP_STACK_DEFAULT_SIZE)
    return TRUE;
  /* Failing here beats overflowing later: every SHARED fiber runs on a
   * run stack of the same, fixed size. */
  g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES,
               "A SHARED fiber has at most %u bytes of stack, not %" G_GSIZE_FORMAT
               "; use GTKLOOP_FIBER_STACK_GUARDED",
               GTKLOOP_STACK_DEFAULT_SIZE, stack_size);
  return FALSE;
}

/**
 * gtkloop_fiber_new:
 * @func: what the fiber runs
 * @data: (closure): passed to @func
 * @mode: where the fiber's stack lives
 * @stack_size: 0 for the default (256 KiB). GUARDED: rounded up to whole
 *   pages. SHARED: the run stacks' size is the limit for every fiber, and
 *   asking for more fails.
 * @error: a #GTKLOOP_ERROR_RESOURCES error when no stack can be had
 *
 * Does not start @func: the first gtkloop_fiber_resume() does.
 *
 * Returns: (transfer full) (nullable): the fiber, or %NULL
 */
GtkloopFiber *
gtkloop_fiber_new (GtkloopFiberFunc      func,
                   gpointer              data,
                   GtkloopFiberStackMode mode,
                   gsize                 stack_size,
                   GError              **error)
{
  GtkloopFiber *self;
  GtkloopStack *stack = NULL;

  g_return_val_if_fail (func != NULL, NULL);
  g_return_val_if_fail (mode == GTKLOOP_FIBER_STACK_SHARED ||
                        mode == GTKLOOP_FIBER_STACK_GUARDED, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!fiber_thread_init (error))
    return NULL;
  if (mode == GTKLOOP_FIBER_STACK_SHARED)
    {
      if (!check_shared_size (stack_size, error) || !gtkloop_run_stacks_ensure (error))
        return NULL;
    }
  else
    {
      stack = gtkloop_guarded_stack_new (stack_size, error);
      if (stack == NULL)
        return NULL;
    }
#if GTKLOOP_HAVE_TSAN
  if (!tsan_fiber_reserve (error))
    {
      g_clear_pointer (&stack, gtkloop_guarded_stack_free);
      return NULL;
    }
#endif

  self = gtkloop_slab_alloc0 (sizeof (GtkloopFiber));
  self->func = func;
  self->data = data;
  self->mode = mode;
  self->state = FIBER_NEW;
  self->stack = stack;
  self->owner = &fiber_thread;
#if GTKLOOP_HAVE_TSAN
  self->tsan_fiber = __tsan_create_fiber (0);
#endif
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_FIBERS, 1);
  return self;
}

void
gtkloop_fiber_free (GtkloopFiber *self)
{
  if (self == NULL)
    return;
  g_return_if_fail (self->state == FIBER_NEW || self->state == FIBER_FINISHED);
  g_return_if_fail (self->owner == &fiber_thread);

  if (self->mode == GTKLOOP_FIBER_STACK_GUARDED)
    gtkloop_guarded_stack_free (self->stack);
#if GTKLOOP_HAVE_TSAN
  __tsan_destroy_fiber (self->tsan_fiber);
  atomic_fetch_sub (&tsan_fibers, 1);
#endif
  g_free (self->name);
  gtkloop_slab_free (self, sizeof (GtkloopFiber));
  gtkloop_debug_counter_add (GTKLOOP_COUNTER_FIBERS, -1);
}

void
gtkloop_fiber_discard (GtkloopFiber *self)
{
  if (self == NULL)
    return;
  g_return_if_fail (self->owner == &fiber_thread);
  g_return_if_fail (self != fiber_thread.current);

  if (self->state == FIBER_SUSPENDED && self->mode == GTKLOOP_FIBER_STACK_SHARED)
    {
      if (self->run->occupant == self)
        leave_run_stack (self);
      else
        gtkloop_stack_save_clear (&self->save);
    }
  self->state = FIBER_FINISHED;
  gtkloop_fiber_free (self);
}

void
gtkloop_fiber_resume (GtkloopFiber *self)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->owner == &fiber_thread);
  g_return_if_fail (fiber_thread.current == NULL);
  g_return_if_fail (self->state == FIBER_NEW || self->state == FIBER_SUSPENDED);

  if (self->mode == GTKLOOP_FIBER_STACK_SHARED)
    shared_move_in (self);
  if (self->state == FIBER_NEW)
    {
      const GtkloopStack *stack = fiber_stack (self);

      gtkloop_fiber_context_prepare (&self->ctx, stack->bottom, stack->top, run_fiber_to_end, self);
    }
  self->state = FIBER_RUNNING;
  fiber_thread.current = self;
  switch_into (self);
  fiber_thread.current = NULL;
  if (self->state == FIBER_FINISHED && self->mode == GTKLOOP_FIBER_STACK_SHARED)
    leave_run_stack (self);
}

void
gtkloop_fiber_suspend (void)
{
  GtkloopFiber *self = fiber_thread.current;

  g_return_if_fail (self != NULL);

  self->state = FIBER_SUSPENDED;
  switch_out (self, FIBER_FAKE_SAVE (self));
}

/* Accessors ---------------------------------------------------------------- */

GtkloopFiber *
gtkloop_fiber_get_current (void)
{
  return fiber_thread.current;
}

gboolean
gtkloop_fiber_is_finished (GtkloopFiber *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->state == FIBER_FINISHED;
}

gboolean
gtkloop_fiber_is_started (GtkloopFiber *self)
{
  g_return_val_if_fail (self != NULL, FALSE);
  return self->state != FIBER_NEW;
}

gsize
gtkloop_fiber_get_stack_size (GtkloopFiber *self)
{
  g_return_val_if_fail (self != NULL, 0);
  return fiber_stack_size (self);
}

GtkloopFiberStackMode
gtkloop_fiber_get_stack_mode (GtkloopFiber *self)
{
  g_return_val_if_fail (self != NULL, GTKLOOP_FIBER_STACK_SHARED);
  return self->mode;
}

void
gtkloop_fiber_set_name (GtkloopFiber *self,
                        const char   *name)
{
  char *old;

  g_return_if_fail (self != NULL);

  /* Swap before freeing: the overflow handler may read the name at any
   * instruction. */
  old = self->name;
  self->name = g_strdup (name);
  g_free (old);
}

/* Tasks name themselves "Task-N" only when asked (formatting a name per
 * task would cost W3 a malloc); the overflow report formats it from the
 * number instead. */
void
gtkloop_fiber_set_number (GtkloopFiber *self,
                          guint64       number)
{
  g_return_if_fail (self != NULL);
  self->number = number;
}
