# The greenlet documentation's first example, with generators standing in
# for greenlets (there is no greenlet module here): each yield names the
# function to switch to, and a small driver does the switching, as
# test-fiber.c's scheduler does for fibers.


def func1():
    print(1)
    yield 'func2'
    print(2)
    yield 'func2'


def func2():
    print(3)
    yield 'func1'
    print(4)


running = {'func1': func1(), 'func2': func2()}
following = 'func1'
while following is not None:
    try:
        following = next(running[following])
    except StopIteration:
        following = None
