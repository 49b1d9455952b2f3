# Seed 004 (004_a3bec4fbbb8b0e41.txt), lines 296-311: a done callback gets the result.
# Changed to run: the seed lost the code's indentation; it is put back (four spaces a level).

# 通过回调函数获取 start
import asyncio
import time
async def hello1(a,b):
    print("Hello world 01 begin")
    await asyncio.sleep(3) #模拟耗时任务3秒
    print("Hello again 01 end")
    return a+b
def callback(future): #定义的回调函数
    print(future.result())
loop = asyncio.get_event_loop() #第一步:创建事件循环
task=asyncio.ensure_future(hello1(10,5)) #第二步:将多个协程函数包装成任务
task.add_done_callback(callback) #给任务绑定一个回调函数
loop.run_until_complete(task) #第三步:通过事件循环运行
loop.close()
# 通过回调函数获取 end
