/* Stand-alone check of the assembly fiber switch (src/fiber-context-<cpu>.S)
 * and of gtkloop_fiber_asm_prepare () (src/fiber-context-private.h).
 *
 * Plain C plus a little assembly: no GLib, no cmocka, so it builds with only
 * a (cross) C library. tests/cross/glib.h and tests/cross/config.h stand in
 * for the real headers; build with -I tests/cross -I src, e.g.
 *
 *   aarch64-linux-gnu-gcc -O2 -I tests/cross -I src \
 *       tests/cross/fiber-switch-check.c src/fiber-context-aarch64.S -o check
 *   qemu-aarch64 -L /usr/aarch64-linux-gnu ./check
 *
 * or just run scripts/check-aarch64.sh, which does that for aarch64 and for
 * the native x86_64 switch.
 *
 * Checks:
 *   (a) a fresh fiber runs entry (arg) with the right argument, on its stack
 *   (b) ping-pong main <-> two fibers, and a ring main -> P -> Q -> main
 *   (c) every callee-saved register survives a switch, in both directions
 *   (d) the FP control register (FPCR; MXCSR and x87 CW on x86_64) is per
 *       fiber, and a fresh fiber starts with the ABI default
 *   (e) the stack is 16-byte aligned in the entry and in what it calls
 *   (f) deep recursion and floating point on a fiber stack
 *   (g) nothing below a suspended fiber's saved sp is live (fiber.c relies
 *       on that when it copies [sp, top) off a shared run stack)
 *
 * Prints PASS/FAIL lines; exits 1 on any failure, 2 on a crash. */

#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fiber-context-private.h"

#if !GTKLOOP_FIBER_HAVE_ASM
# error "no assembly fiber switch for this CPU"
#endif

#if defined(__x86_64__)
# define ARCH "x86_64"
#elif defined(__aarch64__)
# define ARCH "aarch64"
#endif

#define N_PINGPONG 100000
#define N_REGS     2000
#define STACK_SIZE (1024 * 1024)
#define DEPTH      4000

/* ---- reporting ---------------------------------------------------------- */

static const char *current_test = "startup";
static int failures;
static int test_failures;

#define CHECK(cond, ...)                                            \
  do {                                                              \
    if (!(cond)) {                                                  \
      if (test_failures++ < 8) {                                    \
        printf ("  FAIL detail [%s] %s:%d: ", current_test,         \
                __FILE__, __LINE__);                                \
        printf (__VA_ARGS__);                                       \
        printf ("\n");                                              \
      }                                                             \
    }                                                               \
  } while (0)

static void
begin (const char *name)
{
  current_test = name;
  test_failures = 0;
  fflush (stdout);
}

static void
end (void)
{
  if (test_failures) {
    printf ("FAIL %s: %s (%d failed checks)\n", ARCH, current_test, test_failures);
    failures++;
  } else {
    printf ("PASS %s: %s\n", ARCH, current_test);
  }
  fflush (stdout);
}

static void
on_crash (int sig)
{
  char buf[256];
  int n = snprintf (buf, sizeof buf, "FAIL %s: %s (crashed with signal %d)\n",
                    ARCH, current_test, sig);
  if (n > 0)
    (void) !write (1, buf, (size_t) n);
  _exit (2);
}

static void
install_crash_handler (void)
{
  static char altstack[64 * 1024];
  stack_t ss = { .ss_sp = altstack, .ss_size = sizeof altstack };
  struct sigaction sa;
  int sigs[] = { SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT };

  sigaltstack (&ss, NULL);
  memset (&sa, 0, sizeof sa);
  sa.sa_handler = on_crash;
  sa.sa_flags = SA_ONSTACK;
  for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++)
    sigaction (sigs[i], &sa, NULL);
}

/* ---- assembly helpers ---------------------------------------------------- */

/* The stack pointer as it was at the call instruction that called this: the
 * ABI requires it to be 16-byte aligned there, on both CPUs. */
uintptr_t sp_at_call (void);

/* Sets every callee-saved register to seed-derived values, calls
 * gtkloop_fiber_asm_switch (save_sp, to_sp) and, once switched back,
 * stores what the registers hold into out[] (layout below), then restores
 * the caller's registers and returns.
 *
 * out[13] = sp before the call, out[14] = sp after it
 * aarch64: out[0..9] = x19..x28 (expect seed+19..seed+28),
 *          out[10] = x29 (seed+29), out[11] = x30 after the return,
 *          out[12] = the return address (x30 must equal it),
 *          out[15..22] = d8..d15 bits (seed+108..seed+115)
 * x86_64:  out[0] = rbx (seed+1), out[1] = rbp (seed+2),
 *          out[2..5] = r12..r15 (seed+12..seed+15) */
