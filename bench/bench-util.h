/* bench-util.h: what every workload of gtkloop-bench shares: the clock,
 * dying loudly, a measurement's result and its JSON fragments,
 * nearest-rank distributions, BENCH.md's PRNG, the resident set size and
 * the open-file limit.
 */
#pragma once

#include <glib.h>

#include <time.h>

/* Inline: the workloads read the clock inside their measured loops, and
 * a call into another file would add to what they measure. */
static inline gint64
bench_now_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

/* CPU time of the whole process (all threads), for workloads whose wall
 * time is mostly waiting. */
static inline gint64
bench_cpu_ns (void)
{
  struct timespec ts;

  clock_gettime (CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (gint64) ts.tv_sec * G_GINT64_CONSTANT (1000000000) + ts.tv_nsec;
}

G_GNUC_NORETURN G_GNUC_PRINTF (1, 2)
void     bench_die                 (const char  *format,
                                    ...);

void     bench_json_append_string  (GString     *out,
                                    const char  *s);
void     bench_json_append_number  (GString     *out,
                                    double       v);

/* One measurement's figures, filled in by its workload function. */
typedef struct
{
  double   ns_per_op;   /* NaN: null */
  double   p50;
  double   p99;
  double   max;
  GString *notes;
  GString *extra;       /* ",\"key\":value" fragments, workload details */
} BenchResult;

void     bench_result_init         (BenchResult *r);
void     bench_extra_key           (BenchResult *r,
                                    const char  *key);
void     bench_extra_number        (BenchResult *r,
                                    const char  *key,
                                    double       v);
void     bench_extra_int           (BenchResult *r,
                                    const char  *key,
                                    gint64       v);
void     bench_extra_string        (BenchResult *r,
                                    const char  *key,
                                    const char  *v);
void     bench_extra_bool          (BenchResult *r,
                                    const char  *key,
                                    gboolean     v);
void     bench_add_note            (BenchResult *r,
                                    const char  *note);
void     bench_fail_check          (BenchResult *r,
                                    const char  *what);

typedef struct
{
  double p50;
  double p99;
  double max;
  double min;
  double mean;
  gsize  n;
} BenchDist;

void     bench_dist_compute        (double      *v,
                                    gsize        n,
                                    BenchDist   *d);

guint64  bench_prng_next           (guint64     *x);
guint32  bench_prng_delay_us       (guint64     *x);
void     bench_prng_check          (void);

long     bench_current_rss_kb      (void);

void     bench_raise_fd_limit      (guint        need,
                                    const char  *workload);
