#pragma once

/* Stacks for fibers: the memory side of the two stack modes (see
 * fiber-private.h). The overflow report is fiber-overflow-private.h.
 *
 * Every stack here is one mmap with a PROT_NONE guard region at its low end,
 * so a fiber that runs off its stack faults there and the SIGSEGV handler
 * (fiber-overflow.c) can say which fiber it was.
 *
 * SHARED mode: each thread that runs fibers owns GTKLOOP_N_RUN_STACKS run
 * stacks. A fiber is bound to one run stack from its first resume until it
 * finishes (its frames hold absolute addresses into it); many fibers share
 * each run stack, and the one whose frames are currently there is its
 * occupant. Moving another fiber's frames in means copying the occupant's
 * live part [sp, top) out to a heap buffer (GtkloopStackSave) first.
 *
 * GUARDED mode: one private mapping per fiber, kept in a small per-thread
 * cache when freed so that short-lived guarded fibers do not pay mmap,
 * mprotect and the first-touch page faults (7.7 us here) each time.
 *
 * All of this is per thread and lock-free: fibers never change threads. */

#include "config.h"

#include <glib.h>

G_BEGIN_DECLS

/* 256 KiB: GTK and Pango calls need more than 64 KiB of stack (libdex raised
 * its fiber stacks to 128 KiB after GTK crashes), and unused pages cost
 * address space only. In SHARED mode this is the limit for every fiber. */
#define GTKLOOP_STACK_DEFAULT_SIZE   (256 * 1024)
/* Enough to keep ping-pong partners, a waiting parent task and a few more
 * on stacks of their own (no copying); more only costs address space. */
#define GTKLOOP_N_RUN_STACKS         8

typedef struct
{
  guint8 *map;         /* the whole mapping; the guard region is at its start */
  gsize   map_size;
  guint8 *bottom;      /* lowest usable byte, just above the guard */
  guint8 *top;         /* one past the highest usable byte; stacks grow down */
  guint   valgrind_id;
} GtkloopStack;

static inline gsize
gtkloop_stack_get_size (const GtkloopStack *stack)
{
  return stack->top - stack->bottom;
}

static inline gboolean
gtkloop_stack_guard_contains (const GtkloopStack *stack,
                              const void         *addr)
{
  return (const guint8 *) addr >= stack->map && (const guint8 *) addr < stack->bottom;
}

/* GUARDED mode ------------------------------------------------------------ */

/* size 0: GTKLOOP_STACK_DEFAULT_SIZE; otherwise rounded up to pages.
 * NULL with GTKLOOP_ERROR_RESOURCES when the mapping fails. */
GtkloopStack *gtkloop_guarded_stack_new  (gsize          size,
                                          GError       **error);
void          gtkloop_guarded_stack_free (GtkloopStack  *stack);

/* SHARED mode ------------------------------------------------------------- */

typedef struct
{
  GtkloopStack stack;
  gpointer     occupant;    /* the fiber whose frames are on it, or NULL */
  guint64      last_used;   /* LRU tick */
} GtkloopRunStack;

/* The copied-out live part of a suspended fiber's stack. */
typedef struct
{
  guint8  *data;
  guint32  len;
  guint32  capacity;
} GtkloopStackSave;

/* Maps this thread's run stacks if that has not happened yet; FALSE with
 * GTKLOOP_ERROR_RESOURCES when it fails. */
gboolean         gtkloop_run_stacks_ensure (GError         **error);
/* For a fiber's first resume: a run stack nobody occupies if there is one,
 * else the least recently used. */
GtkloopRunStack *gtkloop_run_stack_pick    (void);
void             gtkloop_run_stack_touch   (GtkloopRunStack *run);

/* [sp, top) of @run into @save (the buffer is reused when big enough). */
void gtkloop_run_stack_copy_out (GtkloopRunStack  *run,
                                 const void       *sp,
                                 GtkloopStackSave *save);
/* @save back to the top of @run, where it came from. */
void gtkloop_run_stack_copy_in  (GtkloopRunStack  *run,
                                 GtkloopStackSave *save);
/* The live part [sp, top) is dead (its fiber finished or left). */
void gtkloop_run_stack_forget   (GtkloopRunStack  *run,
                                 const void       *sp);
void gtkloop_stack_save_clear   (GtkloopStackSave *save);

/* Copies made on this thread, for tests and the benchmark. */
typedef struct
{
  guint64 copies_out;
  guint64 copies_in;
  guint64 bytes_out;
} GtkloopRunStackStats;

void gtkloop_run_stack_get_stats (GtkloopRunStackStats *stats);

G_END_DECLS
