/* GtkloopSubprocess: asyncio's create_subprocess_exec and Process on
 * GSubprocess.
 *
 * The pipes are ours, not GSubprocess's: each is a pipe2() whose far end
 * the launcher hands to the child and whose near end becomes a stream
 * transport on the loop's fd watches (stream-transport.c), so the
 * child's stdin, stdout and stderr are the streams of gtkloop-streams.h
 * and add nothing to GLib's poll.
 *
 * The exit is watched through a pidfd, readable once the child has
 * exited: one more fd watch. GLib's child watch (which GSubprocess
 * installs on GLib's worker thread) still reaps the child, so the status
 * is GSubprocess's and no zombie is left. The worker tells GSubprocess a
 * moment after the exit, often after the pidfd is readable: until it has,
 * a timer on the loop looks again (GSubprocess's identifier goes once it
 * has the status) every 1 ms at first, backing off to 100 ms. Where
 * pidfd_open is not there (Linux < 5.3, or a seccomp filter), that timer
 * alone watches the exit; the environment variable GTKLOOP_NO_PIDFD=1
 * forces that route (the tests run both).
 *
 * The loop never waits with g_subprocess_wait or _wait_async: the first
 * blocks the loop's thread until the worker has reaped, and both have
 * the worker finish a GTask on a context of ours, passing it through
 * GLib's own mutexes, which ThreadSanitizer cannot see in an
 * uninstrumented GLib (it reported the task's memory as races); the
 * second would also need the loop's context iterated after a close to
 * let go of a cancelled wait, a leak for a closed loop. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gstdio.h>

#include "error-private.h"
#include "stream-transport-private.h"

#define POLL_FIRST 0.001
#define POLL_MAX   0.1

#define PIPE_FLAGS (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE | \
                    G_SUBPROCESS_FLAGS_STDERR_PIPE)

struct _GtkloopSubprocess
{
  gint                 ref_count;        /* (atomic) */
  GtkloopLoop         *loop;             /* (owned) */
  GSubprocess         *process;          /* (owned) */
  GPid                 pid;
  GtkloopStreamWriter *stdin_pipe;       /* (owned) (nullable) */
  GtkloopStreamReader *stdout_pipe;      /* (owned) (nullable) */
  GtkloopStreamReader *stderr_pipe;      /* (owned) (nullable) */

  int                  pidfd;            /* watched until the exit; -1 */
  guint64              poll_timer;       /* without a pidfd: the next look; 0 */
  double               poll_interval;
  gboolean             exited;
  int                  returncode;
  GPtrArray           *exit_waiters;     /* (owned) futures of tasks in wait */
  gboolean             terminate_on_cancel;
};

/**
 * GtkloopSubprocess:
 *
 * asyncio's Process: a child process on #GSubprocess, its pipes as streams
 * and its exit awaited from tasks. Reference counted; used on its loop's
 * thread.
 *
 * Since: 0.1
 */
G_DEFINE_BOXED_TYPE (GtkloopSubprocess, gtkloop_subprocess,
                     gtkloop_subprocess_ref, gtkloop_subprocess_unref)

/* The exit ---------------------------------------------------------------- */

static void
stop_watching_exit (GtkloopSubprocess *proc)
{
  if (proc->pidfd >= 0)
    {
      gtkloop_loop_remove_reader (proc->loop, proc->pidfd);
      g_close (proc->pidfd, NULL);
      proc->pidfd = -1;
    }
  if (proc->poll_timer != 0)
    {
      gtkloop_loop_cancel (proc->loop, proc->poll_timer);
      proc->poll_timer = 0;
    }
}

/* GSubprocess has the status: GLib's worker has reaped the child and
 * said so. Read without a lock, as g_subprocess_wait's own shortcut
 * reads it. */
static gboolean
status_known (GtkloopSubprocess *proc)
{
  return g_subprocess_get_identifier (proc->process) == NULL;
}

/* The loop has seen the child exit and GSubprocess has its status:
 * asyncio's returncode is set (the exit status, or minus the signal) and
 * the waiters woken. */
