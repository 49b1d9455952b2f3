# Seed 004 (004_a3bec4fbbb8b0e41.txt), lines 64-75: wait_for times out.
# Changed to run: the seed lost the code's indentation; it is put back (four spaces a level).
# The seed also lost the `try:` lines its `except` clauses belong to; they are put back.

import asyncio
async def eternity():
    print('我马上开始执行')
    await asyncio.sleep(3600) #当前任务休眠1小时,即3600秒
    print('终于轮到我了')
async def main():
    # Wait for at most 1 second
    print('等你3秒钟哦')
    try:
        await asyncio.wait_for(eternity(), timeout=3) #休息3秒钟了执行任务
    except asyncio.TimeoutError:
        print('超时了!')
asyncio.run(main())
