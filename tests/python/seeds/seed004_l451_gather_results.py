# Seed 004 (004_a3bec4fbbb8b0e41.txt), lines 451-474: 3.7 and after, gather with results.
# Changed to run: the seed lost the code's indentation; it is put back (four spaces a level).

# 3.7版本或之后 有参数有返回值 start
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
async def main():
    results=await asyncio.gather(hello1(10,5),hello2(10,5),hello3(10,5))
    for result in results:
        print(result)
asyncio.run(main())
# 3.7版本或之后 有参数有返回值 end
