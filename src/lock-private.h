#pragma once

#include "gtkloop/gtkloop.h"

G_BEGIN_DECLS

/* A condition wait that the closing loop ended without its lock (every
 * suspension point fails while a loop closes, so it could not wait to
 * reacquire it). Its caller will still release the lock, as the contract
 * says; that one release is forgiven instead of being a critical. */
void gtkloop_lock_forgive_release (GtkloopLock *l);

G_END_DECLS