static void
exited (GtkloopSubprocess *proc)
{
  g_autoptr(GPtrArray) waiters = NULL;

  if (proc->exited)
    return;
  gtkloop_subprocess_ref (proc);   /* a waiter may drop the last reference */
  stop_watching_exit (proc);
  if (g_subprocess_get_if_signaled (proc->process))
    proc->returncode = -g_subprocess_get_term_sig (proc->process);
  else
    proc->returncode = g_subprocess_get_exit_status (proc->process);
  proc->exited = TRUE;
  gtkloop_stream_registry_remove (proc->loop, proc);
  waiters = g_steal_pointer (&proc->exit_waiters);
  proc->exit_waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) gtkloop_future_unref);
  for (guint i = 0; i < waiters->len; i++)
    gtkloop_future_set_result (waiters->pdata[i], NULL, NULL);
  gtkloop_subprocess_unref (proc);
}

static void schedule_poll (GtkloopSubprocess *proc);

static void
poll_cb (gpointer data)
{
  GtkloopSubprocess *proc = data;

  proc->poll_timer = 0;
  if (status_known (proc))
    {
      exited (proc);
      return;
    }
  proc->poll_interval = MIN (proc->poll_interval * 2, POLL_MAX);
  schedule_poll (proc);
}

/* The timer holds no reference: freeing the process cancels it. */
static void
schedule_poll (GtkloopSubprocess *proc)
{
  proc->poll_timer = gtkloop_loop_call_later (proc->loop, proc->poll_interval, poll_cb, proc, NULL);
}

/* The pidfd is readable (the child has exited), or the child was reaped
 * before a pidfd could be had: the status, once GLib's worker has it. */
static void
exited_cb (gpointer data)
{
  GtkloopSubprocess *proc = data;

  stop_watching_exit (proc);
  if (status_known (proc))
    {
      exited (proc);
      return;
    }
  proc->poll_interval = POLL_FIRST;
  schedule_poll (proc);
}

static gboolean
watch_exit (GtkloopSubprocess *proc,
            GError           **error)
{
  int pidfd = -1;

  /* A child that exited at once may be reaped by GLib's worker before
   * GSubprocess tells us its pid (then it has none) or before the pidfd
   * is opened (ESRCH): either way GSubprocess has its status, or will
   * have in a moment. */
  if (proc->pid == 0)
    goto reaped;
  if (g_strcmp0 (g_getenv ("GTKLOOP_NO_PIDFD"), "1") != 0)
    {
      pidfd = syscall (SYS_pidfd_open, proc->pid, 0);
      if (pidfd < 0 && errno == ESRCH)
        goto reaped;
    }
  if (pidfd < 0)
    {
      proc->poll_interval = POLL_FIRST;
      schedule_poll (proc);
      return TRUE;
    }
  /* The watch holds no reference: freeing the process removes it. */
  if (!gtkloop_loop_add_reader (proc->loop, pidfd, exited_cb, proc, NULL, error))
    {
      g_close (pidfd, NULL);
      return FALSE;
    }
  proc->pidfd = pidfd;
  return TRUE;

reaped:
  gtkloop_loop_call_soon (proc->loop, exited_cb, gtkloop_subprocess_ref (proc),
                          (GDestroyNotify) gtkloop_subprocess_unref);
  return TRUE;
}

/* Closing the loop stops watching; GLib's child watch still reaps. */
static void
close_hook_cb (gpointer data)
{
  stop_watching_exit (data);
}

/* Spawning ---------------------------------------------------------------- */

