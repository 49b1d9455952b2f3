#pragma once

/* The context switch: the only code in gtkloop that changes stacks.
 *
 * A GtkloopFiberContext holds what a suspended stack needs to continue.
 * With the assembly back end that is a single word, the stack pointer: the
 * callee-saved registers are pushed onto the stack being left, so a
 * switch is a handful of instructions (~11 ns here, 3 of them for saving
 * and restoring MXCSR and the x87 control word; glibc's swapcontext takes
 * ~230 ns, most of it a sigprocmask system call). The
 * ucontext back end (meson -Dfiber-backend=ucontext) is for hosts without
 * the assembly, and for comparison.
 *
 * Either way, the part of a suspended stack that is still live is
 * [gtkloop_fiber_context_get_sp (), top): fiber.c copies exactly that when
 * it moves a fiber off a shared run stack. */

#include "config.h"

#include <string.h>

#include <glib.h>

#if !GTKLOOP_FIBER_ASM
# include <ucontext.h>
#endif

G_BEGIN_DECLS

typedef void (*GtkloopFiberEntry) (void *arg);

#if defined(__x86_64__) || defined(__aarch64__)
# define GTKLOOP_FIBER_HAVE_ASM 1

/* The assembly primitives (fiber-context-<cpu>.S). They are declared
 * whichever back end is selected, so bench/fiber-switch.c can time both in
 * one program. */
void gtkloop_fiber_asm_switch (void **save_sp,
                               void  *to_sp);
void gtkloop_fiber_asm_start  (void);   /* first return address of a fiber */

/* Lays out the first frame of a stack whose top is @top, so that switching
 * to the returned stack pointer calls entry (arg). The frame mirrors what
 * gtkloop_fiber_asm_switch () pops; see the .S files. */
static inline void *
gtkloop_fiber_asm_prepare (void             *top,
                           GtkloopFiberEntry entry,
                           void             *arg)
{
  guintptr t = (guintptr) top & ~(guintptr) 15;
#if defined(__x86_64__)
  /* 8 words popped by the switch (MXCSR+x87 CW, r15, r14, r13, r12, rbx,
   * rbp, return address), then 2 spare words so that rsp is 16-aligned
   * when the start stub calls entry. */
  guint64 *sp = (guint64 *) (t - 10 * 8);

  memset (sp, 0, 10 * 8);
  /* A fiber starts with the ABI's initial MXCSR and x87 control word, not
   * whatever rounding mode its creator happened to have. */
  sp[0] = 0x1F80 | ((guint64) 0x037F << 32);
  sp[4] = (guint64) entry;                    /* r12 */
  sp[5] = (guint64) arg;                      /* rbx */
  sp[7] = (guint64) gtkloop_fiber_asm_start;  /* return address */
  return sp;
#elif defined(__aarch64__)
  /* 22 words: x19-x30, d8-d15, fpcr, padding. */
  guint64 *sp = (guint64 *) (t - 22 * 8);

  memset (sp, 0, 22 * 8);
  sp[0] = (guint64) arg;                      /* x19 */
  sp[1] = (guint64) entry;                    /* x20 */
  sp[11] = (guint64) gtkloop_fiber_asm_start; /* x30, the link register */
  return sp;
#endif
}

#else
# define GTKLOOP_FIBER_HAVE_ASM 0
#endif

#if GTKLOOP_FIBER_ASM
# if !GTKLOOP_FIBER_HAVE_ASM
#  error "No assembly context switch for this CPU; configure with -Dfiber-backend=ucontext"
# endif

typedef struct
{
  void *sp;
} GtkloopFiberContext;

static inline void
gtkloop_fiber_context_prepare (GtkloopFiberContext *ctx,
                               void                *bottom,
                               void                *top,
                               GtkloopFiberEntry    entry,
                               void                *arg)
{
  ctx->sp = gtkloop_fiber_asm_prepare (top, entry, arg);
}

static inline void
gtkloop_fiber_context_switch (GtkloopFiberContext *from,
                              GtkloopFiberContext *to)
{
  gtkloop_fiber_asm_switch (&from->sp, to->sp);
}

static inline void *
gtkloop_fiber_context_get_sp (const GtkloopFiberContext *ctx)
{
  return ctx->sp;
}

#else /* ucontext */

typedef struct
{
  ucontext_t        uc;
  GtkloopFiberEntry entry;
  void             *arg;
  void             *sp_estimate;   /* where the CPU's mcontext is not known */
} GtkloopFiberContext;

/* makecontext () passes int arguments only, so the context's address
 * travels as two halves. */
static inline void
gtkloop_fiber_context_ucontext_start (unsigned int hi,
                                      unsigned int lo)
{
  GtkloopFiberContext *ctx = (GtkloopFiberContext *) (((guintptr) hi << 16 << 16) | lo);

  ctx->entry (ctx->arg);
  g_assert_not_reached ();   /* fiber.c switches away for good instead */
}

static inline void
gtkloop_fiber_context_prepare (GtkloopFiberContext *ctx,
                               void                *bottom,
                               void                *top,
                               GtkloopFiberEntry    entry,
                               void                *arg)
{
  guintptr self = (guintptr) ctx;

  getcontext (&ctx->uc);
  ctx->uc.uc_stack.ss_sp = bottom;
  ctx->uc.uc_stack.ss_size = (guint8 *) top - (guint8 *) bottom;
  ctx->uc.uc_link = NULL;
  ctx->entry = entry;
  ctx->arg = arg;
  makecontext (&ctx->uc, (void (*) (void)) gtkloop_fiber_context_ucontext_start, 2,
               (unsigned int) (self >> 16 >> 16), (unsigned int) self);
}

static inline void
gtkloop_fiber_context_switch (GtkloopFiberContext *from,
                              GtkloopFiberContext *to)
{
  /* Only used on CPUs whose mcontext layout is not known below: the
   * caller's frame plus swapcontext's return address fit in 1 KiB. */
  from->sp_estimate = (guint8 *) __builtin_frame_address (0) - 1024;
  swapcontext (&from->uc, &to->uc);
}

/* The saved stack pointer: nothing below it is live once swapcontext ()
 * has stored the registers in the ucontext_t (which lives in the fiber,
 * not on its stack). */
static inline void *
gtkloop_fiber_context_get_sp (const GtkloopFiberContext *ctx)
{
# if defined(__x86_64__)
  return (void *) ctx->uc.uc_mcontext.gregs[REG_RSP];
# elif defined(__aarch64__)
  return (void *) ctx->uc.uc_mcontext.sp;
# else
  return ctx->sp_estimate;
# endif
}

#endif

G_END_DECLS
