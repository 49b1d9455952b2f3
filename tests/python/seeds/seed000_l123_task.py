# Seed 000 (000_5a13d8555281b50e.txt), lines 20-23 (a) and 123-138: an IPython session with a
# Task.
# The IPython session is a script: its definitions stay at module level, its In lines run in
# order in main() (IPython runs top-level await on its asyncio loop), an In whose value the
# seed shows (Out:) is printed with print(repr(...)), and main() runs with asyncio.run().
# Added: the imports the code uses (the seed leaves them out).

import asyncio


async def a():
    print('Suspending a')
    await asyncio.sleep(0)
    print('Resuming a')


async def main():
    task = asyncio.ensure_future(a())  #创建一个任务用asyncio.ensure_future()函数,task是a（）协程下的等待任务
    print(repr(task))
    print(repr(task.done()))  #查看任务是否完成
    await task
    print(repr(task))
    print(repr(task.done()))


asyncio.run(main())