void regs_switch (void **save_sp, void *to_sp, uint64_t seed, uint64_t *out);

#if defined(__aarch64__)
__asm__ (
  "        .text\n"
  "        .p2align 4\n"
  "        .globl sp_at_call\n"
  "        .hidden sp_at_call\n"
  "        .type sp_at_call, %function\n"
  "sp_at_call:\n"
  "        mov     x0, sp\n"
  "        ret\n"
  "        .size sp_at_call, .-sp_at_call\n"
  "        .p2align 4\n"
  "        .globl regs_switch\n"
  "        .hidden regs_switch\n"
  "        .type regs_switch, %function\n"
  "regs_switch:\n"
  "        stp     x29, x30, [sp, #-176]!\n"
  "        stp     x19, x20, [sp, #16]\n"
  "        stp     x21, x22, [sp, #32]\n"
  "        stp     x23, x24, [sp, #48]\n"
  "        stp     x25, x26, [sp, #64]\n"
  "        stp     x27, x28, [sp, #80]\n"
  "        stp     d8, d9, [sp, #96]\n"
  "        stp     d10, d11, [sp, #112]\n"
  "        stp     d12, d13, [sp, #128]\n"
  "        stp     d14, d15, [sp, #144]\n"
  "        str     x3, [sp, #160]\n"
  "        mov     x9, sp\n"
  "        str     x9, [x3, #104]\n"
  "        add     x19, x2, #19\n"
  "        add     x20, x2, #20\n"
  "        add     x21, x2, #21\n"
  "        add     x22, x2, #22\n"
  "        add     x23, x2, #23\n"
  "        add     x24, x2, #24\n"
  "        add     x25, x2, #25\n"
  "        add     x26, x2, #26\n"
  "        add     x27, x2, #27\n"
  "        add     x28, x2, #28\n"
  "        add     x29, x2, #29\n"
  "        add     x9, x2, #108\n"
  "        fmov    d8, x9\n"
  "        add     x9, x2, #109\n"
  "        fmov    d9, x9\n"
  "        add     x9, x2, #110\n"
  "        fmov    d10, x9\n"
  "        add     x9, x2, #111\n"
  "        fmov    d11, x9\n"
  "        add     x9, x2, #112\n"
  "        fmov    d12, x9\n"
  "        add     x9, x2, #113\n"
  "        fmov    d13, x9\n"
  "        add     x9, x2, #114\n"
  "        fmov    d14, x9\n"
  "        add     x9, x2, #115\n"
  "        fmov    d15, x9\n"
  "        bl      gtkloop_fiber_asm_switch\n"
  "1:      ldr     x9, [sp, #160]\n"
  "        stp     x19, x20, [x9, #0]\n"
  "        stp     x21, x22, [x9, #16]\n"
  "        stp     x23, x24, [x9, #32]\n"
  "        stp     x25, x26, [x9, #48]\n"
  "        stp     x27, x28, [x9, #64]\n"
  "        stp     x29, x30, [x9, #80]\n"
  "        adr     x10, 1b\n"
  "        str     x10, [x9, #96]\n"
  "        mov     x10, sp\n"
  "        str     x10, [x9, #112]\n"
  "        stp     d8, d9, [x9, #120]\n"
  "        stp     d10, d11, [x9, #136]\n"
  "        stp     d12, d13, [x9, #152]\n"
  "        stp     d14, d15, [x9, #168]\n"
  "        ldp     x19, x20, [sp, #16]\n"
  "        ldp     x21, x22, [sp, #32]\n"
  "        ldp     x23, x24, [sp, #48]\n"
  "        ldp     x25, x26, [sp, #64]\n"
  "        ldp     x27, x28, [sp, #80]\n"
  "        ldp     d8, d9, [sp, #96]\n"
  "        ldp     d10, d11, [sp, #112]\n"
  "        ldp     d12, d13, [sp, #128]\n"
  "        ldp     d14, d15, [sp, #144]\n"
  "        ldp     x29, x30, [sp], #176\n"
  "        ret\n"
  "        .size regs_switch, .-regs_switch\n");
