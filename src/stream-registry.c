/* The streams and servers open on each loop, so that closing the loop
 * closes them (after its tasks have finished, before its fd watches go). */
#include "config.h"

#include "loop-private.h"
#include "stream-transport-private.h"

#define REGISTRY_KEY "gtkloop-open-streams"

static void
close_open_streams (GtkloopLoop *loop)
{
  GHashTable *open = g_object_get_data (G_OBJECT (loop), REGISTRY_KEY);
  GHashTableIter iter;
  gpointer object, close_now;

  /* Each close removes its entry, so close one at a time from the top. */
  while (open != NULL && g_hash_table_size (open) > 0)
    {
      g_hash_table_iter_init (&iter, open);
      g_hash_table_iter_next (&iter, &object, &close_now);
      g_hash_table_iter_steal (&iter);
      ((GtkloopCallback) close_now) (object);
    }
}

static void
install_close_hook (void)
{
  static gsize installed = 0;

  if (g_once_init_enter (&installed))
    {
      GtkloopLoopCloseHooks hooks = { .close_streams = close_open_streams };

      gtkloop_loop_set_close_hooks (&hooks);
      g_once_init_leave (&installed, 1);
    }
}

void
gtkloop_stream_registry_add (GtkloopLoop    *loop,
                             gpointer        object,
                             GtkloopCallback close_now)
{
  GHashTable *open = g_object_get_data (G_OBJECT (loop), REGISTRY_KEY);

  install_close_hook ();
  if (open == NULL)
    {
      open = g_hash_table_new (NULL, NULL);
      g_object_set_data_full (G_OBJECT (loop), REGISTRY_KEY, open,
                              (GDestroyNotify) g_hash_table_unref);
    }
  g_hash_table_insert (open, object, close_now);
}

void
gtkloop_stream_registry_remove (GtkloopLoop *loop,
                                gpointer     object)
{
  GHashTable *open = g_object_get_data (G_OBJECT (loop), REGISTRY_KEY);

  if (open != NULL)
    g_hash_table_remove (open, object);
}
