///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS ../toolkit/jbang/mproc.java
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 12 (performance): speed-up against workers, and the break-even task size of a Pool, Java and Python.

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.Fn;
import mproc.Pool;
import mproc.report.Speedup;
import mproc.cli.Cli;
import mproc.cli.Reports;
import mproc.tutorial.Charts;
import mproc.tutorial.Matrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;

@Command(name = "speedup", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"Speed-up and efficiency of a warm Pool against one JVM for 1..--max-workers workers on",
                "--tasks matrix tasks of --count multiplies; then Pool(2) against one JVM as the same work is cut",
                "into smaller tasks, and the break-even task size; then Python's multiprocessing.Pool the same way."})
public class speedup implements Callable<Integer> {
    @Option(names = "--max-workers", defaultValue = "4", description = "1..16 (default: ${DEFAULT-VALUE}: twice the cores here)")
    int maxWorkers;

    @Option(names = "--tasks", defaultValue = "40", description = "tasks per map, 1..100000 (default: ${DEFAULT-VALUE})")
    int tasks;

    @Option(names = "--count", defaultValue = "10000", converter = Cli.CountConverter.class,
            description = "multiplies per task in the scaling run (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--out", defaultValue = "build/speedup", description = "folder for the CSV and PNG outputs (default: ${DEFAULT-VALUE})")
    Path out;

    /** The chapter's do_something as a pool function: count 20x20 multiplies, the checksum as the result. */
    static class DoSomething implements Fn<Long, Long> {
        public Long apply(Long count) {
            return Matrix.work(count);
        }
    }

    static long sink; // the results land here, so that the JIT cannot drop work whose result nobody reads

    /** Seconds for the tasks one after another in this JVM, with the pool's own function. */
    static double oneJvmSeconds(int tasks, long count) {
        DoSomething f = new DoSomething();
        long acc = 0, t0 = System.nanoTime();
        for (int i = 0; i < tasks; i++) acc += f.apply(count);
        double s = (System.nanoTime() - t0) / 1e9;
        sink += acc;
        return s;
    }

    /** Seconds for the same tasks on a running pool, each task its own message (chunk size 1). */
    static double poolSeconds(Pool pool, int tasks, long count) throws InterruptedException {
        List<Long> inputs = Collections.nCopies(tasks, count);
        long t0 = System.nanoTime();
        pool.map(DoSomething.class, inputs, 1, null);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** {one JVM, pool} seconds: each way once untimed (this JVM at least 20 000 multiplies), then 5 runs each, alternating; the medians. */
    static double[] medians(Pool pool, int tasks, long count) throws InterruptedException {
        oneJvmSeconds((int) Math.max(tasks, 20_000 / Math.max(1, count)), count);
        poolSeconds(pool, tasks, count);
        double[] one = new double[5], pooled = new double[5];
        for (int i = 0; i < 5; i++) {
            one[i] = oneJvmSeconds(tasks, count);
            pooled[i] = poolSeconds(pool, tasks, count);
        }
        Arrays.sort(one);
        Arrays.sort(pooled);
        return new double[] {one[2], pooled[2]};
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }

    /** Speed-up over one JVM and efficiency (speed-up / workers) for 1..maxWorkers workers, each from medians(...) on a warm pool. */
    static Table scalingTable(int maxWorkers, int tasks, long count) throws InterruptedException {
        IntColumn w = IntColumn.create("workers");
        DoubleColumn secs = DoubleColumn.create("seconds"), speed = DoubleColumn.create("speed_up"), eff = DoubleColumn.create("efficiency");
        double[] ones = new double[maxWorkers];
        for (int n = 1; n <= maxWorkers; n++) {
            try (Pool pool = new Pool(n)) {
                double[] t = medians(pool, tasks, count);
                ones[n - 1] = t[0];
                w.append(n);
                secs.append(round(t[1], 3));
                speed.append(round(t[0] / t[1], 2));
                eff.append(round(t[0] / t[1] / n, 2));
            }
        }
        Arrays.sort(ones);
        return Table.create("speed-up over one JVM (" + tasks + " tasks x " + count + " multiplies, "
                + round(ones[ones.length / 2], 2) + " s in one JVM)", w, secs, speed, eff);
    }

    /** Pool(2) against one JVM as the same total work is cut into smaller tasks, each its own message; the work per task measured in this JVM. */
    static Table granularityTable(long total, long[] sizes) throws InterruptedException {
        LongColumn size = LongColumn.create("multiplies_per_task");
        DoubleColumn taskUs = DoubleColumn.create("task_us"), oneMs = DoubleColumn.create("one_jvm_ms"),
                poolMs = DoubleColumn.create("pool2_ms"), speed = DoubleColumn.create("speed_up");
        try (Pool pool = new Pool(2)) {
            for (long s : sizes) {
                int tasks = (int) Math.max(2, total / s);
                double[] t = medians(pool, tasks, s);
                size.append(s);
                taskUs.append(round(t[0] * 1e6 / tasks, 1));
                oneMs.append(round(t[0] * 1e3, 2));
                poolMs.append(round(t[1] * 1e3, 2));
                speed.append(round(t[0] / t[1], 2));
            }
        }
        return Table.create("granularity: the same work in smaller and smaller tasks", size, taskUs, oneMs, poolMs, speed);
    }

    public static void main(String... args) {
        System.exit(Cli.execute(new speedup(), args));
    }

    @Override
    public Integer call() throws Exception {
        Cli.checkRange(this, "--max-workers", maxWorkers, 1, 16);
        Cli.checkRange(this, "--tasks", tasks, 1, 100_000);
        Table scaling = scalingTable(maxWorkers, tasks, count);
        System.out.println(scaling.print());
        Table g = granularityTable(20_000, new long[] {1, 3, 10, 30, 100, 300, 1000, 3000});
        System.out.println(g.print());
        System.out.println("break-even, Java: " + Speedup.breakEvenText(Speedup.breakEvenMicros(g)));
        // Python's multiprocessing.Pool, measured the same way now (Debian's /usr/bin/python3)
        Speedup.PythonRun py = Speedup.python();
        if (py == null) {
            System.out.println("note: no /usr/bin/python3: Python's side skipped");
        } else {
            System.out.println(py.granularity().print());
            System.out.println("break-even, Python: " + Speedup.breakEvenText(py.breakEvenMicros()) + ";"
                    + " efficiency of its Pool(2): " + py.efficiency());
        }
        Path c1 = Reports.csv(scaling, out, "speedup.csv");
        Path c2 = Reports.csv(g, out, "granularity.csv");
        Path p1 = Charts.savePng(Speedup.scalingChart(scaling), out.resolve("speedup.png"));
        Path p2 = Charts.savePng(Speedup.granularityChart(g, py == null ? null : py.granularity()), out.resolve("granularity.png"));
        System.out.println("tables: " + c1 + ", " + c2 + (py == null ? "" : ", " + Reports.csv(py.granularity(), out, "python-granularity.csv"))
                + "\ncharts: " + p1 + ", " + p2);
        return 0;
    }
}