#elif defined(__x86_64__)
__asm__ (
  "        .text\n"
  "        .p2align 4\n"
  "        .globl sp_at_call\n"
  "        .hidden sp_at_call\n"
  "        .type sp_at_call, @function\n"
  "sp_at_call:\n"
  "        leaq    8(%rsp), %rax\n"
  "        ret\n"
  "        .size sp_at_call, .-sp_at_call\n"
  "        .p2align 4\n"
  "        .globl regs_switch\n"
  "        .hidden regs_switch\n"
  "        .type regs_switch, @function\n"
  "regs_switch:\n"
  "        pushq   %rbp\n"
  "        pushq   %rbx\n"
  "        pushq   %r12\n"
  "        pushq   %r13\n"
  "        pushq   %r14\n"
  "        pushq   %r15\n"
  "        pushq   %rcx\n"                 /* out; rsp is now 16-aligned */
  "        movq    %rsp, 104(%rcx)\n"
  "        leaq    1(%rdx), %rbx\n"
  "        leaq    2(%rdx), %rbp\n"
  "        leaq    12(%rdx), %r12\n"
  "        leaq    13(%rdx), %r13\n"
  "        leaq    14(%rdx), %r14\n"
  "        leaq    15(%rdx), %r15\n"
  "        call    gtkloop_fiber_asm_switch\n"
  "        movq    (%rsp), %rcx\n"
  "        movq    %rbx, 0(%rcx)\n"
  "        movq    %rbp, 8(%rcx)\n"
  "        movq    %r12, 16(%rcx)\n"
  "        movq    %r13, 24(%rcx)\n"
  "        movq    %r14, 32(%rcx)\n"
  "        movq    %r15, 40(%rcx)\n"
  "        movq    %rsp, 112(%rcx)\n"
  "        popq    %rcx\n"
  "        popq    %r15\n"
  "        popq    %r14\n"
  "        popq    %r13\n"
  "        popq    %r12\n"
  "        popq    %rbx\n"
  "        popq    %rbp\n"
  "        ret\n"
  "        .size regs_switch, .-regs_switch\n");
#endif

static int
check_regs (const uint64_t *out, uint64_t seed, const char *side)
{
  int bad = 0;

#define REG(idx, name, want)                                                \
  do {                                                                      \
    if (out[idx] != (uint64_t) (want)) {                                    \
      bad++;                                                                \
      CHECK (0, "%s: %s = 0x%016llx, want 0x%016llx", side, name,           \
             (unsigned long long) out[idx], (unsigned long long) (want));   \
    }                                                                       \
  } while (0)

#if defined(__aarch64__)
  static const char *const xn[] = { "x19", "x20", "x21", "x22", "x23", "x24",
                                    "x25", "x26", "x27", "x28", "x29/fp" };
  static const char *const dn[] = { "d8", "d9", "d10", "d11", "d12", "d13",
                                    "d14", "d15" };
  for (int i = 0; i <= 10; i++)
    REG (i, xn[i], seed + 19 + i);
  REG (11, "x30/lr (must be the return address)", out[12]);
  for (int i = 0; i < 8; i++)
    REG (15 + i, dn[i], seed + 108 + i);
#else
  static const char *const rn[] = { "rbx", "rbp", "r12", "r13", "r14", "r15" };
  static const uint64_t off[] = { 1, 2, 12, 13, 14, 15 };
  for (int i = 0; i < 6; i++)
    REG (i, rn[i], seed + off[i]);
#endif
  REG (14, "sp", out[13]);
#undef REG
  return bad;
}

/* ---- FP control state ------------------------------------------------------
 * aarch64: FPCR. x86_64: MXCSR | x87 CW << 32, the status flags in MXCSR
 * (bits 0-5) masked off since arithmetic sets them. */

#if defined(__aarch64__)
# define FP_DEFAULT ((uint64_t) 0)                       /* Linux initial FPCR */
# define FP_UP      ((uint64_t) 1 << 22)                 /* RMode = RP */
# define FP_DOWN    (((uint64_t) 2 << 22) | (1u << 24))  /* RMode = RM, FZ */
# define FP_ZERO    (((uint64_t) 3 << 22) | (1u << 25))  /* RMode = RZ, DN */

static uint64_t
fp_get (void)
{
  uint64_t v;
  __asm__ volatile ("mrs %0, fpcr" : "=r" (v));
  return v;
}

