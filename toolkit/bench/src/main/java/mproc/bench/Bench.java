package mproc.bench;

import mproc.tutorial.*;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import mproc.report.StartTimes;
import mproc.cli.Cli;
import mproc.cli.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * {@code make bench}: the benchmarks, written to {@code build/bench/results.csv} (metric,value,unit).
 * Figures are medians over {@code --samples} runs, each compared with a baseline measured in the same run.
 *
 * Groups ({@code --only}, in this order): start (start-up per {@link mproc.StartMethod} beside Python's three
 * start methods and the baselines, a hello-world JVM and {@code python3 -c pass}), ipc (pipe and queue), pool
 * (kernel, 8 x 100, efficiency, break-even), and the cost of scale, each beside Python's in the same run:
 * overhead (a warm Pool(2)'s time per trivial task, chunk 1), imap (10^3..10^6 inputs: time per task, its
 * flatness, the parent's live heap), queue (1, 2, 4, 8 producers and as many consumers: queue-curve.png), rss
 * (an idle worker JVM against Python's spawn child) and numpy (the 20x20 multiply against numpy's). The goals
 * ({@link #GOALS}) are reported in goals.csv and goals.png, never asserted.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Runs the toolkit's benchmarks and writes results.csv.")
public final class Bench implements Callable<Integer> {
    @Option(names = "--samples", defaultValue = "20", description = "runs per figure (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--quick", description = "a smoke run (the test suite's): every row, chart and CSV file, from fewer"
            + " and shorter repeats (a third to a tenth of the timed work); its figures are not for quoting")
    boolean quick;

    @Option(names = "--out", defaultValue = "build/bench", description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    public static void main(String[] args) {
        System.exit(Cli.execute(new Bench(), args));
    }

    @Option(names = "--only", split = ",", paramLabel = "GROUP",
            description = "run only these groups (comma-separated): ${COMPLETION-CANDIDATES}; default: all")
    java.util.EnumSet<Group> only = java.util.EnumSet.allOf(Group.class);

    /** The bench's parts, in the order they run; {@code --only} picks some. */
    @Option(names = "--imap-chunk", defaultValue = "10",
            description = "inputs per imap message (Python's chunksize) for the imap rows (default: ${DEFAULT-VALUE})")
    int imapChunk;

    @Option(names = "--kernel-lib", defaultValue = "toolkit/target/notebook-lib",
            description = "the notebook kernel's jars, for worker_idle_kernel_cp_rss_mb (default: ${DEFAULT-VALUE})")
    Path kernelLib;

    enum Group { start, ipc, pool, overhead, imap, queue, rss, numpy }

    /**
     * The goals, in one place: a ratio (or MB) row and the most it may be. Reported beside the row (goals.csv,
     * goals.png: the row over its goal, 1 = on the goal), never asserted.
     */
    record Goal(String metric, double atMost, String meaning) {}

    static final List<Goal> GOALS = List.of(
            new Goal("start_join_tuned_vs_python_spawn", 0.85, "a tuned start+join at most 0.85x Python's spawn"),
            new Goal("start_join_warm_vs_python_forkserver", 0.5, "a warm start+join at most half Python's forkserver"),
            new Goal("pool_8x100_vs_python", 1.0 / 3, "a fresh Pool(2) on 8 x 100 multiplies, start included: a third of Python's"),
            new Goal("pool_8x100_warm_vs_python", 1.0 / 3, "the same Pool(2) from two waiting spare JVMs (WARM): a third of Python's"),
            new Goal("pipe_roundtrip_vs_python", 0.2, "a pipe round trip at most 0.2x Python's"),
            new Goal("break_even_vs_python", 0.3, "the break-even task size at most 0.3x Python's"),
            new Goal("pool_task_overhead_vs_python", 0.25, "per-task cost of a warm Pool(2), chunk 1: 4x below Python's"),
            new Goal("imap_task_us_flatness", 1.2, "imap time per task, 10^3..10^6 inputs: max/min within 20%"),
            new Goal("imap_heap_growth_1e6_vs_1e3_mb", 50.0, "parent's live heap at 10^6 inputs against 10^3: within 50 MB"),
            new Goal("worker_idle_rss_vs_python_spawn", 2.0, "an idle worker JVM's RSS at most 2x Python's spawn child"),
            new Goal("matmul_20x20_vs_numpy", 0.5, "the 20x20 kernel at most half numpy's time"));

    static final long[] IMAP_SIZES = {1_000, 10_000, 100_000, 1_000_000};
    static final int[] QUEUE_PARTIES = {1, 2, 4, 8};
    /** Messages per queue-curve point: Java, Python (the same rates with a quarter of the Java count's time). */
    static final long QUEUE_CURVE_JAVA = 1_000_000, QUEUE_CURVE_PYTHON = 200_000;
    static final String PY_BENCH = "/mproc/bench/python_bench.py";
    /** --quick: the granularity curve's sizes (the full run's eight) over a tenth of its work; Python's the same way. */
    static final long[] QUICK_SIZES = {1, 3, 10, 30, 100, 300, 1000, 3000};
    static final String[] QUICK_PYTHON_SPEEDUP = {"speedup", "4", "15", "400", "1,2,5,10,20,50,100,200"};

    private Table rows;
    private Double matmul; // matmul_20x20_us, measured once (pool group, or the numpy group alone)

    @Override
    public Integer call() throws Exception {
        if (samples < 3 || samples > 1000) throw new IllegalArgumentException("--samples must be 3..1000, got " + samples);
        long t0 = System.nanoTime();
        rows = Table.create("bench", StringColumn.create("metric"), DoubleColumn.create("value"), StringColumn.create("unit"));
        for (Group g : only) {
            long g0 = System.nanoTime();
            switch (g) {
                case start -> startRows();
                case ipc -> ipcRows();
                case pool -> poolRows();
                case overhead -> overheadRows();
                case imap -> imapRows();
                case queue -> queueRows();
                case rss -> rssRows();
                case numpy -> numpyRows();
            }
            System.out.printf("bench: %s done in %.1f s%n", g, (System.nanoTime() - g0) / 1e9);
        }
        System.out.println(rows.print());
        System.out.println("results: " + Reports.csv(rows, out, "results.csv"));
        System.out.println("chart: " + mproc.tutorial.Charts.savePng(chart(rows), out.resolve("results.png")));
        Table goals = goals(rows);
        System.out.println(goals.print());
        Reports.csv(goals, out, "goals.csv");
        System.out.println("chart: " + mproc.tutorial.Charts.savePng(goalChart(goals), out.resolve("goals.png")));
        System.out.printf("bench: all done in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        return 0;
    }

    private void startRows() throws Exception {
        Table jvm = StartTimes.measureJava(samples);
        Table python = StartTimes.measurePython(samples);
        Table summary = StartTimes.summary(jvm.append(python));
        System.out.println(summary.print());
        row(rows, "jvm_hello_ms", StartTimes.median(summary, "JVM hello world"), "ms");
        row(rows, "start_join_cold_ms", StartTimes.median(summary, "java cold"), "ms");
        row(rows, "start_join_tuned_ms", StartTimes.median(summary, "java tuned"), "ms");
        row(rows, "start_join_warm_ms", StartTimes.median(summary, "java warm"), "ms");
        row(rows, "submit_result_warm_ms", mproc.report.PoolReport.warmSubmitResultMillis(quick ? 50 : 500), "ms");
        row(rows, "start_join_tuned_vs_hello", StartTimes.median(summary, "java tuned") / StartTimes.median(summary, "JVM hello world"), "ratio");
        if (python.rowCount() > 0) {
            row(rows, "python_pass_ms", StartTimes.median(summary, "python -c pass"), "ms");
            row(rows, "python_spawn_ms", StartTimes.median(summary, "python spawn"), "ms");
            row(rows, "python_fork_ms", StartTimes.median(summary, "python fork"), "ms");
            row(rows, "python_forkserver_ms", StartTimes.median(summary, "python forkserver"), "ms");
            row(rows, "start_join_tuned_vs_python_spawn", StartTimes.median(summary, "java tuned") / StartTimes.median(summary, "python spawn"), "ratio");
            row(rows, "start_join_warm_vs_python_forkserver", StartTimes.median(summary, "java warm") / StartTimes.median(summary, "python forkserver"), "ratio");
        } else {
            System.out.println("note: no " + mproc.tutorial.Python.PYTHON + ": Python rows skipped");
        }
        Reports.csv(jvm, out, "start-methods-samples.csv");
    }

    /** IPC between worker JVMs, and Python's multiprocessing Pipe and Queue the same way. */
    private void ipcRows() throws Exception {
        double rt = IpcBench.pipeRoundTripMicros(quick ? 3 : 15, quick ? 500 : 5000);
        double[] qs = new double[quick ? 1 : 3];
        for (int i = 0; i < qs.length; i++) qs[i] = IpcBench.queueThroughput(2, 2, quick ? 100_000 : 1_000_000);
        java.util.Arrays.sort(qs);
        row(rows, "pipe_roundtrip_us", rt, "us");
        row(rows, "queue_2p2c_msgs_per_s", Math.round(qs[qs.length / 2]), "msgs/s");
        java.util.Map<String, Double> py = mproc.tutorial.Python.run("python_ipc.py", quick ? "3" : "15", quick ? "500" : "5000",
                quick ? "20000" : "200000");
        if (!py.isEmpty()) {
            row(rows, "python_pipe_roundtrip_us", py.get("pipe_roundtrip_us"), "us");
            row(rows, "python_queue_2p2c_msgs_per_s", py.get("queue_2p2c_msgs_per_s"), "msgs/s");
            row(rows, "pipe_roundtrip_vs_python", rt / py.get("pipe_roundtrip_us"), "ratio");
            row(rows, "queue_2p2c_vs_python", qs[qs.length / 2] / py.get("queue_2p2c_msgs_per_s"), "ratio");
        }
    }

    /** The pool: kernel speed, 8 x 100 multiplies with pool start-up, efficiency on 2 workers, break-even. */
    private void poolRows() throws Exception {
        double matmul = matmul();
        row(rows, "matmul_20x20_us", matmul, "us");
        mproc.report.PoolReport.poolSeconds(8, 100); // first use: archive and page cache
        double[] p8 = new double[quick ? 1 : 5];
        for (int i = 0; i < p8.length; i++) p8[i] = mproc.report.PoolReport.poolSeconds(8, 100);
        java.util.Arrays.sort(p8);
        double pool8 = p8[p8.length / 2];
        row(rows, "pool_8x100_s", pool8, "s");
        // the same pool from two spare JVMs that wait already (StartMethod.WARM, as Python's forkserver waits)
        warmPoolSeconds(8, 100);
        double[] w8 = new double[quick ? 1 : 5];
        for (int i = 0; i < w8.length; i++) w8[i] = warmPoolSeconds(8, 100);
        java.util.Arrays.sort(w8);
        double warm8 = w8[w8.length / 2];
        row(rows, "pool_8x100_warm_s", warm8, "s");
        int effTasks = quick ? 8 : 40;
        long effCount = quick ? 2_000 : 20_000; // ~1 s of work (a tenth of that quick)
        double efficiency = mproc.report.PoolReport.efficiency2(effTasks, effCount);
        row(rows, "pool_efficiency_2w", efficiency, "ratio");
        double threads = mproc.report.PoolReport.threadEfficiency2(effTasks, effCount); // the machine's ceiling, no processes
        row(rows, "threads_efficiency_2t", threads, "ratio");
        row(rows, "pool_efficiency_2w_vs_threads", efficiency / threads, "ratio");
        Table granularity = quick ? mproc.report.Speedup.granularity(2_000, QUICK_SIZES) : mproc.report.Speedup.granularity();
        System.out.println(granularity.print());
        Reports.csv(granularity, out, "granularity.csv");
        double breakEven = mproc.report.Speedup.breakEvenMicros(granularity);
        row(rows, "break_even_task_us", breakEven, "us");
        java.util.Map<String, Double> pyPool = mproc.tutorial.Python.run("python_pool.py", "8", "100");
        mproc.report.Speedup.PythonRun pySpeed = quick ? mproc.report.Speedup.python(QUICK_PYTHON_SPEEDUP) : mproc.report.Speedup.python();
        if (!pyPool.isEmpty()) {
            row(rows, "python_matmul_20x20_us", pyPool.get("python_matmul_20x20_us"), "us");
            row(rows, "python_sequential_8x100_s", pyPool.get("python_sequential_s"), "s");
            row(rows, "python_pool_8x100_s", pyPool.get("python_pool2_s"), "s");
            row(rows, "matmul_20x20_vs_python", matmul / pyPool.get("python_matmul_20x20_us"), "ratio");
            row(rows, "pool_8x100_vs_python", pool8 / pyPool.get("python_pool2_s"), "ratio");
            row(rows, "pool_8x100_warm_vs_python", warm8 / pyPool.get("python_pool2_s"), "ratio");
        }
        if (pySpeed != null) {
            System.out.println(pySpeed.granularity().print());
            Reports.csv(pySpeed.granularity(), out, "python-granularity.csv");
            double pyEff = pySpeed.efficiency(), pyBreak = pySpeed.breakEvenMicros();
            row(rows, "python_pool_efficiency_2w", pyEff, "ratio");
            row(rows, "python_break_even_task_us", pyBreak, "us");
            row(rows, "pool_efficiency_2w_vs_python", efficiency / pyEff, "ratio");
            row(rows, "break_even_vs_python", breakEven / pyBreak, "ratio");
        }
    }

    /**
     * Seconds for a Pool(2) of WARM workers on {@code tasks} x {@code count} multiplies, start and close included,
     * timed once two spare JVMs wait for it.
     */
    static double warmPoolSeconds(int tasks, long count) throws InterruptedException {
        if (!new mproc.Worker().setStartMethod(mproc.StartMethod.WARM).prepare(java.time.Duration.ofMinutes(2))) {
            throw new IllegalStateException("no spare JVMs for the warm pool within 2 minutes");
        }
        long t0 = System.nanoTime();
        try (mproc.Pool pool = mproc.Pool.builder().processes(2).startMethod(mproc.StartMethod.WARM).build()) {
            pool.map(mproc.tutorial.MatrixWork.class, java.util.Collections.nCopies(tasks, (Object) count), 1, null);
        }
        return (System.nanoTime() - t0) / 1e9;
    }

    private double matmul() throws Exception {
        if (matmul == null) matmul = matmulMicros();
        return matmul;
    }

    /**
     * Per-task overhead of a warm Pool(2), 10,000 trivial tasks, chunk size 1, once the JIT is done; beside it the
     * first map once the workers are up, the untimed maps the JIT took and whether it settled; Python's Pool(2)
     * after its two untimed maps.
     */
    private void overheadRows() throws Exception {
        int tasks = quick ? 1_000 : 10_000, n = Math.min(samples, 10);
        ScaleBench.PoolTasks t = ScaleBench.poolTaskMicros(tasks, n);
        double us = t.warm();
        row(rows, "pool_task_overhead_us", us, "us");
        row(rows, "pool_task_overhead_cold_us", t.cold(), "us"); // the first map once the workers are up: JIT cold
        row(rows, "pool_task_overhead_warmup_maps", t.warmUpMaps(), "maps");
        row(rows, "pool_task_overhead_jit_settled", t.settled() ? 1 : 0, "bool"); // 0: timed after the warm-up's cap
        if (!t.settled()) System.out.println("bench: the JIT was still compiling after " + t.warmUpMaps()
                + " warm-up maps; pool_task_overhead_us was timed all the same");
        java.util.Map<String, Double> py = mproc.tutorial.Python.run(PY_BENCH, "overhead", "" + tasks, "" + n);
        if (py.containsKey("python_pool_task_us")) {
            row(rows, "python_pool_task_overhead_us", py.get("python_pool_task_us"), "us");
            row(rows, "pool_task_overhead_vs_python", us / py.get("python_pool_task_us"), "ratio");
        }
    }

    /** imap from 10^3 to 10^6 trivial inputs: time per task at each size, its flatness, the parent's memory. */
    private void imapRows() throws Exception {
        ScaleBench.Imap imap = ScaleBench.imap(IMAP_SIZES, imapChunk, quick ? 1 : ScaleBench.IMAP_ROUNDS,
                quick ? 3 : ScaleBench.IMAP_WARMUP_MAX);
        java.util.Map<Long, ScaleBench.ImapRun> runs = imap.runs();
        row(rows, "imap_warmup_imaps", imap.warmUp().runs(), "imaps");
        row(rows, "imap_jit_settled", imap.warmUp().settled() ? 1 : 0, "bool"); // 0: timed after the warm-up's cap
        double min = Double.MAX_VALUE, max = 0;
        for (ScaleBench.ImapRun r : runs.values()) {
            String e = "1e" + Math.round(Math.log10(r.n()));
            row(rows, "imap_" + e + "_task_us", r.taskMicros(), "us");
            min = Math.min(min, r.taskMicros());
            max = Math.max(max, r.taskMicros());
        }
        row(rows, "imap_task_us_flatness", max / min, "ratio");
        ScaleBench.ImapRun small = runs.get(IMAP_SIZES[0]), big = runs.get(IMAP_SIZES[IMAP_SIZES.length - 1]);
        row(rows, "imap_1e3_peak_heap_mb", small.peakHeapMb(), "MB");
        row(rows, "imap_1e6_peak_heap_mb", big.peakHeapMb(), "MB");
        row(rows, "imap_heap_growth_1e6_vs_1e3_mb", big.peakHeapMb() - small.peakHeapMb(), "MB");
    }

    /** Queue throughput, P producers and P consumers for P = 1, 2, 4, 8: Java's curve and Python's; a chart. */
    private void queueRows() throws Exception {
        double[] jv = new double[QUEUE_PARTIES.length], pv = new double[QUEUE_PARTIES.length];
        StringBuilder ps = new StringBuilder();
        for (int i = 0; i < QUEUE_PARTIES.length; i++) {
            int p = QUEUE_PARTIES[i];
            jv[i] = IpcBench.queueThroughput(p, p, (quick ? QUEUE_CURVE_JAVA / 10 : QUEUE_CURVE_JAVA) / p);
            row(rows, "queue_curve_" + p + "p" + p + "c_msgs_per_s", Math.round(jv[i]), "msgs/s");
            ps.append(i == 0 ? "" : ",").append(p);
        }
        java.util.Map<String, Double> py = mproc.tutorial.Python.run(PY_BENCH, "queue",
                "" + (quick ? QUEUE_CURVE_PYTHON / 10 : QUEUE_CURVE_PYTHON), ps.toString());
        for (int i = 0; i < QUEUE_PARTIES.length; i++) {
            int p = QUEUE_PARTIES[i];
            Double v = py.get("python_queue_" + p + "p" + p + "c_msgs_per_s");
            pv[i] = v == null ? Double.NaN : v;
            if (v == null) continue;
            row(rows, "python_queue_curve_" + p + "p" + p + "c_msgs_per_s", v, "msgs/s");
            row(rows, "queue_curve_" + p + "p" + p + "c_vs_python", jv[i] / v, "ratio");
        }
        System.out.println("chart: " + mproc.tutorial.Charts.savePng(queueChart(jv, pv), out.resolve("queue-curve.png")));
    }

    /** Memory of an idle worker JVM, beside Python's spawn child measured the same way. */
    private void rssRows() throws Exception {
        int n = Math.min(samples, 5);
        ScaleBench.Rss w = ScaleBench.idleWorkerRss(n);
        if (!(w.rssMb() > 0)) {
            System.out.println("note: no /proc/<pid>/status here: RSS rows skipped");
            return;
        }
        row(rows, "worker_idle_rss_mb", w.rssMb(), "MB");
        row(rows, "worker_idle_hwm_mb", w.hwmMb(), "MB");
        String kernelCp = ScaleBench.kernelClasspath(kernelLib);
        if (kernelCp != null) {
            ScaleBench.Rss k = ScaleBench.idleWorkerRss(n, kernelCp);
            row(rows, "worker_idle_kernel_cp_rss_mb", k.rssMb(), "MB");
        } else {
            System.out.println("note: no jars in " + kernelLib + " (make setup makes them): worker_idle_kernel_cp_rss_mb skipped");
        }
        java.util.Map<String, Double> py = mproc.tutorial.Python.run(PY_BENCH, "rss", "" + n);
        if (py.containsKey("python_spawn_idle_rss_mb")) {
            row(rows, "python_spawn_idle_rss_mb", py.get("python_spawn_idle_rss_mb"), "MB");
            row(rows, "python_spawn_idle_hwm_mb", py.get("python_spawn_idle_hwm_mb"), "MB");
            row(rows, "worker_idle_rss_vs_python_spawn", w.rssMb() / py.get("python_spawn_idle_rss_mb"), "ratio");
        }
    }

    /** numpy's 20x20 float64 multiply (when /usr/bin/python3 imports numpy: .ci/setup-bench.sh installs it). */
    private void numpyRows() throws Exception {
        java.util.Map<String, Double> py = mproc.tutorial.Python.run(PY_BENCH, "numpy");
        if (!py.containsKey("numpy_matmul_20x20_us")) {
            System.out.println("note: numpy is not importable by " + mproc.tutorial.Python.PYTHON
                    + " (.ci/setup-bench.sh installs python3-numpy as root with apt-get): numpy rows skipped");
            return;
        }
        double np = py.get("numpy_matmul_20x20_us");
        row(rows, "numpy_matmul_20x20_us", np, "us");
        row(rows, "matmul_20x20_vs_numpy", matmul() / np, "ratio");
    }

    /**
     * Microseconds per 20x20 multiply: the JMH benchmark ({@link MatmulBenchmark}, its own JVM) when JMH is
     * on the class path ({@code make bench} puts it there), else timed by hand in this JVM.
     */
    double matmulMicros() throws Exception {
        try {
            Class.forName("org.openjdk.jmh.runner.Runner", false, Bench.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            System.out.println("note: JMH is not on the class path (make bench adds toolkit/target/bench-lib):"
                    + " matmul_20x20_us is timed by hand");
            return mproc.report.PoolReport.matmulMicros();
        }
        return MatmulBenchmark.run(quick);
    }

    /** Java against Python: every {@code *_vs_python} row as a bar (1 = the same; the metric says which way is better). */
    static org.knowm.xchart.CategoryChart chart(Table rows) {
        Table vs = rows.where(rows.stringColumn("metric").endsWith("_vs_python"));
        var c = new org.knowm.xchart.CategoryChartBuilder().width(900).height(420)
                .title("Java / Python, same run: times below 1 = Java faster; queue and efficiency above 1 = Java better")
                .yAxisTitle("Java / Python").build();
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setPlotBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setLegendVisible(false);
        c.getStyler().setLabelsVisible(true);
        c.getStyler().setXAxisLabelRotation(20);
        List<String> names = new java.util.ArrayList<>();
        List<Double> values = new java.util.ArrayList<>();
        for (int i = 0; i < vs.rowCount(); i++) {
            if (!(vs.doubleColumn("value").getDouble(i) > 0)) continue; // NaN: no break-even found
            names.add(vs.stringColumn("metric").get(i).replace("_vs_python", ""));
            values.add(vs.doubleColumn("value").getDouble(i));
        }
        if (names.isEmpty()) { // no python3 here: an empty chart says so
            names.add("no Python in this run");
            values.add(1.0);
        }
        c.addSeries("Java / Python", names, values);
        return c;
    }

    /** Every goal whose row this run measured: the value, the goal, value / goal (at most 1 meets it). */
    static Table goals(Table rows) {
        Table g = Table.create("goals", StringColumn.create("metric"), DoubleColumn.create("value"),
                DoubleColumn.create("goal_at_most"), DoubleColumn.create("value_over_goal"), StringColumn.create("met"),
                StringColumn.create("goal"));
        for (Goal goal : GOALS) {
            Table r = rows.where(rows.stringColumn("metric").isEqualTo(goal.metric()));
            if (r.rowCount() == 0) continue;
            double v = r.doubleColumn("value").getDouble(0);
            g.stringColumn("metric").append(goal.metric());
            g.doubleColumn("value").append(v);
            g.doubleColumn("goal_at_most").append(goal.atMost());
            g.doubleColumn("value_over_goal").append(Math.round(v / goal.atMost() * 1000) / 1000.0);
            g.stringColumn("met").append(v <= goal.atMost() ? "yes" : "no");
            g.stringColumn("goal").append(goal.meaning());
        }
        return g;
    }

    /** Each goal's row over its goal, as bars; the goal is the line at 1 (below it: met). */
    static org.knowm.xchart.CategoryChart goalChart(Table goals) {
        var c = new org.knowm.xchart.CategoryChartBuilder().width(900).height(620)
                .title("Each ratio over its goal, same run: at or below the line (1 = the goal) meets it")
                .yAxisTitle("value / goal").build();
        mproc.tutorial.Charts.style(c);
        c.getStyler().setLabelsVisible(true);
        c.getStyler().setXAxisLabelRotation(90); // long metric names: upright ones overlap, slanted ones are cut off
        c.getStyler().setOverlapped(true);
        List<String> names = new java.util.ArrayList<>();
        List<Double> values = new java.util.ArrayList<>(), ones = new java.util.ArrayList<>();
        for (int i = 0; i < goals.rowCount(); i++) {
            double v = goals.doubleColumn("value_over_goal").getDouble(i);
            names.add(goals.stringColumn("metric").get(i) + " (<= " + fmt(goals.doubleColumn("goal_at_most").getDouble(i)) + ")");
            values.add(Double.isFinite(v) ? Math.max(v, 0) : 0.0);
            ones.add(1.0);
        }
        if (names.isEmpty()) {
            names.add("no goal measured in this run");
            values.add(0.0);
            ones.add(1.0);
        }
        c.addSeries("value / goal", names, values).setFillColor(new java.awt.Color(0x1E, 0x88, 0xE5));
        var line = c.addSeries("goal", names, ones);
        line.setChartCategorySeriesRenderStyle(org.knowm.xchart.CategorySeries.CategorySeriesRenderStyle.Line);
        line.setLineColor(java.awt.Color.RED);
        line.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        return c;
    }

    private static String fmt(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    /** Messages per second against producers (= consumers), Java and Python. */
    static org.knowm.xchart.XYChart queueChart(double[] java, double[] python) {
        var c = new org.knowm.xchart.XYChartBuilder().width(820).height(420)
                .title("One queue, P producers and P consumers (each its own process)")
                .xAxisTitle("P (producers = consumers)").yAxisTitle("messages per second").build();
        mproc.tutorial.Charts.style(c);
        c.getStyler().setXAxisDecimalPattern("0");
        double[] x = new double[QUEUE_PARTIES.length];
        for (int i = 0; i < x.length; i++) x[i] = QUEUE_PARTIES[i];
        c.addSeries("Java (mproc.Queue)", x, java);
        List<Double> px = new java.util.ArrayList<>(), py = new java.util.ArrayList<>();
        for (int i = 0; i < x.length; i++) {
            if (Double.isNaN(python[i])) continue;
            px.add(x[i]);
            py.add(python[i]);
        }
        if (!px.isEmpty()) c.addSeries("Python (multiprocessing.Queue)", px, py);
        return c;
    }

    private static void row(Table t, String metric, double value, String unit) {
        t.stringColumn("metric").append(metric);
        // NaN (say, no break-even in the measured sizes) stays missing: an empty value in the CSV, never 0
        t.doubleColumn("value").append(Double.isNaN(value) ? value : Math.round(value * 1000) / 1000.0);
        t.stringColumn("unit").append(unit);
    }

}
