/* gtkloop-bench: the workloads of BENCH.md, gtkloop against raw GLib.
 *
 *   gtkloop-bench [--workload W1,W2,...] [--system gtkloop,glib]
 *                 [--n N] [--repeat K] [--timeout SECONDS]
 *
 * Every (system, workload, N, repetition) runs in a fresh child process
 * (this program re-executed through /proc/self/exe with a hidden --child
 * argument, bench-child.c), so peak_rss_kb belongs to that measurement
 * alone and a crash or a hang costs one record, not the run. The child
 * prints one JSON line; the parent passes it on, or writes a FAILED
 * record in its place.
 *
 * This file is the driver: the table, assembled from the workload
 * families (bench-callbacks.c, bench-timers.c, bench-tasks.c,
 * bench-threads.c, bench-fds.c, bench-streams.c, bench-idle.c,
 * bench-burst.c, bench-frames.c), and the command line.
 */
#include "bench-child.h"
#include "bench-workloads.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_TIMEOUT_S 120

/* ---------------------------------------------------------------------- */
/* The table: one row per (system, workload)                               */

static const BenchEntry *const bench_families[] = {
  bench_callbacks_entries,
  bench_timers_entries,
  bench_tasks_entries,
  bench_threads_entries,
  bench_fds_entries,
  bench_streams_entries,
  bench_idle_entries,
  bench_burst_entries,
#if BENCH_HAVE_GTK
  bench_frames_entries,   /* GTK 4 under Xvfb (issue 6) */
#endif
};

/* The order the workloads run in, so the order of the records. It is the
 * order they have always run in: runs from before and after a change
 * line up record by record. A workload missing here runs after these. */
static const char *const bench_run_order[] = {
  "W1", "W2", "W5", "W3", "W4", "W5-lat", "W7",
  "W6", "W6-gthreadpool", "W5-exec",
  "W8", "W8-idle", "W8-backlog", "W8-flood", "W8-idle-run-forever", "W8-flood-run-forever",
  "W9-fds", "W10-echo", "W10-idle", "W11-burst",
};

/* Every row, in run order; each workload's systems stay back to back. */
static GPtrArray *bench_entries;

#define ENTRY(i) ((const BenchEntry *) g_ptr_array_index (bench_entries, (i)))

static gboolean
in_run_order (const char *workload)
{
  for (guint w = 0; w < G_N_ELEMENTS (bench_run_order); w++)
    if (strcmp (bench_run_order[w], workload) == 0)
      return TRUE;
  return FALSE;
}

static void
assemble_entries (void)
{
  bench_entries = g_ptr_array_new ();
  for (guint w = 0; w < G_N_ELEMENTS (bench_run_order); w++)
    for (guint f = 0; f < G_N_ELEMENTS (bench_families); f++)
      for (const BenchEntry *e = bench_families[f]; e->system != NULL; e++)
        if (strcmp (e->workload, bench_run_order[w]) == 0)
          g_ptr_array_add (bench_entries, (gpointer) e);
  for (guint f = 0; f < G_N_ELEMENTS (bench_families); f++)
    for (const BenchEntry *e = bench_families[f]; e->system != NULL; e++)
      if (!in_run_order (e->workload))
        g_ptr_array_add (bench_entries, (gpointer) e);
}

static const char *const bench_systems[] = { "gtkloop", "glib", "glib-queue", NULL };

static const BenchEntry *
find_entry (const char *system,
            const char *workload)
{
  for (guint i = 0; i < bench_entries->len; i++)
    if (g_ascii_strcasecmp (ENTRY (i)->system, system) == 0 &&
        g_ascii_strcasecmp (ENTRY (i)->workload, workload) == 0)
      return ENTRY (i);
  return NULL;
}

/* ---------------------------------------------------------------------- */
/* Command line                                                            */

typedef struct
{
  GPtrArray *workloads;   /* of char *; empty: all */
  GPtrArray *systems;     /* of char *; empty: all */
  guint64    n_override;  /* 0: each workload's own N */
  guint64    repeat;
  guint64    timeout_s;
} Options;

static void
usage (FILE *to)
{
  fputs ("Usage: gtkloop-bench [--workload W1,W2,...] [--system gtkloop,glib,glib-queue]\n"
         "                     [--n N] [--repeat K] [--timeout SECONDS]\n"
         "Runs BENCH.md's workloads, each measurement in its own process, and\n"
         "prints one JSON line per measurement on stdout.\n"
         "Workloads:", to);
  for (guint i = 0; i < bench_entries->len; i++)
    if (i == 0 || strcmp (ENTRY (i)->workload, ENTRY (i - 1)->workload) != 0)
      fprintf (to, " %s (N=%" G_GUINT64_FORMAT ")",
               ENTRY (i)->workload, ENTRY (i)->default_n);
  fputs ("\nSystems: gtkloop, glib, glib-queue (W5, W5-lat)\n", to);
}
/* Splits comma lists, accumulating over repeated options. */
static void
add_list (GPtrArray  *into,
          const char *arg)
{
  g_auto(GStrv) parts = g_strsplit (arg, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (parts[i][0] != '\0')
        g_ptr_array_add (into, g_strdup (parts[i]));
    }
}

static gboolean
list_has (GPtrArray  *list,
          const char *name)
{
  for (guint i = 0; i < list->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (list, i), name) == 0)
      return TRUE;
  return FALSE;
}

static guint64
parse_count (const char *option,
             const char *arg)
{
  char *end = NULL;
  guint64 v;

  errno = 0;
  v = g_ascii_strtoull (arg, &end, 10);
  if (errno != 0 || end == arg || *end != '\0' || v == 0)
    {
      fprintf (stderr, "gtkloop-bench: %s wants a positive integer, not '%s'\n", option, arg);
      exit (2);
    }
  return v;
}

