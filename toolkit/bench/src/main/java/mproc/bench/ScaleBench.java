package mproc.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import mproc.Event;
import mproc.Pool;
import mproc.Task;
import mproc.Worker;

/**
 * The cost of scale: per-task overhead of a warm pool, {@code imap} from a thousand to a million inputs (time
 * and the parent's memory), and the memory of an idle worker JVM.
 */
public final class ScaleBench {
    private ScaleBench() {}

    /**
     * Per-task microseconds of a warm {@code Pool(2)}, {@code map(Square, range(tasks), chunksize 1)}: {@code cold},
     * the first such map once both workers are up (the code it runs not compiled yet); {@code warm}, the median of
     * {@code samples} timed maps once the JIT compilers are done ({@link #warmUp}); {@code warmUpMaps}, the
     * untimed maps that took; {@code settled}, whether the compilers did go quiet (false: the warm-up's cap ended it).
     */
    public record PoolTasks(double cold, double warm, int warmUpMaps, boolean settled) {}

    /**
     * {@link PoolTasks} measured. Python's side, {@code python_bench.py overhead}, times its maps after two untimed
     * ones: it has no JIT to wait for. Two untimed maps used to be Java's warm-up too, but the parent's compilers
     * were then still at work (its feeder and relay loops recompiled, a C2 thread taking ~2 us of CPU per task on
     * this 2-core machine): 10,000-task maps took ~6-9 us per task for the first 10-20 maps, ~2.5 us after.
     */
    public static PoolTasks poolTaskMicros(int tasks, int samples) throws InterruptedException {
        try (Pool pool = new Pool(2)) {
            java.util.List<Integer> inputs = Pool.range(tasks);
            // both feeders take a chunk of these at once and wait for their worker's answer: both JVMs are up after
            pool.map(Pool.Square.class, Pool.range(200), 1, null);
            long t0 = System.nanoTime();
            pool.map(Pool.Square.class, inputs, 1, null);
            double cold = (System.nanoTime() - t0) / 1e3 / tasks;
            WarmUp warmUp = warmUp(() -> pool.map(Pool.Square.class, inputs, 1, null), 3, 100, TimeUnit.SECONDS.toNanos(30));
            double[] us = new double[samples];
            for (int s = 0; s < samples; s++) {
                t0 = System.nanoTime();
                pool.map(Pool.Square.class, inputs, 1, null);
                us[s] = (System.nanoTime() - t0) / 1e3 / tasks;
            }
            return new PoolTasks(cold, IpcBench.median(us), warmUp.runs(), warmUp.settled());
        }
    }

    /** What a warm-up did: the runs it made, and whether the compilers went quiet (false: a cap ended it). */
    record WarmUp(int runs, boolean settled) {}

    /** One untimed run of what a warm-up repeats. */
    interface Run {
        void run() throws InterruptedException;
    }

    /**
     * Runs {@code r} until this JVM's JIT compilers did nothing during {@code quiet} runs in a row (their total
     * compilation time, {@link java.lang.management.CompilationMXBean}, did not move), at least {@code quiet}
     * and at most {@code max} runs or {@code maxNanos}. The workers' compilers are not watched from here: they compile the same
     * short paths (decode, apply, encode) and settle no later than the parent's feeder and relay loops. Without
     * a compilation time to watch (a JVM without JIT), {@code quiet} runs.
     */
    static WarmUp warmUp(Run r, int quiet, int max, long maxNanos) throws InterruptedException {
        java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean watched = jit != null && jit.isCompilationTimeMonitoringSupported();
        long end = System.nanoTime() + maxNanos;
        int runs = 0, still = 0;
        while (still < quiet && runs < max && System.nanoTime() < end) {
            long before = watched ? jit.getTotalCompilationTime() : 0;
            r.run();
            runs++;
            still = !watched || jit.getTotalCompilationTime() == before ? still + 1 : 0;
        }
        return new WarmUp(runs, still >= quiet);
    }

    /** One imap size: microseconds per task, and the parent's live heap (MB, after a full GC), its peak during the run. */
    public record ImapRun(long n, double taskMicros, double peakHeapMb) {}

    /** Points in each run where the live heap is measured (a full GC each; their pauses are not timed). */
    static final int HEAP_SAMPLES = 4;

    /**
     * Inputs of each untimed imap of the warm-up, which runs them until the JIT is quiet ({@link #warmUp}: 3
     * imaps in a row with no compilation, at most {@value #IMAP_WARMUP_MAX} imaps or 30 s), so that the pool's
     * and the parent's paths are compiled before any size is timed.
     */
    static final long IMAP_WARMUP = 40_000;

