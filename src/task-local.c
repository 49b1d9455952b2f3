/* Task-local values: asyncio's contextvars in C terms. A table maps keys
 * to refcounted values; tables are shared between a task and the children
 * it creates until one of them writes, which then copies the table (the
 * values themselves stay shared, so each is freed exactly once, when the
 * last table holding it goes). */
#include "config.h"

#include "destroy-notify-private.h"
#include "task-local-private.h"

typedef struct
{
  gint           ref_count;
  gpointer       value;
  GDestroyNotify destroy;
} LocalValue;

struct _GtkloopTaskLocals
{
  gint        ref_count;
  GHashTable *values;   /* interned key -> LocalValue* (owned) */
};

static LocalValue *
local_value_ref (LocalValue *v)
{
  v->ref_count++;
  return v;
}

static void
local_value_unref (gpointer data)
{
  LocalValue *v = data;

  if (--v->ref_count > 0)
    return;
  gtkloop_destroy_notify_run (v->destroy, v->value);
  g_free (v);
}

static GtkloopTaskLocals *
locals_new (void)
{
  GtkloopTaskLocals *locals = g_new0 (GtkloopTaskLocals, 1);

  locals->ref_count = 1;
  locals->values = g_hash_table_new_full (NULL, NULL, NULL, local_value_unref);
  return locals;
}

GtkloopTaskLocals *
gtkloop_task_locals_ref (GtkloopTaskLocals *locals)
{
  locals->ref_count++;
  return locals;
}

void
gtkloop_task_locals_unref (GtkloopTaskLocals *locals)
{
  if (--locals->ref_count > 0)
    return;
  g_hash_table_unref (locals->values);
  g_free (locals);
}

gpointer
gtkloop_task_locals_get (GtkloopTaskLocals *locals,
                         const char        *key)
{
  LocalValue *v;

  if (locals == NULL)
    return NULL;
  v = g_hash_table_lookup (locals->values, g_intern_string (key));
  return v ? v->value : NULL;
}

void
gtkloop_task_locals_set (GtkloopTaskLocals **locals,
                         const char         *key,
                         gpointer            value,
                         GDestroyNotify      destroy)
{
  LocalValue *v;

  if (*locals == NULL)
    *locals = locals_new ();
  else if ((*locals)->ref_count > 1)
    {
      /* Shared with a parent or child: write to a private copy. */
      GtkloopTaskLocals *copy = locals_new ();
      GHashTableIter iter;
      gpointer k, old;

      g_hash_table_iter_init (&iter, (*locals)->values);
      while (g_hash_table_iter_next (&iter, &k, &old))
        g_hash_table_insert (copy->values, k, local_value_ref (old));
      gtkloop_task_locals_unref (*locals);
      *locals = copy;
    }

  v = g_new (LocalValue, 1);
  v->ref_count = 1;
  v->value = value;
  v->destroy = destroy;
  g_hash_table_insert ((*locals)->values, (gpointer) g_intern_string (key), v);
}
