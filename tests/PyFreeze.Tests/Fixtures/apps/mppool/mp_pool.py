import multiprocessing as mp
import os
import sys


def square(x):
    return x * x


if __name__ == "__main__":
    method = sys.argv[1] if len(sys.argv) > 1 else "spawn"
    ctx = mp.get_context(method)
    with ctx.Pool(2) as pool:
        print(method, sum(pool.map(square, range(10))))
    q = ctx.Queue()
    p = ctx.Process(target=q.put, args=(os.getpid(),))
    p.start()
    print("queue-from-child", q.get(timeout=30) == os.getpid())
    p.join()
    print("exitcode", p.exitcode)
