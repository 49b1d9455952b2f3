# Cancellation and shield (seed 000, "shield"; seed 002, "shield"): a
# cancelled task gets CancelledError at the await it is suspended in. It
# may clean up and let it through (the task ends cancelled), or catch it
# and go on (the task ends with what it returns). shield() keeps a
# cancellation from reaching what it protects. (Seed 000's "right order"
# output was made by Python 3.7; this is 3.11's. Where the seed's a()
# sleeps 3 s, this one waits for main's go-ahead, so it is still running
# when the gather returns however loaded the machine is.)
import asyncio


async def a(go_on):
    print('Suspending a')
    await go_on.wait()
    print('Resuming a')
    return 'A'


async def b():
    print('Suspending b')
    await asyncio.sleep(0.1)
    print('Resuming b')
    return 'B'


async def let_through():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print('let_through: cleaning up')
        raise


async def catch_and_go_on():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        print(f'catch_and_go_on: caught "{e}", going on')
    await asyncio.sleep(0)         # the next await works: it was delivered once
    return 'partial result'


def desc(x):
    return 'CancelledError()' if isinstance(x, asyncio.CancelledError) else repr(x)


async def main():
    print('-- cancel: let the cancellation through')
    t = asyncio.create_task(let_through())
    await asyncio.sleep(0)
    print(f'cancel: {t.cancel("stop")}')
    await asyncio.wait([t])
    print(f'cancelled: {t.cancelled()}')

    print('-- cancel: catch it and go on')
    t = asyncio.create_task(catch_and_go_on())
    await asyncio.sleep(0)
    t.cancel('stop')
    print(f'result: {await t}, cancelled: {t.cancelled()}')

    print('-- a cancelled task in gather(return_exceptions=True)')
    task1 = asyncio.create_task(a(asyncio.Event()))
    task2 = asyncio.create_task(b())
    print(f'cancel: {task1.cancel()}')
    res = await asyncio.gather(task1, task2, return_exceptions=True)
    print('[' + ', '.join(desc(r) for r in res) + ']')

    print('-- shield, cancel, then gather: a goes on')
    go_on = asyncio.Event()
    inner = asyncio.create_task(a(go_on))
    task1 = asyncio.shield(inner)
    task2 = asyncio.create_task(b())
    print(f'cancel: {task1.cancel()}')
    res = await asyncio.gather(task1, task2, return_exceptions=True)
    print('[' + ', '.join(desc(r) for r in res) + ']')
    print(f'a still running: {not inner.done()}')
    go_on.set()
    print(f'a finished: {await inner}')

    print('-- gather first, then cancel')
    go_on = asyncio.Event()
    inner = asyncio.create_task(a(go_on))
    task1 = asyncio.shield(inner)
    task2 = asyncio.create_task(b())
    ts = asyncio.gather(task1, task2, return_exceptions=True)
    print(f'cancel: {task1.cancel()}')
    res = await ts
    print('[' + ', '.join(desc(r) for r in res) + ']')
    go_on.set()
    print(f'a finished: {await inner}')


asyncio.run(main())
