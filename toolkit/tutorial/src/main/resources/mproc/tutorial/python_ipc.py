"""Python's side of the IPC benchmarks, same method as mproc.bench.IpcBench:
   pipe_roundtrip_us,<median microseconds per round trip>
   queue_2p2c_msgs_per_s,<messages per second, 2 producers + 2 consumers>
Arguments: batches per_batch queue_items_per_producer"""
import multiprocessing as mp
import statistics
import sys
import time


def echo(conn):
    while True:
        m = conn.recv()
        if m is None:  # stop: with fork the child also holds the other end, so it would never see EOF
            return
        conn.send(m)


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


if __name__ == "__main__":
    batches, per_batch, items = (int(a) for a in sys.argv[1:4])
    a, b = mp.Pipe()
    p = mp.Process(target=echo, args=(b,))
    p.start()
    b.close()
    for _ in range(20000):
        a.send(42)
        a.recv()
    us = []
    for _ in range(batches):
        t0 = time.perf_counter()
        for _ in range(per_batch):
            a.send(42)
            a.recv()
        us.append((time.perf_counter() - t0) * 1e6 / per_batch)
    a.send(None)
    p.join()
    print(f"pipe_roundtrip_us,{statistics.median(us):.3f}", flush=True)

    q = mp.Queue()
    start = mp.Barrier(5)
    out = mp.Array("d", 4)
    cs = [mp.Process(target=consume, args=(q, start, out, k)) for k in range(2)]
    ps = [mp.Process(target=produce, args=(q, start, items)) for _ in range(2)]
    for w in cs + ps:
        w.start()
    start.wait()
    t0 = time.time()
    for w in ps:
        w.join()
    for _ in cs:
        q.put(None)  # Python's usual "no more items": one sentinel per consumer
    for w in cs:
        w.join()
    received = out[0] + out[2]
    assert received == 2 * items, (received, items)
    print(f"queue_2p2c_msgs_per_s,{2 * items / (max(out[1], out[3]) - t0):.0f}", flush=True)