/* Matches one argument against the options, "--opt value" or
 * "--opt=value"; returns its index, or -1 (and value NULL) for none. */
static int
match_option (int          argc,
              char        *argv[],
              int         *i,
              const char **value)
{
  static const char *const options[] = { "--workload", "--system", "--n", "--repeat", "--timeout" };
  const char *arg = argv[*i];

  *value = NULL;
  for (guint k = 0; k < G_N_ELEMENTS (options); k++)
    {
      gsize len = strlen (options[k]);

      if (strncmp (arg, options[k], len) == 0 && (arg[len] == '=' || arg[len] == '\0'))
        {
          if (arg[len] == '=')
            *value = arg + len + 1;
          else if (*i + 1 < argc)
            *value = argv[++*i];
          return (int) k;
        }
    }
  return -1;
}

/* Returns -1 to go on, or the exit status. */
static int
parse_options (int      argc,
               char    *argv[],
               Options *opts)
{
  for (int i = 1; i < argc; i++)
    {
      const char *arg = argv[i];
      const char *value;
      int which;

      if (strcmp (arg, "--help") == 0 || strcmp (arg, "-h") == 0)
        {
          usage (stdout);
          return 0;
        }
      which = match_option (argc, argv, &i, &value);
      if (which < 0 || value == NULL)
        {
          fprintf (stderr, "gtkloop-bench: bad argument '%s'\n", arg);
          usage (stderr);
          return 2;
        }
      switch (which)
        {
        case 0: add_list (opts->workloads, value); break;
        case 1: add_list (opts->systems, value); break;
        case 2: opts->n_override = parse_count ("--n", value); break;
        case 3: opts->repeat = parse_count ("--repeat", value); break;
        case 4: opts->timeout_s = parse_count ("--timeout", value); break;
        default: g_assert_not_reached ();
        }
    }
  return -1;
}

static gboolean
names_known (const Options *opts)
{
  for (guint i = 0; i < opts->workloads->len; i++)
    {
      gboolean known = FALSE;

      for (guint k = 0; k < bench_entries->len; k++)
        known = known || g_ascii_strcasecmp (ENTRY (k)->workload, g_ptr_array_index (opts->workloads, i)) == 0;
      if (!known)
        {
          fprintf (stderr, "gtkloop-bench: unknown workload '%s'\n", (char *) g_ptr_array_index (opts->workloads, i));
          usage (stderr);
          return FALSE;
        }
    }
  for (guint i = 0; i < opts->systems->len; i++)
    if (!g_strv_contains ((const char *const *) bench_systems, g_ptr_array_index (opts->systems, i)))
      {
        fprintf (stderr, "gtkloop-bench: unknown system '%s'\n", (char *) g_ptr_array_index (opts->systems, i));
        usage (stderr);
        return FALSE;
      }
  return TRUE;
}

/* The selected rows in table order, so each workload's systems run back
 * to back and the ratio compares neighbours in time. */
static GPtrArray *
select_entries (const Options *opts)
{
  GPtrArray *order = g_ptr_array_new ();

  for (guint i = 0; i < bench_entries->len; i++)
    if ((opts->workloads->len == 0 || list_has (opts->workloads, ENTRY (i)->workload)) &&
        (opts->systems->len == 0 || list_has (opts->systems, ENTRY (i)->system)))
      g_ptr_array_add (order, (gpointer) ENTRY (i));
  return order;
}

static char *
new_run_id (void)
{
  time_t t = time (NULL);
  struct tm tm;
  char stamp[32];

  gmtime_r (&t, &tm);
  strftime (stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  return g_strdup_printf ("%s-%d", stamp, (int) getpid ());
}

/* --child SYSTEM WORKLOAD N [RUN_ID [REP]]: one measurement, in this
 * process. */
static int
child (int   argc,
       char *argv[])
{
  guint64 n = parse_count ("--child N", argv[4]);
  const BenchEntry *entry = find_entry (argv[2], argv[3]);

  if (entry == NULL)
    bench_die ("no benchmark for system %s, workload %s", argv[2], argv[3]);
  return bench_child_main (entry, n, argc >= 6 ? argv[5] : "", argc >= 7 ? atoi (argv[6]) : 1);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) workloads = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) systems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GPtrArray) order = NULL;
  g_autofree char *run_id = NULL;
  Options opts = { workloads, systems, 0, 1, DEFAULT_TIMEOUT_S };
  int status;

  bench_prng_check ();
  assemble_entries ();

  if (argc >= 5 && strcmp (argv[1], "--child") == 0)
    return child (argc, argv);

  status = parse_options (argc, argv, &opts);
  if (status >= 0)
    return status;
  if (!names_known (&opts))
    return 2;
  order = select_entries (&opts);
  if (order->len == 0)
    {
      fprintf (stderr, "gtkloop-bench: nothing to run for that workload and system\n");
      return 2;
    }

  run_id = new_run_id ();
  bench_catch_interrupt ();

  /* Repetitions outermost: a burst of load on the shared machine then
   * spoils one repetition of everything rather than every repetition of
   * one workload. */
  for (guint64 rep = 1; rep <= opts.repeat && !bench_interrupted (); rep++)
    for (guint i = 0; i < order->len && !bench_interrupted (); i++)
      {
        const BenchEntry *entry = g_ptr_array_index (order, i);
        guint64 n = opts.n_override ? opts.n_override : entry->default_n;

        fprintf (stderr, "gtkloop-bench: %s %s n=%" G_GUINT64_FORMAT " rep %" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT "\n",
                 entry->system, entry->workload, n, rep, opts.repeat);
        bench_run_child (entry, n, run_id, (int) rep, (int) opts.timeout_s);
      }
  return bench_interrupted () ? 130 : 0;
}
