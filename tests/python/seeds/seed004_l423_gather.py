# Seed 004 (004_a3bec4fbbb8b0e41.txt), lines 423-443: 3.7 and after, gather, no results.
# Changed to run: the seed lost the code's indentation; it is put back (four spaces a level).

# 3.7版本或之后 无参数无返回值 start
import asyncio
import time
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
async def main():
    results=await asyncio.gather(hello1(),hello2(),hello3())
    for result in results:
        print(result) #因为没返回值,故而返回None
asyncio.run(main())
# 3.7版本或之后 无参数无返回值 end
