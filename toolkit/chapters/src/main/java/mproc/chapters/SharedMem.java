package mproc.chapters;

import mproc.tutorial.*;
import java.util.ArrayList;
import java.util.List;
import mproc.tutorial.Matrix;
import mproc.Queue;
import mproc.SharedArray;
import mproc.Task;
import mproc.Worker;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Chapter 11, shared memory: W workers compute blocks of rows of an n x n product C = A B into a shared
 * array, against the same computed rows sent back through a Queue.
 */
public final class SharedMem {
    private SharedMem() {}

    static final long SEED_A = 1, SEED_B = 2;

    /** args: n, from, to, "shared" address | "queue" address. */
    public static class Block implements Task {
        @Override
        public void run(String... a) {
            int n = Integer.parseInt(a[0]), from = Integer.parseInt(a[1]), to = Integer.parseInt(a[2]);
            long[] rows = Matrix.multiplyRows(Matrix.entries(n, SEED_A), Matrix.entries(n, SEED_B), n, from, to);
            if (a[3].equals("shared")) {
                SharedArray c = SharedArray.attach(a[4]);
                for (int i = 0; i < rows.length; i++) c.setLong(from * n + i, rows[i]);
            } else {
                Queue q = Queue.attach(a[4]);
                for (int r = from; r < to; r++) {
                    q.put(List.of((long) r, java.util.Arrays.copyOfRange(rows, (r - from) * n, (r - from + 1) * n)));
                }
            }
        }
    }

    /** One way of getting C back: its time and what travelled through sockets. */
    public record Result(String method, int workers, double ms, long ipcBytes, long checksum) {}

    /** C computed by {@code workers} workers, via shared memory or a queue; checksum = sum of all entries. */
    public static Result compute(int n, int workers, boolean shared) throws InterruptedException {
        if (workers < 1 || workers > 64) throw new IllegalArgumentException("workers must be between 1 and 64, got " + workers);
        Matrix.checkSize(n);
        long t0 = System.nanoTime();
        SharedArray c = shared ? SharedArray.ofLongs(n * n) : null;
        Queue q = shared ? null : Queue.create();
        List<Worker> ws = new ArrayList<>();
        for (int k = 0; k < workers; k++) {
            int from = k * n / workers, to = (k + 1) * n / workers;
            ws.add(new Worker("block-" + k, Block.class, n, from, to, shared ? "shared" : "queue", shared ? c : q).start());
        }
        long checksum = 0, bytes = 0;
        if (shared) {
            for (Worker w : ws) w.join();
            for (int i = 0; i < n * n; i++) checksum += c.getLong(i);
        } else {
            long[] result = new long[n * n];
            for (int r = 0; r < n; r++) {
                List<?> row;
                try {
                    row = (List<?>) q.get(java.time.Duration.ofMinutes(5));
                } catch (java.io.EOFException | java.util.concurrent.TimeoutException e) {
                    throw new IllegalStateException("a block of rows never arrived: " + e.getMessage());
                }
                long[] values = (long[]) row.get(1);
                System.arraycopy(values, 0, result, ((Long) row.get(0)).intValue() * n, n);
                bytes += 1 + 4 + 1 + 8 + 1 + 4 + 8L * n; // the list, the row index, the long[] (as encoded)
            }
            for (Worker w : ws) w.join();
            for (long v : result) checksum += v;
        }
        for (Worker w : ws) if (w.exitCode() != 0) throw new IllegalStateException(w.getName() + " failed: " + w.output());
        return new Result(shared ? "shared memory" : "queue", workers, (System.nanoTime() - t0) / 1e6, bytes, checksum);
    }

    /**
     * Both methods, {@code rounds} times each, alternating, after one discarded warm-up round of each; the
     * median round of each method. Times include starting the workers, which both methods pay alike.
     */
    public static List<Result> compare(int n, int workers, int rounds) throws InterruptedException {
        if (rounds < 1 || rounds > 50) throw new IllegalArgumentException("rounds must be between 1 and 50, got " + rounds);
        compute(n, workers, true);
        compute(n, workers, false);
        List<Result> shared = new ArrayList<>(), queued = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            shared.add(compute(n, workers, true));
            queued.add(compute(n, workers, false));
        }
        return List.of(median(shared), median(queued));
    }

    private static Result median(List<Result> rs) {
        List<Result> sorted = new ArrayList<>(rs);
        sorted.sort(java.util.Comparator.comparingDouble(Result::ms));
        return sorted.get(sorted.size() / 2);
    }

    /** The same product in this JVM, for the check. */
    public static long checksumHere(int n) {
        long s = 0;
        for (long v : Matrix.multiplyRows(Matrix.entries(n, SEED_A), Matrix.entries(n, SEED_B), n, 0, n)) s += v;
        return s;
    }

    public static Table table(List<Result> rs, long expected) {
        StringColumn m = StringColumn.create("method");
        IntColumn w = IntColumn.create("workers");
        DoubleColumn ms = DoubleColumn.create("ms");
        LongColumn bytes = LongColumn.create("bytes_through_ipc");
        StringColumn ok = StringColumn.create("checksum");
        for (Result r : rs) {
            m.append(r.method());
            w.append(r.workers());
            ms.append(Math.round(r.ms() * 10) / 10.0);
            bytes.append(r.ipcBytes());
            ok.append(r.checksum() == expected ? "correct" : "WRONG " + r.checksum());
        }
        return Table.create("C = A B, by blocks of rows", m, w, ms, bytes, ok);
    }
}
