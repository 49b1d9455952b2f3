# Twin of tests/test-timeout.c: asyncio.wait_for (3.11) — in time, timed
# out (waiting for the inner task's cleanup), an inner that swallows the
# cancellation, a cancelled waiting task, timeout 0 and None, an inner
# that fails — and asyncio.timeout / timeout_at with expiry, reschedule,
# nesting and an outside cancellation.
import asyncio


def name_of(e):
    return type(e).__name__


async def job(name, delay, result=None, cleanup=False, swallow=False, fail=False):
    print(f"{name} starts")
    try:
        await asyncio.sleep(delay)
    except asyncio.CancelledError:
        print(f"{name} cancelled")
        if cleanup:
            await asyncio.sleep(0.01)
            print(f"{name} cleanup done")
        if swallow:
            return "swallowed"
        raise
    if fail:
        raise ValueError(f"{name} failed")
    print(f"{name} finishes")
    return result or name


async def wait_for_cases():
    print("-- wait_for in time")
    print("result:", await asyncio.wait_for(asyncio.create_task(job("quick", 0.01)), 1))

    print("-- wait_for times out, after the cleanup")
    t = asyncio.create_task(job("slow", 1, cleanup=True))
    try:
        await asyncio.wait_for(t, 0.01)
    except asyncio.TimeoutError as e:
        print("wait_for:", name_of(e), "inner cancelled", t.cancelled())

    print("-- the inner swallows the cancellation")
    t = asyncio.create_task(job("stubborn", 1, swallow=True))
    print("result:", await asyncio.wait_for(t, 0.01))

    print("-- the waiting task is cancelled")
    inner = asyncio.create_task(job("inner", 1, cleanup=True))

    async def waiter():
        try:
            await asyncio.wait_for(inner, 1)
        except asyncio.CancelledError:
            print("waiter cancelled; inner done", inner.done())
            raise

    w = asyncio.create_task(waiter())
    await asyncio.sleep(0)
    w.cancel()
    await asyncio.wait([w])
    print("waiter cancelled", w.cancelled(), "inner cancelled", inner.cancelled())

    print("-- timeout 0")
    t = asyncio.create_task(job("zero", 1))
    await asyncio.sleep(0)
    try:
        await asyncio.wait_for(t, 0)
    except asyncio.TimeoutError as e:
        print("wait_for:", name_of(e), "cancelled", t.cancelled())
    loop = asyncio.get_running_loop()
    f = loop.create_future()
    f.set_result("ready")
    print("done already:", await asyncio.wait_for(f, 0))

    print("-- no timeout")
    print("result:", await asyncio.wait_for(asyncio.create_task(job("none", 0.01)), None))

    print("-- the inner fails")
    try:
        await asyncio.wait_for(asyncio.create_task(job("bad", 0, fail=True)), 1)
    except ValueError as e:
        print("wait_for:", e)


async def scopes():
    loop = asyncio.get_running_loop()
    print("-- timeout expires")
    try:
        async with asyncio.timeout(0.01) as cm:
            await asyncio.sleep(1)
    except TimeoutError as e:
        print("scope:", name_of(e), "expired", cm.expired())
    await asyncio.sleep(0)
    print("the task goes on")

    print("-- timeout in time")
    async with asyncio.timeout(1) as cm:
        await asyncio.sleep(0)
    print("expired", cm.expired())

    print("-- reschedule")
    try:
        async with asyncio.timeout(None) as cm:
            print("when", cm.when())
            cm.reschedule(loop.time() + 0.01)
            await asyncio.sleep(1)
    except TimeoutError as e:
        print("scope:", name_of(e))

    print("-- reschedule to the past")
    try:
        async with asyncio.timeout(1) as cm:
            cm.reschedule(loop.time() - 1)
            print("still running")
            await asyncio.sleep(1)
    except TimeoutError as e:
        print("scope:", name_of(e))

    print("-- timeout_at")
    try:
        async with asyncio.timeout_at(loop.time() + 0.01):
            await asyncio.sleep(1)
    except TimeoutError as e:
        print("scope:", name_of(e))

    print("-- nested, the outer expires")
    try:
        async with asyncio.timeout(0.01) as outer:
            try:
                async with asyncio.timeout(1) as inner:
                    await asyncio.sleep(1)
            except asyncio.CancelledError:
                print("inner scope: CancelledError; inner expired", inner.expired())
                raise
    except TimeoutError as e:
        print("outer scope:", name_of(e), "outer expired", outer.expired())

    print("-- nested, the inner expires")
    async with asyncio.timeout(1) as outer:
        try:
            async with asyncio.timeout(0.01) as inner:
                await asyncio.sleep(1)
        except TimeoutError as e:
            print("inner scope:", name_of(e))
        await asyncio.sleep(0)
    print("outer expired", outer.expired())


async def cancelled_inside_scope():
    print("-- cancelled from outside inside a scope")

    async def body():
        try:
            async with asyncio.timeout(1):
                await asyncio.sleep(1)
        except asyncio.CancelledError:
            print("body: CancelledError")
            raise

    t = asyncio.create_task(body())
    await asyncio.sleep(0)
    t.cancel()
    await asyncio.wait([t])
    print("task cancelled", t.cancelled())


async def main():
    await wait_for_cases()
    await scopes()
    await cancelled_inside_scope()


asyncio.run(main())