static void
fp_set (uint64_t v)
{
  __asm__ volatile ("msr fpcr, %0" : : "r" (v) : "memory");
}
#else
# define FP_PACK(mxcsr, cw) ((uint64_t) (mxcsr) | ((uint64_t) (cw) << 32))
# define FP_DEFAULT FP_PACK (0x1F80, 0x037F)
# define FP_UP      FP_PACK (0x1F80 | (2u << 13), 0x037F | (2u << 10))
# define FP_DOWN    FP_PACK (0x1F80 | (1u << 13), 0x037F | (1u << 10))
# define FP_ZERO    FP_PACK (0x1F80 | (3u << 13), 0x037F | (3u << 10))

static uint64_t
fp_get (void)
{
  uint32_t mxcsr;
  uint16_t cw;
  __asm__ volatile ("stmxcsr %0" : "=m" (mxcsr));
  __asm__ volatile ("fnstcw %0" : "=m" (cw));
  return FP_PACK (mxcsr & ~0x3Fu, cw);
}

static void
fp_set (uint64_t v)
{
  uint32_t mxcsr = (uint32_t) v;
  uint16_t cw = (uint16_t) (v >> 32);
  __asm__ volatile ("ldmxcsr %0" : : "m" (mxcsr) : "memory");
  __asm__ volatile ("fldcw %0" : : "m" (cw) : "memory");
}
#endif

/* 1/3 in the current rounding mode, through memory so it is computed at
 * run time. On x86_64 also the x87 quotient (long double), whose rounding
 * the x87 control word decides. */
typedef struct
{
  double      d;
  long double ld;
} Third;

static Third
third (void)
{
  volatile double one = 1.0, three = 3.0;
  Third t;
  t.d = one / three;
#if defined(__x86_64__)
  volatile long double lone = 1.0L, lthree = 3.0L;
  t.ld = lone / lthree;
#else
  t.ld = 0;
#endif
  return t;
}

static int
third_eq (Third a, Third b)
{
  return memcmp (&a.d, &b.d, sizeof a.d) == 0 && a.ld == b.ld;
}

static Third third_near, third_up, third_down;

/* ---- fibers ------------------------------------------------------------- */

typedef struct
{
  void     *sp;       /* saved stack pointer while suspended */
  uint8_t  *lo;       /* lowest usable byte (above the guard page) */
  uint8_t  *top;
} Fiber;

static void *main_sp;

