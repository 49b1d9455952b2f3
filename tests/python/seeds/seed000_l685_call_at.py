# Seed 000 (000_5a13d8555281b50e.txt), lines 625-627 (mark_done), 685-694 and 696: call_at on
# loop.time().
# Added: the imports the code uses (the seed leaves them out).
# Changed to run: `In : await b3()` (line 696) is asyncio.run(b3()).

import asyncio
from functools import partial


def mark_done(future, result):
    print(f'Set to: {result}')
    future.set_result(result)

async def b3():
    loop = asyncio.get_event_loop()
    now = loop.time()
    fut = asyncio.Future()
    loop.call_at(now + 2, mark_done, fut, 'the result')
    loop.call_at(now + 1, partial(print, 'Hello', flush=True))
    loop.call_at(now + 1, partial(print, 'Greeting', flush=True))
    print(f'Done: {fut.done()}')
    await asyncio.sleep(2)
    print(f'Done: {fut.done()}, Result: {fut.result()}')


asyncio.run(b3())