static gboolean
check_flags (GSubprocessFlags flags,
             GError         **error)
{
  const char *clash = NULL;

  if ((flags & G_SUBPROCESS_FLAGS_STDIN_PIPE) && (flags & G_SUBPROCESS_FLAGS_STDIN_INHERIT))
    clash = "STDIN_PIPE and STDIN_INHERIT";
  else if ((flags & G_SUBPROCESS_FLAGS_STDOUT_PIPE) && (flags & G_SUBPROCESS_FLAGS_STDOUT_SILENCE))
    clash = "STDOUT_PIPE and STDOUT_SILENCE";
  else if ((flags & G_SUBPROCESS_FLAGS_STDERR_PIPE) &&
           (flags & (G_SUBPROCESS_FLAGS_STDERR_SILENCE | G_SUBPROCESS_FLAGS_STDERR_MERGE)))
    clash = "STDERR_PIPE and STDERR_SILENCE or STDERR_MERGE";
  if (clash == NULL)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
               "gtkloop_create_subprocess_exec: the flags %s exclude each other", clash);
  return FALSE;
}

/* One pipe: the child's end goes to the launcher (which closes it in
 * this process when it is freed), ours is returned. */
static int
open_pipe (GSubprocessLauncher *launcher,
           int                  child_fd,
           GError             **error)
{
  int fds[2];
  int ours;

  if (!g_unix_open_pipe (fds, FD_CLOEXEC, error))
    return -1;
  if (child_fd == STDIN_FILENO)
    {
      g_subprocess_launcher_take_stdin_fd (launcher, fds[0]);
      ours = fds[1];
    }
  else
    {
      if (child_fd == STDOUT_FILENO)
        g_subprocess_launcher_take_stdout_fd (launcher, fds[1]);
      else
        g_subprocess_launcher_take_stderr_fd (launcher, fds[1]);
      ours = fds[0];
    }
  return ours;
}

static void
free_process (GtkloopSubprocess *proc)
{
  stop_watching_exit (proc);
  gtkloop_stream_registry_remove (proc->loop, proc);
  g_clear_pointer (&proc->stdin_pipe, gtkloop_stream_writer_unref);
  g_clear_pointer (&proc->stdout_pipe, gtkloop_stream_reader_unref);
  g_clear_pointer (&proc->stderr_pipe, gtkloop_stream_reader_unref);
  g_ptr_array_unref (proc->exit_waiters);
  g_object_unref (proc->process);
  g_object_unref (proc->loop);
  g_free (proc);
}

/* Each pipe end we keep becomes a stream; on failure every end not yet
 * taken is closed. */
static gboolean
make_streams (GtkloopSubprocess *proc,
              int                ends[3],
              GError           **error)
{
  for (int i = 0; i < 3; i++)
    {
      GtkloopStreamTransport *t;

      if (ends[i] < 0)
        continue;
      t = gtkloop_stream_transport_new_pipe (proc->loop, ends[i], i == STDIN_FILENO, error);
      ends[i] = -1;
      if (t == NULL)
        {
          for (int j = i + 1; j < 3; j++)
            if (ends[j] >= 0)
              g_close (ends[j], NULL);
          return FALSE;
        }
      if (i == STDIN_FILENO)
        proc->stdin_pipe = gtkloop_stream_writer_new (t);
      else if (i == STDOUT_FILENO)
        proc->stdout_pipe = gtkloop_stream_reader_new (t);
      else
        proc->stderr_pipe = gtkloop_stream_reader_new (t);
      gtkloop_stream_transport_unref (t);
    }
  return TRUE;
}

/**
 * gtkloop_create_subprocess_exec_full:
 * @argv: (array zero-terminated=1): the program and its arguments
 * @cwd: (nullable): the working directory; %NULL: the caller's
 * @envp: (array zero-terminated=1) (nullable): the environment; %NULL:
 *   the caller's
 * @flags: GSubprocess's flags; the _PIPE ones give the streams
 * @error: return location for a #GError
 *
 * asyncio's create_subprocess_exec(), on the current task's loop (the
 * default loop outside a task). Loop thread only. A closed loop refuses
 * with %GTKLOOP_ERROR_CLOSED.
 *
 * Returns: (transfer full): the running process, or %NULL with the error
 *   (%G_IO_ERROR_INVALID_ARGUMENT for an empty @argv or clashing @flags;
 *   GSubprocess's error when the program cannot be started; GLib's error
 *   when no pipe can be had, %GTKLOOP_ERROR_RESOURCES when no epoll fd
 *   can; nothing is left open)
 *
 * Since: 0.1
 */