static void
fiber_create (Fiber *f, GtkloopFiberEntry entry, void *arg)
{
  size_t page = (size_t) sysconf (_SC_PAGESIZE);
  uint8_t *m = mmap (NULL, STACK_SIZE + page, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (m == MAP_FAILED) {
    perror ("mmap");
    exit (2);
  }
  mprotect (m, page, PROT_NONE);   /* guard */
  f->lo = m + page;
  /* A top that is not 16-aligned, as prepare () must cope with. */
  f->top = f->lo + STACK_SIZE - 8;
  f->sp = gtkloop_fiber_asm_prepare (f->top, entry, arg);
}

static void
fiber_destroy (Fiber *f)
{
  size_t page = (size_t) sysconf (_SC_PAGESIZE);
  munmap (f->lo - page, STACK_SIZE + page);
}

static void
to_fiber (Fiber *f)
{
  gtkloop_fiber_asm_switch (&main_sp, f->sp);
}

static void
to_main (Fiber *f)
{
  gtkloop_fiber_asm_switch (&f->sp, main_sp);
}

static int
on_stack (Fiber *f, uintptr_t p)
{
  return p >= (uintptr_t) f->lo && p < (uintptr_t) f->top;
}

/* (a) + (e) ---------------------------------------------------------------- */

typedef struct
{
  Fiber    *self;
  uint64_t  magic;
  int       runs;
  void     *arg_seen;
  uintptr_t sp_entry;     /* read with inline asm in the entry */
  uintptr_t sp_call[4];   /* at call sites, depth 0..3 */
  uintptr_t aligned_local[4];
} StartState;

static StartState start_state;

__attribute__((noinline)) static void
align_probe (int depth)
{
  /* 16 is the ABI's stack alignment, so the compiler does not realign for
   * this: its address is only 16-aligned if the stack is. */
  volatile __attribute__((aligned (16))) unsigned char buf[24];

  buf[0] = (unsigned char) depth;
  start_state.aligned_local[depth] = (uintptr_t) buf;
  start_state.sp_call[depth] = sp_at_call ();
  if (depth < 3)
    align_probe (depth + 1);
  __asm__ volatile ("" : : "r" (buf) : "memory");
}

static void
entry_start (void *arg)
{
  StartState *s = &start_state;
  uintptr_t sp;

#if defined(__aarch64__)
  __asm__ volatile ("mov %0, sp" : "=r" (sp));
#else
  /* At the first instruction rsp + 8 must be 16-aligned; in the body the
   * compiler keeps its own frame, so the call-site probe below is the ABI
   * check. This just records where we are. */
  __asm__ volatile ("movq %%rsp, %0" : "=r" (sp));
#endif
  s->sp_entry = sp;
  s->arg_seen = arg;
  s->runs++;
  align_probe (0);
  to_main (s->self);
  abort ();   /* never resumed */
}

static void
test_start (void)
{
  Fiber f;

  begin ("(a) fresh fiber runs entry(arg) on its own stack");
  memset (&start_state, 0, sizeof start_state);
  start_state.magic = 0x5eed5eed;
  start_state.self = &f;
  fiber_create (&f, entry_start, &start_state.magic);
  CHECK (((uintptr_t) f.sp & 15) == 0, "prepared sp %p not 16-aligned", f.sp);
  CHECK (on_stack (&f, (uintptr_t) f.sp), "prepared sp %p outside the stack", f.sp);
  to_fiber (&f);
  CHECK (start_state.runs == 1, "entry ran %d times", start_state.runs);
  CHECK (start_state.arg_seen == &start_state.magic, "entry got arg %p, want %p",
         start_state.arg_seen, (void *) &start_state.magic);
  CHECK (on_stack (&f, start_state.sp_entry), "entry ran with sp %#lx, not on the fiber stack",
         (unsigned long) start_state.sp_entry);
  end ();

  begin ("(e) sp 16-byte aligned in the entry and in the functions it calls");
#if defined(__aarch64__)
  CHECK ((start_state.sp_entry & 15) == 0, "sp in entry = %#lx",
         (unsigned long) start_state.sp_entry);
#endif
  for (int i = 0; i < 4; i++) {
    CHECK ((start_state.sp_call[i] & 15) == 0, "sp at a call, depth %d = %#lx",
           i, (unsigned long) start_state.sp_call[i]);
    CHECK ((start_state.aligned_local[i] & 15) == 0,
           "aligned(16) local at depth %d = %#lx", i,
           (unsigned long) start_state.aligned_local[i]);
    CHECK (on_stack (&f, start_state.sp_call[i]), "probe %d not on the fiber stack", i);
  }
  {
    uintptr_t s = sp_at_call ();
    CHECK ((s & 15) == 0, "main sp after switching back = %#lx", (unsigned long) s);
  }
  end ();
  fiber_destroy (&f);
}

/* (b) ------------------------------------------------------------------------ */

typedef struct
{
  Fiber        fiber;
  volatile long count;
  long         mode;      /* 0: star (back to main), 1: ring (to next) */
  void       **next_save;
  void       **next_sp;
  int          bad;
} PingFiber;

static PingFiber ping_p, ping_q;
static volatile int ping_stop;

static void
entry_ping (void *arg)
{
  PingFiber *pf = arg;
  long mine = 0;          /* lives across switches: a callee-saved register */
  double fmine = 0.0;     /* likewise, an FP one */

  for (;;) {
    pf->count++;
    mine++;
    fmine += 1.0;
    if (mine != pf->count || fmine != (double) mine)
      pf->bad++;
    if (ping_stop)
      break;
    if (pf->mode == 0)
      to_main (&pf->fiber);
    else
      gtkloop_fiber_asm_switch (&pf->fiber.sp, *pf->next_sp);
  }
  to_main (&pf->fiber);
  abort ();
}

static void
test_pingpong (void)
{
  begin ("(b) ping-pong main <-> 2 fibers, 100000 rounds each, then a 100000-round ring");
  memset (&ping_p, 0, sizeof ping_p);
  memset (&ping_q, 0, sizeof ping_q);
  ping_stop = 0;
  fiber_create (&ping_p.fiber, entry_ping, &ping_p);
  fiber_create (&ping_q.fiber, entry_ping, &ping_q);

  long local = 0;
  for (long i = 1; i <= N_PINGPONG; i++) {
    to_fiber (&ping_p.fiber);
    CHECK (ping_p.count == i, "round %ld: P count %ld", i, ping_p.count);
    to_fiber (&ping_q.fiber);
    CHECK (ping_q.count == i, "round %ld: Q count %ld", i, ping_q.count);
    local++;
    CHECK (local == i, "main's own counter %ld at round %ld", local, i);
    if (test_failures > 8)
      break;
  }

  /* Ring: main -> P -> Q -> main, switching fiber to fiber directly. */
  ping_p.mode = 1;
  ping_p.next_sp = &ping_q.fiber.sp;
  ping_q.mode = 1;
  ping_q.next_sp = &main_sp;
  for (long i = 1; i <= N_PINGPONG && test_failures <= 8; i++) {
    to_fiber (&ping_p.fiber);
    CHECK (ping_p.count == N_PINGPONG + i && ping_q.count == N_PINGPONG + i,
           "ring round %ld: P %ld Q %ld", i, ping_p.count, ping_q.count);
  }
  ping_stop = 1;
  ping_p.mode = 0;
  ping_q.mode = 0;
  to_fiber (&ping_p.fiber);
  to_fiber (&ping_q.fiber);
  CHECK (ping_p.bad == 0 && ping_q.bad == 0,
         "a fiber's locals drifted from its counter (P %d, Q %d times)",
         ping_p.bad, ping_q.bad);
  CHECK (ping_p.count == 2 * N_PINGPONG + 1, "P final count %ld", ping_p.count);
  CHECK (ping_q.count == 2 * N_PINGPONG + 1, "Q final count %ld", ping_q.count);
  end ();
  fiber_destroy (&ping_p.fiber);
  fiber_destroy (&ping_q.fiber);
}

/* (c) ------------------------------------------------------------------------ */

typedef struct
{
  Fiber    fiber;
  uint64_t out[24];
  int      bad;
  int      rounds;
} RegsFiber;

static RegsFiber regs_f;

static uint64_t
fiber_seed (int i)
{
  return 0xF1BE000000000000ull ^ ((uint64_t) i << 24) ^ 0x1000;
}

static uint64_t
main_seed (int i)
{
  return 0x3A1D000000000000ull ^ ((uint64_t) i << 20) ^ 0x2000;
}

static void
entry_regs (void *arg)
{
  RegsFiber *rf = arg;

  for (int i = 0; i < N_REGS; i++) {
    /* Back to main with our own register values loaded; main then
     * resumes us through its own regs_switch with different values. */
    regs_switch (&rf->fiber.sp, main_sp, fiber_seed (i), rf->out);
    rf->bad += check_regs (rf->out, fiber_seed (i), "fiber side");
    rf->rounds++;
  }
  to_main (&rf->fiber);
  abort ();
}

static void
test_regs (void)
{
  uint64_t out[24];

#if defined(__aarch64__)
  begin ("(c) x19-x28, x29/fp, x30/lr, sp, d8-d15 survive a switch (both directions, 2000 rounds)");
#else
  begin ("(c) rbx, rbp, r12-r15, rsp survive a switch (both directions, 2000 rounds)");
#endif
  memset (&regs_f, 0, sizeof regs_f);
  fiber_create (&regs_f.fiber, entry_regs, &regs_f);
  for (int i = 0; i < N_REGS; i++) {
    memset (out, 0, sizeof out);
    regs_switch (&main_sp, regs_f.fiber.sp, main_seed (i), out);
    check_regs (out, main_seed (i), "main side");
    if (test_failures > 8)
      break;
  }
  to_fiber (&regs_f.fiber);    /* lets the fiber check its last round */
  CHECK (regs_f.bad == 0, "fiber side saw %d bad registers", regs_f.bad);
  CHECK (regs_f.rounds == N_REGS, "fiber side ran %d rounds", regs_f.rounds);
  end ();
  fiber_destroy (&regs_f.fiber);
}

/* (d) ------------------------------------------------------------------------ */

typedef struct
{
  Fiber    fiber;
  uint64_t fresh_env;
  Third    fresh_third;
  uint64_t env_after_resume[3];
  Third    third_after_resume[3];
} FpFiber;

static FpFiber fp_a, fp_b;

static void
entry_fp (void *arg)
{
  FpFiber *ff = arg;
  uint64_t mine = (ff == &fp_a) ? FP_DOWN : FP_ZERO;

  ff->fresh_env = fp_get ();
  ff->fresh_third = third ();
  fp_set (mine);
  for (int i = 0; i < 3; i++) {
    to_main (&ff->fiber);
    ff->env_after_resume[i] = fp_get ();
    ff->third_after_resume[i] = third ();
  }
  to_main (&ff->fiber);
  abort ();
}

static void
test_fp_env (uint64_t initial_env)
{
#if defined(__aarch64__)
  begin ("(d) FPCR is per fiber (saved/restored) and a fresh fiber starts with the default FPCR");
#else
  begin ("(d) MXCSR + x87 CW are per fiber and a fresh fiber starts with 0x1F80/0x037F");
#endif
  CHECK (initial_env == FP_DEFAULT, "process started with FP control %#llx, harness assumes %#llx",
         (unsigned long long) initial_env, (unsigned long long) FP_DEFAULT);

  memset (&fp_a, 0, sizeof fp_a);
  memset (&fp_b, 0, sizeof fp_b);
  fp_set (FP_UP);        /* the creator's mode must not leak into new fibers */
  fiber_create (&fp_a.fiber, entry_fp, &fp_a);
  fiber_create (&fp_b.fiber, entry_fp, &fp_b);
  to_fiber (&fp_a.fiber);
  CHECK (fp_get () == FP_UP, "main after A's start: %#llx, want %#llx",
         (unsigned long long) fp_get (), (unsigned long long) FP_UP);
  to_fiber (&fp_b.fiber);
  CHECK (fp_get () == FP_UP, "main after B's start: %#llx, want %#llx",
         (unsigned long long) fp_get (), (unsigned long long) FP_UP);
  CHECK (third_eq (third (), third_up), "main's 1/3 not rounded up after switching back");

  CHECK (fp_a.fresh_env == FP_DEFAULT, "fresh fiber A started with %#llx, want default %#llx",
         (unsigned long long) fp_a.fresh_env, (unsigned long long) FP_DEFAULT);
  CHECK (fp_b.fresh_env == FP_DEFAULT, "fresh fiber B started with %#llx, want default %#llx",
         (unsigned long long) fp_b.fresh_env, (unsigned long long) FP_DEFAULT);
  CHECK (third_eq (fp_a.fresh_third, third_near), "fresh fiber's 1/3 not round-to-nearest");

  for (int i = 0; i < 3; i++) {
    to_fiber (&fp_a.fiber);
    CHECK (fp_get () == FP_UP, "main after A, round %d: %#llx", i,
           (unsigned long long) fp_get ());
    to_fiber (&fp_b.fiber);
    CHECK (fp_get () == FP_UP, "main after B, round %d: %#llx", i,
           (unsigned long long) fp_get ());
    CHECK (fp_a.env_after_resume[i] == FP_DOWN, "A resumed with %#llx, want %#llx",
           (unsigned long long) fp_a.env_after_resume[i], (unsigned long long) FP_DOWN);
    CHECK (fp_b.env_after_resume[i] == FP_ZERO, "B resumed with %#llx, want %#llx",
           (unsigned long long) fp_b.env_after_resume[i], (unsigned long long) FP_ZERO);
    CHECK (third_eq (fp_a.third_after_resume[i], third_down), "A's 1/3 not rounded down");
  }
  CHECK (third_eq (third (), third_up), "main's 1/3 not rounded up at the end");
  fp_set (FP_DEFAULT);
  end ();
  fiber_destroy (&fp_a.fiber);
  fiber_destroy (&fp_b.fiber);
}

/* (f) + (g) -------------------------------------------------------------------- */

typedef struct
{
  Fiber     fiber;
  int       bad_frames;
  uintptr_t deepest_sp;
  unsigned long result;
  int       suspensions;
  double    fp_result;
} DeepFiber;

static DeepFiber deep;

static void
scribble_below_sp (Fiber *f)
{
  /* Everything under the saved sp is dead while the fiber is suspended. */
  memset (f->lo, 0xA5, (size_t) ((uint8_t *) f->sp - f->lo));
}

__attribute__((noinline)) static unsigned long
recurse (int depth)
{
  volatile unsigned char buf[80];
  unsigned long r;
  unsigned sum = 0;

  for (int i = 0; i < (int) sizeof buf; i++)
    buf[i] = (unsigned char) (depth * 7 + i);
  if (depth == 0) {
    deep.deepest_sp = sp_at_call ();
    deep.suspensions++;
    to_main (&deep.fiber);
    r = 0;
  } else {
    if (depth % 500 == 0) {
      deep.suspensions++;
      to_main (&deep.fiber);
    }
    r = recurse (depth - 1);
  }
  for (int i = 0; i < (int) sizeof buf; i++)
    sum += buf[i] == (unsigned char) (depth * 7 + i);
  if (sum != sizeof buf)
    deep.bad_frames++;
  return r + (unsigned long) depth;
}

/* Ten FP accumulators live across calls (so in d8-d15 / spilled), with an
 * optional switch to main every 37 steps. Same function with and without
 * switching, so the reference is bit-identical. */
__attribute__((noinline)) static double
fp_series (int n, Fiber *switch_to_main)
{
  double a0 = 0, a1 = 1, a2 = 2, a3 = 3, a4 = 4, a5 = 5, a6 = 6, a7 = 7;
  double a8 = 0.5, a9 = 0.25;

  for (int i = 1; i <= n; i++) {
    double x = (double) i;
    a0 += x / (x + 0.5);
    a1 = a1 * 0.999 + 1.0 / x;
    a2 += a0 * 1e-6 - a1 * 1e-7;
    a3 = a3 * 0.9999 + a2 * 1e-5;
    a4 += 1.0 / (x * x);
    a5 = a5 * 0.99 + a4;
    a6 += a5 / (x + 3.0);
    a7 = a7 * 0.5 + a6 * 0.5;
    a8 += a7 / (x + 1.0);
    a9 = a9 * 0.75 + a8 * 0.25;
    if (switch_to_main && i % 37 == 0)
      to_main (switch_to_main);
  }
  return a0 + a1 + a2 + a3 + a4 + a5 + a6 + a7 + a8 + a9;
}

static void
entry_deep (void *arg)
{
  DeepFiber *df = arg;

  df->result = recurse (DEPTH);
  df->fp_result = fp_series (5000, &df->fiber);
  to_main (&df->fiber);
  abort ();
}

static void
test_deep (void)
{
  unsigned long want = (unsigned long) DEPTH * (DEPTH + 1) / 2;
  double fp_want = fp_series (5000, NULL);
  int rounds = 0;
  int scribble_ok = 1;
  double main_acc = 0.0;

  begin ("(f) deep recursion (4000 frames, switching mid-way) and FP on a fiber stack;"
         " (g) nothing below a suspended sp is live");
  memset (&deep, 0, sizeof deep);
  deep.fp_result = -1.0;
  fiber_create (&deep.fiber, entry_deep, &deep);
  while (deep.fp_result == -1.0 && rounds < 100000) {
    to_fiber (&deep.fiber);
    rounds++;
    /* Main uses the FP registers between switches too. */
    main_acc = main_acc * 0.5 + (double) rounds / 3.0;
    if (deep.fp_result == -1.0) {
      if (!on_stack (&deep.fiber, (uintptr_t) deep.fiber.sp))
        scribble_ok = 0;
      else
        scribble_below_sp (&deep.fiber);
    }
  }
  CHECK (scribble_ok, "suspended sp outside the fiber stack");
  CHECK (deep.suspensions == DEPTH / 500 + 1, "recursion suspended %d times",
         deep.suspensions);
  CHECK (deep.bad_frames == 0, "%d frames corrupted", deep.bad_frames);
  CHECK (deep.result == want, "recursion result %lu, want %lu", deep.result, want);
  CHECK ((uintptr_t) deep.fiber.top - deep.deepest_sp > (uintptr_t) DEPTH * 80,
         "recursion only used %lu bytes of stack",
         (unsigned long) ((uintptr_t) deep.fiber.top - deep.deepest_sp));
  CHECK ((deep.deepest_sp & 15) == 0, "sp at depth %d = %#lx", DEPTH,
         (unsigned long) deep.deepest_sp);
  CHECK (memcmp (&deep.fp_result, &fp_want, sizeof fp_want) == 0,
         "FP series on the fiber = %.17g, on main = %.17g", deep.fp_result, fp_want);
  {
    double again = 0.0;
    for (int i = 1; i <= rounds; i++)
      again = again * 0.5 + (double) i / 3.0;
    CHECK (again == main_acc, "main's FP accumulator drifted: %.17g vs %.17g",
           main_acc, again);
  }
  end ();
  fiber_destroy (&deep.fiber);
}

int
main (void)
{
  uint64_t initial_env = fp_get ();

  setvbuf (stdout, NULL, _IOLBF, 0);
  install_crash_handler ();

  fp_set (FP_DEFAULT);
  third_near = third ();
  fp_set (FP_UP);
  third_up = third ();
  fp_set (FP_DOWN);
  third_down = third ();
  fp_set (FP_DEFAULT);
  if (!(third_up.d > third_down.d)) {
    printf ("FAIL %s: this CPU/emulator ignores the rounding mode\n", ARCH);
    return 1;
  }

  test_start ();
  test_pingpong ();
  test_regs ();
  test_fp_env (initial_env);
  test_deep ();

  printf ("%s %s: %d test group(s) failed\n", failures ? "FAIL" : "PASS", ARCH, failures);
  return failures ? 1 : 0;
}
