/* bench-util.c: the helpers every workload of gtkloop-bench shares (see
 * bench-util.h).
 */
#include "bench-util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

/* ---------------------------------------------------------------------- */
/* Failures, JSON                                                          */

/* A broken benchmark must not print a plausible number: die loudly, and
 * the parent turns the exit status into a FAILED record. */
void
bench_die (const char *format,
           ...)
{
  va_list args;

  va_start (args, format);
  fputs ("gtkloop-bench: ", stderr);
  vfprintf (stderr, format, args);
  fputc ('\n', stderr);
  va_end (args);
  exit (3);
}

void
bench_json_append_string (GString    *out,
                          const char *s)
{
  g_string_append_c (out, '"');
  for (; *s != '\0'; s++)
    {
      unsigned char c = (unsigned char) *s;

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", c);
      else if (c == '\n')
        g_string_append (out, "\\n");
      else if (c == '\t')
        g_string_append (out, "\\t");
      else if (c < 0x20 || c == 0x7f)
        g_string_append_printf (out, "\\u%04x", c);
      else
        g_string_append_c (out, c);
    }
  g_string_append_c (out, '"');
}

/* NaN stands for null. %.6g keeps six significant digits, which is more
 * than the run-to-run noise of any figure here. */
void
bench_json_append_number (GString *out,
                          double   v)
{
  if (isnan (v) || isinf (v))
    g_string_append (out, "null");
  else
    g_string_append_printf (out, "%.6g", v);
}

/* ---------------------------------------------------------------------- */
/* Results                                                                 */

void
bench_result_init (BenchResult *r)
{
  r->ns_per_op = r->p50 = r->p99 = r->max = NAN;
  r->notes = g_string_new (NULL);
  r->extra = g_string_new (NULL);
}

void
bench_extra_key (BenchResult *r,
                 const char  *key)
{
  g_string_append_c (r->extra, ',');
  bench_json_append_string (r->extra, key);
  g_string_append_c (r->extra, ':');
}

void
bench_extra_number (BenchResult *r,
                    const char  *key,
                    double       v)
{
  bench_extra_key (r, key);
  bench_json_append_number (r->extra, v);
}

void
bench_extra_int (BenchResult *r,
                 const char  *key,
                 gint64       v)
{
  bench_extra_key (r, key);
  g_string_append_printf (r->extra, "%" G_GINT64_FORMAT, v);
}

void
bench_extra_string (BenchResult *r,
                    const char  *key,
                    const char  *v)
{
  bench_extra_key (r, key);
  bench_json_append_string (r->extra, v);
}

void
bench_extra_bool (BenchResult *r,
                  const char  *key,
                  gboolean     v)
{
  bench_extra_key (r, key);
  g_string_append (r->extra, v ? "true" : "false");
}

void
bench_add_note (BenchResult *r,
                const char  *note)
{
  if (r->notes->len > 0)
    g_string_append (r->notes, "; ");
  g_string_append (r->notes, note);
}

/* A result that came out wrong keeps its details in extra but loses its
 * headline figure, so nobody quotes a fast wrong answer. */
void
bench_fail_check (BenchResult *r,
                  const char  *what)
{
  g_autofree char *note = g_strdup_printf ("FAILED (check): %s", what);

  r->ns_per_op = NAN;
  g_string_prepend (r->notes, r->notes->len > 0 ? "; " : "");
  g_string_prepend (r->notes, note);
}

/* ---------------------------------------------------------------------- */
/* Distributions                                                           */

static int
compare_double (const void *a,
                const void *b)
{
  double x = *(const double *) a;
  double y = *(const double *) b;

  return (x > y) - (x < y);
}

/* Nearest rank: the smallest value with at least p% of the sample at or
 * below it. */
static double
nearest_rank (const double *sorted,
              gsize         n,
              double        p)
{
  gsize rank = (gsize) ceil (p / 100.0 * (double) n);

  if (rank < 1)
    rank = 1;
  if (rank > n)
    rank = n;
  return sorted[rank - 1];
}

/* Sorts v in place. */
void
bench_dist_compute (double    *v,
                    gsize      n,
                    BenchDist *d)
{
  double sum = 0;

  d->n = n;
  if (n == 0)
    {
      d->p50 = d->p99 = d->max = d->min = d->mean = NAN;
      return;
    }
  qsort (v, n, sizeof *v, compare_double);
  for (gsize i = 0; i < n; i++)
    sum += v[i];
  d->p50 = nearest_rank (v, n, 50);
  d->p99 = nearest_rank (v, n, 99);
  d->max = v[n - 1];
  d->min = v[0];
  d->mean = sum / (double) n;
}

/* ---------------------------------------------------------------------- */
/* PRNG (BENCH.md's conventions; W2's delays)                              */

/* BENCH.md's xorshift64*, seeded with 42. */
guint64
bench_prng_next (guint64 *x)
{
  *x ^= *x >> 12;
  *x ^= *x << 25;
  *x ^= *x >> 27;
  return *x * G_GUINT64_CONSTANT (0x2545F4914F6CDD1D);
}

guint32
bench_prng_delay_us (guint64 *x)
{
  return (guint32) ((bench_prng_next (x) >> 32) % 100001);
}

/* Run at startup by parent and child alike: a PRNG that drifted from
 * BENCH.md would make W2 silently incomparable with the peers. */
void
bench_prng_check (void)
{
  static const guint32 expected[] = { 45556, 29686, 78833, 91698, 13017 };
  guint64 x = 42;

  for (guint i = 0; i < G_N_ELEMENTS (expected); i++)
    {
      guint32 d = bench_prng_delay_us (&x);

      if (d != expected[i])
        bench_die ("W2 PRNG self-check failed: delay %u is %u us, BENCH.md says %u us",
                   i, d, expected[i]);
    }
}

/* ---------------------------------------------------------------------- */
/* Memory                                                                  */

/* The resident set now, from /proc/self/statm (peak_rss_kb is the peak). */
long
bench_current_rss_kb (void)
{
  long pages_total = 0, pages_resident = 0;
  FILE *f = fopen ("/proc/self/statm", "r");

  if (f == NULL)
    return -1;
  if (fscanf (f, "%ld %ld", &pages_total, &pages_resident) != 2)
    pages_resident = -1;
  fclose (f);
  return pages_resident < 0 ? -1 : pages_resident * (sysconf (_SC_PAGESIZE) / 1024);
}

/* ---------------------------------------------------------------------- */
/* Limits                                                                  */

/* Raises the soft limit on open fds to @need (the workloads that keep
 * 10,000 idle fds open); dies when the hard limit is lower. */
void
bench_raise_fd_limit (guint       need,
                      const char *workload)
{
  struct rlimit lim;

  if (getrlimit (RLIMIT_NOFILE, &lim) != 0)
    bench_die ("getrlimit: %s", g_strerror (errno));
  if (lim.rlim_cur >= need)
    return;
  lim.rlim_cur = MIN (lim.rlim_max, (rlim_t) need);
  if (setrlimit (RLIMIT_NOFILE, &lim) != 0 || lim.rlim_cur < need)
    bench_die ("%s needs %u open fds", workload, need);
}
