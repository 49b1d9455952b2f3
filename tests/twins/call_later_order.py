# Seed 000, lines 666-686 (b2), with the delays scaled down 20x so the test
# stays fast: call_later runs callbacks in deadline order, and the two with
# equal delays in the order they were scheduled.
import asyncio
from functools import partial


def mark_done(future, result):
    print(f'Set to: {result}')
    future.set_result(result)


async def b2():
    loop = asyncio.get_event_loop()
    fut = asyncio.Future()
    loop.call_later(0.1, mark_done, fut, 'the result')
    loop.call_later(0.05, partial(print, 'Hello'))
    loop.call_later(0.05, partial(print, 'Greeting'))
    print(f'Done: {fut.done()}')
    await asyncio.sleep(0.1)
    print(f'Done: {fut.done()}, Result: {fut.result()}')


asyncio.run(b2())
