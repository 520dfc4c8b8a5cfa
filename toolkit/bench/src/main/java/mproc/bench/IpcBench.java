package mproc.bench;

import mproc.tutorial.*;
import java.io.EOFException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import mproc.Barrier;
import mproc.Connection;
import mproc.Pipe;
import mproc.Queue;
import mproc.SharedArray;
import mproc.Task;
import mproc.Worker;

/** IPC benchmarks between worker JVMs: pipe round trips and queue throughput. */
public final class IpcBench {
    private IpcBench() {}

    /** Sends back every message until end of stream. args: pipe end. */
    public static class Echo implements Task {
        @Override
        public void run(String... a) throws Exception {
            try (Connection c = Connection.attach(a[0])) {
                while (true) {
                    Object m;
                    try {
                        m = c.recv();
                    } catch (EOFException e) {
                        return;
                    }
                    c.send(m);
                }
            }
        }
    }

    /**
     * Median microseconds per round trip (a small message to a worker JVM and back), over {@code batches}
     * batches of {@code perBatch} round trips, after a warm-up.
     */
    public static double pipeRoundTripMicros(int batches, int perBatch) throws Exception {
        Pipe p = Pipe.create();
        Worker echo = new Worker("echo", Echo.class, p.end2()).start();
        Connection c = p.end1();
        Long msg = 42L;
        for (int i = 0; i < 20_000; i++) { // warm-up: both JVMs compile the path
            c.send(msg);
            c.recv();
        }
        double[] us = new double[batches];
        for (int b = 0; b < batches; b++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < perBatch; i++) {
                c.send(msg);
                c.recv();
            }
            us[b] = (System.nanoTime() - t0) / 1e3 / perBatch;
        }
        c.close();
        echo.join();
        return median(us);
    }

    /** Puts {@code n} longs. args: queue, barrier, n. */
    public static class Produce implements Task {
        @Override
        public void run(String... a) throws Exception {
            Queue q = Queue.attach(a[0]);
            Barrier start = Barrier.attach(a[1]);
            long n = Long.parseLong(a[2]);
            start.await();
            for (long i = 0; i < n; i++) q.put(i);
            q.flush();
        }
    }

    /** Takes until closed; writes its count and its finish time (epoch ns). args: queue, barrier, stats, k. */
    public static class Consume implements Task {
        @Override
        public void run(String... a) throws Exception {
            Queue q = Queue.attach(a[0]);
            Barrier start = Barrier.attach(a[1]);
            SharedArray stats = SharedArray.attach(a[2]);
            int k = Integer.parseInt(a[3]);
            start.await();
            long n = 0;
            for (Object ignored : q) n++;
            stats.setLong(2 * k, n);
            stats.setLong(2 * k + 1, mproc.Clock.epochNanos());
        }
    }

    /** Messages per second through one Queue: P producer JVMs and C consumer JVMs, small messages. */
    public static double queueThroughput(int producers, int consumers, long perProducer) throws Exception {
        Queue q = Queue.create();
        Barrier start = Barrier.create(producers + consumers + 1);
        SharedArray stats = SharedArray.ofLongs(2 * consumers);
        List<Worker> ps = new ArrayList<>(), cs = new ArrayList<>();
        for (int k = 0; k < consumers; k++) cs.add(new Worker("consumer-" + k, Consume.class, q, start, stats, k).start());
        for (int k = 0; k < producers; k++) ps.add(new Worker("producer-" + k, Produce.class, q, start, perProducer).start());
        start.await(java.time.Duration.ofMinutes(2)); // all JVMs up: the clock starts now
        long t0 = mproc.Clock.epochNanos();
        for (Worker w : ps) w.join();
        q.shutdown();
        for (Worker w : cs) w.join();
        long received = 0, end = 0;
        for (int k = 0; k < consumers; k++) {
            received += stats.getLong(2 * k);
            end = Math.max(end, stats.getLong(2 * k + 1));
        }
        long expected = producers * perProducer;
        if (received != expected) throw new IllegalStateException("queue lost or duplicated items: " + received + " of " + expected);
        double seconds = (end - t0) / 1e9;
        return expected / seconds;
    }

    static double median(double[] v) {
        double[] c = v.clone();
        Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
