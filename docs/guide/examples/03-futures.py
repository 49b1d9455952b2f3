# Futures and done callbacks (seed 000, "Future" and "success callbacks";
# seed 001, "asyncio.Future"; seed 002, "Future callbacks"): a future is a
# result that is not there yet. Whoever has it can await it, or attach
# callbacks that the loop runs once it is done, in the order they were
# added.
import asyncio
from functools import partial


def callback(future):
    print(f'Result: {future.result()}')


def callback2(future, n):
    print(f'Result: {future.result()}, N: {n}')


def mark_done(future, result):
    print(f'Set to: {result}')
    future.set_result(result)


def report_cancelled(future):
    print(f'callback: cancelled: {future.cancelled()}')


async def main():
    loop = asyncio.get_running_loop()

    print('-- a result')
    fut = loop.create_future()
    print(f'done: {fut.done()}')
    fut.add_done_callback(callback)
    fut.add_done_callback(partial(callback2, n=1))
    loop.call_soon(mark_done, fut, 'the result')
    print(f'awaited: {await fut}')
    print(f'done: {fut.done()}, result: {fut.result()}')
    try:
        fut.set_result('another')
    except asyncio.InvalidStateError:
        print('a second set_result is refused')

    print('-- an error')
    fut = loop.create_future()
    fut.set_exception(ValueError('bad value'))
    print(f'exception: {fut.exception()}')
    try:
        await fut
    except ValueError as e:
        print(f'await raised: {e}')

    print('-- a cancellation')
    fut = loop.create_future()
    fut.add_done_callback(report_cancelled)
    fut.add_done_callback(callback)
    print(f'removed: {fut.remove_done_callback(callback)}')
    print(f'cancel: {fut.cancel("no longer needed")}')
    print(f'cancel again: {fut.cancel()}')
    try:
        await fut
    except asyncio.CancelledError as e:
        print(f'await raised CancelledError: {e}')
    print(f'cancelled: {fut.cancelled()}')


asyncio.run(main())
