#pragma once

#if !defined (GTKLOOP_INSIDE) && !defined (GTKLOOP_COMPILATION)
# error "Only <gtkloop/gtkloop.h> can be included directly."
#endif

#include <gio/gio.h>

#include "gtkloop-types.h"
#include "gtkloop-version-macros.h"

G_BEGIN_DECLS

/* TCP and Unix-socket streams: asyncio's open_connection, start_server,
 * StreamReader and StreamWriter (Python 3.11). Readiness comes from the
 * loop's fd watches (one epoll set), so idle connections cost an iteration
 * nothing. Loop-thread only. See docs/io.md, "Streams". */

typedef struct _GtkloopStreamReader GtkloopStreamReader;
typedef struct _GtkloopStreamWriter GtkloopStreamWriter;
typedef struct _GtkloopStreamServer GtkloopStreamServer;

/**
 * GTKLOOP_STREAM_DEFAULT_LIMIT:
 *
 * asyncio's default limit, 64 KiB: the longest line (or readuntil() chunk)
 * a reader takes; see gtkloop_stream_reader_set_limit().
 *
 * Since: 0.1
 */
#define GTKLOOP_STREAM_DEFAULT_LIMIT (64 * 1024)

/* Connecting: suspension points of the current task, cancelled with it.
 * On success *reader and *writer are new references. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean gtkloop_open_connection      (const char            *host,
                                       guint16                port,
                                       GtkloopStreamReader  **reader,
                                       GtkloopStreamWriter  **writer,
                                       GError               **error);
GTKLOOP_AVAILABLE_IN_ALL
gboolean gtkloop_open_unix_connection (const char            *path,
                                       GtkloopStreamReader  **reader,
                                       GtkloopStreamWriter  **writer,
                                       GError               **error);

/* Reader. Each read is a suspension point when it has to wait; data that
 * an error or the end of the stream interrupts stays in the reader. */
/**
 * GTKLOOP_TYPE_STREAM_READER:
 *
 * The #GType of #GtkloopStreamReader, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_STREAM_READER (gtkloop_stream_reader_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType                gtkloop_stream_reader_get_type    (void) G_GNUC_CONST;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopStreamReader *gtkloop_stream_reader_ref         (GtkloopStreamReader *reader);
GTKLOOP_AVAILABLE_IN_ALL
void                 gtkloop_stream_reader_unref       (GtkloopStreamReader *reader);
/* Up to @n bytes (n < 0: everything up to the end); an empty GBytes at
 * the end of the stream. */
GTKLOOP_AVAILABLE_IN_ALL
GBytes              *gtkloop_stream_reader_read        (GtkloopStreamReader *reader,
                                                        gssize               n,
                                                        GError             **error) G_GNUC_WARN_UNUSED_RESULT;
/* A line with its "\n"; at the end of the stream, the partial line (empty
 * when nothing is left). */
GTKLOOP_AVAILABLE_IN_ALL
GBytes              *gtkloop_stream_reader_readline    (GtkloopStreamReader *reader,
                                                        GError             **error) G_GNUC_WARN_UNUSED_RESULT;
/* Exactly @n bytes; G_IO_ERROR_PARTIAL_INPUT when the stream ends first
 * (the partial data stays: gtkloop_stream_reader_read (reader, -1)). */
GTKLOOP_AVAILABLE_IN_ALL
GBytes              *gtkloop_stream_reader_readexactly (GtkloopStreamReader *reader,
                                                        gsize                n,
                                                        GError             **error) G_GNUC_WARN_UNUSED_RESULT;
/* Everything up to and including @separator; G_IO_ERROR_PARTIAL_INPUT at
 * the end of the stream without it, G_IO_ERROR_MESSAGE_TOO_LARGE past the
 * limit (asyncio's LimitOverrunError); either way the data stays. */
GTKLOOP_AVAILABLE_IN_ALL
GBytes              *gtkloop_stream_reader_readuntil   (GtkloopStreamReader *reader,
                                                        const void          *separator,
                                                        gsize                separator_len,
                                                        GError             **error) G_GNUC_WARN_UNUSED_RESULT;
/* TRUE once the peer's end was reached and nothing is left to read. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean             gtkloop_stream_reader_at_eof      (GtkloopStreamReader *reader);
GTKLOOP_AVAILABLE_IN_ALL
gsize                gtkloop_stream_reader_get_limit   (GtkloopStreamReader *reader);
GTKLOOP_AVAILABLE_IN_ALL
void                 gtkloop_stream_reader_set_limit   (GtkloopStreamReader *reader,
                                                        gsize                limit);
/* Bytes received and not read yet. */
GTKLOOP_AVAILABLE_IN_ALL
gsize                gtkloop_stream_reader_get_buffer_size (GtkloopStreamReader *reader);

