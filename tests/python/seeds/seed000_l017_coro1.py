# Seed 000 (000_5a13d8555281b50e.txt), lines 17-35: coro1.py, gather(a(), b()).
# Unchanged.

import asyncio


async def a():
    print('Suspending a')
    await asyncio.sleep(0)
    print('Resuming a')


async def b():
    print('In b')


async def main():
    await asyncio.gather(a(), b())


if __name__ == '__main__':
    asyncio.run(main())
