#pragma once

/* One connected socket on the loop's fd watches, shared by a stream's
 * reader and writer (stream-reader.c, stream-writer.c), or one end of a
 * pipe to a child process (subprocess.c); not installed. */

#include "gtkloop/gtkloop.h"

G_BEGIN_DECLS

typedef struct _GtkloopStreamTransport GtkloopStreamTransport;

struct _GtkloopStreamTransport
{
  gint              ref_count;      /* (atomic) memory: users, fd watches, waits */
  gint              n_users;        /* the reader and the writer; at 0 it closes */
  GtkloopLoop      *loop;           /* (owned) */
  GSocket          *socket;         /* (owned) (nullable) non-blocking; NULL for a pipe */
  GObject          *connection;     /* (owned) (nullable) what GIO connected, kept so it does not close the socket */
  GSocketAddress   *peer;           /* (owned) (nullable) */
  int               fd;             /* the socket's, or the pipe end (owned) */

  /* Receiving: the fd's reader fills rbuf until the peer's end, an error,
   * or rbuf holds more than twice the limit (then it pauses, asyncio's
   * pause_reading). */
  GByteArray       *rbuf;
  gsize             limit;
  gboolean          reading;        /* the reader watch is installed */
  gboolean          eof;            /* nothing more will come */
  GError           *read_error;     /* why, when it is not a plain end */
  GtkloopFuture    *read_waiter;    /* (owned) (nullable) the task waiting for data */

  /* Sending: writes gather in wbuf and are sent from the fd's writer,
   * all of one iteration's writes in one send. */
  GByteArray       *wbuf;
  guint             wbuf_sent;      /* its first bytes, sent already (compacted lazily) */
  gsize             high_water;
  gsize             low_water;
  gboolean          writing;        /* the writer watch is installed */
  gboolean          eof_requested;  /* write_eof: shut down once wbuf is sent */
  gboolean          eof_sent;
  GError           *write_error;
  GPtrArray        *drain_waiters;  /* (owned) futures */

  gboolean          closing;        /* close once wbuf is sent */
  gboolean          closed;         /* the socket is closed */
  GtkloopFuture    *closed_future;  /* (owned) done once closed */
};

/* Bytes written and not sent yet. */
static inline gsize
gtkloop_stream_transport_unsent (GtkloopStreamTransport *t)
{
  return t->wbuf->len - t->wbuf_sent;
}

/* Takes @socket (and @connection, which owns it, if any). */
GtkloopStreamTransport *gtkloop_stream_transport_new    (GtkloopLoop  *loop,
                                                         GSocket      *socket,
                                                         GObject      *connection,
                                                         GError      **error);
/* Takes @fd, one end of a pipe: the read end (@writable FALSE) is only
 * read, the write end only written (its write_eof closes it). */
GtkloopStreamTransport *gtkloop_stream_transport_new_pipe (GtkloopLoop *loop,
                                                           int          fd,
                                                           gboolean     writable,
                                                           GError     **error);
GtkloopStreamTransport *gtkloop_stream_transport_ref    (GtkloopStreamTransport *t);
void                    gtkloop_stream_transport_unref  (GtkloopStreamTransport *t);

/* The reader and the writer each hold one use; the last let go closes the
 * connection, sending what is buffered first. */
void     gtkloop_stream_transport_use      (GtkloopStreamTransport *t);
void     gtkloop_stream_transport_release  (GtkloopStreamTransport *t);

/* Reading side. wait_data suspends the current task until more data, the
 * end or an error arrives. consumed says how much the reader took out of
 * rbuf (reading resumes once rbuf is at most the limit). */
gboolean gtkloop_stream_transport_wait_data (GtkloopStreamTransport *t,
                                             const char             *function,
                                             GError                **error);
void     gtkloop_stream_transport_consumed  (GtkloopStreamTransport *t);

/* Writing side. */
gboolean gtkloop_stream_transport_write     (GtkloopStreamTransport *t,
                                             const guint8           *data,
                                             gsize                   len,
                                             GError                **error);
gboolean gtkloop_stream_transport_drain     (GtkloopStreamTransport *t,
                                             GError                **error);
gboolean gtkloop_stream_transport_write_eof (GtkloopStreamTransport *t,
                                             GError                **error);
void     gtkloop_stream_transport_close     (GtkloopStreamTransport *t);
/* Closes now, dropping what is not sent (connection lost, loop closing). */
void     gtkloop_stream_transport_abort     (GtkloopStreamTransport *t,
                                             GError                 *why);

/* The two ends a connection is handed out as (stream-reader.c,
 * stream-writer.c); each takes one use of @t. */
GtkloopStreamReader *gtkloop_stream_reader_new (GtkloopStreamTransport *t);
GtkloopStreamWriter *gtkloop_stream_writer_new (GtkloopStreamTransport *t);

/* Puts @bytes back in front of what @reader has buffered. */
void     gtkloop_stream_reader_unread   (GtkloopStreamReader *reader,
                                         GBytes              *bytes);

/* Open streams and servers of a loop, closed when the loop closes
 * (stream-registry.c). */
void     gtkloop_stream_registry_add    (GtkloopLoop    *loop,
                                         gpointer        object,
                                         GtkloopCallback close_now);
void     gtkloop_stream_registry_remove (GtkloopLoop    *loop,
                                         gpointer        object);

/* A suspension point check shared by the stream calls. */
gboolean gtkloop_stream_check_in_task   (const char     *function,
                                         GError        **error);

G_END_DECLS
