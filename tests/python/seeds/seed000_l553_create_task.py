# Seed 000 (000_5a13d8555281b50e.txt), lines 518-528 (a, b), 553-555 (main, the create_task
# variant) and 561-562.
# Unchanged.

import asyncio


async def a():
    print('Suspending a')
    await asyncio.sleep(0)
    print('Resuming a')


async def b():
    print('In b')


async def main():
    await asyncio.create_task(a())
    await b()


if __name__ == '__main__':
    asyncio.run(main())
