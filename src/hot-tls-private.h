#pragma once

/* For the few thread-locals read on every callback or task step: the
 * initial-exec model reads them with one instruction instead of a call to
 * __tls_get_addr (they are a few words, well within the static TLS that
 * glibc reserves for dlopen()ed libraries). */
#define GTKLOOP_HOT_TLS __attribute__ ((tls_model ("initial-exec")))
