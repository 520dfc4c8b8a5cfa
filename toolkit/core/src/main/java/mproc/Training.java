package mproc;

import java.util.List;

/**
 * What the class-archive training JVM runs (see {@link Tuning}): the paths a typical worker takes (a pipe,
 * the encoding, the broker objects, the pool worker's loop and link), so that their classes are
 * in the archive, already parsed and linked, for every later worker.
 */
final class Training implements Task {
    @Override
    public void run(String... args) throws Exception {
        Pipe p = Pipe.create();
        p.end1().send(List.of(1L, "x", 2.5, new int[] {1}, new long[] {2}, new double[] {3}, true));
        p.end2().recv();
        p.end2().send(List.of(7L, Pool.Square.class.getName(), List.of(10L)));
        p.end1().recv();
        p.end1().close();
        p.end2().close();
        Queue q = Queue.create();
        q.put(1L);
        q.get();
        Lock l = Lock.create();
        l.acquire();
        l.release();
        Barrier.create(1).await();
        SharedArray.ofLongs(1).add(0, 1);
        new PoolWorker();
        // a pool worker's link (its stdin and stdout, see StdioLink): the classes and the message decoding
        byte[] f = Codec.frame(List.of(7L, "ok", List.of(100L), 5L));
        Codec.decode(f, 4, f.length - 4);
        Class<?> child = StdioLink.Child.class; // loaded, not initialised
        Ipc.flushAll();
    }
}
