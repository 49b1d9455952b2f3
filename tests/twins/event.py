# Twin of tests/test-event.c: asyncio.Event (3.11) — set wakes every waiter
# in order, a wait on a set event does not yield, clear after set does not
# take back the wake-ups, a cancelled waiter.
import asyncio


async def waiter(e, name):
    print(f"{name} waits")
    try:
        await e.wait()
    except asyncio.CancelledError:
        print(f"{name} cancelled")
        raise
    print(f"{name} woke, is_set {e.is_set()}")


async def spinner():
    for i in range(3):
        print("spin", i)
        await asyncio.sleep(0)


async def main():
    print("-- set wakes all")
    e = asyncio.Event()
    ts = [asyncio.create_task(waiter(e, n)) for n in "ABC"]
    await asyncio.sleep(0)
    print("set")
    e.set()
    await asyncio.gather(*ts)

    print("-- wait on a set event")
    s = asyncio.create_task(spinner())
    await asyncio.sleep(0)
    print("wait:", await e.wait())
    print("no yield")
    await s

    print("-- set then clear")
    e.clear()
    ts = [asyncio.create_task(waiter(e, n)) for n in "AB"]
    await asyncio.sleep(0)
    e.set()
    e.clear()
    await asyncio.gather(*ts)

    print("-- a cancelled waiter")
    ts = [asyncio.create_task(waiter(e, n)) for n in "ABC"]
    await asyncio.sleep(0)
    ts[1].cancel()
    await asyncio.sleep(0)
    e.set()
    res = await asyncio.gather(*ts, return_exceptions=True)
    print("B cancelled", ts[1].cancelled())


asyncio.run(main())
