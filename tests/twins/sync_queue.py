# Twin of tests/test-queue.c: asyncio.Queue (3.11) producer/consumer with
# maxsize 2, task_done/join, blocked getters and putters cancelled without
# losing an item, the nowait errors, LIFO and priority order, and
# shutdown() as Python 3.13 defines it (3.11 has none: ShutQueue below
# adds 3.13's put/get/shutdown code to 3.11's Queue).
import asyncio


class QueueShutDown(Exception):
    pass


class ShutQueue(asyncio.Queue):
    """asyncio.Queue with Python 3.13's shutdown semantics."""

    def __init__(self, maxsize=0):
        super().__init__(maxsize)
        self._is_shutdown = False

    async def put(self, item):
        while self.full():
            if self._is_shutdown:
                raise QueueShutDown
            putter = self._get_loop().create_future()
            self._putters.append(putter)
            try:
                await putter
            except:
                putter.cancel()
                try:
                    self._putters.remove(putter)
                except ValueError:
                    pass
                if not self.full() and not putter.cancelled():
                    self._wakeup_next(self._putters)
                raise
        return self.put_nowait(item)

    def put_nowait(self, item):
        if self._is_shutdown:
            raise QueueShutDown
        return super().put_nowait(item)

    async def get(self):
        while self.empty():
            if self._is_shutdown and self.empty():
                raise QueueShutDown
            getter = self._get_loop().create_future()
            self._getters.append(getter)
            try:
                await getter
            except:
                getter.cancel()
                try:
                    self._getters.remove(getter)
                except ValueError:
                    pass
                if not self.empty() and not getter.cancelled():
                    self._wakeup_next(self._getters)
                raise
        return self.get_nowait()

    def get_nowait(self):
        if self.empty():
            if self._is_shutdown:
                raise QueueShutDown
            raise asyncio.QueueEmpty
        return super().get_nowait()

    def shutdown(self, immediate=False):
        self._is_shutdown = True
        if immediate:
            while not self.empty():
                self._get()
                if self._unfinished_tasks > 0:
                    self._unfinished_tasks -= 1
            if self._unfinished_tasks == 0:
                self._finished.set()
        while self._getters:
            getter = self._getters.popleft()
            if not getter.done():
                getter.set_result(None)
        while self._putters:
            putter = self._putters.popleft()
            if not putter.done():
                putter.set_result(None)


async def producer(q, n):
    for i in range(n):
        print(f"put {i}, size {q.qsize()}")
        await q.put(i)
    print("producer done")


async def consumer(q, name, n):
    for _ in range(n):
        item = await q.get()
        print(f"{name} got {item}, size {q.qsize()}")
        await asyncio.sleep(0)
        q.task_done()


async def producer_consumer():
    print("-- producer/consumer, maxsize 2")
    q = asyncio.Queue(maxsize=2)
    await asyncio.gather(producer(q, 6), consumer(q, "c1", 3), consumer(q, "c2", 3))
    print("empty", q.empty())


async def join():
    print("-- task_done and join")
    q = asyncio.Queue()
    for i in range(3):
        q.put_nowait(i)
    w = asyncio.create_task(consumer(q, "worker", 3))
    await q.join()
    print("joined, size", q.qsize())
    await w


async def getter(q, name):
    try:
        item = await q.get()
        print(f"{name} got {item}")
    except asyncio.CancelledError:
        print(f"{name} cancelled")
        raise


async def putter(q, item):
    try:
        await q.put(item)
        print(f"put {item} done")
    except asyncio.CancelledError:
        print(f"put {item} cancelled")
        raise


async def cancelled_getter():
    print("-- a woken getter is cancelled")
    q = asyncio.Queue()
    g1 = asyncio.create_task(getter(q, "g1"))
    g2 = asyncio.create_task(getter(q, "g2"))
    await asyncio.sleep(0)
    q.put_nowait("x")       # wakes g1
    g1.cancel()             # g1 hands its wake-up to g2
    await asyncio.wait([g1, g2])
    print("size", q.qsize())


async def cancelled_putter():
    print("-- a woken putter is cancelled")
    q = asyncio.Queue(maxsize=1)
    q.put_nowait("first")
    p1 = asyncio.create_task(putter(q, "a"))
    p2 = asyncio.create_task(putter(q, "b"))
    await asyncio.sleep(0)
    print("got", q.get_nowait())   # wakes p1
    p1.cancel()                    # p1 hands its wake-up to p2
    await asyncio.wait([p1, p2])
    print("queue holds", q.get_nowait())


async def nowait_errors():
    print("-- nowait errors")
    q = asyncio.Queue(maxsize=1)
    try:
        q.get_nowait()
    except asyncio.QueueEmpty:
        print("QueueEmpty")
    q.put_nowait(1)
    try:
        q.put_nowait(2)
    except asyncio.QueueFull:
        print("QueueFull")


async def lifo_and_priority():
    print("-- LIFO")
    q = asyncio.LifoQueue()
    for i in range(4):
        q.put_nowait(i)
    print([q.get_nowait() for _ in range(4)])
    print("-- priority")
    q = asyncio.PriorityQueue()
    for seq, (prio, name) in enumerate([(3, "low"), (1, "urgent"), (2, "b1"), (2, "b2"), (1, "urgent2")]):
        q.put_nowait((prio, seq, name))
    print([q.get_nowait()[2] for _ in range(5)])


async def shutdown():
    print("-- shutdown")
    q = ShutQueue(maxsize=2)
    q.put_nowait("a")
    q.put_nowait("b")
    p = asyncio.create_task(putter(q, "c"))
    await asyncio.sleep(0)
    q.shutdown()
    try:
        await p
    except QueueShutDown:
        print("blocked put: QueueShutDown")
    try:
        q.put_nowait("d")
    except QueueShutDown:
        print("put_nowait: QueueShutDown")
    print("get", await q.get(), await q.get())
    try:
        await q.get()
    except QueueShutDown:
        print("get on empty: QueueShutDown")

    print("-- shutdown, blocked getters")
    q = ShutQueue()
    gs = [asyncio.create_task(getter(q, f"g{i}")) for i in range(2)]
    await asyncio.sleep(0)
    q.shutdown()
    for r in await asyncio.gather(*gs, return_exceptions=True):
        print("getter:", type(r).__name__)

    print("-- shutdown immediate")
    q = ShutQueue()
    for i in range(3):
        q.put_nowait(i)
    print("got", await q.get())
    j = asyncio.create_task(q.join())
    await asyncio.sleep(0)
    q.shutdown(immediate=True)
    print("size", q.qsize())
    try:
        q.get_nowait()
    except QueueShutDown:
        print("get_nowait: QueueShutDown")
    await asyncio.sleep(0)
    print("join done", j.done())
    q.task_done()
    await j
    print("join returned")


async def main():
    await producer_consumer()
    await join()
    await cancelled_getter()
    await cancelled_putter()
    await nowait_errors()
    await lifo_and_priority()
    await shutdown()


asyncio.run(main())
