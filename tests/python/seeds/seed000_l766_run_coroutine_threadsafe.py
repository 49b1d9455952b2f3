# Seed 000 (000_5a13d8555281b50e.txt), lines 582-584 (a), 766-783 and 786: a second loop on a
# thread.
# Added: the imports the code uses (the seed leaves them out).
# Changed to run: `In : await b1()` (line 786) is asyncio.run(b1()); a() is the lesson's
# coroutine of lines 582-584 (the plain a() of line 709 is no coroutine).

import asyncio
from functools import partial
from threading import Thread


async def a():
	await asyncio.sleep(1)
	return 'A'


def start_loop(loop):
    asyncio.set_event_loop(loop)
    loop.run_forever()


def shutdown(loop):
    loop.stop()


async def b1():
    new_loop = asyncio.new_event_loop()
    t = Thread(target=start_loop, args=(new_loop,))
    t.start()

    future = asyncio.run_coroutine_threadsafe(a(), new_loop)
    print(future)
    print(f'Result: {future.result(timeout=2)}')
    new_loop.call_soon_threadsafe(partial(shutdown, new_loop))


asyncio.run(b1())
