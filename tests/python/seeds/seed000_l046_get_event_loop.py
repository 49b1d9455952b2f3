# Seed 000 (000_5a13d8555281b50e.txt), lines 17-32 and 46-48: coro1.py run by the loop API.
# Changed to run: lines 46-48 (the seed's "otherwise you write this") in place of coro1's
# asyncio.run(main()).

import asyncio


async def a():
    print('Suspending a')
    await asyncio.sleep(0)
    print('Resuming a')


async def b():
    print('In b')


async def main():
    await asyncio.gather(a(), b())


loop = asyncio.get_event_loop()
loop.run_until_complete(main()) #运行main协程，main协程又并发运行a（）和b（）
loop.close()
