# Seed 004 (004_a3bec4fbbb8b0e41.txt), lines 339-367: before 3.7, arguments and results.
# Changed to run: the seed lost the code's indentation; it is put back (four spaces a level).

# 3.7版本之前 有参数有返回值 start
import asyncio
import time
async def hello1(a,b):
    print("Hello world 01 begin")
    await asyncio.sleep(3) #模拟耗时任务3秒
    print("Hello again 01 end")
    return a+b
async def hello2(a,b):
    print("Hello world 02 begin")
    await asyncio.sleep(2) #模拟耗时任务2秒
    print("Hello again 02 end")
    return a-b
async def hello3(a,b):
    print("Hello world 03 begin")
    await asyncio.sleep(4) #模拟耗时任务4秒
    print("Hello again 03 end")
    return a*b
loop = asyncio.get_event_loop() #第一步:创建事件循环
task1=asyncio.ensure_future(hello1(10,5))
task2=asyncio.ensure_future(hello2(10,5))
task3=asyncio.ensure_future(hello3(10,5))
tasks = [task1,task2,task3] #第二步:将多个协程函数包装成任务列表
loop.run_until_complete(asyncio.wait(tasks)) #第三步:通过事件循环运行
print(task1.result()) #并且在所有的任务完成之后,获取异步函数的返回值
print(task2.result())
print(task3.result())
loop.close() #第四步:关闭事件循环
# 3.7版本之前 有参数有返回值 end
