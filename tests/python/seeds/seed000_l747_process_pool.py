# Seed 000 (000_5a13d8555281b50e.txt), lines 709-723 (a, b, show_perf), 747-753 and 755: a
# ProcessPoolExecutor.
# Added: the imports the code uses (the seed leaves them out).
# Changed to run: `In : show_perf(c3)` (line 755) without its prompt.

import asyncio
import concurrent.futures
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


async def c3():
    loop = asyncio.get_running_loop()
    with concurrent.futures.ProcessPoolExecutor() as e:
        print(await asyncio.gather(
            loop.run_in_executor(e, a),
            b()
        ))

show_perf(c3)
