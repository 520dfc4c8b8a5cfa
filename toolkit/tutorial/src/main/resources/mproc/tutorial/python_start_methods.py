"""start + join of an empty multiprocessing.Process, per start method; one CSV line per sample:
   python <method>,<run>,<milliseconds>
Run by mproc.report.StartMethods with the number of samples as the only argument."""
import multiprocessing as mp
import sys
import time


def empty():
    pass


if __name__ == "__main__":
    n = int(sys.argv[1])
    for method in ("fork", "forkserver", "spawn"):
        ctx = mp.get_context(method)
        for _ in range(3):  # warm-up (starts the forkserver)
            p = ctx.Process(target=empty)
            p.start()
            p.join()
        for i in range(n):
            t0 = time.perf_counter()
            p = ctx.Process(target=empty)
            p.start()
            p.join()
            print(f"python {method},{i},{(time.perf_counter() - t0) * 1000:.3f}", flush=True)