GtkloopSubprocess *
gtkloop_create_subprocess_exec_full (const char * const  *argv,
                                     const char          *cwd,
                                     const char * const  *envp,
                                     GSubprocessFlags     flags,
                                     GError             **error)
{
  GtkloopTask *current = gtkloop_task_get_current ();
  GtkloopLoop *loop = current != NULL ? gtkloop_future_get_loop (GTKLOOP_FUTURE (current))
                                      : gtkloop_loop_get_default ();
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  GtkloopSubprocess *proc;
  const char *identifier;
  int ends[3] = { -1, -1, -1 };
  static const GSubprocessFlags pipe_flag[3] = {
    G_SUBPROCESS_FLAGS_STDIN_PIPE, G_SUBPROCESS_FLAGS_STDOUT_PIPE, G_SUBPROCESS_FLAGS_STDERR_PIPE,
  };

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);
  if (argv == NULL || argv[0] == NULL || argv[0][0] == '\0')
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "gtkloop_create_subprocess_exec: argv names no program");
      return NULL;
    }
  if (!check_flags (flags, error))
    return NULL;

  launcher = g_subprocess_launcher_new (flags & ~PIPE_FLAGS);
  if (cwd != NULL)
    g_subprocess_launcher_set_cwd (launcher, cwd);
  if (envp != NULL)
    g_subprocess_launcher_set_environ (launcher, (char **) envp);
  for (int i = 0; i < 3; i++)
    if ((flags & pipe_flag[i]) && (ends[i] = open_pipe (launcher, i, error)) < 0)
      goto failed;
  process = g_subprocess_launcher_spawnv (launcher, argv, error);
  if (process == NULL)
    goto failed;
  /* The child has its ends now: freeing the launcher closes ours of them,
   * so our read ends see the end once the child closes its copies. */
  g_clear_object (&launcher);

  proc = g_new0 (GtkloopSubprocess, 1);
  proc->ref_count = 1;
  proc->loop = g_object_ref (loop);
  proc->process = g_steal_pointer (&process);
  identifier = g_subprocess_get_identifier (proc->process);
  proc->pid = identifier != NULL ? atoi (identifier) : 0;
  proc->pidfd = -1;
  proc->exit_waiters = g_ptr_array_new_with_free_func ((GDestroyNotify) gtkloop_future_unref);
  proc->terminate_on_cancel = TRUE;
  gtkloop_stream_registry_add (loop, proc, close_hook_cb);
  if (!make_streams (proc, ends, error) || !watch_exit (proc, error))
    {
      g_subprocess_force_exit (proc->process);
      free_process (proc);
      return NULL;
    }
  return proc;

failed:
  for (int i = 0; i < 3; i++)
    if (ends[i] >= 0)
      g_close (ends[i], NULL);
  g_prefix_error (error, "gtkloop_create_subprocess_exec: ");
  return NULL;
}

/**
 * gtkloop_create_subprocess_exec:
 * @argv: (array zero-terminated=1): the program and its arguments
 * @flags: GSubprocess's flags; the _PIPE ones give the streams
 * @error: return location for a #GError
 *
 * Calls gtkloop_create_subprocess_exec_full() in the caller's directory
 * and environment. Loop thread only. A closed loop refuses with
 * %GTKLOOP_ERROR_CLOSED.
 *
 * Returns: (transfer full): the running process, or %NULL with the error
 *
 * Since: 0.1
 */
GtkloopSubprocess *
gtkloop_create_subprocess_exec (const char * const  *argv,
                                GSubprocessFlags     flags,
                                GError             **error)
{
  return gtkloop_create_subprocess_exec_full (argv, NULL, NULL, flags, error);
}

/**
 * gtkloop_subprocess_ref:
 * @process: a process
 *
 * Takes a reference. Loop thread only; works after the loop is closed.
 *
 * Returns: (transfer full): @process
 *
 * Since: 0.1
 */
