/* Death test: a fiber that recurses without end must die of SIGABRT after
 * printing its name, its stack size and its mode, in both stack modes.
 *
 * Not a cmocka program: cmocka installs its own SIGSEGV handler and would
 * turn the crash into a test failure. The program forks a child per case;
 * the child overflows, the parent reads the child's stderr through a pipe
 * and checks the message and the signal. It exits 0 when every child died
 * as expected, so meson registers it as an ordinary test. */
#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtkloop/gtkloop.h>

#include "fiber-private.h"

static volatile int keep_going = 1;

static int
recurse (volatile char *prev)
{
  volatile char buf[512];

  buf[0] = prev != NULL ? prev[0] + 1 : 0;
  if (!keep_going)
    return 0;
  return recurse (buf) + buf[1];
}

static void
runaway (gpointer data)
{
  recurse (NULL);
}

static void
runaway_task (GtkloopTask *task,
              gpointer     data)
{
  recurse (NULL);
}

/* A task that was never asked its name is reported as "Task-N". */
static void
task_main (GtkloopTask *task,
           gpointer     data)
{
  GtkloopTaskOptions options = { .stack_mode = GTKLOOP_STACK_GUARDED };
  g_autoptr(GtkloopTask) child = gtkloop_loop_create_task_full (gtkloop_loop_get_default (),
                                                                runaway_task, NULL, NULL, &options);

  gtkloop_await (GTKLOOP_FUTURE (child), NULL);
}

static void G_GNUC_NORETURN
overflow_in_child (GtkloopFiberStackMode mode,
                   gsize                 size)
{
  GError *error = NULL;
  GtkloopFiber *fiber;

  if (size == G_MAXSIZE)
    {
      gtkloop_run (task_main, NULL, NULL);
      fprintf (stderr, "the task returned\n");
      _exit (3);
    }
  fiber = gtkloop_fiber_new (runaway, NULL, mode, size, &error);

  if (fiber == NULL)
    {
      fprintf (stderr, "gtkloop_fiber_new: %s\n", error->message);
      _exit (2);
    }
  gtkloop_fiber_set_name (fiber, "runaway");
  gtkloop_fiber_resume (fiber);
  fprintf (stderr, "the fiber returned\n");
  _exit (3);
}

static char *
read_all (int fd)
{
  GString *out = g_string_new (NULL);
  char buf[4096];
  ssize_t n;

  while ((n = read (fd, buf, sizeof buf)) > 0)
    g_string_append_len (out, buf, n);
  return g_string_free (out, FALSE);
}

static gboolean
check_case (GtkloopFiberStackMode mode,
            gsize                 size,
            const char           *expected)
{
  int fds[2];
  int status;
  pid_t pid;
  char *err;
  gboolean ok;

  if (pipe (fds) != 0)
    return FALSE;
  /* A child that exits through a sanitizer's exit path would flush our
   * buffered output a second time. */
  fflush (stdout);
  pid = fork ();
  if (pid == 0)
    {
      dup2 (fds[1], STDERR_FILENO);
      close (fds[0]);
      close (fds[1]);
      overflow_in_child (mode, size);
    }
  close (fds[1]);
  err = read_all (fds[0]);
  close (fds[0]);
  waitpid (pid, &status, 0);

  ok = WIFSIGNALED (status) && WTERMSIG (status) == SIGABRT && strstr (err, expected) != NULL;
  printf ("%s: expected SIGABRT and \"%.*s\"; child %s %d, stderr:\n%s\n",
          ok ? "ok" : "FAIL", (int) strlen (expected) - 1, expected,
          WIFSIGNALED (status) ? "died of signal" : "exited with",
          WIFSIGNALED (status) ? WTERMSIG (status) : WEXITSTATUS (status), err);
  g_free (err);
  return ok;
}

int
main (void)
{
  gboolean ok = TRUE;

  ok &= check_case (GTKLOOP_FIBER_STACK_SHARED, 0,
                    "gtkloop: fiber \"runaway\" overflowed its 262144-byte stack (shared)\n");
  ok &= check_case (GTKLOOP_FIBER_STACK_GUARDED, 0,
                    "gtkloop: fiber \"runaway\" overflowed its 262144-byte stack (guarded)\n");
  ok &= check_case (GTKLOOP_FIBER_STACK_GUARDED, 128 * 1024,
                    "gtkloop: fiber \"runaway\" overflowed its 131072-byte stack (guarded)\n");
  /* G_MAXSIZE: an unnamed task in GUARDED mode, run by gtkloop_run. */
  ok &= check_case (GTKLOOP_FIBER_STACK_GUARDED, G_MAXSIZE,
                    "gtkloop: fiber \"Task-2\" overflowed its 262144-byte stack (guarded)\n");
  return ok ? 0 : 1;
}
