///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS ../toolkit/jbang/mproc.java
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 2 (spawning_processes.py): six workers, worker i doing i units of work; one after another, then all at once.

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.Task;
import mproc.Worker;
import mproc.cli.Cli;
import mproc.cli.Reports;
import mproc.tutorial.Charts;
import mproc.tutorial.Lifetimes;
import mproc.tutorial.Matrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

@Command(name = "spawning", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"Spawns six worker JVMs where worker i does i units of work: first each joined before the",
                "next starts (as the Python original does), then all started together. Compares the two timelines."})
public class spawning implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "100000", converter = Cli.CountConverter.class,
            description = "20x20 multiplies per unit of work (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--workers", defaultValue = "6", description = "number of workers, 1..64 (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--out", defaultValue = "build/spawning", description = "folder for the CSV and PNG outputs (default: ${DEFAULT-VALUE})")
    Path out;

    /** Python's myFunc(i): says which process it is, then does i units of work (count multiplies each), a line per unit. */
    static class MyFunc implements Task {
        public void run(String... args) {
            int i = Integer.parseInt(args[0]);
            long count = Long.parseLong(args[1]);
            System.out.println("calling myFunc from process no: " + i);
            for (int j = 0; j < i; j++) {
                long checksum = Matrix.work(count);
                System.out.println("output from myFunc is: " + j + " (checksum " + checksum + ")");
            }
        }
    }

    /** One row per way of running the workers: wall time, JVM start-up paid (total and median), speed-up. */
    static Table costTable(Table oneByOne, Table together) {
        double sequential = oneByOne.doubleColumn("finished_ms").max(), parallel = together.doubleColumn("finished_ms").max();
        Table cost = Table.create("what spawning costs",
                StringColumn.create("mode", "one after another", "all at once"),
                DoubleColumn.create("wall_ms", Math.round(sequential), Math.round(parallel)),
                DoubleColumn.create("startup_ms_total", Math.round(oneByOne.doubleColumn("startup_ms").sum()), Math.round(together.doubleColumn("startup_ms").sum())),
                DoubleColumn.create("startup_ms_median", Math.round(oneByOne.doubleColumn("startup_ms").median()), Math.round(together.doubleColumn("startup_ms").median())),
                DoubleColumn.create("speed_up", 1.0, Math.round(100 * sequential / parallel) / 100.0));
        return cost;
    }

    public static void main(String... args) {
        System.exit(Cli.execute(new spawning(), args));
    }

    @Override
    public Integer call() throws Exception {
        Cli.checkRange(this, "--workers", workers, 1, 64);
        System.out.println("== one after another: start(), join(), next ==");
        // the main block
        List<Worker> oneAfterAnother = new ArrayList<>();
        for (int i = 0; i < workers; i++) {
            Worker process = new Worker(MyFunc.class, i, count);
            process.start();
            process.join();
            oneAfterAnother.add(process);
        }

        System.out.println("== all at once: start() all, then join() all ==");
        // the same workers, all started before any of them is joined
        List<Worker> allAtOnce = new ArrayList<>();
        for (int i = 0; i < workers; i++) allAtOnce.add(new Worker(MyFunc.class, i, count));
        for (Worker process : allAtOnce) process.start();
        for (Worker process : allAtOnce) process.join();

        // what happened: tables and a chart
        Table a = Lifetimes.table("one after another", oneAfterAnother);
        Table b = Lifetimes.table("all at once", allAtOnce);
        for (Table t : List.of(a, b)) System.out.println(t.selectColumns("name", "exit_code", "requested_ms", "startup_ms", "run_ms", "finished_ms").print());
        Table cost = costTable(a, b);
        System.out.println(cost.print());
        System.out.printf("wall time: one after another %.0f ms, all at once %.0f ms (%.2fx)%n",
                cost.doubleColumn("wall_ms").get(0), cost.doubleColumn("wall_ms").get(1), cost.doubleColumn("speed_up").get(1));
        var img = Charts.sideBySide(Charts.bitmap(Charts.timeline(a, "one after another", 560), 1), Charts.bitmap(Charts.timeline(b, "all at once", 560), 1));
        Path png = Charts.savePng(img, out.resolve("spawning.png"));
        Path csvA = Reports.csv(a, out, "spawning-one-after-another.csv");
        Path csvB = Reports.csv(b, out, "spawning-all-at-once.csv");
        System.out.println("tables: " + csvA + ", " + csvB + "\nchart: " + png);
        return 0;
    }
}