GtkloopSubprocess *
gtkloop_subprocess_ref (GtkloopSubprocess *process)
{
  g_return_val_if_fail (process != NULL, NULL);
  g_atomic_int_inc (&process->ref_count);
  return process;
}

/**
 * gtkloop_subprocess_unref:
 * @process: (transfer full): the reference to drop
 *
 * The last reference closes the pipes; the child itself runs on (as
 * asyncio's and GSubprocess's do) and is still reaped when it exits. Loop
 * thread only.
 *
 * Since: 0.1
 */
void
gtkloop_subprocess_unref (GtkloopSubprocess *process)
{
  g_return_if_fail (process != NULL);
  if (g_atomic_int_dec_and_test (&process->ref_count))
    free_process (process);
}

/**
 * gtkloop_subprocess_get_stdin:
 * @process: a process
 *
 * The writer of the child's stdin pipe, if it has one. Loop thread only.
 * Closing the loop stops watching the child, which keeps running (GLib
 * still reaps it); this still works afterwards.
 *
 * Returns: (transfer none) (nullable): the stdin pipe, or %NULL if none was
 *   asked for
 *
 * Since: 0.1
 */
GtkloopStreamWriter *
gtkloop_subprocess_get_stdin (GtkloopSubprocess *process)
{
  g_return_val_if_fail (process != NULL, NULL);
  return process->stdin_pipe;
}

/**
 * gtkloop_subprocess_get_stdout:
 * @process: a process
 *
 * The reader of the child's stdout pipe, if it has one. Loop thread only.
 * Closing the loop stops watching the child, which keeps running (GLib
 * still reaps it); this still works afterwards.
 *
 * Returns: (transfer none) (nullable): the stdout pipe, or %NULL if none
 *   was asked for
 *
 * Since: 0.1
 */
GtkloopStreamReader *
gtkloop_subprocess_get_stdout (GtkloopSubprocess *process)
{
  g_return_val_if_fail (process != NULL, NULL);
  return process->stdout_pipe;
}

/**
 * gtkloop_subprocess_get_stderr:
 * @process: a process
 *
 * The reader of the child's stderr pipe, if it has one. Loop thread only.
 * Closing the loop stops watching the child, which keeps running (GLib
 * still reaps it); this still works afterwards.
 *
 * Returns: (transfer none) (nullable): the stderr pipe, or %NULL if none
 *   was asked for
 *
 * Since: 0.1
 */
GtkloopStreamReader *
gtkloop_subprocess_get_stderr (GtkloopSubprocess *process)
{
  g_return_val_if_fail (process != NULL, NULL);
  return process->stderr_pipe;
}

/**
 * gtkloop_subprocess_get_gsubprocess:
 * @process: a process
 *
 * The #GSubprocess behind it. Loop thread only. Closing the loop stops
 * watching the child, which keeps running (GLib still reaps it); this
 * still works afterwards.
 *
 * Returns: (transfer none): the #GSubprocess underneath
 *
 * Since: 0.1
 */
GSubprocess *
gtkloop_subprocess_get_gsubprocess (GtkloopSubprocess *process)
{
  g_return_val_if_fail (process != NULL, NULL);
  return process->process;
}

/**
 * gtkloop_subprocess_get_pid:
 * @process: a process
 *
 * The child's process id. Loop thread only. Closing the loop stops
 * watching the child, which keeps running (GLib still reaps it); this
 * still works afterwards.
 *
 * Returns: the child's pid; 0 for a child so quick that GLib had reaped it
 *   before GSubprocess was asked (its return code is known all the same)
 *
 * Since: 0.1
 */
GPid
gtkloop_subprocess_get_pid (GtkloopSubprocess *process)
{
  g_return_val_if_fail (process != NULL, 0);
  return process->pid;
}

