#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The unit the kernel's transparent huge pages come in (x86_64, aarch64
 * with 4 KiB base pages). */
#define GTKLOOP_HUGE_PAGE_SIZE ((gsize) 2 * 1024 * 1024)

/* Zeroed memory for the loop's big tables (handle chunks, large rings).
 * From 2 MiB up it is an anonymous mapping aligned to 2 MiB; when
 * huge_pages is TRUE it is advised for transparent huge pages, so a million
 * queued callbacks cost a few hundred page faults instead of ~20,000 (a
 * first-touched 4 KiB page costs about 2 µs on the reference machine).
 * Smaller sizes come from g_malloc0. Free with the same size.
 *
 * When the mapping fails (vm.max_map_count, an address-space limit),
 * gtkloop_table_alloc warns and takes the table from the C heap, 2 MiB
 * aligned (it aborts only where g_malloc would): for callers that cannot
 * refuse. gtkloop_table_try_alloc returns NULL with a
 * GTKLOOP_ERROR_RESOURCES error (and errno) instead, for callers that
 * can. */
gpointer gtkloop_table_alloc (gsize    size,
                              gboolean huge_pages);
gpointer gtkloop_table_try_alloc (gsize    size,
                                  gboolean huge_pages,
                                  GError **error);
void     gtkloop_table_free  (gpointer mem,
                              gsize    size);
/* A table of old_size bytes made new_size (larger) bytes, its contents
 * kept. Big tables move their pages with mremap () instead of copying,
 * and nothing is zeroed: bytes past old_size are undefined. The try
 * variant leaves mem as it was and returns NULL when the mapping fails. */
gpointer gtkloop_table_grow  (gpointer mem,
                              gsize    old_size,
                              gsize    new_size,
                              gboolean huge_pages);
gpointer gtkloop_table_try_grow (gpointer mem,
                                 gsize    old_size,
                                 gsize    new_size,
                                 gboolean huge_pages,
                                 GError **error);
/* Advises the 2 MiB pages of [mem + offset, mem + size) of a table from
 * gtkloop_table_alloc (size >= 2 MiB, offset a multiple of 2 MiB) for huge
 * pages, once a table allocated without them turns out to be busy. */
void     gtkloop_table_advise_huge (gpointer mem,
                                    gsize    offset,
                                    gsize    size);

/* Takes a table from gtkloop_table_alloc (size >= 2 MiB) off huge pages for
 * good: before discarding parts of it, so that khugepaged does not fill a
 * discarded range in again around a page still in use. */
void     gtkloop_table_leave_huge_pages (gpointer mem,
                                         gsize    size);
/* Gives the pages of [mem + offset, mem + offset + size) (page-aligned) of
 * such a table back to the system: they read as zero afterwards. */
void     gtkloop_table_discard          (gpointer mem,
                                         gsize    offset,
                                         gsize    size);

G_END_DECLS
