/* Replays the scheduler fuzzer's corpus through the same interpreter
 * (scheduler-ops.c) in ordinary builds: `meson test --suite fuzz-regress`.
 * Any broken invariant aborts; at the end it prints how often each
 * operation ran across the corpus and fails if one never did, so the
 * corpus keeps exercising every kind. Arguments: files or directories. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>

#include "scheduler-ops.h"

static int
compare_paths (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char *const *) a, *(const char *const *) b);
}

static void
collect (const char *path,
         GPtrArray  *files)
{
  GDir *dir;
  const char *name;

  if (!g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_ptr_array_add (files, g_strdup (path));
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    if (name[0] != '.')
      g_ptr_array_add (files, g_build_filename (path, name, NULL));
  g_dir_close (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);
  guint64 counts[FUZZ_N_OPS] = { 0 };
  guint64 total = 0;
  gsize bytes = 0;
  gboolean missing = FALSE;
  gboolean check_kinds = TRUE;
  GString *summary;

  if (argc < 2)
    {
      fprintf (stderr, "usage: %s [--any-kinds] CORPUS-DIR-OR-FILE...\n", argv[0]);
      return 2;
    }
  for (int i = 1; i < argc; i++)
    if (g_str_equal (argv[i], "--any-kinds"))
      check_kinds = FALSE;   /* a few inputs, not the corpus */
    else
      collect (argv[i], files);
  g_ptr_array_sort (files, compare_paths);
  if (files->len == 0)
    {
      fprintf (stderr, "fuzz-replay: no inputs found\n");
      return 1;
    }

  for (guint i = 0; i < files->len; i++)
    {
      const char *path = files->pdata[i];
      g_autofree char *data = NULL;
      g_autoptr(GError) error = NULL;
      gsize len;

      if (!g_file_get_contents (path, &data, &len, &error))
        {
          fprintf (stderr, "fuzz-replay: %s\n", error->message);
          return 1;
        }
      /* Named first, so a crash says which input did it. */
      if (g_getenv ("FUZZ_REPLAY_VERBOSE"))
        fprintf (stderr, "fuzz-replay: %s\n", path);
      fuzz_scheduler_run ((const guint8 *) data, len, counts);
      bytes += len;
    }

  summary = g_string_new (NULL);
  for (guint k = 0; k < FUZZ_N_OPS; k++)
    {
      total += counts[k];
      g_string_append_printf (summary, " %s=%" G_GUINT64_FORMAT, fuzz_op_name (k), counts[k]);
      if (counts[k] == 0 && check_kinds)
        missing = TRUE;
    }
  printf ("fuzz-replay: %u files, %" G_GSIZE_FORMAT " bytes, %" G_GUINT64_FORMAT " ops:%s\n",
          files->len, bytes, total, summary->str);
  if (missing)
    {
      printf ("fuzz-replay: FAIL: the corpus never runs:");
      for (guint k = 0; k < FUZZ_N_OPS; k++)
        if (counts[k] == 0)
          printf (" %s", fuzz_op_name (k));
      printf ("\n");
    }
  g_string_free (summary, TRUE);
  return missing ? 1 : 0;
}