/**
 * gtkloop_subprocess_get_returncode:
 * @process: a process
 * @returncode: (out) (optional): the exit status, or minus the signal that
 *   ended the child
 *
 * asyncio's returncode. Loop thread only. Closing the loop stops watching
 * the child, which keeps running (GLib still reaps it); this still works
 * afterwards.
 *
 * Returns: %FALSE while the loop has not seen the child exit; then %TRUE
 *
 * Since: 0.1
 */
gboolean
gtkloop_subprocess_get_returncode (GtkloopSubprocess *process,
                                   int               *returncode)
{
  g_return_val_if_fail (process != NULL, FALSE);
  if (process->exited && returncode != NULL)
    *returncode = process->returncode;
  return process->exited;
}

/* Signals ----------------------------------------------------------------- */

/**
 * gtkloop_subprocess_send_signal:
 * @process: a subprocess
 * @signum: the signal to send
 * @error: return location for a #GError
 *
 * asyncio's Process.send_signal(). Loop thread only. Closing the loop
 * stops watching the child, which keeps running (GLib still reaps it);
 * this still works afterwards.
 *
 * Returns: %TRUE if sent; %FALSE with %G_IO_ERROR_NOT_FOUND (asyncio's
 *   ProcessLookupError) once the loop has seen the child exit
 *
 * Since: 0.1
 */
gboolean
gtkloop_subprocess_send_signal (GtkloopSubprocess *process,
                                int                signum,
                                GError           **error)
{
  g_return_val_if_fail (process != NULL, FALSE);
  if (process->exited)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                   "Process %d has exited (return code %d): no signal sent",
                   (int) process->pid, process->returncode);
      return FALSE;
    }
  /* GSubprocess sends nothing once it has reaped the child, so a pid
   * another process has taken since is never signalled. */
  g_subprocess_send_signal (process->process, signum);
  return TRUE;
}

/**
 * gtkloop_subprocess_terminate:
 * @process: a process
 * @error: return location for a #GError
 *
 * Calls gtkloop_subprocess_send_signal() with SIGTERM. Loop thread only.
 * Closing the loop stops watching the child, which keeps running (GLib
 * still reaps it); this still works afterwards.
 *
 * Returns: as gtkloop_subprocess_send_signal()
 *
 * Since: 0.1
 */
gboolean
gtkloop_subprocess_terminate (GtkloopSubprocess *process,
                              GError           **error)
{
  return gtkloop_subprocess_send_signal (process, SIGTERM, error);
}

/**
 * gtkloop_subprocess_kill:
 * @process: a process
 * @error: return location for a #GError
 *
 * Calls gtkloop_subprocess_send_signal() with SIGKILL. Loop thread only.
 * Closing the loop stops watching the child, which keeps running (GLib
 * still reaps it); this still works afterwards.
 *
 * Returns: as gtkloop_subprocess_send_signal()
 *
 * Since: 0.1
 */
gboolean
gtkloop_subprocess_kill (GtkloopSubprocess *process,
                         GError           **error)
{
  return gtkloop_subprocess_send_signal (process, SIGKILL, error);
}

/**
 * gtkloop_subprocess_set_terminate_on_cancel:
 * @process: a process
 * @terminate: whether to send SIGTERM (the default is %TRUE)
 *
 * Whether cancelling a task in gtkloop_subprocess_wait() or
 * gtkloop_subprocess_communicate() terminates the child. With %FALSE the
 * child runs on and only the wait ends. Loop thread only. Closing the loop
 * stops watching the child, which keeps running (GLib still reaps it);
 * this still works afterwards.
 *
 * Since: 0.1
 */
void
gtkloop_subprocess_set_terminate_on_cancel (GtkloopSubprocess *process,
                                            gboolean           terminate)
{
  g_return_if_fail (process != NULL);
  process->terminate_on_cancel = !!terminate;
}

/**
 * gtkloop_subprocess_get_terminate_on_cancel:
 * @process: a process
 *
 * Whether cancelling a wait terminates the child
 * (gtkloop_subprocess_set_terminate_on_cancel()). Loop thread only.
 * Closing the loop stops watching the child, which keeps running (GLib
 * still reaps it); this still works afterwards.
 *
 * Returns: what gtkloop_subprocess_set_terminate_on_cancel() set
 *
 * Since: 0.1
 */
