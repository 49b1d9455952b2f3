# Twin of tests/test-gio.c's test_cancel_then_uncancel: a task reading a
# pipe nobody writes to is cancelled, catches the cancellation, uncancels,
# and its next read gets what is written later (Python 3.11).
import asyncio
import os


async def reader(stream):
    print("reader: waiting")
    try:
        await stream.read(16)
    except asyncio.CancelledError:
        print("reader: cancelled")
    print("reader: uncancel ->", asyncio.current_task().uncancel())
    data = await stream.read(16)
    print(f"reader: read {len(data)} bytes: {data.decode()}")


async def main():
    r, w = os.pipe()
    loop = asyncio.get_running_loop()
    stream = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(stream), os.fdopen(r, "rb", 0))
    t = asyncio.create_task(reader(stream))
    await asyncio.sleep(0.05)
    print("main: cancel ->", t.cancel())
    await asyncio.sleep(0.05)
    os.write(w, b"hi")
    print("main: wrote 2 bytes")
    await t
    print("main: reader cancelled", t.cancelled())
    transport.close()
    os.close(w)


asyncio.run(main())
