/* bench-workloads.h: what a workload is to gtkloop-bench, and the families
 * of workloads that each export their rows of the table.
 *
 * Adding a workload: write one function per system with the BenchFunc
 * signature in its family's file and list it in that family's entries.
 * gtkloop-bench.c runs the workloads in its run order; one it does not
 * name yet runs after those.
 */
#pragma once

#include "bench-util.h"

typedef void (*BenchFunc) (guint64      n,
                           BenchResult *r);

/* One row of the table: one (system, workload). */
typedef struct
{
  const char *system;
  const char *workload;
  guint64     default_n;   /* BENCH.md's N */
  BenchFunc   run;
} BenchEntry;

/* Each family's rows, gtkloop before glib for each workload; a row with a
 * NULL system ends them. */
extern const BenchEntry bench_callbacks_entries[];   /* W1 */
extern const BenchEntry bench_timers_entries[];      /* W2 */
extern const BenchEntry bench_tasks_entries[];       /* W3, W4, W7 */
extern const BenchEntry bench_threads_entries[];     /* W5, W5-lat, W6, W6-gthreadpool, W5-exec */
extern const BenchEntry bench_fds_entries[];         /* W9-fds */
extern const BenchEntry bench_streams_entries[];     /* W10-echo */
extern const BenchEntry bench_idle_entries[];        /* W10-idle */
extern const BenchEntry bench_burst_entries[];       /* W11-burst */
#if BENCH_HAVE_GTK
extern const BenchEntry bench_frames_entries[];      /* W8, W8-idle, W8-backlog, W8-flood (and both by run_forever) */
#endif
