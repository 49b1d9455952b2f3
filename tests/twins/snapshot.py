# asyncio's snapshot rule: one iteration runs the callbacks that were ready
# when it began; what they schedule waits for the next iteration. stop()
# takes effect when the current iteration has ended, so callbacks queued
# after the stopper in the same iteration still run.
import asyncio

loop = asyncio.new_event_loop()


def a():
    print('a: schedules b')
    loop.call_soon(b)


def b():
    print('b: schedules c')
    loop.call_soon(c)


def c():
    print('c')


def stopper(tag):
    print(f'stop {tag}')
    loop.stop()


loop.call_soon(a)
loop.call_soon(print, 'x')
loop.call_soon(stopper, '1')
loop.call_soon(print, 'y: same iteration as stop 1')
loop.run_forever()
print('run_forever returned')
loop.call_soon(stopper, '2')
loop.run_forever()
print('run_forever returned')
loop.call_soon(stopper, '3')
loop.run_forever()
print('run_forever returned')
loop.close()
