#pragma once

/* Fault injection for tests/test-fault-injection.c: the system calls the
 * library makes, failed on demand. The test binary is linked with
 * -Wl,--wrap for the calls gtkloop's own objects make (which --wrap
 * reaches because the library's objects are linked into the binary), and
 * defines socket () itself, which wins over the C library's for GIO's
 * calls too (symbol interposition), since the library makes its sockets
 * through GIO. */

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  FAULT_MMAP,             /* tables, fiber stacks, the overflow handler's stack */
  FAULT_MPROTECT,         /* the guards below fiber stacks */
  FAULT_PTHREAD_CREATE,   /* executor workers, loop threads */
  FAULT_EPOLL_CREATE1,    /* a loop's fd watches */
  FAULT_PIPE2,            /* the signals' wake-up pipe */
  FAULT_OPEN_PIPE,        /* a subprocess's pipes (g_unix_open_pipe) */
  FAULT_SOCKET,           /* servers and connections (through GIO) */
  FAULT_N_FAMILIES
} FaultFamily;

const char *fault_family_name (FaultFamily family);

/* From now on, counts the calls of @family and fails the @nth one
 * (counted from 1), once. Any thread. */
void     fault_arm      (FaultFamily family,
                         guint       nth);
/* Stops counting and failing. */
void     fault_disarm   (void);
/* Calls of the armed family seen since fault_arm (). */
guint    fault_calls    (void);
/* Whether the nth call has come, and so failed. */
gboolean fault_injected (void);

G_END_DECLS
