///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS ../toolkit/jbang/mproc.java
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 9 (processes_barrier.py): p1, p2 meet at a Barrier(2) and print under a Lock; p3, p4 do not wait.

import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.Barrier;
import mproc.Lock;
import mproc.Task;
import mproc.Worker;
import mproc.report.BarrierReport;
import mproc.cli.Cli;
import mproc.cli.Reports;
import mproc.tutorial.Charts;
import mproc.tutorial.Matrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

@Command(name = "barrier", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"Four workers: p1 and p2 wait for each other at a Barrier(2), then print their",
                "name and the time under a Lock; p3 and p4 print at once. p1 and p3 first do",
                "--count multiplies."})
public class barrier implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "100000", converter = Cli.CountConverter.class,
            description = "multiplies p1 and p3 do first (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--out", defaultValue = "build/barrier", description = "folder for barrier.csv and barrier.png (default: ${DEFAULT-VALUE})")
    Path out;

    /** Python's test_with_barrier: waits at the barrier for the other party, then prints its name and the time, holding the lock. */
    static class TestWithBarrier implements Task {
        static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");

        public void run(String... args) throws Exception {
            Barrier synchronizer = Barrier.attach(args[0]);
            Lock serializer = Lock.attach(args[1]);
            Matrix.work(Long.parseLong(args[2]));           // some work first, so that one party arrives later
            String name = Worker.currentName();
            LocalTime arrived = LocalTime.now();
            long waitStart = System.nanoTime();
            synchronizer.await(Duration.ofMinutes(1));
            double waitedMs = (System.nanoTime() - waitStart) / 1e6;
            try (var held = serializer.hold()) {
                System.out.println("process " + name + " ----> " + LocalTime.now().format(CLOCK));
                System.out.println(String.format("  (arrived at the barrier %s, waited %.1f ms)", arrived.format(CLOCK), waitedMs));
            }
        }
    }

    /** Python's test_without_barrier: prints its name and the time at once. */
    static class TestWithoutBarrier implements Task {
        static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss.SSSSSS");

        public void run(String... args) {
            Matrix.work(Long.parseLong(args[0]));
            System.out.println("process " + Worker.currentName() + " ----> " + LocalTime.now().format(CLOCK));
        }
    }

    public static void main(String... args) {
        System.exit(Cli.execute(new barrier(), args));
    }

    @Override
    public Integer call() throws Exception {
        long work = count;
        // the main block
        Barrier synchronizer = Barrier.create(2);
        Lock serializer = Lock.create();
        Worker p1 = new Worker("p1 - test_with_barrier", TestWithBarrier.class, synchronizer, serializer, work);
        Worker p2 = new Worker("p2 - test_with_barrier", TestWithBarrier.class, synchronizer, serializer, 0);
        Worker p3 = new Worker("p3 - test_without_barrier", TestWithoutBarrier.class, work);
        Worker p4 = new Worker("p4 - test_without_barrier", TestWithoutBarrier.class, 0);
        p1.start();
        p2.start();
        p3.start();
        p4.start();
        for (Worker p : List.of(p1, p2, p3, p4)) p.join();   // Python waits for them when its main program ends

        // what happened: a table and a chart
        Table times = barrierTable(List.of(p1, p2, p3, p4));
        System.out.println(times.print());
        Path csv = Reports.csv(times, out, "barrier.csv");
        Path png = Charts.savePng(BarrierReport.chart(times), out.resolve("barrier.png"));
        System.out.println("table: " + csv + "\nchart: " + png);
        return 0;
    }

    /**
     * One row per worker, read from the lines it printed: when it arrived at the barrier, was released and printed,
     * and how long it waited, in ms from the first arrival. A worker without a barrier arrives, leaves and prints at once.
     */
    static Table barrierTable(List<Worker> workers) {
        java.util.regex.Pattern arrival = java.util.regex.Pattern.compile("arrived at the barrier (\\S+), waited ([\\d.]+) ms");
        int n = workers.size();
        double[] arrived = new double[n], printed = new double[n], waited = new double[n];
        for (int i = 0; i < n; i++) {
            List<String> lines = workers.get(i).output();
            String line = lines.stream().filter(l -> l.startsWith("process ")).findFirst().orElseThrow();
            printed[i] = arrived[i] = LocalTime.parse(line.substring(line.indexOf("----> ") + 6)).toNanoOfDay() / 1e6;
            for (String l : lines) {
                java.util.regex.Matcher m = arrival.matcher(l);
                if (m.find()) {
                    arrived[i] = LocalTime.parse(m.group(1)).toNanoOfDay() / 1e6;
                    waited[i] = Double.parseDouble(m.group(2));
                }
            }
        }
        double day = 24 * 3600e3, origin = Arrays.stream(arrived).min().getAsDouble();
        StringColumn name = StringColumn.create("name");
        DoubleColumn arrivedMs = DoubleColumn.create("arrived_ms"), releasedMs = DoubleColumn.create("released_ms"),
                printedMs = DoubleColumn.create("printed_ms"), waitedMs = DoubleColumn.create("waited_ms");
        for (int i = 0; i < n; i++) {
            double a = (arrived[i] - origin + day) % day, p = (printed[i] - origin + day) % day;   // also across midnight
            name.append(workers.get(i).getName());
            arrivedMs.append(Math.round(a * 10) / 10.0);
            releasedMs.append(Math.round((a + waited[i]) * 10) / 10.0);
            printedMs.append(Math.round(p * 10) / 10.0);
            waitedMs.append(waited[i]);
        }
        return Table.create("barrier: arrival, release and printing", name, arrivedMs, releasedMs, printedMs, waitedMs);
    }
}
