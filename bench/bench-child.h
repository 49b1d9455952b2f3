/* bench-child.h: one measurement in a process of its own. The parent
 * re-executes gtkloop-bench with --child, watches it against a timeout and
 * passes on its record (or writes a FAILED one); the child runs the
 * workload and prints the record.
 */
#pragma once

#include "bench-workloads.h"

int      bench_child_main          (const BenchEntry *entry,
                                    guint64           n,
                                    const char       *run_id,
                                    int               rep);

void     bench_run_child           (const BenchEntry *entry,
                                    guint64           n,
                                    const char       *run_id,
                                    int               rep,
                                    int               timeout_s);

void     bench_catch_interrupt     (void);
gboolean bench_interrupted         (void);
