# Seed 004 (004_a3bec4fbbb8b0e41.txt), lines 278-291: task.result().
# Changed to run: the seed lost the code's indentation; it is put back (four spaces a level).
# Added: `import asyncio` (the seed leaves it out).

import asyncio
# 通过result获取 start
async def hello1(a,b):
    print("Hello world 01 begin")
    await asyncio.sleep(3) #模拟耗时任务3秒
    print("Hello again 01 end")
    return a+b
coroutine=hello1(10,5)
loop = asyncio.get_event_loop() #第一步:创建事件循环
task=asyncio.ensure_future(coroutine) #第二步:将多个协程函数包装成任务列表
loop.run_until_complete(task) #第三步:通过事件循环运行
print('-------------------------------------')
print(task.result())
loop.close()
# 通过result获取 end
