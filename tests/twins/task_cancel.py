# Twin of tests/test-task-cancel.c: every cancellation case of API.md.
# In C, "return without gtkloop_task_return" after a failed suspension point
# is Python's re-raise; gtkloop_task_return after it is Python's
# "catch and return a value".
import asyncio


def state(t):
    if not t.done():
        return "pending"
    if t.cancelled():
        return "cancelled"
    return f"result {t.result()}"


async def sleeper(name):
    print(f"{name} sleeps")
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError as e:
        print(f"{name} cancelled: {e.args[0] if e.args else ''}")
        raise
    print(f"{name} not reached")


async def never_runs():
    print("never printed")


async def catcher():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("catcher caught the cancellation and returns 7")
        return 7


async def self_canceller():
    asyncio.current_task().cancel("self")
    print("self_canceller returns 5 without a suspension point")
    return 5


async def uncanceller():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        left = asyncio.current_task().uncancel()
        print(f"uncanceller uncancel -> {left}")
    await asyncio.sleep(0)
    print("uncanceller slept fine after uncancel")


async def once():
    try:
        await asyncio.sleep(10)
    except asyncio.CancelledError:
        print("once: first sleep cancelled")
    await asyncio.sleep(0)
    print("once: second sleep succeeded (delivered once)")
    return 1


async def waiter(fut):
    try:
        await fut
    except asyncio.CancelledError:
        print(f"waiter: future cancelled {fut.cancelled()}")
        raise


async def main():
    t = asyncio.create_task(sleeper("s1"))
    await asyncio.sleep(0)
    print(f"cancel s1 -> {t.cancel('stop now')}")
    await asyncio.sleep(0)
    print(f"s1 {state(t)}; cancel again -> {t.cancel()}")

    t = asyncio.create_task(never_runs())
    print(f"cancel before start -> {t.cancel()}")
    await asyncio.sleep(0)
    print(f"never_runs {state(t)}")

    t = asyncio.create_task(catcher())
    await asyncio.sleep(0)
    t.cancel()
    await asyncio.sleep(0)
    print(f"catcher {state(t)}")

    t = asyncio.create_task(self_canceller())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print(f"self_canceller {state(t)}")

    t = asyncio.create_task(uncanceller())
    await asyncio.sleep(0)
    t.cancel()
    for _ in range(3):
        await asyncio.sleep(0)
    print(f"uncanceller {state(t)}")

    t = asyncio.create_task(once())
    await asyncio.sleep(0)
    t.cancel()
    for _ in range(3):
        await asyncio.sleep(0)
    print(f"once {state(t)}")

    loop = asyncio.get_running_loop()
    fut = loop.create_future()
    t = asyncio.create_task(waiter(fut))
    await asyncio.sleep(0)
    t.cancel()
    await asyncio.sleep(0)
    print(f"waiter {state(t)}; its future cancelled {fut.cancelled()}")

    fut = loop.create_future()
    t = asyncio.create_task(waiter(fut))
    await asyncio.sleep(0)
    fut.cancel()
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print(f"waiter after its future was cancelled: {state(t)}")


asyncio.run(main())
