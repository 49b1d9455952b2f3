# Seed 001 (001_0fe8029d51512af5.txt), lines 693-703: awaiting a future nobody sets.
# Added: the imports the code uses (the seed leaves them out).
# The program never ends by itself: the runner interrupts it (SIGINT, Ctrl-C).
# seeds-runner: interrupt=1.0

import asyncio

async def main():
    # 获取当前事件循环
    loop = asyncio.get_running_loop()
    
    # # 创建一个任务（Future对象），这个任务什么都不干。
    fut = loop.create_future()
    
    # 等待任务最终结果（Future对象），没有结果则会一直等下去。
    await fut
    
asyncio.run(main())
