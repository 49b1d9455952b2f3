/* The wrapped calls of tests/fault-shim.h: each counts itself when its
 * family is armed and fails, with the errno the system gives when out of
 * that resource, on the chosen call. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

#include <glib-unix.h>

#include "fault-shim.h"

static atomic_int armed = -1;   /* a FaultFamily, or -1 */
static atomic_uint fail_at;
static atomic_uint n_calls;

static const char *const family_names[FAULT_N_FAMILIES] = {
  [FAULT_MMAP] = "mmap",
  [FAULT_MPROTECT] = "mprotect",
  [FAULT_PTHREAD_CREATE] = "pthread_create",
  [FAULT_EPOLL_CREATE1] = "epoll_create1",
  [FAULT_PIPE2] = "pipe2",
  [FAULT_OPEN_PIPE] = "g_unix_open_pipe",
  [FAULT_SOCKET] = "socket",
};

const char *
fault_family_name (FaultFamily family)
{
  return family_names[family];
}

void
fault_arm (FaultFamily family,
           guint       nth)
{
  atomic_store (&n_calls, 0);
  atomic_store (&fail_at, nth);
  atomic_store (&armed, (int) family);
}

void
fault_disarm (void)
{
  atomic_store (&armed, -1);
}

guint
fault_calls (void)
{
  return atomic_load (&n_calls);
}

gboolean
fault_injected (void)
{
  return atomic_load (&n_calls) >= atomic_load (&fail_at);
}

static gboolean
should_fail (FaultFamily family)
{
  if (atomic_load (&armed) != (int) family)
    return FALSE;
  return atomic_fetch_add (&n_calls, 1) + 1 == atomic_load (&fail_at);
}

/* _FILE_OFFSET_BITS=64 (meson's default) makes <sys/mman.h>'s mmap the
 * symbol mmap64; a build without it calls mmap. Both are wrapped. */
void *__real_mmap64 (void *addr, size_t len, int prot, int flags, int fd, off_t offset);
void *__wrap_mmap64 (void *addr, size_t len, int prot, int flags, int fd, off_t offset);
void *__real_mmap (void *addr, size_t len, int prot, int flags, int fd, off_t offset);
void *__wrap_mmap (void *addr, size_t len, int prot, int flags, int fd, off_t offset);

void *
__wrap_mmap (void  *addr,
             size_t len,
             int    prot,
             int    flags,
             int    fd,
             off_t  offset)
{
  if (should_fail (FAULT_MMAP))
    {
      errno = ENOMEM;
      return (void *) -1;   /* MAP_FAILED */
    }
  return __real_mmap (addr, len, prot, flags, fd, offset);
}

void *
__wrap_mmap64 (void  *addr,
               size_t len,
               int    prot,
               int    flags,
               int    fd,
               off_t  offset)
{
  if (should_fail (FAULT_MMAP))
    {
      errno = ENOMEM;
      return (void *) -1;   /* MAP_FAILED */
    }
  return __real_mmap64 (addr, len, prot, flags, fd, offset);
}

int __real_mprotect (void *addr, size_t len, int prot);
int __wrap_mprotect (void *addr, size_t len, int prot);

int
__wrap_mprotect (void  *addr,
                 size_t len,
                 int    prot)
{
  if (should_fail (FAULT_MPROTECT))
    {
      errno = ENOMEM;   /* vm.max_map_count: the split needs a new mapping */
      return -1;
    }
  return __real_mprotect (addr, len, prot);
}

int __real_pthread_create (pthread_t *thread, const pthread_attr_t *attr,
                           void *(*start) (void *), void *arg);
int __wrap_pthread_create (pthread_t *thread, const pthread_attr_t *attr,
                           void *(*start) (void *), void *arg);

int
__wrap_pthread_create (pthread_t            *thread,
                       const pthread_attr_t *attr,
                       void               *(*start) (void *),
                       void                 *arg)
{
  if (should_fail (FAULT_PTHREAD_CREATE))
    return EAGAIN;
  return __real_pthread_create (thread, attr, start, arg);
}

int __real_epoll_create1 (int flags);
int __wrap_epoll_create1 (int flags);

int
__wrap_epoll_create1 (int flags)
{
  if (should_fail (FAULT_EPOLL_CREATE1))
    {
      errno = EMFILE;
      return -1;
    }
  return __real_epoll_create1 (flags);
}

int __real_pipe2 (int fds[2], int flags);
int __wrap_pipe2 (int fds[2], int flags);

int
__wrap_pipe2 (int fds[2],
              int flags)
{
  if (should_fail (FAULT_PIPE2))
    {
      errno = EMFILE;
      return -1;
    }
  return __real_pipe2 (fds, flags);
}

gboolean __real_g_unix_open_pipe (gint *fds, gint flags, GError **error);
gboolean __wrap_g_unix_open_pipe (gint *fds, gint flags, GError **error);

/* GLib's pipe2 () is its own (libglib is not linked into this binary), so
 * its failure is played as GLib reports it. */
gboolean
__wrap_g_unix_open_pipe (gint    *fds,
                         gint     flags,
                         GError **error)
{
  if (should_fail (FAULT_OPEN_PIPE))
    {
      g_set_error_literal (error, G_UNIX_ERROR, 0, g_strerror (EMFILE));
      errno = EMFILE;
      return FALSE;
    }
  return __real_g_unix_open_pipe (fds, flags, error);
}

/* Not wrapped but defined: GIO's calls bind to this one (the binary
 * exports it), and it makes the real call itself. */
int socket (int domain, int type, int protocol);

int
socket (int domain,
        int type,
        int protocol)
{
  if (should_fail (FAULT_SOCKET))
    {
      errno = EMFILE;
      return -1;
    }
  return (int) syscall (SYS_socket, domain, type, protocol);
}
