# Seed 003 (003_0ea1cdbee312212f.txt), lines 1374-1404: tasks that make tasks, a loop that
# runs forever.
# Unchanged.
# The program never ends by itself: the runner interrupts it (SIGINT, Ctrl-C) at 2.5 s, clear
# of the 3 s tick where two prints race.
# seeds-runner: interrupt=2.5

import asyncio

async def delay_task():
    await asyncio.sleep(3)
    print('after delay business logic')

async def loop_task():
    # 在Task中运行，通过asynio.sleep出让执行权限，不会阻塞线程
    while True:
        print('loop')
        await asyncio.sleep(1)

async def main_task():
    # 在Task中可以再次创建Task
    print('start loop task')
    asyncio.create_task(loop_task())
    print('start delay task')
    asyncio.create_task(delay_task())

async def main():
    # 创建Task必须在
    asyncio.create_task(main_task())

    while True:
        await asyncio.sleep(3600*24*7)

    # error: asyncio.run中已经调用run_forever，不能再次调用
    # loop.run_forever()

if '__main__' == __name__:
    asyncio.run(main())
