/* bench-child.c: one measurement in a process of its own (see
 * bench-child.h): the child's side, which runs the workload and prints
 * its record, and the parent's, which starts the child, reads it until it
 * ends or runs out of time, and passes its record on or writes a FAILED
 * one in its place.
 */
#include "bench-child.h"

#include "bench-record.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

/* ---------------------------------------------------------------------- */
/* Child: one measurement                                                  */

int
bench_child_main (const BenchEntry *entry,
                  guint64           n,
                  const char       *run_id,
                  int               rep)
{
  g_autoptr(GString) loadavg = g_string_new (NULL);
  BenchResult r;
  struct rusage ru0, ru;
  char date[32];

  bench_iso8601_utc_now (date, sizeof date);
  bench_append_loadavg (loadavg);
  bench_result_init (&r);

  getrusage (RUSAGE_SELF, &ru0);
  entry->run (n, &r);
  getrusage (RUSAGE_SELF, &ru);

  /* Page faults cost about 2 us each in these VMs: a workload that
   * touches fresh memory shows it here. Covers the whole run function,
   * setup included. */
  bench_extra_int (&r, "minflt", ru.ru_minflt - ru0.ru_minflt);
  bench_extra_number (&r, "cpu_user_s", (ru.ru_utime.tv_sec - ru0.ru_utime.tv_sec) +
                                        (ru.ru_utime.tv_usec - ru0.ru_utime.tv_usec) / 1e6);
  bench_extra_number (&r, "cpu_sys_s", (ru.ru_stime.tv_sec - ru0.ru_stime.tv_sec) +
                                       (ru.ru_stime.tv_usec - ru0.ru_stime.tv_usec) / 1e6);
  bench_append_meta (&r, run_id, rep, date, loadavg->str);
  bench_print_record (entry->system, entry->workload, n, &r, ru.ru_maxrss);
  return 0;
}

/* ---------------------------------------------------------------------- */
/* Parent: one child per measurement                                       */

static volatile sig_atomic_t interrupted;

static void
on_sigint (int signum)
{
  interrupted = 1;
}

/* Ctrl-C ends the running child and the run, and still writes a record
 * for the measurement it cut short. */
void
bench_catch_interrupt (void)
{
  signal (SIGINT, on_sigint);
}

gboolean
bench_interrupted (void)
{
  return interrupted;
}

/* Busy time of all CPUs, in seconds, from /proc/stat: user, nice, system,
 * irq, softirq and steal (guest time is inside user). */
