# Seed 000, lines 690-709 (b3), delays scaled down 20x: call_at on the
# loop's clock orders like call_later.
import asyncio
from functools import partial


def mark_done(future, result):
    print(f'Set to: {result}')
    future.set_result(result)


async def b3():
    loop = asyncio.get_event_loop()
    now = loop.time()
    fut = asyncio.Future()
    loop.call_at(now + 0.1, mark_done, fut, 'the result')
    loop.call_at(now + 0.05, partial(print, 'Hello', flush=True))
    loop.call_at(now + 0.05, partial(print, 'Greeting', flush=True))
    print(f'Done: {fut.done()}')
    await asyncio.sleep(0.1)
    print(f'Done: {fut.done()}, Result: {fut.result()}')


asyncio.run(b3())
