# The event loop (seed 000, "Eventloop"; seed 001, "event_loop"): a loop
# runs callbacks and coroutines until it is told to stop. asyncio.run()
# makes a fresh loop, runs one coroutine to its end, and closes the loop.
import asyncio


def hello(loop, name):
    print(f'Hello {name}; the loop is running: {loop.is_running()}')
    loop.stop()


async def answer():
    print('answer: computing')
    await asyncio.sleep(0)
    return 42


async def main():
    loop = asyncio.get_running_loop()
    print(f'main: inside run(), running: {loop.is_running()}')


loop = asyncio.new_event_loop()
loop.call_soon(hello, loop, 'World')
loop.run_forever()
print(f'run_forever returned; running: {loop.is_running()}')
print(f'run_until_complete gave {loop.run_until_complete(answer())}')
loop.close()
print(f'closed: {loop.is_closed()}')

asyncio.run(main())
print('run() returned')
