# Awaiting I/O (seed 000, "Eventloop": a task waiting for I/O gives the
# loop back until its data comes): files read off the loop's thread, two
# reads at once, an error, a pipe read as its bytes arrive, and a read
# nobody answers, cancelled. (asyncio has no file I/O of its own, so the
# files are read on a thread; gtkloop awaits GIO's own asynchronous calls.)
import asyncio
import os
import pathlib
import tempfile


async def load(path):
    return await asyncio.to_thread(path.read_bytes)


async def reader_task(reader):
    print('reader: waiting')
    try:
        await reader.read(100)
    except asyncio.CancelledError:
        print('reader: cancelled')
        raise


async def main():
    loop = asyncio.get_running_loop()
    with tempfile.TemporaryDirectory() as d:
        a = pathlib.Path(d, 'a.txt')
        b = pathlib.Path(d, 'b.txt')
        a.write_text('first file\n')
        b.write_text('second file, longer\n')

        print('-- one file')
        data = await load(a)
        print(f'loaded {len(data)} bytes: {data.decode().strip()}')

        print('-- two files at once')
        da, db = await asyncio.gather(load(a), load(b))
        print(f'a: {da.decode().strip()}; b: {db.decode().strip()}')

        print('-- a missing file')
        try:
            await load(pathlib.Path(d, 'missing.txt'))
        except FileNotFoundError:
            print('error: no such file')

    print('-- a pipe: the read waits until the bytes come')
    r, w = os.pipe()
    reader = asyncio.StreamReader()
    transport, _ = await loop.connect_read_pipe(
        lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(r, 'rb', 0))
    loop.call_later(0.05, os.write, w, b'hello')
    data = await reader.read(100)
    print(f'read {len(data)} bytes: {data.decode()}')

    print('-- a read nobody answers, cancelled')
    task = asyncio.create_task(reader_task(reader))
    await asyncio.sleep(0.05)
    task.cancel()
    await asyncio.wait([task])
    print(f'cancelled: {task.cancelled()}')
    os.write(w, b'bye')
    data = await reader.read(100)
    print(f'the pipe still works: {data.decode()}')

    transport.close()
    os.close(w)


asyncio.run(main())
