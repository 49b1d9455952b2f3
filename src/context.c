/* A GMainContext of our own, refused cleanly when no fd is left.
 *
 * GLib makes a context's wake-up fd in g_main_context_new () and calls
 * g_error () when it cannot (RLIMIT_NOFILE reached): the process ends.
 * The fd is probed first, the way GLib makes it, and given back at once.
 * Another thread can still take the last fd between the probe and GLib's
 * call; the probe turns the usual case, a process already out of fds,
 * into an error the caller can report. */
#include "config.h"

#include <errno.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "gtkloop/gtkloop-error.h"

#include "context-private.h"

GMainContext *
gtkloop_context_new (const char *function,
                     GError    **error)
{
  int probe = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);

  if (probe < 0)
    {
      int saved = errno;

      g_set_error (error, GTKLOOP_ERROR, GTKLOOP_ERROR_RESOURCES,
                   "%s: no file descriptor for a GMainContext's wake-up: %s",
                   function, g_strerror (saved));
      return NULL;
    }
  close (probe);
  return g_main_context_new ();
}
