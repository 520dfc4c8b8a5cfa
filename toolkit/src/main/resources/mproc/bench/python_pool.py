"""Python's side of the pool benchmark, as the chapter's do_something: two random 20x20 integer matrices
(entries 1..10) multiplied `count` times by a triple loop. Prints metric,value lines:
   python_matmul_20x20_us      one multiply, pure Python
   python_sequential_s         the tasks one after another
   python_pool2_s              the same on Pool(2) (fork), pool creation included
Arguments: tasks count"""
import multiprocessing as mp
import random
import sys
import time

N = 20


def do_something(count):
    a = [[random.randint(1, 10) for _ in range(N)] for _ in range(N)]
    b = [[random.randint(1, 10) for _ in range(N)] for _ in range(N)]
    c = None
    for _ in range(count):
        c = [[0] * N for _ in range(N)]
        for i in range(N):
            for j in range(N):
                s = 0
                for k in range(N):
                    s += a[i][k] * b[k][j]
                c[i][j] = s
    return c[0][0] if c else 0


if __name__ == "__main__":
    tasks, count = int(sys.argv[1]), int(sys.argv[2])
    t0 = time.perf_counter()
    do_something(200)
    print(f"python_matmul_20x20_us,{(time.perf_counter() - t0) / 200 * 1e6:.1f}", flush=True)
    t0 = time.perf_counter()
    for _ in range(tasks):
        do_something(count)
    print(f"python_sequential_s,{time.perf_counter() - t0:.4f}", flush=True)
    t0 = time.perf_counter()
    with mp.get_context("fork").Pool(2) as pool:
        pool.map(do_something, [count] * tasks)
    print(f"python_pool2_s,{time.perf_counter() - t0:.4f}", flush=True)
