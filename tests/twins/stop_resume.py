# stop() from inside a callback ends run_forever after that iteration; the
# queue is kept, and the next run_forever resumes it. stop() called before
# run_forever makes it run exactly one iteration.
import asyncio

loop = asyncio.new_event_loop()


def tick(n):
    print(f'tick {n}')
    if n < 6:
        loop.call_soon(tick, n + 1)


def stopper():
    print('stop')
    loop.stop()


loop.call_soon(tick, 1)
loop.call_soon(stopper)
loop.run_forever()
print('returned')

loop.stop()
loop.run_forever()
print('returned (stop before run_forever)')

loop.stop()
loop.stop()
loop.run_forever()
print('returned (stop twice before run_forever)')

loop.call_soon(stopper)
loop.run_forever()
print('returned')

loop.stop()
loop.run_forever()
print('returned (stop before run_forever)')

loop.stop()
loop.run_forever()
print('returned (stop before run_forever)')

loop.stop()
loop.run_forever()
print('returned (stop before run_forever, queue empty)')
loop.close()
