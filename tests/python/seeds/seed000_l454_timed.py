# Seed 000 (000_5a13d8555281b50e.txt), lines 454-475 and 483-484: a contextmanager times
# asyncio.run.
# Added: the imports the code uses (the seed leaves them out).
# Changed to run: the IPython lines 483-484 (`with timed(s1) as rv:`) without their prompts.

import asyncio
import time
from contextlib import contextmanager


async def a():
    await asyncio.sleep(3)
    return 'A'


async def b():
    await asyncio.sleep(1)
    return 'B'


async def s1():
    return await asyncio.gather(a(), b())


@contextmanager
def timed(func):
    start = time.perf_counter()
    yield asyncio.run(func())
    print(f'Cost: {time.perf_counter() - start}')


with timed(s1) as rv:
    print(f'Result: {rv}')
