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
 * Start-up: {@code start(); join()} of an empty worker per {@link mproc.StartMethod}, Python's three start
 * methods, and the baselines (a hello-world JVM, {@code python3 -c pass}); medians and ratios.
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Runs the toolkit's benchmarks and writes results.csv.")
public final class Bench implements Callable<Integer> {
    @Option(names = "--samples", defaultValue = "20", description = "runs per figure (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--out", defaultValue = "build/bench", description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    public static void main(String[] args) {
        System.exit(Cli.execute(new Bench(), args));
    }

    @Override
    public Integer call() throws Exception {
        if (samples < 3 || samples > 1000) throw new IllegalArgumentException("--samples must be 3..1000, got " + samples);
        Table jvm = StartTimes.measureJava(samples);
        Table python = StartTimes.measurePython(samples);
        Table summary = StartTimes.summary(jvm.append(python));
        System.out.println(summary.print());
        Table rows = Table.create("bench", StringColumn.create("metric"), DoubleColumn.create("value"), StringColumn.create("unit"));
        row(rows, "jvm_hello_ms", StartTimes.median(summary, "JVM hello world"), "ms");
        row(rows, "start_join_cold_ms", StartTimes.median(summary, "java cold"), "ms");
        row(rows, "start_join_tuned_ms", StartTimes.median(summary, "java tuned"), "ms");
        row(rows, "start_join_warm_ms", StartTimes.median(summary, "java warm"), "ms");
        row(rows, "submit_result_warm_ms", mproc.report.PoolReport.warmSubmitResultMillis(500), "ms");
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
        // IPC between worker JVMs, and Python's multiprocessing Pipe and Queue the same way
        double rt = IpcBench.pipeRoundTripMicros(15, 5000);
        double[] qs = new double[3];
        for (int i = 0; i < qs.length; i++) qs[i] = IpcBench.queueThroughput(2, 2, 1_000_000);
        java.util.Arrays.sort(qs);
        row(rows, "pipe_roundtrip_us", rt, "us");
        row(rows, "queue_2p2c_msgs_per_s", Math.round(qs[1]), "msgs/s");
        java.util.Map<String, Double> py = mproc.tutorial.Python.run("python_ipc.py", "15", "5000", "200000");
        if (!py.isEmpty()) {
            row(rows, "python_pipe_roundtrip_us", py.get("pipe_roundtrip_us"), "us");
            row(rows, "python_queue_2p2c_msgs_per_s", py.get("queue_2p2c_msgs_per_s"), "msgs/s");
            row(rows, "pipe_roundtrip_vs_python", rt / py.get("pipe_roundtrip_us"), "ratio");
            row(rows, "queue_2p2c_vs_python", qs[1] / py.get("queue_2p2c_msgs_per_s"), "ratio");
        }
        // the pool: kernel speed, 8 x 100 multiplies with pool start-up, efficiency on 2 workers, break-even
        double matmul = matmulMicros();
        row(rows, "matmul_20x20_us", matmul, "us");
        mproc.report.PoolReport.poolSeconds(8, 100); // first use: archive and page cache
        double[] p8 = new double[5];
        for (int i = 0; i < p8.length; i++) p8[i] = mproc.report.PoolReport.poolSeconds(8, 100);
        java.util.Arrays.sort(p8);
        row(rows, "pool_8x100_s", p8[2], "s");
        int effTasks = 40;
        long effCount = 20_000; // ~1 s of work
        double efficiency = mproc.report.PoolReport.efficiency2(effTasks, effCount);
        row(rows, "pool_efficiency_2w", efficiency, "ratio");
        double threads = mproc.report.PoolReport.threadEfficiency2(effTasks, effCount); // the machine's ceiling, no processes
        row(rows, "threads_efficiency_2t", threads, "ratio");
        row(rows, "pool_efficiency_2w_vs_threads", efficiency / threads, "ratio");
        Table granularity = mproc.report.Speedup.granularity();
        System.out.println(granularity.print());
        Reports.csv(granularity, out, "granularity.csv");
        double breakEven = mproc.report.Speedup.breakEvenMicros(granularity);
        row(rows, "break_even_task_us", breakEven, "us");
        java.util.Map<String, Double> pyPool = mproc.tutorial.Python.run("python_pool.py", "8", "100");
        mproc.report.Speedup.PythonRun pySpeed = mproc.report.Speedup.python();
        if (!pyPool.isEmpty()) {
            row(rows, "python_matmul_20x20_us", pyPool.get("python_matmul_20x20_us"), "us");
            row(rows, "python_sequential_8x100_s", pyPool.get("python_sequential_s"), "s");
            row(rows, "python_pool_8x100_s", pyPool.get("python_pool2_s"), "s");
            row(rows, "matmul_20x20_vs_python", matmul / pyPool.get("python_matmul_20x20_us"), "ratio");
            row(rows, "pool_8x100_vs_python", p8[2] / pyPool.get("python_pool2_s"), "ratio");
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
        System.out.println(rows.print());
        System.out.println("results: " + Reports.csv(rows, out, "results.csv"));
        System.out.println("chart: " + mproc.tutorial.Charts.savePng(chart(rows), out.resolve("results.png")));
        Reports.csv(jvm, out, "start-methods-samples.csv");
        return 0;
    }

    /**
     * Microseconds per 20x20 multiply: the JMH benchmark ({@link MatmulBenchmark}, its own JVM) when JMH is
     * on the class path ({@code make bench} puts it there), else timed by hand in this JVM.
     */
    static double matmulMicros() throws Exception {
        try {
            Class.forName("org.openjdk.jmh.runner.Runner", false, Bench.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            System.out.println("note: JMH is not on the class path (make bench adds toolkit/target/bench-lib):"
                    + " matmul_20x20_us is timed by hand");
            return mproc.report.PoolReport.matmulMicros();
        }
        return MatmulBenchmark.run();
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
            if (!(vs.doubleColumn("value").get(i) > 0)) continue; // NaN: no break-even found
            names.add(vs.stringColumn("metric").get(i).replace("_vs_python", ""));
            values.add(vs.doubleColumn("value").get(i));
        }
        if (names.isEmpty()) { // no python3 here: an empty chart says so
            names.add("no Python in this run");
            values.add(1.0);
        }
        c.addSeries("Java / Python", names, values);
        return c;
    }

    private static void row(Table t, String metric, double value, String unit) {
        t.stringColumn("metric").append(metric);
        // NaN (say, no break-even in the measured sizes) stays missing: an empty value in the CSV, never 0
        t.doubleColumn("value").append(Double.isNaN(value) ? value : Math.round(value * 1000) / 1000.0);
        t.stringColumn("unit").append(unit);
    }

}
