# Twin of tests/test-streams.c's test_echo_twin: an echo exchange over TCP
# on 127.0.0.1, where each line printed is ordered by the data it waits
# for (Python 3.11).
import asyncio


async def main():
    done = asyncio.Event()

    async def handler(reader, writer):
        line = await reader.readline()
        print(f"server: got {line!r}")
        writer.write(line.upper())
        await writer.drain()
        print("server: replied")
        data = await reader.readexactly(4)
        print(f"server: got {data!r}")
        writer.write_eof()
        print("server: eof sent")
        rest = await reader.read()
        print(f"server: rest {rest!r}, at eof {reader.at_eof()}")
        writer.close()
        await writer.wait_closed()
        done.set()

    server = await asyncio.start_server(handler, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    print("client: connected")
    writer.write(b"hello\n")
    await writer.drain()
    print("client: sent hello")
    reply = await reader.readline()
    print(f"client: got {reply!r}")
    writer.write(b"bye!")
    await writer.drain()
    print("client: sent bye!")
    tail = await reader.read()
    print(f"client: read {tail!r}, at eof {reader.at_eof()}")
    writer.close()
    await writer.wait_closed()
    await done.wait()
    print("client: closed, server handler done")
    server.close()
    await server.wait_closed()
    print("main: server closed")


asyncio.run(main())
