package mproc;

import java.time.Instant;

/** Worker tasks for the IPC tests. */
public final class IpcTasks {
    private IpcTasks() {}

    /** args: pipe end, n. Sends 0..n-1, then closes. */
    public static class Produce implements Task {
        @Override
        public void run(String... a) {
            try (Connection c = Connection.attach(a[0])) {
                for (int i = 0; i < Integer.parseInt(a[1]); i++) c.send(i);
            }
        }
    }

    /** args: in end, out end. Squares numbers until end of stream. */
    public static class Square implements Task {
        @Override
        public void run(String... a) throws Exception {
            try (Connection in = Connection.attach(a[0]); Connection out = Connection.attach(a[1])) {
                while (true) {
                    Object x;
                    try {
                        x = in.recv();
                    } catch (java.io.EOFException e) {
                        break;
                    }
                    long v = ((Number) x).longValue();
                    out.send(v * v);
                }
            }
        }
    }

    /** args: pipe end. Sends one message, then sleeps (to be killed). */
    public static class SendThenHang implements Task {
        @Override
        public void run(String... a) throws Exception {
            Connection c = Connection.attach(a[0]);
            c.send("hello");
            Thread.sleep(60_000);
        }
    }

    /** args: anything. Fails at once (never uses what it was given). */
    public static class Crash implements Task {
        @Override
        public void run(String... a) {
            throw new IllegalStateException("crashed before connecting");
        }
    }

    /** args: queue, producer id, n. Puts id*n .. id*n+n-1. */
    public static class Put implements Task {
        @Override
        public void run(String... a) {
            Queue q = Queue.attach(a[0]);
            long id = Long.parseLong(a[1]), n = Long.parseLong(a[2]);
            for (long i = 0; i < n; i++) q.put(id * n + i);
        }
    }

    /** args: queue, sums array, consumer index. Takes until shut down; records count, sum and sum of squares. */
    public static class Take implements Task {
        @Override
        public void run(String... a) {
            Queue q = Queue.attach(a[0]);
            SharedArray out = SharedArray.attach(a[1]);
            int k = Integer.parseInt(a[2]);
            long count = 0, sum = 0, squares = 0;
            for (Object o : q) {
                long v = (Long) o;
                count++;
                sum += v;
                squares += v * v;
            }
            out.setLong(3 * k, count);
            out.setLong(3 * k + 1, sum);
            out.setLong(3 * k + 2, squares);
        }
    }

    /** args: lock, array, n. n times: read counter, write counter + 1, under the lock (not atomic). */
    public static class Increment implements Task {
        @Override
        public void run(String... a) throws Exception {
            Lock lock = Lock.attach(a[0]);
            SharedArray counter = SharedArray.attach(a[1]);
            for (int i = 0; i < Integer.parseInt(a[2]); i++) {
                lock.acquire();
                try {
                    long v = counter.getLong(0);
                    Thread.onSpinWait();
                    counter.setLong(0, v + 1);
                } finally {
                    lock.release();
                }
            }
        }
    }

    /** args: barrier, timeout ms. Prints "released <index> <epoch nanos>" or "broken: ...". */
    public static class Wait implements Task {
        @Override
        public void run(String... a) throws Exception {
            Barrier b = Barrier.attach(a[0]);
            try {
                int i = b.await(java.time.Duration.ofMillis(Long.parseLong(a[1])));
                Instant t = Instant.now();
                System.out.println("released " + i + " " + (t.getEpochSecond() * 1_000_000_000L + t.getNano()));
            } catch (java.util.concurrent.BrokenBarrierException e) {
                System.out.println("broken: " + e.getMessage());
            }
        }
    }

    /** Main of a JVM that makes a queue, prints its private directory, and exits. */
    public static final class MakeIpcDir {
        public static void main(String[] args) {
            try {
                Queue.create();
                System.out.println("dir=" + Ipc.dir());
            } catch (RuntimeException e) {
                System.out.println("error=" + e.getMessage());
                System.exit(3);
            }
        }
    }

    /** Takes items from the queue args[0] until the sentinel -1; prints how many it took. */
    public static class UntilSentinel implements Task {
        @Override
        public void run(String... a) throws Exception {
            Queue q = Queue.attach(a[0]);
            long taken = 0;
            while (((Number) q.get()).longValue() != -1) taken++;
            System.out.println("took " + taken);
        }
    }
}
