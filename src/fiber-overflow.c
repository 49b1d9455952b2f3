/* Stack overflow in a fiber: name the fiber instead of dying of a bare
 * SIGSEGV.
 *
 * A fiber that runs off its stack faults in the PROT_NONE guard region
 * below it. The handler runs on an alternate signal stack (the faulting
 * stack is, by definition, full), asks the fiber layer's lookup whether
 * the address is in the guard of the stack the current fiber runs on, and if so writes one
 * line with write(2) and aborts. Every other fault goes to the handler
 * that was installed before ours, so crash reporters, cmocka and the
 * sanitizers keep working.
 *
 * The handler is process-wide and installed once; the alternate stack is
 * per thread, made the first time a thread creates a fiber, and unmapped
 * when that thread exits. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "gtkloop/gtkloop.h"

#include "fiber-overflow-private.h"

/* Room for our handler and for whatever previous handler we chain to
 * (a sanitizer's report needs tens of KiB). */
#define ALTSTACK_SIZE (128 * 1024)

static struct sigaction previous_action;
/* Set before the handler is installed and read inside it: an atomic, so
 * the read in a signal handler is one lock-free load; relaxed, because
 * every thread stores the same function. */
static _Atomic GtkloopOverflowLookup fault_lookup;
static pthread_once_t handler_once = PTHREAD_ONCE_INIT;
static pthread_key_t altstack_key;

static _Thread_local gboolean thread_ready;

/* Async-signal-safe message formatting --------------------------------------- */

static gsize
append (char       *buf,
        gsize       pos,
        gsize       size,
        const char *s)
{
  while (*s != '\0' && pos + 1 < size)
    buf[pos++] = *s++;
  return pos;
}

static gsize
append_size (char  *buf,
             gsize  pos,
             gsize  size,
             gsize  value)
{
  char digits[24];
  gsize n = 0;

  do
    {
      digits[n++] = '0' + value % 10;
      value /= 10;
    }
  while (value != 0);
  while (n > 0 && pos + 1 < size)
    buf[pos++] = digits[--n];
  return pos;
}

static void
report_overflow (const GtkloopOverflowInfo *info)
{
  char buf[512];
  gsize pos = 0;
  ssize_t ignored;

  pos = append (buf, pos, sizeof buf - 1, "gtkloop: fiber \"");
  if (info->name != NULL)
    pos = append (buf, pos, sizeof buf - 80, info->name);
  else if (info->number != 0)
    {
      pos = append (buf, pos, sizeof buf - 80, "Task-");
      pos = append_size (buf, pos, sizeof buf - 80, info->number);
    }
  else
    pos = append (buf, pos, sizeof buf - 80, "(unnamed)");
  pos = append (buf, pos, sizeof buf - 1, "\" overflowed its ");
  pos = append_size (buf, pos, sizeof buf - 1, info->size);
  pos = append (buf, pos, sizeof buf - 1, "-byte stack (");
  pos = append (buf, pos, sizeof buf - 1, info->mode);
  pos = append (buf, pos, sizeof buf - 1, ")\n");
  ignored = write (STDERR_FILENO, buf, pos);
  (void) ignored;
}

/* The handler --------------------------------------------------------------- */

static void
chain_to_previous (int        sig,
                   siginfo_t *si,
                   void      *uc)
{
  struct sigaction dfl;

  if (previous_action.sa_flags & SA_SIGINFO)
    {
      previous_action.sa_sigaction (sig, si, uc);
      return;
    }
  if (previous_action.sa_handler != SIG_DFL && previous_action.sa_handler != SIG_IGN)
    {
      previous_action.sa_handler (sig);
      return;
    }
  /* Die of the signal as if we had never been here: a real fault repeats
   * when we return, and the raise covers a SIGSEGV sent with kill(). An
   * ignored SIGSEGV from a fault would loop forever, so it dies too. */
  memset (&dfl, 0, sizeof dfl);
  dfl.sa_handler = SIG_DFL;
  sigemptyset (&dfl.sa_mask);
  sigaction (sig, &dfl, NULL);
  raise (sig);
}

static gboolean
lookup_fault (const void          *addr,
              GtkloopOverflowInfo *info)
{
  GtkloopOverflowLookup lookup = atomic_load_explicit (&fault_lookup, memory_order_relaxed);

  return lookup != NULL && lookup (addr, info);
}

static void
overflow_handler (int        sig,
                  siginfo_t *si,
                  void      *uc)
{
  GtkloopOverflowInfo info;

  if (si != NULL && si->si_code > 0 && lookup_fault (si->si_addr, &info))
    {
      report_overflow (&info);
      abort ();
    }
  chain_to_previous (sig, si, uc);
}

/* Installation ------------------------------------------------------------- */

static void
altstack_free (void *map)
{
  stack_t ss;

  /* Only if it is still ours: someone may have replaced it. */
  if (sigaltstack (NULL, &ss) == 0 && ss.ss_sp == (guint8 *) map + sysconf (_SC_PAGESIZE))
    {
      ss.ss_flags = SS_DISABLE;
      sigaltstack (&ss, NULL);
    }
  munmap (map, ALTSTACK_SIZE + sysconf (_SC_PAGESIZE));
}

static void
install_handler (void)
{
  struct sigaction sa;

  pthread_key_create (&altstack_key, altstack_free);

  memset (&sa, 0, sizeof sa);
  sa.sa_sigaction = overflow_handler;
  sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
  sigemptyset (&sa.sa_mask);
  sigaction (SIGSEGV, &sa, &previous_action);
}

/* A thread that already has an alternate stack (a sanitizer runtime, a
 * crash reporter) keeps it; ours is only for threads without one. */
static gboolean
install_altstack (GError **error)
{
  gsize page = sysconf (_SC_PAGESIZE);
  stack_t ss;
  guint8 *map;

  if (sigaltstack (NULL, &ss) == 0 && !(ss.ss_flags & SS_DISABLE))
    return TRUE;

  map = mmap (NULL, ALTSTACK_SIZE + page, PROT_READ | PROT_WRITE,
              MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_STACK, -1, 0);
  if (map == MAP_FAILED)
    {
      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES,
                   "Could not map a signal stack: %s", g_strerror (errno));
      return FALSE;
    }
  mprotect (map, page, PROT_NONE);   /* best effort: a guard for the handler */
  ss.ss_sp = map + page;
  ss.ss_size = ALTSTACK_SIZE;
  ss.ss_flags = 0;
  if (sigaltstack (&ss, NULL) != 0)
    {
      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES,
                   "Could not install a signal stack: %s", g_strerror (errno));
      munmap (map, ALTSTACK_SIZE + page);
      return FALSE;
    }
  pthread_setspecific (altstack_key, map);
  return TRUE;
}

gboolean
gtkloop_fiber_overflow_init_thread (GtkloopOverflowLookup   lookup,
                                    GError                **error)
{
  if (G_LIKELY (thread_ready))
    return TRUE;

  atomic_store_explicit (&fault_lookup, lookup, memory_order_relaxed);
  pthread_once (&handler_once, install_handler);
  if (!install_altstack (error))
    return FALSE;
  thread_ready = TRUE;
  return TRUE;
}
