/* gtkloop-fiber-switch: what the fiber layer costs, below tasks and loop.
 *
 *   switch-asm       raw gtkloop_fiber_asm_switch (), ns per switch
 *   switch-ucontext  raw glibc swapcontext (), ns per switch
 *   handoff-shared   two SHARED fibers taking turns (resume + suspend),
 *                    ns per hand-off: W4's floor
 *   handoff-guarded  the same with GUARDED stacks
 *   suspend-100k     cold: create and resume N fibers, each suspends once
 *                    (all N suspended at once), then resume each to its
 *                    end and free it: W3's and W7's floors
 *   suspend-1m       the same with 1,000,000 fibers (vm.max_map_count)
 *
 * Each measurement runs in a forked child, so each starts cold and its
 * peak_rss_kb is its own. One JSON line per run on stdout, as BENCH.md's
 * conventions describe; --repeat runs each K times (quote the median).
 *
 * Usage: gtkloop-fiber-switch [--workload a,b] [--n N] [--repeat K] */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "fiber-context-private.h"
#include "fiber-private.h"
#include "stack-private.h"

typedef struct
{
  const char *workload;
  long        n;
  double      ns_per_op;
  GString    *extra;      /* JSON members, comma-first */
  const char *notes;
} Record;

static guint64
now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (guint64) ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static long
rss_kb (void)
{
  long pages = 0, resident = 0;
  FILE *f = fopen ("/proc/self/statm", "r");

  if (f != NULL)
    {
      if (fscanf (f, "%ld %ld", &pages, &resident) != 2)
        resident = 0;
      fclose (f);
    }
  return resident * (sysconf (_SC_PAGESIZE) / 1024);
}

