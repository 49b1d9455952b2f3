# Seed 001 (001_0fe8029d51512af5.txt), lines 1037-1056: loop.time().
# Changed to run: the lines lose their Markdown quote marks ("> ").

import asyncio 
 
async def hello1(a,b):
    print('准备做加法运算')
    await asyncio.sleep(3)
    return a+b
 
loop=asyncio.get_event_loop()
t1=loop.time()  #开始时间
print(t1)
loop.run_until_complete(hello1(3,4))
t2=loop.time()  #结束时间
print(t2)
print(t2-t1)    #时间间隔
'''运行结果为：
28525.671
准备做加法运算
28528.703
3.0320000000028813
'''
