# Seed 004 (004_a3bec4fbbb8b0e41.txt), lines 119-143: wait(return_when=FIRST_COMPLETED).
# seeds-runner: set-order
# Changed to run: the seed lost the code's indentation; it is put back (four spaces a level).
# Changed for 3.11: asyncio.wait() takes tasks, not coroutines (3.11 raises TypeError), so
# each coroutine is wrapped in asyncio.ensure_future() where it is made.

import asyncio
import time
a=time.time()
async def hello1(): #大约2秒
    print("Hello world 01 begin")
    await asyncio.sleep(2)
    print("Hello again 01 end")
async def hello2(): #大约3秒
    print("Hello world 02 begin")
    await asyncio.sleep(3)
    print("Hello again 02 end")
async def hello3(): #大约4秒
    print("Hello world 03 begin")
    await asyncio.sleep(4)
    print("Hello again 03 end")
async def main(): #入口函数
    done,pending=await asyncio.wait({asyncio.ensure_future(hello1()),asyncio.ensure_future(hello2()),asyncio.ensure_future(hello3())},return_when=asyncio.FIRST_COMPLETED)
    for i in done:
        print(i)
    for j in pending:
        print(j)
asyncio.run(main()) #运行入口函数
b=time.time()
print('---------------------------------------')
print(b-a)
