"""Python's side of the bench's scale rows, measured the way mproc.bench.ScaleBench and IpcBench measure
Java's. Prints metric,value lines. One subcommand per group:

   overhead TASKS SAMPLES   python_pool_task_us: microseconds per task of a warm Pool(2) (default context),
                            map(square, range(TASKS), chunksize=1), median of SAMPLES maps after two untimed
   queue TOTAL P[,P...]     python_queue_<P>p<P>c_msgs_per_s: P producers and P consumers on one Queue, TOTAL
                            small messages in all (TOTAL // P per producer), timed from the start barrier to
                            the last consumer's last message
   rss SAMPLES              python_spawn_idle_rss_mb, python_spawn_idle_hwm_mb: /proc/<pid>/status VmRSS and
                            VmHWM of an idle spawn child (it set an Event and waits for another), half a
                            second after it said it was ready; median of SAMPLES children
   numpy                    numpy_matmul_20x20_us: a @ b of two 20x20 float64 arrays, timeit-style (autorange,
                            7 repeats, the median per call); prints nothing when numpy cannot be imported"""
import multiprocessing as mp
import statistics
import sys
import time


def square(x):
    return x * x


def overhead(tasks, samples):
    with mp.get_context().Pool(2) as pool:
        for _ in range(2):
            pool.map(square, range(tasks), chunksize=1)
        us = []
        for _ in range(samples):
            t0 = time.perf_counter()
            pool.map(square, range(tasks), chunksize=1)
            us.append((time.perf_counter() - t0) * 1e6 / tasks)
    print(f"python_pool_task_us,{statistics.median(us):.3f}", flush=True)


def produce(q, start, n):
    start.wait()
    for i in range(n):
        q.put(i)


def consume(q, start, out, k):
    start.wait()
    n = 0
    while True:
        m = q.get()
        if m is None:
            break
        n += 1
    out[2 * k] = n
    out[2 * k + 1] = time.time()


def queue_rate(p, per_producer):
    q = mp.Queue()
    start = mp.Barrier(2 * p + 1)
    out = mp.Array("d", 2 * p)
    cs = [mp.Process(target=consume, args=(q, start, out, k)) for k in range(p)]
    ps = [mp.Process(target=produce, args=(q, start, per_producer)) for _ in range(p)]
    for w in cs + ps:
        w.start()
    start.wait()
    t0 = time.time()
    for w in ps:
        w.join()
    for _ in cs:
        q.put(None)  # one sentinel per consumer
    for w in cs:
        w.join()
    received = sum(out[2 * k] for k in range(p))
    assert received == p * per_producer, (received, p * per_producer)
    return p * per_producer / (max(out[2 * k + 1] for k in range(p)) - t0)


def idle(ready, stop):
    ready.set()
    stop.wait()


def status_mb(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def rss(samples):
    ctx = mp.get_context("spawn")
    rss, hwm = [], []
    for _ in range(samples):
        ready, stop = ctx.Event(), ctx.Event()
        p = ctx.Process(target=idle, args=(ready, stop))
        p.start()
        try:
            ready.wait(60)
            time.sleep(0.5)
            rss.append(status_mb(p.pid, "VmRSS"))
            hwm.append(status_mb(p.pid, "VmHWM"))
        finally:
            stop.set()
            p.join(30)
    if all(v == v for v in rss + hwm):  # nan: no /proc here, and Java's Double.parseDouble reads no "nan"
        print(f"python_spawn_idle_rss_mb,{statistics.median(rss):.2f}", flush=True)
        print(f"python_spawn_idle_hwm_mb,{statistics.median(hwm):.2f}", flush=True)


def numpy_matmul():
    try:
        import numpy as np
    except ImportError:
        return
    import timeit
    rng = np.random.default_rng(42)
    a, b = rng.random((20, 20)), rng.random((20, 20))
    t = timeit.Timer(lambda: a @ b)
    number, _ = t.autorange()
    times = t.repeat(repeat=7, number=number)
    print(f"numpy_matmul_20x20_us,{statistics.median(times) / number * 1e6:.4f}", flush=True)


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "overhead":
        overhead(int(sys.argv[2]), int(sys.argv[3]))
    elif what == "queue":
        total = int(sys.argv[2])
        for p in (int(s) for s in sys.argv[3].split(",")):
            print(f"python_queue_{p}p{p}c_msgs_per_s,{queue_rate(p, total // p):.0f}", flush=True)
    elif what == "rss":
        rss(int(sys.argv[2]))
    elif what == "numpy":
        numpy_matmul()
    else:
        sys.exit(f"unknown group {what}")
