# Seed 003 (003_0ea1cdbee312212f.txt), lines 1301-1309: asyncio.run.
# Unchanged.

import asyncio
async def main():
    print('hello')
    await asyncio.sleep(1)
    print('world')

# 直接调用main()会生成一个coroutine对象，不会执行
print(main()) # <coroutine object main at 0x00000000>
asyncio.run(main())
