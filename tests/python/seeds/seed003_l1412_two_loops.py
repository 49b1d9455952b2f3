# Seed 003 (003_0ea1cdbee312212f.txt), lines 1412-1452: two loops on two threads pass
# coroutines back and forth.
# Unchanged.
# The program never ends by itself, nor on Ctrl-C (the worker thread is not a daemon and its
# loop never stops): the runner interrupts it (SIGINT) at 2.5 s and kills it (SIGKILL) at 2.8
# s, before the worker's next turn at 3 s. That turn hands a coroutine to the main loop,
# closed by then: the call fails and Python warns that the coroutine was never awaited, naming
# the line that was running when the loop let go of it, a line of asyncio's _run_once or of
# gtkloop's run_forever (see README.md).
# seeds-runner: interrupt=2.5 kill=2.8

import asyncio
from threading import Thread

class WorkThread(Thread):
    def __init__(self, work_loop):
        self.__work_loop = work_loop
        super(WorkThread, self).__init__()

    def run(self):
        asyncio.set_event_loop(self.__work_loop)
        self.__work_loop.run_forever()

    # 未实现停止事件循环的函数
    def stop(self):
        self.__work_loop.call_soon_threadsafe(self.__work_loop.stop)

async def request(main_loop, work_loop):
    print('request!')
    await asyncio.sleep(1)
    asyncio.run_coroutine_threadsafe(response(main_loop, work_loop), main_loop)

async def response(main_loop, work_loop):
    print('response!')
    await asyncio.sleep(1)
    asyncio.run_coroutine_threadsafe(request(main_loop, work_loop), work_loop)

async def main():
    # 携程中可以启动线程
    work_loop = asyncio.new_event_loop()
    work_thread = WorkThread(work_loop)
    work_thread.start()

    # 通过loop将协程交给其他线程的loop执行
    main_loop = asyncio.get_running_loop()
    asyncio.run_coroutine_threadsafe(request(main_loop, work_loop), work_loop)

    while True:
        await asyncio.sleep(3600)

if '__main__' == __name__:
    asyncio.run(main())
