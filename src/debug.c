/* Debug counters and callback names for debug-mode reports. */
#include "config.h"

#include <dlfcn.h>

#include "debug-private.h"

atomic_long gtkloop_debug_counters[GTKLOOP_N_COUNTERS];

static const char *const counter_names[GTKLOOP_N_COUNTERS] = {
  "loops", "futures", "handles", "tasks", "fibers", "sync objects",
};

gboolean
gtkloop_debug_counters_enabled (void)
{
  return GTKLOOP_DEBUG_COUNTERS;
}

void
gtkloop_debug_counters_snapshot (GtkloopDebugCounters *out)
{
  for (guint i = 0; i < GTKLOOP_N_COUNTERS; i++)
    out->values[i] = atomic_load (&gtkloop_debug_counters[i]);
}

gboolean
gtkloop_debug_counters_equal (const GtkloopDebugCounters *before)
{
  GtkloopDebugCounters now;

  gtkloop_debug_counters_snapshot (&now);
  return memcmp (&now, before, sizeof now) == 0;
}

char *
gtkloop_debug_counters_describe (const GtkloopDebugCounters *before)
{
  GtkloopDebugCounters now;
  GString *s = g_string_new (NULL);

  gtkloop_debug_counters_snapshot (&now);
  for (guint i = 0; i < GTKLOOP_N_COUNTERS; i++)
    if (now.values[i] != before->values[i])
      g_string_append_printf (s, "%s%s: %ld -> %ld", s->len ? ", " : "",
                              counter_names[i], before->values[i], now.values[i]);
  return g_string_free (s, FALSE);
}

char *
gtkloop_debug_describe_callback (gpointer fn)
{
  Dl_info info;

  if (fn == NULL)
    return g_strdup ("(null)");
  if (dladdr (fn, &info) == 0)
    return g_strdup_printf ("%p", fn);
  if (info.dli_sname != NULL && info.dli_saddr == fn)
    return g_strdup (info.dli_sname);
  /* A static function: name the object and offset so addr2line finds it. */
  return g_strdup_printf ("%s+0x%" G_GINTPTR_MODIFIER "x",
                          info.dli_fname ? info.dli_fname : "?",
                          (guintptr) fn - (guintptr) info.dli_fbase);
}