static double
machine_busy_s (void)
{
  unsigned long long v[8] = { 0 };
  FILE *f = fopen ("/proc/stat", "r");
  int got = 0;

  if (f != NULL)
    {
      got = fscanf (f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu",
                    &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
      fclose (f);
    }
  if (got != 8)
    return NAN;
  return (double) (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / (double) sysconf (_SC_CLK_TCK);
}

static void
describe_status (int      status,
                 char    *buf,
                 gsize    size)
{
  if (WIFSIGNALED (status))
    g_snprintf (buf, size, "signal %d, %s%s", WTERMSIG (status),
                g_strsignal (WTERMSIG (status)), WCOREDUMP (status) ? ", core dumped" : "");
  else if (WIFEXITED (status))
    g_snprintf (buf, size, "exit status %d", WEXITSTATUS (status));
  else
    g_snprintf (buf, size, "wait status 0x%x", status);
}

/* Re-executes this program as the child for one measurement, its stdout
 * and stderr on pipes whose read ends come back in fds[]. */
static pid_t
spawn_child (const BenchEntry *entry,
             guint64           n,
             const char       *run_id,
             int               rep,
             int               fds[2])
{
  g_autofree char *n_str = g_strdup_printf ("%" G_GUINT64_FORMAT, n);
  g_autofree char *rep_str = g_strdup_printf ("%d", rep);
  int out_pipe[2], err_pipe[2];
  pid_t pid;

  if (pipe2 (out_pipe, O_CLOEXEC) != 0 || pipe2 (err_pipe, O_CLOEXEC) != 0)
    bench_die ("pipe2: %s", g_strerror (errno));

  pid = fork ();
  if (pid < 0)
    bench_die ("fork: %s", g_strerror (errno));
  if (pid == 0)
    {
      char *argv[] = {
        (char *) "gtkloop-bench", (char *) "--child",
        (char *) entry->system, (char *) entry->workload, n_str,
        (char *) run_id, rep_str, NULL
      };

      dup2 (out_pipe[1], STDOUT_FILENO);
      dup2 (err_pipe[1], STDERR_FILENO);
      signal (SIGINT, SIG_DFL);
      execv ("/proc/self/exe", argv);
      _exit (127);
    }
  close (out_pipe[1]);
  close (err_pipe[1]);
  fds[0] = out_pipe[0];
  fds[1] = err_pipe[0];
  return pid;
}

/* Reads the child's stdout into out and its stderr into err until both
 * close, and closes them. Past the deadline, or on Ctrl-C, it kills the
 * child instead; returns whether the deadline did. */
static gboolean
collect_output (pid_t    pid,
                int      child_fds[2],
                gint64   deadline,
                GString *out,
                GString *err)
{
  gboolean timed_out = FALSE;
  struct pollfd fds[2] = {
    { .fd = child_fds[0], .events = POLLIN },
    { .fd = child_fds[1], .events = POLLIN },
  };
  GString *sinks[2] = { out, err };
  int open_fds = 2;

  while (open_fds > 0)
    {
      gint64 left_ms = (deadline - bench_now_ns ()) / 1000000;
      int ready;

      if (left_ms <= 0 || interrupted)
        {
          timed_out = !interrupted;
          kill (pid, SIGKILL);
          break;
        }
      ready = poll (fds, 2, (int) MIN (left_ms, 1000));
      if (ready < 0 && errno != EINTR)
        bench_die ("poll: %s", g_strerror (errno));
      for (int i = 0; i < 2 && ready > 0; i++)
        {
          char buf[4096];
          ssize_t got;

          if (fds[i].fd < 0 || fds[i].revents == 0)
            continue;
          got = read (fds[i].fd, buf, sizeof buf);
          if (got > 0)
            g_string_append_len (sinks[i], buf, got);
          else if (got == 0 || errno != EINTR)
            {
              close (fds[i].fd);
              fds[i].fd = -1;
              open_fds--;
            }
        }
    }
  for (int i = 0; i < 2; i++)
    if (fds[i].fd >= 0)
      close (fds[i].fd);
  return timed_out;
}

/* What else the machine ran meanwhile, in CPUs (1.0: one core busy with
 * other work). These machines are shared: a high figure explains an
 * outlier better than loadavg, which lags by a minute. */
static double
others_cpu (double               busy0,
            gint64               wall0,
            const struct rusage *ru)
{
  double others;

  others = (machine_busy_s () - busy0 -
            (ru->ru_utime.tv_sec + ru->ru_utime.tv_usec / 1e6 +
             ru->ru_stime.tv_sec + ru->ru_stime.tv_usec / 1e6)) /
           ((bench_now_ns () - wall0) / 1e9);
  return MAX (others, 0.0);
}

/* Prints the child's record (its first line from the first brace) with
 * others_cpu added to its extra. */
static void
pass_record (const char *line,
             double      others)
{
  g_autoptr(GString) record = g_string_new (line);
  char *end = strchr (record->str, '\n');

  if (end != NULL)
    g_string_truncate (record, end - record->str);
  /* The child's line ends with the close of extra and of the record. */
  if (g_str_has_suffix (record->str, "}}"))
    {
      g_autoptr(GString) add = g_string_new (",\"others_cpu\":");

      bench_json_append_number (add, others);
      g_string_insert (record, record->len - 2, add->str);
    }
  g_string_append_c (record, '\n');
  fputs (record->str, stdout);
  fflush (stdout);
}

/* Runs one measurement in a child, passes its record to stdout (its
 * stderr to ours), or writes a FAILED record. */
void
bench_run_child (const BenchEntry *entry,
                 guint64           n,
                 const char       *run_id,
                 int               rep,
                 int               timeout_s)
{
  g_autoptr(GString) out = g_string_new (NULL);
  g_autoptr(GString) err = g_string_new (NULL);
  g_autoptr(GString) loadavg = g_string_new (NULL);
  char date[32];
  int child_fds[2];
  gint64 deadline;
  gboolean timed_out;
  struct rusage ru;
  int status = 0;
  pid_t pid;
  char *line;
  double busy0, others;
  gint64 wall0;

  bench_iso8601_utc_now (date, sizeof date);
  bench_append_loadavg (loadavg);
  busy0 = machine_busy_s ();
  wall0 = bench_now_ns ();

  pid = spawn_child (entry, n, run_id, rep, child_fds);
  deadline = bench_now_ns () + (gint64) timeout_s * G_GINT64_CONSTANT (1000000000);
  timed_out = collect_output (pid, child_fds, deadline, out, err);
  while (wait4 (pid, &status, 0, &ru) < 0)
    if (errno != EINTR)
      bench_die ("wait4: %s", g_strerror (errno));

  if (err->len > 0)
    fputs (err->str, stderr);
  others = others_cpu (busy0, wall0, &ru);

  line = strchr (out->str, '{');
  if (timed_out)
    {
      g_autofree char *why = g_strdup_printf ("timed out after %d s", timeout_s);

      bench_print_failed (entry, n, run_id, rep, date, loadavg->str, why, err, ru.ru_maxrss);
    }
  else if (interrupted)
    bench_print_failed (entry, n, run_id, rep, date, loadavg->str, "interrupted", err, ru.ru_maxrss);
  else if (!WIFEXITED (status) || WEXITSTATUS (status) != 0 || line == NULL)
    {
      char why[128];

      if (WIFEXITED (status) && WEXITSTATUS (status) == 0)
        g_strlcpy (why, "no record printed", sizeof why);
      else
        describe_status (status, why, sizeof why);
      bench_print_failed (entry, n, run_id, rep, date, loadavg->str, why, err, ru.ru_maxrss);
    }
  else
    pass_record (line, others);
}
