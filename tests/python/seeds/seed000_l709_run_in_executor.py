# Seed 000 (000_5a13d8555281b50e.txt), lines 709-731 and 733: run_in_executor(None, a) beside
# a coroutine.
# Added: the imports the code uses (the seed leaves them out).
# Changed to run: `In : show_perf(c1)` (line 733) without its prompt.

import asyncio
import time


def a(): #非协程对象函数
    time.sleep(1)  
    return 'A'


async def b(): #协程对象，包含一个给别人执行await
    await asyncio.sleep(1)
    return 'B'


def show_perf(func):  #普通函数，
    print('*' * 20)
    start = time.perf_counter()
    asyncio.run(func())  #loop函数？
    print(f'{func.__name__} Cost: {time.perf_counter() - start}')


async def c1():  #协程对象
    loop = asyncio.get_running_loop() #创建loop
    await asyncio.gather(
        loop.run_in_executor(None, a), #这里很关键，意思
        b()
    )

show_perf(c1)
