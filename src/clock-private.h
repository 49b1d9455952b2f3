#pragma once

#include <time.h>
#include <glib.h>

G_BEGIN_DECLS

/* CLOCK_MONOTONIC in nanoseconds: the loop's one time base. GLib's
 * g_get_monotonic_time () reads the same clock in microseconds, so deadlines
 * handed to g_source_set_ready_time () are these values rounded up. */
static inline gint64
gtkloop_clock_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* Seconds (as loop.time () returns them) to nanoseconds, rounded up so a
 * deadline never comes before the time the caller asked for. */
static inline gint64
gtkloop_clock_seconds_to_ns_ceil (double seconds)
{
  double ns = seconds * 1e9;
  gint64 whole;

  if (ns >= (double) G_MAXINT64 / 2)
    return G_MAXINT64 / 2;
  if (ns <= (double) G_MININT64 / 2)
    return G_MININT64 / 2;
  whole = (gint64) ns;
  return (double) whole < ns ? whole + 1 : whole;
}

G_END_DECLS