static long
peak_rss_kb (void)
{
  struct rusage ru;

  getrusage (RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* BENCH.md wants the machine's load with every record: the machines are
 * shared and noisy. */
static double
load_average (void)
{
  double load = -1;
  FILE *f = fopen ("/proc/loadavg", "r");

  if (f != NULL)
    {
      if (fscanf (f, "%lf", &load) != 1)
        load = -1;
      fclose (f);
    }
  return load;
}

static void
print_record (const Record *r)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format_iso8601 (now);

  g_string_append_printf (r->extra, ", \"date\": \"%s\", \"load1\": %.2f", date, load_average ());
  printf ("{\"system\": \"gtkloop\", \"workload\": \"%s\", \"n\": %ld, "
          "\"ns_per_op\": %.2f, \"p50\": null, \"p99\": null, \"max\": null, "
          "\"peak_rss_kb\": %ld, \"notes\": \"%s\", "
          "\"extra\": {\"backend\": \"%s\"%s}}\n",
          r->workload, r->n, r->ns_per_op, peak_rss_kb (), r->notes ? r->notes : "",
          GTKLOOP_FIBER_ASM ? "asm" : "ucontext", r->extra->str);
  fflush (stdout);
}

/* Raw switches ------------------------------------------------------------- */

#define RAW_STACK_SIZE (64 * 1024)

static void *raw_main_sp;
static void *raw_other_sp;

static void
raw_asm_entry (void *arg)
{
  for (;;)
    gtkloop_fiber_asm_switch (&raw_other_sp, raw_main_sp);
}

static void
bench_switch_asm (Record *r)
{
#if GTKLOOP_FIBER_HAVE_ASM
  guint8 *stack = g_malloc (RAW_STACK_SIZE);
  guint64 t0;

  raw_other_sp = gtkloop_fiber_asm_prepare (stack + RAW_STACK_SIZE, raw_asm_entry, NULL);
  gtkloop_fiber_asm_switch (&raw_main_sp, raw_other_sp);   /* warm up */
  t0 = now_ns ();
  for (long i = 0; i < r->n / 2; i++)
    gtkloop_fiber_asm_switch (&raw_main_sp, raw_other_sp);
  r->ns_per_op = (double) (now_ns () - t0) / (r->n / 2 * 2);
  g_free (stack);
#else
  r->notes = "no assembly switch for this CPU";
#endif
}

static ucontext_t uc_main;
static ucontext_t uc_other;

static void
raw_ucontext_entry (void)
{
  for (;;)
    swapcontext (&uc_other, &uc_main);
}

static void
bench_switch_ucontext (Record *r)
{
  guint8 *stack = g_malloc (RAW_STACK_SIZE);
  guint64 t0;

  getcontext (&uc_other);
  uc_other.uc_stack.ss_sp = stack;
  uc_other.uc_stack.ss_size = RAW_STACK_SIZE;
  uc_other.uc_link = NULL;
  makecontext (&uc_other, raw_ucontext_entry, 0);
  swapcontext (&uc_main, &uc_other);
  t0 = now_ns ();
  for (long i = 0; i < r->n / 2; i++)
    swapcontext (&uc_main, &uc_other);
  r->ns_per_op = (double) (now_ns () - t0) / (r->n / 2 * 2);
  g_free (stack);
}

/* Hand-off between two fibers ---------------------------------------------- */

static void
handoff_func (gpointer data)
{
  long *rounds = data;

  while (--*rounds > 0)
    gtkloop_fiber_suspend ();
}

static void
bench_handoff (Record                *r,
               GtkloopFiberStackMode  mode)
{
  long rounds_a = r->n / 2, rounds_b = r->n / 2;
  GtkloopFiber *a = gtkloop_fiber_new (handoff_func, &rounds_a, mode, 0, NULL);
  GtkloopFiber *b = gtkloop_fiber_new (handoff_func, &rounds_b, mode, 0, NULL);
  GtkloopRunStackStats before, after;
  guint64 t0;

  gtkloop_run_stack_get_stats (&before);
  t0 = now_ns ();
  while (!gtkloop_fiber_is_finished (a) || !gtkloop_fiber_is_finished (b))
    {
      gtkloop_fiber_resume (a);
      gtkloop_fiber_resume (b);
    }
  r->ns_per_op = (double) (now_ns () - t0) / (r->n / 2 * 2);
  gtkloop_run_stack_get_stats (&after);
  g_string_append_printf (r->extra, ", \"ns_per_op_is\": \"one resume + suspend\", \"copies\": %"
                          G_GUINT64_FORMAT, after.copies_out - before.copies_out);
  gtkloop_fiber_free (a);
  gtkloop_fiber_free (b);
}

/* Many suspended fibers ------------------------------------------------------ */

/* Shaped like a task awaiting a future: a little state of its own, one
 * call deeper than the fiber's function, then a suspension. */
static G_GNUC_NO_INLINE void
await_once (volatile long *state)
{
  state[1] = state[0] * 3;
  gtkloop_fiber_suspend ();
}

static void
waiter_func (gpointer data)
{
  volatile long state[4] = { GPOINTER_TO_SIZE (data) };

  await_once (state);
  if (state[1] != state[0] * 3)
    abort ();
}

static void
bench_suspend_many (Record *r)
{
  GtkloopFiber **fibers = g_new (GtkloopFiber *, r->n);
  GtkloopRunStackStats stats;
  long rss0, rss1;
  guint64 t0, t1, t2;

  rss0 = rss_kb ();
  t0 = now_ns ();
  for (long i = 0; i < r->n; i++)
    {
      fibers[i] = gtkloop_fiber_new (waiter_func, GSIZE_TO_POINTER (i),
                                     GTKLOOP_FIBER_STACK_SHARED, 0, NULL);
      if (fibers[i] == NULL)
        abort ();
      gtkloop_fiber_resume (fibers[i]);
    }
  t1 = now_ns ();
  rss1 = rss_kb ();
  gtkloop_run_stack_get_stats (&stats);
  for (long i = 0; i < r->n; i++)
    {
      gtkloop_fiber_resume (fibers[i]);
      gtkloop_fiber_free (fibers[i]);
    }
  t2 = now_ns ();

  r->ns_per_op = (double) (t2 - t0) / r->n;
  g_string_append_printf (r->extra,
                          ", \"ns_per_op_is\": \"create + resume + suspend + resume + free\""
                          ", \"spawn_suspend_ns\": %.1f, \"resume_finish_ns\": %.1f"
                          ", \"bytes_per_suspended\": %.0f, \"copied_bytes_per_fiber\": %.0f"
                          ", \"rss0_kb\": %ld, \"rss1_kb\": %ld",
                          (double) (t1 - t0) / r->n, (double) (t2 - t1) / r->n,
                          (double) (rss1 - rss0) * 1024 / r->n,
                          stats.copies_out ? (double) stats.bytes_out / stats.copies_out : 0.0,
                          rss0, rss1);
  g_free (fibers);
}

/* Driver ----------------------------------------------------------------------- */

typedef struct
{
  const char *name;
  long        default_n;
  void      (*run) (Record *r);
} Workload;

static void bench_handoff_shared (Record *r) { bench_handoff (r, GTKLOOP_FIBER_STACK_SHARED); }
static void bench_handoff_guarded (Record *r) { bench_handoff (r, GTKLOOP_FIBER_STACK_GUARDED); }

static const Workload workloads[] = {
  { "switch-asm", 20000000, bench_switch_asm },
  { "switch-ucontext", 2000000, bench_switch_ucontext },
  { "handoff-shared", 10000000, bench_handoff_shared },
  { "handoff-guarded", 10000000, bench_handoff_guarded },
  { "suspend-100k", 100000, bench_suspend_many },
  { "suspend-1m", 1000000, bench_suspend_many },
};

static void
run_in_child (const Workload *w,
              long            n)
{
  pid_t pid = fork ();
  int status;

  if (pid == 0)
    {
      Record r = { w->name, n > 0 ? n : w->default_n, 0, g_string_new (NULL), NULL };

      w->run (&r);
      print_record (&r);
      _exit (0);
    }
  waitpid (pid, &status, 0);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    printf ("{\"system\": \"gtkloop\", \"workload\": \"%s\", \"n\": %ld, \"ns_per_op\": null, "
            "\"p50\": null, \"p99\": null, \"max\": null, \"peak_rss_kb\": 0, "
            "\"notes\": \"FAILED (status %d)\", \"extra\": {}}\n",
            w->name, n > 0 ? n : w->default_n, status);
  fflush (stdout);
}

int
main (int    argc,
      char **argv)
{
  const char *only = NULL;
  long n = 0;
  int repeat = 1;

  for (int i = 1; i + 1 < argc; i += 2)
    {
      if (strcmp (argv[i], "--workload") == 0)
        only = argv[i + 1];
      else if (strcmp (argv[i], "--n") == 0)
        n = atol (argv[i + 1]);
      else if (strcmp (argv[i], "--repeat") == 0)
        repeat = atoi (argv[i + 1]);
      else
        {
          fprintf (stderr, "usage: %s [--workload a,b] [--n N] [--repeat K]\n", argv[0]);
          return 2;
        }
    }
  fflush (stdout);
  for (int k = 0; k < repeat; k++)
    for (guint i = 0; i < G_N_ELEMENTS (workloads); i++)
      {
        g_auto(GStrv) names = only ? g_strsplit (only, ",", -1) : NULL;

        if (names == NULL || g_strv_contains ((const char * const *) names, workloads[i].name))
          run_in_child (&workloads[i], n);
      }
  return 0;
}
