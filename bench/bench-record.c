/* bench-record.c: gtkloop-bench's records, one JSON line per measurement
 * on stdout, and their metadata (shared by child records and FAILED
 * records).
 */
#include "bench-record.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#ifndef BENCH_BUILDTYPE
#define BENCH_BUILDTYPE "unknown"
#endif
#ifndef BENCH_DEBUG_COUNTERS
#define BENCH_DEBUG_COUNTERS -1
#endif

/* How much of a failed child's stderr goes into its notes: the end. */
#define STDERR_TAIL 400

void
bench_iso8601_utc_now (char *buf,
                       gsize size)
{
  time_t t = time (NULL);
  struct tm tm;

  gmtime_r (&t, &tm);
  strftime (buf, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The machine's load when the measurement started: these machines are
 * shared, and a loaded one explains an outlier. */
void
bench_append_loadavg (GString *out)
{
  double l1 = NAN, l5 = NAN, l15 = NAN;
  FILE *f = fopen ("/proc/loadavg", "r");

  if (f != NULL)
    {
      if (fscanf (f, "%lf %lf %lf", &l1, &l5, &l15) != 3)
        l1 = l5 = l15 = NAN;
      fclose (f);
    }
  g_string_append (out, "[");
  bench_json_append_number (out, l1);
  g_string_append (out, ",");
  bench_json_append_number (out, l5);
  g_string_append (out, ",");
  bench_json_append_number (out, l15);
  g_string_append (out, "]");
}

void
bench_append_meta (BenchResult *r,
                   const char  *run_id,
                   int          rep,
                   const char  *date,
                   const char  *loadavg)
{
  bench_extra_string (r, "run_id", run_id);
  bench_extra_int (r, "rep", rep);
  bench_extra_string (r, "date", date);
  bench_extra_key (r, "loadavg");
  g_string_append (r->extra, loadavg);
  bench_extra_string (r, "build", BENCH_BUILDTYPE);
  if (BENCH_DEBUG_COUNTERS >= 0)
    bench_extra_bool (r, "debug_counters", BENCH_DEBUG_COUNTERS);
}

void
bench_print_record (const char  *system,
                    const char  *workload,
                    guint64      n,
                    BenchResult *r,
                    long         peak_rss_kb)
{
  GString *line = g_string_new ("{\"system\":");

  bench_json_append_string (line, system);
  g_string_append (line, ",\"workload\":");
  bench_json_append_string (line, workload);
  g_string_append_printf (line, ",\"n\":%" G_GUINT64_FORMAT ",\"ns_per_op\":", n);
  bench_json_append_number (line, r->ns_per_op);
  g_string_append (line, ",\"p50\":");
  bench_json_append_number (line, r->p50);
  g_string_append (line, ",\"p99\":");
  bench_json_append_number (line, r->p99);
  g_string_append (line, ",\"max\":");
  bench_json_append_number (line, r->max);
  g_string_append_printf (line, ",\"peak_rss_kb\":%ld,\"notes\":", peak_rss_kb);
  bench_json_append_string (line, r->notes->str);
  /* extra holds ",k:v" fragments: its first comma becomes the brace. */
  g_string_append (line, ",\"extra\":{");
  g_string_append (line, r->extra->len > 0 ? r->extra->str + 1 : "");
  g_string_append (line, "}}\n");
  fputs (line->str, stdout);
  fflush (stdout);
  g_string_free (line, TRUE);
}

void
bench_print_failed (const BenchEntry *entry,
                    guint64           n,
                    const char       *run_id,
                    int               rep,
                    const char       *date,
                    const char       *loadavg,
                    const char       *why,
                    const GString    *err,
                    long              peak_rss_kb)
{
  BenchResult r;
  g_autoptr(GString) tail = g_string_new (NULL);
  const char *start = err->str;

  if (err->len > STDERR_TAIL)
    start = err->str + err->len - STDERR_TAIL;
  g_string_append (tail, start);
  g_strstrip (tail->str);
  tail->len = strlen (tail->str);
  g_string_replace (tail, "\n", " | ", 0);

  bench_result_init (&r);
  g_string_printf (r.notes, "FAILED (%s): %s", why, tail->str);
  bench_append_meta (&r, run_id, rep, date, loadavg);
  bench_print_record (entry->system, entry->workload, n, &r, peak_rss_kb);
}
