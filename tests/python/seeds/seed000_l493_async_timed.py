# Seed 000 (000_5a13d8555281b50e.txt), lines 457-468 (a, b, s1), 493-502 and 504:
# asynccontextmanager.
# Added: the imports the code uses (the seed leaves them out).
# Changed to run: `In : asyncio.run(main())` (line 504) without its prompt.

import asyncio
import time
from contextlib import asynccontextmanager


async def a():
    await asyncio.sleep(3)
    return 'A'


async def b():
    await asyncio.sleep(1)
    return 'B'


async def s1():
    return await asyncio.gather(a(), b())


@asynccontextmanager
async def async_timed(func):
    start = time.perf_counter()
    yield await func()
    print(f'Cost: {time.perf_counter() - start}')


async def main():
    async with async_timed(s1) as rv:
        print(f'Result: {rv}')

asyncio.run(main())
