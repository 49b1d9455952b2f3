# Done callbacks are scheduled with call_soon when the future finishes, in
# the order they were added (never run inline); one added to a done future
# is scheduled at once; a removed one never runs.
import asyncio
from functools import partial

loop = asyncio.new_event_loop()


def done(fut, name):
    if fut.cancelled():
        print(f'{name}: cancelled')
    else:
        print(f'{name}: result {fut.result()}')


def stopper():
    print('stop')
    loop.stop()


fut = loop.create_future()
cb1 = partial(done, name='cb1')
cb2 = partial(done, name='cb2')
cb3 = partial(done, name='cb3')
fut.add_done_callback(cb1)
fut.add_done_callback(cb2)
fut.add_done_callback(cb3)
fut.add_done_callback(cb2)
print(f'removed {fut.remove_done_callback(cb2)}')
loop.call_soon(print, 'soon before set_result')
fut.set_result('R')
print('set_result returned')
loop.call_soon(print, 'soon after set_result')
fut.add_done_callback(partial(done, name='cb4 (added when done)'))

other = loop.create_future()
other.add_done_callback(partial(done, name='other cb'))
other.cancel()
print('cancel returned')
loop.call_soon(stopper)
loop.run_forever()
print('returned')
loop.close()
