# Seed 000 (000_5a13d8555281b50e.txt), lines 582-593: add_done_callback.
# The IPython session is a script: its definitions stay at module level, its In lines run in
# order in main() (IPython runs top-level await on its asyncio loop), an In whose value the
# seed shows (Out:) is printed with print(repr(...)), and main() runs with asyncio.run().
# Added: the imports the code uses (the seed leaves them out).
# Changed to run: line 590's full-width parentheses `print（...）` are ASCII (a SyntaxError
# otherwise).

import asyncio


async def a():
	await asyncio.sleep(1)
	return 'A'


def callback(future): #继承future才有task完成后的回调
    print(f'Result:{future.result()}')  #打印task完成调用回调函数的结果


async def main():
    loop = asyncio.get_event_loop()
    task = loop.create_task(a())
    task.add_done_callback(callback) #任务添加callback函数

    await task


asyncio.run(main())