gboolean
gtkloop_subprocess_get_terminate_on_cancel (GtkloopSubprocess *process)
{
  g_return_val_if_fail (process != NULL, FALSE);
  return process->terminate_on_cancel;
}

/* Waiting ----------------------------------------------------------------- */

/* A failed wait: a cancelled one terminates the child, as promised. */
static void
wait_failed (GtkloopSubprocess *proc,
             GError            *local,
             GError           **error)
{
  if (g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CANCELLED) &&
      proc->terminate_on_cancel && !proc->exited)
    gtkloop_subprocess_terminate (proc, NULL);
  g_propagate_error (error, local);
}

static gboolean
await_exit (GtkloopSubprocess *proc,
            GError           **error)
{
  while (!proc->exited)
    {
      g_autoptr(GtkloopFuture) waiter = gtkloop_future_new (proc->loop);
      GError *local = NULL;
      gboolean ok;

      g_ptr_array_add (proc->exit_waiters, gtkloop_future_ref (waiter));
      ok = gtkloop_await (waiter, &local);
      g_ptr_array_remove (proc->exit_waiters, waiter);
      if (!ok)
        {
          g_propagate_error (error, local);
          return FALSE;
        }
    }
  return TRUE;
}

/**
 * gtkloop_subprocess_wait:
 * @process: a subprocess
 * @returncode: (out) (optional): the exit status, or minus the signal
 * @error: return location for a #GError
 *
 * asyncio's Process.wait(): a suspension point until the child exits.
 * Cancelling the task sends the child SIGTERM unless
 * gtkloop_subprocess_set_terminate_on_cancel() said not to. Inside a task
 * only. Closing the loop stops watching the child, and while the loop
 * closes a wait fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: %TRUE once the child has exited
 *
 * Since: 0.1
 */
