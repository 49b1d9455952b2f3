# Seed 000 (000_5a13d8555281b50e.txt), lines 625-627 (mark_done), 659-667 and 669: call_later
# in deadline order.
# Added: the imports the code uses (the seed leaves them out).
# Changed to run: `In : await b2()` (line 669) is asyncio.run(b2()).

import asyncio
from functools import partial


def mark_done(future, result):
    print(f'Set to: {result}')
    future.set_result(result)

async def b2():
    loop = asyncio.get_event_loop()
    fut = asyncio.Future()
    loop.call_later(2, mark_done, fut, 'the result')
    loop.call_later(1, partial(print, 'Hello'))
    loop.call_later(1, partial(print, 'Greeting'))
    print(f'Done: {fut.done()}')
    await asyncio.sleep(2)
    print(f'Done: {fut.done()}, Result: {fut.result()}')


asyncio.run(b2())