/* Writer. */
/**
 * GTKLOOP_TYPE_STREAM_WRITER:
 *
 * The #GType of #GtkloopStreamWriter, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_STREAM_WRITER (gtkloop_stream_writer_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType                gtkloop_stream_writer_get_type    (void) G_GNUC_CONST;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopStreamWriter *gtkloop_stream_writer_ref         (GtkloopStreamWriter *writer);
GTKLOOP_AVAILABLE_IN_ALL
void                 gtkloop_stream_writer_unref       (GtkloopStreamWriter *writer);
/* Sends what the socket takes now and buffers the rest: never blocks.
 * FALSE with the error once the connection is lost, after write_eof, or
 * once closing. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean             gtkloop_stream_writer_write       (GtkloopStreamWriter *writer,
                                                        const void          *data,
                                                        gsize                len,
                                                        GError             **error);
GTKLOOP_AVAILABLE_IN_ALL
gboolean             gtkloop_stream_writer_write_bytes (GtkloopStreamWriter *writer,
                                                        GBytes              *bytes,
                                                        GError             **error);
/* Flow control: a suspension point that waits, when the buffer is above
 * the high-water mark, until it is down to the low-water mark. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean             gtkloop_stream_writer_drain       (GtkloopStreamWriter *writer,
                                                        GError             **error);
/* Shuts the sending side once the buffer is sent; reading goes on. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean             gtkloop_stream_writer_write_eof   (GtkloopStreamWriter *writer,
                                                        GError             **error);
/* Closes the connection once the buffer is sent; the reader sees the end. */
GTKLOOP_AVAILABLE_IN_ALL
void                 gtkloop_stream_writer_close       (GtkloopStreamWriter *writer);
/* A suspension point: waits until the socket is closed. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean             gtkloop_stream_writer_wait_closed (GtkloopStreamWriter *writer,
                                                        GError             **error);
GTKLOOP_AVAILABLE_IN_ALL
gboolean             gtkloop_stream_writer_is_closing  (GtkloopStreamWriter *writer);
/* (transfer none) (nullable): the peer's address, as connected. */
GTKLOOP_AVAILABLE_IN_ALL
GSocketAddress      *gtkloop_stream_writer_get_peer_address (GtkloopStreamWriter *writer);
/* (transfer none): the socket (non-blocking; do not read or write it). */
GTKLOOP_AVAILABLE_IN_ALL
GSocket             *gtkloop_stream_writer_get_socket  (GtkloopStreamWriter *writer);
/* asyncio's set_write_buffer_limits: @high 0 means the default (64 KiB),
 * @low is then high / 4. */
GTKLOOP_AVAILABLE_IN_ALL
void                 gtkloop_stream_writer_set_write_buffer_limits (GtkloopStreamWriter *writer,
                                                                    gsize                high,
                                                                    gsize                low);
GTKLOOP_AVAILABLE_IN_ALL
gsize                gtkloop_stream_writer_get_write_buffer_size   (GtkloopStreamWriter *writer);

/**
 * GtkloopStreamHandler:
 * @reader: (transfer none): the connection's reader; take a reference to
 *   keep it past the handler
 * @writer: (transfer none): its writer, likewise
 * @user_data: the data given to gtkloop_start_server()
 *
 * The body of the task a server runs for each accepted connection. A
 * connection nobody holds any more is closed once its buffer is sent.
 * Task bodies are C only (see #GtkloopTaskFunc): the servers are not
 * available to language bindings.
 *
 * Since: 0.1
 */
typedef void (*GtkloopStreamHandler) (GtkloopStreamReader *reader,
                                      GtkloopStreamWriter *writer,
                                      gpointer             user_data);

/**
 * GTKLOOP_TYPE_STREAM_SERVER:
 *
 * The #GType of #GtkloopStreamServer, a boxed type: copying takes a reference, freeing drops one.
 *
 * Since: 0.1
 */
#define GTKLOOP_TYPE_STREAM_SERVER (gtkloop_stream_server_get_type ())
GTKLOOP_AVAILABLE_IN_ALL
GType                gtkloop_stream_server_get_type    (void) G_GNUC_CONST;
/* Listens on @host (a numeric address, "localhost", or NULL for every
 * IPv4 interface) and @port (0: any free port) of the running or default
 * loop. @destroy runs once, when the server is freed. */
GTKLOOP_AVAILABLE_IN_ALL
GtkloopStreamServer *gtkloop_start_server              (GtkloopStreamHandler  handler,
                                                        gpointer              data,
                                                        GDestroyNotify        destroy,
                                                        const char           *host,
                                                        guint16               port,
                                                        GError              **error) G_GNUC_WARN_UNUSED_RESULT;
/* The same on a Unix socket at @path (a stale socket file there is
 * replaced; the file is removed on close). */
GTKLOOP_AVAILABLE_IN_ALL
GtkloopStreamServer *gtkloop_start_unix_server         (GtkloopStreamHandler  handler,
                                                        gpointer              data,
                                                        GDestroyNotify        destroy,
                                                        const char           *path,
                                                        GError              **error) G_GNUC_WARN_UNUSED_RESULT;
GTKLOOP_AVAILABLE_IN_ALL
GtkloopStreamServer *gtkloop_stream_server_ref         (GtkloopStreamServer  *server);
GTKLOOP_AVAILABLE_IN_ALL
void                 gtkloop_stream_server_unref       (GtkloopStreamServer  *server);
/* The port bound (TCP), or 0. */
GTKLOOP_AVAILABLE_IN_ALL
guint16              gtkloop_stream_server_get_port    (GtkloopStreamServer  *server);
/* (transfer none) the listening address. */
GTKLOOP_AVAILABLE_IN_ALL
GSocketAddress      *gtkloop_stream_server_get_address (GtkloopStreamServer  *server);
/* Stops listening; connections already accepted go on. */
GTKLOOP_AVAILABLE_IN_ALL
void                 gtkloop_stream_server_close       (GtkloopStreamServer  *server);
GTKLOOP_AVAILABLE_IN_ALL
gboolean             gtkloop_stream_server_is_serving  (GtkloopStreamServer  *server);
/* A suspension point: waits until the server is closed and every handler
 * task it started has ended. */
GTKLOOP_AVAILABLE_IN_ALL
gboolean             gtkloop_stream_server_wait_closed (GtkloopStreamServer  *server,
                                                        GError              **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopStreamReader, gtkloop_stream_reader_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopStreamWriter, gtkloop_stream_writer_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GtkloopStreamServer, gtkloop_stream_server_unref)

G_END_DECLS
