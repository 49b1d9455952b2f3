# Seed 000 (000_5a13d8555281b50e.txt), lines 518-528 (a, b), 550-551 (main, the wait variant)
# and 561-562.
# Changed for 3.11: asyncio.wait() takes tasks, not coroutines (3.11 raises TypeError), so
# each coroutine is wrapped in asyncio.ensure_future() where it is made.

import asyncio


async def a():
    print('Suspending a')
    await asyncio.sleep(0)
    print('Resuming a')


async def b():
    print('In b')


async def main():
    await asyncio.wait([asyncio.ensure_future(a()), asyncio.ensure_future(b())])


if __name__ == '__main__':
    asyncio.run(main())
