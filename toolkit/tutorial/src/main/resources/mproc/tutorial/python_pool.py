"""Python's side of the pool and performance benchmarks, measured the way the Java side is
(mproc.report.Pools, mproc.report.Speedup). Prints metric,value lines.

`python_pool.py TASKS COUNT`: the chapter's do_something (two random 20x20 integer matrices, entries 1..10,
multiplied COUNT times by a triple loop) on TASKS tasks:
   python_matmul_20x20_us      one multiply, pure Python
   python_sequential_s         the tasks one after another
   python_pool2_s              the same on Pool(2) (fork), pool creation included

`python_pool.py speedup EFF_TASKS EFF_COUNT TOTAL_ROWS ROWS[,ROWS...]`:
   python_pool_efficiency_2w   a warm Pool(2) (fork) against one process on EFF_TASKS x EFF_COUNT multiplies
                               (>= 1 s of work), speed-up / 2; the batch runs once each way first, then three
                               times each way, alternating; the medians are compared
   granularity,<rows>,<task_us>,<one_process_ms>,<pool2_ms>,<speed_up>
                               one line per task size: TOTAL_ROWS cut into smaller and smaller tasks, each its own
                               message (chunksize=1), on a warm Pool(2), timed as the efficiency batch is
   python_break_even_task_us   the work per task (microseconds) where Pool(2) starts to beat one process, read
                               off a non-decreasing fit of the curve (nan if outside the measured sizes)
A whole pure-Python multiply is ~0.5 ms, already above the break-even, so the granularity tasks are cut finer:
a task computes `rows` rows of a 20x20 product (20 rows = one multiply) on two matrices made once per process."""
import math
import multiprocessing as mp
import random
import sys
import time

N = 20


def matrices(rnd):
    return ([[rnd.randint(1, 10) for _ in range(N)] for _ in range(N)],
            [[rnd.randint(1, 10) for _ in range(N)] for _ in range(N)])


A, B = matrices(random.Random(42))  # made at import: in every worker (fork copies them) and in the parent


def multiply(count, a=A, b=B):
    """`count` 20x20 multiplies of a and b by a triple loop; returns one element of the product."""
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


def do_something(count):
    """The chapter's task: fresh random matrices, multiplied `count` times."""
    a, b = matrices(random)
    return multiply(count, a, b)


def multiply_rows(rows):
    """`rows` rows of the product of A and B (row i % 20 each time); returns the sum of their first elements."""
    acc = 0
    for r in range(rows):
        a = A[r % N]
        row = [0] * N
        for j in range(N):
            s = 0
            for k in range(N):
                s += a[k] * B[k][j]
            row[j] = s
        acc += row[0]
    return acc


def one_process(fn, inputs):
    t0 = time.perf_counter()
    for x in inputs:
        fn(x)
    return time.perf_counter() - t0


def alternating_medians(pool, fn, inputs):
    """The batch timed in this process and on the pool (chunksize=1), each run once untimed first, then three
    timed runs each, alternating; the medians (seconds in one process, seconds on the pool), as on the Java side."""
    one_process(fn, inputs)
    pool.map(fn, inputs, chunksize=1)
    seqs, pars = [], []
    for _ in range(3):
        seqs.append(one_process(fn, inputs))
        t0 = time.perf_counter()
        pool.map(fn, inputs, chunksize=1)
        pars.append(time.perf_counter() - t0)
    return sorted(seqs)[1], sorted(pars)[1]


def non_decreasing(ys):
    """The non-decreasing sequence closest to ys in least squares (pool adjacent violators)."""
    blocks = []  # [mean, size]
    for y in ys:
        blocks.append([y, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            (m1, n1), (m2, n2) = blocks[-2], blocks.pop()
            blocks[-1] = [(m1 * n1 + m2 * n2) / (n1 + n2), n1 + n2]
    return [m for m, n in blocks for _ in range(n)]


def break_even(rows):
    """Where the speed-up crosses 1, the Java side's rule: the (task_us, speed_up) points fitted with the closest
    non-decreasing curve (speed-up can only grow with the work per task, so one noisy point cannot move the
    answer), its crossing interpolated on a log scale; nan if the fit is below 1 everywhere or at least 1 from
    the smallest size on."""
    fit = non_decreasing([s for _, s in rows])
    k = next((i for i, s in enumerate(fit) if s >= 1), len(fit))
    if k == 0 or k == len(fit):
        return float("nan")
    (u0, _), (u1, _) = rows[k - 1], rows[k]
    f = (1 - fit[k - 1]) / (fit[k] - fit[k - 1])
    return math.exp(math.log(u0) + f * (math.log(u1) - math.log(u0)))


def matmul_us():
    multiply(20)
    t0 = time.perf_counter()
    multiply(200)
    print(f"python_matmul_20x20_us,{(time.perf_counter() - t0) / 200 * 1e6:.1f}", flush=True)


def pool_run(tasks, count):
    matmul_us()
    t0 = time.perf_counter()
    for _ in range(tasks):
        do_something(count)
    print(f"python_sequential_s,{time.perf_counter() - t0:.4f}", flush=True)
    t0 = time.perf_counter()
    with mp.get_context("fork").Pool(2) as pool:
        pool.map(do_something, [count] * tasks)
    print(f"python_pool2_s,{time.perf_counter() - t0:.4f}", flush=True)


def speedup_run(eff_tasks, eff_count, total_rows, sizes):
    with mp.get_context("fork").Pool(2) as pool:
        seq, par = alternating_medians(pool, multiply, [eff_count] * eff_tasks)
        print(f"python_pool_efficiency_2w,{seq / par / 2:.3f}", flush=True)
        curve = []
        for rows in sizes:
            inputs = [rows] * max(2, total_rows // rows)
            seq, par = alternating_medians(pool, multiply_rows, inputs)
            task_us = seq / len(inputs) * 1e6
            curve.append((task_us, seq / par))
            print(f"granularity,{rows},{task_us:.1f},{seq * 1e3:.2f},{par * 1e3:.2f},{seq / par:.2f}", flush=True)
    print(f"python_break_even_task_us,{break_even(curve):.1f}", flush=True)


if __name__ == "__main__":
    if sys.argv[1] == "speedup":
        speedup_run(int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), [int(s) for s in sys.argv[5].split(",")])
    else:
        pool_run(int(sys.argv[1]), int(sys.argv[2]))
