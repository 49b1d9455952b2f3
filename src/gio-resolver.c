/* Name resolution, awaited: a host name to its addresses through
 * GResolver, as a suspension point of the current task made with the
 * task's GCancellable. */
#include "config.h"

#include "gio-private.h"

/**
 * gtkloop_resolver_lookup_by_name:
 * @resolver: (nullable): the resolver; %NULL for g_resolver_get_default()
 * @hostname: the name to look up
 * @error: return location for a #GError
 *
 * Runs g_resolver_lookup_by_name_async(), awaited: a suspension point.
 * Inside a task only: the operation's GCancellable is the task's. While
 * the loop closes, it fails at once with %G_IO_ERROR_CANCELLED.
 *
 * Returns: (transfer full) (element-type GInetAddress) (nullable): the
 *   addresses (free with g_resolver_free_addresses()), or %NULL with the
 *   error (%G_IO_ERROR_CANCELLED when the task was cancelled)
 *
 * Since: 0.1
 */
GList *
gtkloop_resolver_lookup_by_name (GResolver   *resolver,
                                 const char  *hostname,
                                 GError     **error)
{
  g_autoptr(GResolver) default_resolver = NULL;
  GtkloopFuture *operation;
  g_autoptr(GAsyncResult) result = NULL;

  g_return_val_if_fail (resolver == NULL || G_IS_RESOLVER (resolver), NULL);
  g_return_val_if_fail (hostname != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((operation = gtkloop_gio_operation_new (G_STRFUNC, error)) == NULL)
    return NULL;
  if (resolver == NULL)
    resolver = default_resolver = g_resolver_get_default ();
  g_resolver_lookup_by_name_async (resolver, hostname, gtkloop_get_cancellable (),
                                   gtkloop_gio_ready, gtkloop_future_ref (operation));
  if ((result = gtkloop_gio_operation_finish (operation, error)) == NULL)
    return NULL;
  return g_resolver_lookup_by_name_finish (resolver, result, error);
}
