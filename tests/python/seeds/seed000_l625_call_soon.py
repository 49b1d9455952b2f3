# Seed 000 (000_5a13d8555281b50e.txt), lines 625-637 and 639: call_soon runs callbacks in
# order.
# Added: the imports the code uses (the seed leaves them out).
# Changed to run: `In : await b1()` (line 639) is asyncio.run(b1()).

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


asyncio.run(b1())
