# Tasks (seed 000, "the right and wrong ways" and "create_task vs
# loop.create_task vs ensure_future"; seed 001, "Task objects"): a task
# runs a coroutine concurrently with its creator. Awaiting a coroutine
# runs it to its end first; only tasks overlap. (a sleeps ten times as
# long as b, so the order below holds on a loaded machine too.)
import asyncio


async def a():
    print('Suspending a')
    await asyncio.sleep(0.5)
    print('Resuming a')
    return 'A'


async def b():
    print('Suspending b')
    await asyncio.sleep(0.05)
    print('Resuming b')
    return 'B'


async def s1():                  # wrong: one after the other
    await a()
    await b()


async def c3():                  # right: two tasks, then wait for both
    task1 = asyncio.create_task(a())
    task2 = asyncio.create_task(b())
    await task1
    await task2


async def c4():                  # right: a task, and a() meanwhile
    task = asyncio.create_task(b())
    await a()
    await task


async def s2():                  # wrong: each task awaited as soon as made
    await asyncio.create_task(a())
    await asyncio.create_task(b())


def callback(task):
    print(f'callback: {task.get_name()} returned {task.result()}')


async def inspect():
    loop = asyncio.get_running_loop()
    task = loop.create_task(b(), name='b-task')
    task.add_done_callback(callback)
    print(f'{task.get_name()} done: {task.done()}')
    print(f'tasks on the loop: {len(asyncio.all_tasks())}')
    print(f'current task: {asyncio.current_task().get_name()}')
    print(f'awaited: {await task}')
    print(f'{task.get_name()} done: {task.done()}, result: {task.result()}')
    print(f'tasks on the loop: {len(asyncio.all_tasks())}')


async def main():
    asyncio.current_task().set_name('main')
    for f in (s1, c3, c4, s2):
        print(f'-- {f.__name__}')
        await f()
    print('-- a task, inspected')
    await inspect()


asyncio.run(main())
