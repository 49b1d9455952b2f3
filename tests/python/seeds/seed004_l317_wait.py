# Seed 004 (004_a3bec4fbbb8b0e41.txt), lines 317-337: before 3.7, no arguments, no results.
# Changed to run: the seed lost the code's indentation; it is put back (four spaces a level).
# Changed for 3.11: asyncio.wait() takes tasks, not coroutines (3.11 raises TypeError), so
# each coroutine is wrapped in asyncio.ensure_future() where it is made.

# 3.7版本之前 无参数无返回值 start
import asyncio
import time
a=time.time()
async def hello1():
    print("Hello world 01 begin")
    await asyncio.sleep(3) #模拟耗时任务3秒
    print("Hello again 01 end")
async def hello2():
    print("Hello world 02 begin")
    await asyncio.sleep(2) #模拟耗时任务2秒
    print("Hello again 02 end")
async def hello3():
    print("Hello world 03 begin")
    await asyncio.sleep(4) #模拟耗时任务4秒
    print("Hello again 03 end")
loop = asyncio.get_event_loop() #第一步:创建事件循环
tasks = [asyncio.ensure_future(hello1()), asyncio.ensure_future(hello2()),asyncio.ensure_future(hello3())] #第二步:将多个协程函数包装成任务列表
loop.run_until_complete(asyncio.wait(tasks)) #第三步:通过事件循环运行
loop.close() #第四步:取消事件循环
# 3.7版本之前 无参数无返回值 end