    /** At most this many warm-up imaps (see {@link #IMAP_WARMUP}). */
    static final int IMAP_WARMUP_MAX = 100;

    /** The imap sizes' runs, and what their warm-up did. */
    public record Imap(Map<Long, ImapRun> runs, WarmUp warmUp) {}

    /** Rounds of the imap sizes: each round times every size once over (see {@link #imapRepeats}). */
    static final int IMAP_ROUNDS = 5;

    /** Timed imaps of one size in one round: at least 4 x 10^4 inputs (at most 20 imaps), at least 1. */
    static int imapRepeats(long n) {
        return (int) Math.max(1, Math.min(20, 40_000 / n));
    }

    /**
     * {@code imap(Square, 0..n-1, chunksize)} on one warm {@code Pool(2)} for each size, the inputs made lazily
     * (never a list: the parent holds only what the pool holds). Time per task: the wall time of consuming every
     * result over n, the median over {@value #IMAP_ROUNDS} rounds of {@link #imapRepeats} imaps of n each (the GC
     * pauses of the heap samples taken out). The sizes take turns, round by round: the speed of this shared
     * machine drifts by tens of percent within a minute, and timing each size in one stretch measured the drift
     * (which size came out slowest changed from run to run). Memory, in the first imap of each size: the live
     * heap after a full GC at {@value #HEAP_SAMPLES} evenly spaced points of the run, the peak of them. Not RSS:
     * the parent's RSS (even VmHWM reset through /proc/self/clear_refs) mostly shows the heap the JVM committed
     * for the bench's earlier groups and keeps.
     */
    public static Imap imap(long[] sizes, int chunksize) throws InterruptedException {
        return imap(sizes, chunksize, IMAP_ROUNDS, IMAP_WARMUP_MAX);
    }

    /** As {@link #imap(long[], int)} with {@code rounds} rounds after at most {@code warmupMax} warm-up imaps. */
    public static Imap imap(long[] sizes, int chunksize, int rounds, int warmupMax) throws InterruptedException {
        Map<Long, ImapRun> out = new LinkedHashMap<>();
        Map<Long, List<Double>> us = new LinkedHashMap<>();
        Map<Long, double[]> peaks = new LinkedHashMap<>();
        WarmUp warmUp;
        try (Pool pool = new Pool(2)) {
            warmUp = warmUp(() -> drainSampled(pool.imap(Pool.Square.class, new Range(IMAP_WARMUP), chunksize), IMAP_WARMUP, null, null),
                    3, warmupMax, TimeUnit.SECONDS.toNanos(30));
            for (int round = 0; round < rounds; round++) {
                for (long n : sizes) {
                    // the sum of i*i for i < n, wrapped to a long as the summed results are
                    long expected = java.math.BigInteger.valueOf(n - 1).multiply(java.math.BigInteger.valueOf(n))
                            .multiply(java.math.BigInteger.valueOf(2 * n - 1)).divide(java.math.BigInteger.valueOf(6)).longValue();
                    double[] peak = peaks.computeIfAbsent(n, k -> new double[1]);
                    for (int r = 0; r < imapRepeats(n); r++) {
                        boolean sampled = round == 0 && r == 0;
                        long[] gcNanos = new long[1];
                        long t0 = System.nanoTime();
                        long sum = drainSampled(pool.imap(Pool.Square.class, new Range(n), chunksize), n,
                                sampled ? gcNanos : null, sampled ? peak : null);
                        us.computeIfAbsent(n, k -> new ArrayList<>()).add((System.nanoTime() - t0 - gcNanos[0]) / 1e3 / n);
                        if (sum != expected) throw new IllegalStateException("imap of " + n + ": wrong results");
                    }
                }
            }
        }
        for (long n : sizes) {
            out.put(n, new ImapRun(n, IpcBench.median(us.get(n).stream().mapToDouble(Double::doubleValue).toArray()), peaks.get(n)[0]));
        }
        return new Imap(out, warmUp);
    }

    private static long drainSampled(Iterator<Long> it, long n, long[] gcNanos, double[] peak) {
        long sum = 0, k = 0, every = Math.max(1, n / HEAP_SAMPLES), next = every / 2;
        while (it.hasNext()) {
            sum += it.next();
            if (++k == next && peak != null) {
                long g0 = System.nanoTime();
                peak[0] = Math.max(peak[0], liveHeapMb());
                gcNanos[0] += System.nanoTime() - g0;
                next += every;
            }
        }
        if (k != n) throw new IllegalStateException("imap returned " + k + " of " + n);
        return sum;
    }

