# gather vs wait (seed 000, "asyncio.gather vs asyncio.wait"; seed 002,
# "the difference between gather and wait"): gather gives the results in
# the order the awaitables were given; wait gives the tasks back, split
# into done and pending, and can return at the first completion or the
# first error. Then wait_for and as_completed (seed 001's API index).
# (asyncio.wait returns sets: they are printed sorted. Tasks that race
# start in the same iteration, so their timers fire in deadline order
# however late the loop gets to them.)
import asyncio


async def a():
    print('Suspending a')
    await asyncio.sleep(0.3)
    print('Resuming a')
    return 'A'


async def b():
    print('Suspending b')
    await asyncio.sleep(0.1)
    print('Resuming b')
    return 'B'


async def fail():
    await asyncio.sleep(0)
    raise ValueError('fail failed')


async def slow():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print('slow: cancelled, cleaning up')
        raise


async def nap(name, delay):
    await asyncio.sleep(delay)
    return name


def names(tasks):
    return sorted(t.get_name() for t in tasks)


async def main():
    print('-- gather: results in argument order')
    return_value_a, return_value_b = await asyncio.gather(a(), b())
    print(f'({return_value_a!r}, {return_value_b!r})')

    print('-- wait: ALL_COMPLETED')
    tasks = [asyncio.create_task(a(), name='a'), asyncio.create_task(b(), name='b')]
    done, pending = await asyncio.wait(tasks)
    print(f'done {names(done)}, pending {names(pending)}')
    print(f'results {sorted(t.result() for t in done)}')

    print('-- wait: FIRST_COMPLETED')
    tasks = [asyncio.create_task(slow(), name='slow'), asyncio.create_task(b(), name='b')]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    print(f'done {names(done)}, pending {names(pending)}')
    for t in pending:            # wait never cancels them itself
        t.cancel()
    await asyncio.wait(pending)
    print(f'slow cancelled: {tasks[0].cancelled()}')

    print('-- wait: FIRST_EXCEPTION')
    tasks = [asyncio.create_task(fail(), name='fail'), asyncio.create_task(slow(), name='slow')]
    done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    print(f'done {names(done)}, pending {names(pending)}')
    print(f'fail raised: {tasks[0].exception()}')
    tasks[1].cancel()
    await asyncio.wait(pending)

    print('-- wait_for: a timeout cancels the task and waits for it')
    try:
        await asyncio.wait_for(slow(), timeout=0.1)
    except asyncio.TimeoutError:
        print('wait_for: TimeoutError')

    print('-- as_completed: first done, first out')
    tasks = [asyncio.create_task(nap('third', 0.5)),
             asyncio.create_task(nap('first', 0.1)),
             asyncio.create_task(nap('second', 0.3))]
    for next_done in asyncio.as_completed(tasks):
        print(await next_done)


asyncio.run(main())
