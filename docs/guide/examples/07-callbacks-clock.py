# Scheduling callbacks (seed 000, "scheduling callbacks", lines 616-702):
# call_soon runs callbacks on the next iteration in the order they were
# registered; call_later after a delay; call_at at a time of the loop's
# own clock, loop.time(). Callbacks with the same deadline run in the
# order they were scheduled. (The seed's 2 s and 1 s are 0.2 s and 0.1 s
# here.)
import asyncio
from functools import partial


def mark_done(future, result):
    print(f'Set to: {result}')
    future.set_result(result)


async def b1():
    loop = asyncio.get_event_loop()
    fut = asyncio.Future()
    loop.call_soon(mark_done, fut, 'the result')
    loop.call_soon(partial(print, 'Hello', flush=True))
    loop.call_soon(partial(print, 'Greeting', flush=True))
    print(f'Done: {fut.done()}')
    await asyncio.sleep(0)
    print(f'Done: {fut.done()}, Result: {fut.result()}')


async def b2():
    loop = asyncio.get_event_loop()
    fut = asyncio.Future()
    loop.call_later(0.2, mark_done, fut, 'the result')
    loop.call_later(0.1, partial(print, 'Hello'))
    loop.call_later(0.1, partial(print, 'Greeting'))
    print(f'Done: {fut.done()}')
    await asyncio.sleep(0.2)
    print(f'Done: {fut.done()}, Result: {fut.result()}')


async def b3():
    loop = asyncio.get_event_loop()
    now = loop.time()
    fut = asyncio.Future()
    loop.call_at(now + 0.2, mark_done, fut, 'the result')
    loop.call_at(now + 0.1, partial(print, 'Hello', flush=True))
    loop.call_at(now + 0.1, partial(print, 'Greeting', flush=True))
    print(f'Done: {fut.done()}')
    await asyncio.sleep(0.2)
    print(f'Done: {fut.done()}, Result: {fut.result()}')


async def handles():
    loop = asyncio.get_running_loop()
    start = loop.time()
    h = loop.call_later(0.05, print, 'never printed')
    h.cancel()
    print(f'cancelled: {h.cancelled()}')
    await asyncio.sleep(0.1)
    print(f'the clock moved on: {loop.time() > start}')


async def main():
    for f in (b1, b2, b3, handles):
        print(f'-- {f.__name__}')
        await f()


asyncio.run(main())
