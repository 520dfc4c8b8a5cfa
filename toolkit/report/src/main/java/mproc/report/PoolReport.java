package mproc.report;

import mproc.tutorial.*;
import java.util.List;
import java.util.function.IntConsumer;
import mproc.Pool;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import tech.tablesaw.api.Table;

/** Chapter 12, process_pool.py: a Pool of worker JVMs over a batch of matrix tasks. */
public final class PoolReport {
    private PoolReport() {}

    /** What a batch did: per-worker table, wall time, and the results' checksum. */
    public record Batch(int workers, int tasks, double startMs, double wallMs, Table stats, long checksum) {
        /** Busy time of all workers over workers x wall time: how much of the pool's time was useful work. */
        public double utilisation() {
            return stats.doubleColumn("busy_ms").sum() / (workers * wallMs);
        }

        public String summary() {
            return String.format("%d tasks on %d workers: pool start %.0f ms, map %.0f ms, workers busy %.0f%% of the time",
                    tasks, workers, startMs, wallMs, 100 * utilisation());
        }
    }

    /** Starts a pool, maps the matrix task over {@code counts}, closes the pool. */

    /** Microseconds per 20x20 multiply in this JVM: median of 5 runs of 100 000, after a warm-up. */
    public static double matmulMicros() {
        mproc.tutorial.Matrix m = mproc.tutorial.Matrix.random(mproc.tutorial.Matrix.SIZE, mproc.tutorial.Matrix.DEFAULT_SEED);
        m.multiply(200_000);
        double[] us = new double[5];
        for (int r = 0; r < us.length; r++) {
            long t0 = System.nanoTime();
            m.multiply(100_000);
            us[r] = (System.nanoTime() - t0) / 1e3 / 100_000;
        }
        java.util.Arrays.sort(us);
        return us[2];
    }

    /** Seconds for {@code tasks} x {@code count} multiplies on a fresh Pool(2): start, map, close. */
    public static double poolSeconds(int tasks, long count) throws InterruptedException {
        long t0 = System.nanoTime();
        try (Pool pool = new Pool(2)) {
            pool.map(MatrixWork.class, java.util.Collections.nCopies(tasks, (Object) count), 1, null);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Where results go so that the JIT cannot drop work whose result nobody reads. */
    private static volatile long sink;

    /** Seconds for the same tasks one after another in this JVM. */
    public static double sequentialSeconds(int tasks, long count) {
        long acc = 0, t0 = System.nanoTime();
        for (int i = 0; i < tasks; i++) acc += mproc.tutorial.Matrix.work(count);
        double s = (System.nanoTime() - t0) / 1e9;
        sink += acc;
        return s;
    }

    /**
     * One batch of {@code tasks} x {@code count} multiplies timed in this JVM and on {@code pool} (chunk size
     * {@code chunk}): each side runs untimed first (in this JVM at least 20 000 multiplies), then
     * {@link #alternatingMedians(Timed, Timed)}; {seconds in one JVM, seconds on the pool}.
     */
    public static double[] alternatingMedians(Pool pool, int tasks, long count, int chunk) throws InterruptedException {
        List<Object> inputs = java.util.Collections.nCopies(tasks, (Object) count);
        warmUp(tasks, count);
        pool.map(MatrixWork.class, inputs, chunk, null); // untimed first, as in this JVM
        return alternatingMedians(() -> sequentialSeconds(tasks, count), () -> {
            long t0 = System.nanoTime();
            pool.map(MatrixWork.class, inputs, chunk, null);
            return (System.nanoTime() - t0) / 1e9;
        });
    }

    /** A run to time: its seconds. */
    @FunctionalInterface
    private interface Timed {
        double seconds() throws InterruptedException;
    }

    /**
     * {@code one} against {@code other} (both warmed up by the caller): three timed runs each, alternating. A
     * shared machine's noise moves single runs by +-20%; the medians are returned, {one, other}.
     */
    private static double[] alternatingMedians(Timed one, Timed other) throws InterruptedException {
        double[] a = new double[3], b = new double[3];
        for (int i = 0; i < 3; i++) {
            a[i] = one.seconds();
            b[i] = other.seconds();
        }
        java.util.Arrays.sort(a);
        java.util.Arrays.sort(b);
        return new double[] {a[1], b[1]};
    }

    /** At least 20 000 multiplies in this JVM, in tasks of {@code count}: tiny tasks are then timed compiled too. */
    private static void warmUp(int tasks, long count) {
        sequentialSeconds((int) Math.max(tasks, 20_000 / Math.max(1, count)), count);
    }

    /**
     * Speed-up of a warm Pool(2) over one JVM on a batch of {@code tasks} x {@code count} multiplies,
     * divided by 2 (1.0 = both cores fully used), from {@link #alternatingMedians}.
     */
    public static double efficiency2(int tasks, long count) throws InterruptedException {
        try (Pool pool = new Pool(2)) {
            double[] t = alternatingMedians(pool, tasks, count, 1);
            return t[0] / t[1] / 2;
        }
    }

    /**
     * The machine's own ceiling for {@link #efficiency2}: the same batch split between two threads of this JVM
     * (no processes, no messages) against one thread, speed-up / 2, timed the same way. On a dedicated
     * 2-core machine it is ~1.0; on a shared VM it shows what the host's other tenants take.
     */
    public static double threadEfficiency2(int tasks, long count) throws InterruptedException {
        warmUp(tasks, count);
        java.util.concurrent.ExecutorService second = java.util.concurrent.Executors.newSingleThreadExecutor();
        try {
            double[] t = alternatingMedians(() -> sequentialSeconds(tasks, count), () -> {
                long t0 = System.nanoTime();
                var half = second.submit(() -> sequentialSeconds(tasks / 2, count));
                sequentialSeconds(tasks - tasks / 2, count);
                try {
                    half.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("a timing thread failed", e.getCause());
                }
                return (System.nanoTime() - t0) / 1e9;
            });
            return t[0] / t[1] / 2;
        } finally {
            second.shutdownNow();
        }
    }

    /**
     * Milliseconds for submit + result of one small task on a warm worker (a started Pool(1)): the
     * forkserver analogue without a process per task. Median of {@code n}, after a warm-up.
     */
    public static double warmSubmitResultMillis(int n) throws Exception {
        try (Pool pool = new Pool(1)) {
            for (int i = 0; i < 2_000; i++) pool.applyAsync(Pool.Square.class, (long) i).get();
            double[] ms = new double[n];
            for (int i = 0; i < n; i++) {
                long t0 = System.nanoTime();
                pool.applyAsync(Pool.Square.class, (long) i).get();
                ms[i] = (System.nanoTime() - t0) / 1e6;
            }
            java.util.Arrays.sort(ms);
            return ms[n / 2];
        }
    }

    /** Tasks and busy milliseconds per worker. */
    public static CategoryChart chart(Batch b) {
        CategoryChart c = new CategoryChartBuilder().width(820).height(380)
                .title(b.tasks() + " matrix tasks on " + b.workers() + " workers (map: " + Math.round(b.wallMs()) + " ms)")
                .yAxisTitle("").build();
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setPlotBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setLabelsVisible(true);
        List<String> names = b.stats().stringColumn("worker").asList();
        c.addSeries("tasks done", names, b.stats().intColumn("tasks").asList());
        c.addSeries("busy ms", names, b.stats().doubleColumn("busy_ms").asList());
        return c;
    }
}
