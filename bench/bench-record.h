/* bench-record.h: gtkloop-bench's output, one JSON line per measurement:
 * the record itself, its metadata, and the FAILED record written in place
 * of a child that gave none.
 */
#pragma once

#include "bench-workloads.h"

void     bench_iso8601_utc_now     (char             *buf,
                                    gsize             size);
void     bench_append_loadavg      (GString          *out);
void     bench_append_meta         (BenchResult      *r,
                                    const char       *run_id,
                                    int               rep,
                                    const char       *date,
                                    const char       *loadavg);
void     bench_print_record        (const char       *system,
                                    const char       *workload,
                                    guint64           n,
                                    BenchResult      *r,
                                    long              peak_rss_kb);
void     bench_print_failed        (const BenchEntry *entry,
                                    guint64           n,
                                    const char       *run_id,
                                    int               rep,
                                    const char       *date,
                                    const char       *loadavg,
                                    const char       *why,
                                    const GString    *err,
                                    long              peak_rss_kb);