    /** The heap in use right after a full GC, MB (the heap pools' usage after their latest collection). */
    static double liveHeapMb() {
        System.gc();
        long used = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() != MemoryType.HEAP) continue;
            var u = p.getCollectionUsage();
            used += u != null ? u.getUsed() : p.getUsage().getUsed();
        }
        return used / 1048576.0;
    }

    /** 0, 1, ..., n-1, made as they are taken. */
    static final class Range implements Iterator<Long> {
        private final long n;
        private long i;

        Range(long n) {
            this.n = n;
        }

        @Override
        public boolean hasNext() {
            return i < n;
        }

        @Override
        public Long next() {
            if (i >= n) throw new NoSuchElementException();
            return i++;
        }
    }

    /** A field of /proc/{pid}/status in MB (kB there), NaN if unreadable. */
    static double procStatusMb(String pid, String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).trim().split("\\s+")[0]) / 1024.0;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc (not Linux) or the process ended
        }
        return Double.NaN;
    }

    /** Sets its first event (ready), then waits for the second (stop). args: ready, stop. */
    public static class Idle implements Task {
        @Override
        public void run(String... a) throws Exception {
            Event ready = Event.attach(a[0]), stop = Event.attach(a[1]);
            ready.set();
            stop.await();
        }
    }

    /** RSS and peak RSS (MB) of an idle worker JVM. */
    public record Rss(double rssMb, double hwmMb) {}

    /**
     * An idle worker JVM's memory: a worker started with the default start method runs {@link Idle}; once it says
     * it is ready and half a second has passed, its /proc/&lt;pid&gt;/status VmRSS and VmHWM are read; then it is
     * told to stop and joined. Median of {@code samples} workers, one at a time.
     */
    public static Rss idleWorkerRss(int samples) throws InterruptedException {
        return idleWorkerRss(samples, null);
    }

    /**
     * As {@link #idleWorkerRss(int)}, the worker JVMs on {@code classpath} ({@code -Dmproc.classpath}, set for
     * these starts only) when it is not null: say the notebook kernel's, which must hold {@link Idle}'s jar.
     */
    public static Rss idleWorkerRss(int samples, String classpath) throws InterruptedException {
        String before = System.getProperty("mproc.classpath");
        if (classpath != null) System.setProperty("mproc.classpath", classpath);
        try {
            return idleRss(samples);
        } finally {
            if (classpath == null) {
                // unchanged
            } else if (before == null) {
                System.clearProperty("mproc.classpath");
            } else {
                System.setProperty("mproc.classpath", before);
            }
        }
    }

    /**
     * The notebooks' class path as .ci/setup.sh makes it (every jar of {@code lib}, the kernel's %classpath)
     * and this bench's jar (for {@link Idle}); null when {@code lib} has no jars.
     */
    public static String kernelClasspath(Path lib) {
        if (!Files.isDirectory(lib)) return null;
        StringBuilder cp = new StringBuilder();
        try (var jars = Files.list(lib)) {
            jars.filter(j -> j.toString().endsWith(".jar")).sorted()
                    .forEach(j -> cp.append(j.toAbsolutePath()).append(java.io.File.pathSeparator));
        } catch (IOException e) {
            return null;
        }
        if (cp.isEmpty()) return null;
        try {
            cp.append(Path.of(Idle.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
        } catch (java.net.URISyntaxException | RuntimeException e) {
            return null;
        }
        return cp.toString();
    }

    private static Rss idleRss(int samples) throws InterruptedException {
        double[] rss = new double[samples], hwm = new double[samples];
        for (int s = 0; s < samples; s++) {
            Event ready = Event.create(), stop = Event.create();
            Worker w = new Worker("idle-" + s, Idle.class, ready, stop).start();
            try {
                if (!ready.await(Duration.ofMinutes(1))) throw new IllegalStateException("idle worker did not start");
                Thread.sleep(500);
                String pid = Long.toString(w.pid());
                rss[s] = procStatusMb(pid, "VmRSS");
                hwm[s] = procStatusMb(pid, "VmHWM");
            } finally {
                stop.set();
                if (!w.join(Duration.ofSeconds(30))) w.terminate();
            }
        }
        return new Rss(IpcBench.median(rss), IpcBench.median(hwm));
    }
}