gboolean
gtkloop_subprocess_wait (GtkloopSubprocess *process,
                         int               *returncode,
                         GError           **error)
{
  GError *local = NULL;

  g_return_val_if_fail (process != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (!gtkloop_stream_check_in_task (G_STRFUNC, error))
    return FALSE;
  gtkloop_subprocess_ref (process);
  if (!await_exit (process, &local))
    {
      wait_failed (process, local, error);
      gtkloop_subprocess_unref (process);
      return FALSE;
    }
  if (returncode != NULL)
    *returncode = process->returncode;
  gtkloop_subprocess_unref (process);
  return TRUE;
}

/* communicate ------------------------------------------------------------- */

/* A task reading one output pipe to its end (asyncio's _read_stream). */
static void
read_pipe_task (GtkloopTask *task,
                gpointer     reader)
{
  GError *error = NULL;
  GBytes *all = gtkloop_stream_reader_read (reader, -1, &error);

  if (all != NULL)
    gtkloop_task_return (task, all, (GDestroyNotify) g_bytes_unref);
  else
    gtkloop_task_return_error (task, error);
}

static GtkloopTask *
start_reading (GtkloopSubprocess   *proc,
               GtkloopStreamReader *reader)
{
  if (reader == NULL)
    return NULL;
  return gtkloop_loop_create_task (proc->loop, read_pipe_task, gtkloop_stream_reader_ref (reader),
                                   (GDestroyNotify) gtkloop_stream_reader_unref);
}

/* asyncio's _feed_stdin: a child that stopped reading is not an error. */
static gboolean
feed_stdin (GtkloopStreamWriter *in,
            GBytes              *input,
            GError             **error)
{
  GError *local = NULL;

  if (in == NULL)
    return TRUE;
  if (input != NULL &&
      gtkloop_stream_writer_write_bytes (in, input, &local))
    gtkloop_stream_writer_drain (in, &local);
  gtkloop_stream_writer_close (in);
  if (local == NULL ||
      g_error_matches (local, G_IO_ERROR, G_IO_ERROR_BROKEN_PIPE) ||
      g_error_matches (local, G_IO_ERROR, G_IO_ERROR_CONNECTION_CLOSED))
    {
      g_clear_error (&local);
      return TRUE;
    }
  g_propagate_error (error, local);
  return FALSE;
}

/* The output of a reader task, or the reason it has none. */
static gboolean
await_output (GtkloopTask *reading,
              GBytes     **out,
              GError     **error)
{
  if (reading == NULL)
    return TRUE;
  if (!gtkloop_await (GTKLOOP_FUTURE (reading), error))
    return FALSE;
  if (out != NULL)
    *out = g_bytes_ref (gtkloop_future_get_result (GTKLOOP_FUTURE (reading), NULL));
  return TRUE;
}

/* After a failure: the reader tasks are cancelled and finished (a read
 * cancelled puts its data back), and output read already goes back too,
 * so all of it is in the readers when communicate returns. */
static void
give_back_output (GtkloopTask         *reading,
                  GtkloopStreamReader *reader,
                  GBytes              *output)
{
  if (reading == NULL)
    return;
  gtkloop_task_cancel (reading, NULL);
  gtkloop_await (GTKLOOP_FUTURE (reading), NULL);
  if (output != NULL)
    gtkloop_stream_reader_unread (reader, output);
}

/**
 * gtkloop_subprocess_communicate:
 * @process: a subprocess
 * @input: (nullable): what to write to stdin before closing it
 * @stdout_data: (out) (optional) (nullable): all of stdout; %NULL when it
 *   is not a pipe
 * @stderr_data: (out) (optional) (nullable): all of stderr, likewise
 * @error: return location for a #GError
 *
 * asyncio's Process.communicate(): writes @input and closes stdin (also
 * with no @input: unlike 3.11, which left it open and could wait forever
 * on a child reading it), reads stdout and stderr to their ends side by
 * side, then waits for the exit. Cancelling the task sends the child
 * SIGTERM unless gtkloop_subprocess_set_terminate_on_cancel() said not to;
 * what was read by then stays in the readers. Inside a task only.
 *
 * Returns: %TRUE once the child has exited and both outputs are read
 *
 * Since: 0.1
 */
gboolean
gtkloop_subprocess_communicate (GtkloopSubprocess *process,
                                GBytes            *input,
                                GBytes           **stdout_data,
                                GBytes           **stderr_data,
                                GError           **error)
{
  g_autoptr(GtkloopTask) reading_out = NULL;
  g_autoptr(GtkloopTask) reading_err = NULL;
  g_autoptr(GBytes) out = NULL;
  g_autoptr(GBytes) err = NULL;
  GError *local = NULL;
  gboolean ok;

  g_return_val_if_fail (process != NULL, FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);
  if (!gtkloop_stream_check_in_task (G_STRFUNC, error))
    return FALSE;
  if (input != NULL && process->stdin_pipe == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                           "gtkloop_subprocess_communicate: input given, but stdin is not a pipe "
                           "(G_SUBPROCESS_FLAGS_STDIN_PIPE)");
      return FALSE;
    }

  gtkloop_subprocess_ref (process);
  reading_out = start_reading (process, process->stdout_pipe);
  reading_err = start_reading (process, process->stderr_pipe);
  ok = feed_stdin (process->stdin_pipe, input, &local) &&
       await_output (reading_out, &out, &local) &&
       await_output (reading_err, &err, &local) &&
       await_exit (process, &local);
  if (!ok)
    {
      give_back_output (reading_out, process->stdout_pipe, out);
      give_back_output (reading_err, process->stderr_pipe, err);
      wait_failed (process, local, error);
    }
  gtkloop_subprocess_unref (process);
  if (!ok)
    return FALSE;
  if (stdout_data != NULL)
    *stdout_data = g_steal_pointer (&out);
  if (stderr_data != NULL)
    *stderr_data = g_steal_pointer (&err);
  return TRUE;
}
