#pragma once

#if !defined (GTKLOOP_INSIDE) && !defined (GTKLOOP_COMPILATION)
# error "Only <gtkloop/gtkloop.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gtkloop-types.h"
#include "gtkloop-streams.h"
#include "gtkloop-version-macros.h"

G_BEGIN_DECLS

/* Child processes: asyncio's create_subprocess_exec and its Process
 * (Python 3.11), on GSubprocess. An argv, never a shell string. The pipes
 * asked for with G_SUBPROCESS_FLAGS_STDIN_PIPE, _STDOUT_PIPE and
 * _STDERR_PIPE are the streams of gtkloop-streams.h, read and written from
 * the loop's fd watches; the child's exit is one more fd watch (a pidfd),
 * and GLib's child watch reaps it, so it never stays a zombie. Loop-thread
 * only. See docs/io.md, "Subprocesses". */

typedef struct _GtkloopSubprocess GtkloopSubprocess;

/**
 * GTKLOOP_TYPE_SUBPROCESS:
 *
 * The #GType of #GtkloopSubprocess, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_SUBPROCESS (gtkloop_subprocess_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType              gtkloop_subprocess_get_type     (void) G_GNUC_CONST;

/* Starts @argv (argv[0] searched in PATH) on the current task's loop, or
 * the default loop outside a task. @flags are GSubprocess's: the three
 * _PIPE flags give the streams below; _INHERIT, _SILENCE, STDERR_MERGE and
 * the others work as in GSubprocess. Not a suspension point: the process
 * is running when this returns. */
GTKLOOP_AVAILABLE_IN_ALL
GtkloopSubprocess *gtkloop_create_subprocess_exec  (const char * const  *argv,
                                                    GSubprocessFlags     flags,
                                                    GError             **error) G_GNUC_WARN_UNUSED_RESULT;
/* The same with a working directory and an environment (each nullable:
 * the caller's). */
GTKLOOP_AVAILABLE_IN_ALL
GtkloopSubprocess *gtkloop_create_subprocess_exec_full (const char * const  *argv,
                                                        const char          *cwd,
                                                        const char * const  *envp,
                                                        GSubprocessFlags     flags,
                                                        GError             **error) G_GNUC_WARN_UNUSED_RESULT;

GTKLOOP_AVAILABLE_IN_ALL
GtkloopSubprocess *gtkloop_subprocess_ref          (GtkloopSubprocess *process);
/* The last reference closes the pipes; the child itself runs on (as
 * asyncio's and GSubprocess's do) and is still reaped when it exits. */
GTKLOOP_AVAILABLE_IN_ALL
void               gtkloop_subprocess_unref        (GtkloopSubprocess *process);

/* (transfer none) (nullable): the pipes, NULL where none was asked for. */
GTKLOOP_AVAILABLE_IN_ALL
GtkloopStreamWriter *gtkloop_subprocess_get_stdin  (GtkloopSubprocess *process);
GTKLOOP_AVAILABLE_IN_ALL
GtkloopStreamReader *gtkloop_subprocess_get_stdout (GtkloopSubprocess *process);
GTKLOOP_AVAILABLE_IN_ALL
GtkloopStreamReader *gtkloop_subprocess_get_stderr (GtkloopSubprocess *process);
/* (transfer none): the GSubprocess underneath. */
GTKLOOP_AVAILABLE_IN_ALL
GSubprocess       *gtkloop_subprocess_get_gsubprocess (GtkloopSubprocess *process);
/* The child's pid; 0 for a child so quick that GLib had reaped it before
 * GSubprocess was asked (its return code is known all the same). */
GTKLOOP_AVAILABLE_IN_ALL
GPid               gtkloop_subprocess_get_pid      (GtkloopSubprocess *process);

/* asyncio's returncode: FALSE while the loop has not seen the child exit;
 * then TRUE with its exit status, or minus the signal that ended it. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean           gtkloop_subprocess_get_returncode (GtkloopSubprocess *process,
                                                      int               *returncode);

/* A suspension point: waits until the child exits; @returncode:
 * (out) (optional). Cancelling the waiting task sends the child SIGTERM,
 * unless gtkloop_subprocess_set_terminate_on_cancel said not to. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean           gtkloop_subprocess_wait         (GtkloopSubprocess *process,
                                                    int               *returncode,
                                                    GError           **error);
/* A suspension point: writes @input (nullable) to stdin and closes it,
 * reads stdout and stderr to their ends at the same time (so a child
 * that fills one pipe while we wait on the other does not block), then
 * waits for the exit. @stdout_data, @stderr_data: (out) (optional): the
 * output, NULL for a stream that is not a pipe. A child that stops
 * reading its input early is not an error (asyncio ignores the broken
 * pipe). Cancelled like gtkloop_subprocess_wait; what was read then stays
 * in the readers. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean           gtkloop_subprocess_communicate  (GtkloopSubprocess *process,
                                                    GBytes            *input,
                                                    GBytes           **stdout_data,
                                                    GBytes           **stderr_data,
                                                    GError           **error);

/* Signals. Once the loop has seen the child exit, they fail with
 * G_IO_ERROR_NOT_FOUND (asyncio's ProcessLookupError) and send nothing:
 * the pid may belong to another process by then. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean           gtkloop_subprocess_send_signal  (GtkloopSubprocess *process,
                                                    int                signum,
                                                    GError           **error);
/* SIGTERM. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean           gtkloop_subprocess_terminate    (GtkloopSubprocess *process,
                                                    GError           **error);
/* SIGKILL. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean           gtkloop_subprocess_kill         (GtkloopSubprocess *process,
                                                    GError           **error);

/* Whether cancelling a task in gtkloop_subprocess_wait or _communicate
 * terminates the child (default TRUE). With FALSE the child runs on and
 * only the wait ends. */
GTKLOOP_AVAILABLE_IN_ALL
void               gtkloop_subprocess_set_terminate_on_cancel (GtkloopSubprocess *process,
                                                               gboolean           terminate);
GTKLOOP_AVAILABLE_IN_ALL
gboolean           gtkloop_subprocess_get_terminate_on_cancel (GtkloopSubprocess *process);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopSubprocess, gtkloop_subprocess_unref)

G_END_DECLS
