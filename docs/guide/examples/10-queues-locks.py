# Locks and queues (seed 001, "coroutine locks" async_lock.py and
# "message queues"): a Lock keeps a section to one task at a time, even
# across awaits; a Queue hands items from producers to consumers, makes a
# producer wait while it is full, and counts finished items for join().
# (The seed ran its two coroutines with asyncio.wait, which 3.11 no longer
# accepts for bare coroutines; gather runs them in the same order.)
import asyncio

l = []
lock = asyncio.Lock()


async def work(name):
    print('lalalalalalalala')
    async with lock:
        print('{} start'.format(name))
        if 'x' in l:
            return name
        await asyncio.sleep(0); print('----------')
        l.append('x')
        print('{} end'.format(name))
        return name


async def one():
    name = await work('one')
    print('{} ok'.format(name))


async def two():
    name = await work('two')
    print('{} ok'.format(name))


async def producer(queue):
    for i in range(5):
        await queue.put(f'job {i}')
        print(f'put job {i}, {queue.qsize()} queued')


async def consumer(name, queue):
    while True:
        job = await queue.get()
        print(f'{name} runs {job}')
        await asyncio.sleep(0)
        queue.task_done()


async def main():
    print('-- a lock')
    await asyncio.gather(one(), two())
    print(f'locked: {lock.locked()}')

    print('-- a queue of at most 2 items, two consumers')
    queue = asyncio.Queue(maxsize=2)
    consumers = [asyncio.create_task(consumer(name, queue)) for name in ('c1', 'c2')]
    await producer(queue)
    await queue.join()
    print('all jobs done')
    for c in consumers:
        c.cancel()
    await asyncio.gather(*consumers, return_exceptions=True)
    try:
        queue.get_nowait()
    except asyncio.QueueEmpty:
        print('get_nowait: QueueEmpty')


asyncio.run(main())
