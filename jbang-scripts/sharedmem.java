///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS ../toolkit/jbang/mproc.java
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 10 (multiprocessing.Array): blocks of a matrix product written to shared memory vs sent through a Queue.

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.Barrier;
import mproc.Queue;
import mproc.SharedArray;
import mproc.Task;
import mproc.Worker;
import mproc.report.SharedMemReport;
import mproc.cli.Cli;
import mproc.cli.Reports;
import mproc.tutorial.Matrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "sharedmem", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"Workers compute blocks of rows of C = A B (n x n) into a shared array; then the same",
                "rows are sent back through a Queue. Time, bytes through IPC, and the result checked.",
                "Then two workers increment one shared counter, by a read and a write, and atomically."})
public class sharedmem implements Callable<Integer> {
    @Option(names = "--size", defaultValue = "300", description = "n, 1..400 (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--workers", defaultValue = "2", description = "workers, 1..64 (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--rounds", defaultValue = "3", description = "measured rounds per method, 1..50; the median is shown (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--out", defaultValue = "build/sharedmem", description = "folder for sharedmem.csv (default: ${DEFAULT-VALUE})")
    Path out;

    /** Rows from..to of C = A B (A, B: seeded n x n matrices), written straight into the shared array C. */
    static class RowsToShared implements Task {
        public void run(String... args) {
            int n = Integer.parseInt(args[0]), from = Integer.parseInt(args[1]), to = Integer.parseInt(args[2]);
            SharedArray c = SharedArray.attach(args[3]);
            long[] rows = Matrix.multiplyRows(Matrix.entries(n, 1), Matrix.entries(n, 2), n, from, to);
            for (int i = 0; i < rows.length; i++) {
                c.setLong(from * n + i, rows[i]);
            }
        }
    }

    /** The same rows, each sent back through a queue as [row index, its n entries]. */
    static class RowsToQueue implements Task {
        public void run(String... args) {
            int n = Integer.parseInt(args[0]), from = Integer.parseInt(args[1]), to = Integer.parseInt(args[2]);
            Queue q = Queue.attach(args[3]);
            long[] rows = Matrix.multiplyRows(Matrix.entries(n, 1), Matrix.entries(n, 2), n, from, to);
            for (int r = from; r < to; r++) {
                q.put(List.of((long) r, Arrays.copyOfRange(rows, (r - from) * n, (r - from + 1) * n)));
            }
        }
    }

    /** Adds 1 to element 0 of a shared array `times` times, after a barrier: atomically, or by a read and then a write. */
    static class Increments implements Task {
        public void run(String... args) throws Exception {
            SharedArray counter = SharedArray.attach(args[0]);
            Barrier.attach(args[1]).await(Duration.ofSeconds(30));
            int times = Integer.parseInt(args[2]);
            boolean atomic = Boolean.parseBoolean(args[3]);
            for (int i = 0; i < times; i++) {
                if (atomic) counter.add(0, 1);
                else counter.setLong(0, counter.getLong(0) + 1);
            }
        }
    }

    /** C computed once by `workers` workers, through shared memory or a queue: time (start included), payload through sockets, sum of C. */
    static SharedMemReport.Result timed(int n, int workers, boolean shared) throws Exception {
        long t0 = System.nanoTime();
        SharedArray c = shared ? SharedArray.ofLongs(n * n) : null;
        Queue q = shared ? null : Queue.create();
        List<Worker> ws = new ArrayList<>();
        for (int k = 0; k < workers; k++) {
            ws.add(new Worker(shared ? RowsToShared.class : RowsToQueue.class, n, k * n / workers, (k + 1) * n / workers, shared ? c : q).start());
        }
        long[] result = new long[n * n];
        long bytes = 0;
        if (!shared) {
            for (int r = 0; r < n; r++) {
                List<?> row = (List<?>) q.get(Duration.ofMinutes(2));
                System.arraycopy((long[]) row.get(1), 0, result, ((Long) row.get(0)).intValue() * n, n);
                bytes += 8L * (n + 1); // the row's index and its n entries, 8 bytes each
            }
        }
        for (Worker w : ws) w.join();
        long sum = 0;
        for (int i = 0; i < n * n; i++) sum += shared ? c.getLong(i) : result[i];
        return new SharedMemReport.Result(shared ? "shared memory" : "queue", workers, (System.nanoTime() - t0) / 1e6, bytes, sum);
    }

    /** Both ways, once each untimed, then `rounds` times each, alternating; the median round of each. */
    static List<SharedMemReport.Result> compare(int n, int workers, int rounds) throws Exception {
        timed(n, workers, true);
        timed(n, workers, false);
        List<SharedMemReport.Result> shared = new ArrayList<>(), queued = new ArrayList<>();
        for (int r = 0; r < rounds; r++) {
            shared.add(timed(n, workers, true));
            queued.add(timed(n, workers, false));
        }
        shared.sort(Comparator.comparingDouble(SharedMemReport.Result::ms));
        queued.sort(Comparator.comparingDouble(SharedMemReport.Result::ms));
        return List.of(shared.get(rounds / 2), queued.get(rounds / 2));
    }

    /** Two workers run Increments on one fresh counter; the counter's final value. */
    static long twoWorkersCount(int times, boolean atomic) throws InterruptedException {
        SharedArray counter = SharedArray.ofLongs(1);
        Barrier together = Barrier.create(2);
        List<Worker> two = List.of(new Worker(Increments.class, counter, together, times, atomic),
                new Worker(Increments.class, counter, together, times, atomic));
        for (Worker w : two) w.start();
        for (Worker w : two) w.join();
        return counter.getLong(0);
    }

    public static void main(String... args) {
        System.exit(Cli.execute(new sharedmem(), args));
    }

    @Override
    public Integer call() throws Exception {
        Cli.checkRange(this, "--size", size, 1, Matrix.MAX_SIZE);
        Cli.checkRange(this, "--workers", workers, 1, 64);
        Cli.checkRange(this, "--rounds", rounds, 1, 50);
        int n = size;
        // the main block
        SharedArray c = SharedArray.ofLongs(n * n);
        List<Worker> blocks = new ArrayList<>();
        for (int k = 0; k < workers; k++) {
            blocks.add(new Worker("block-" + k, RowsToShared.class, n, k * n / workers, (k + 1) * n / workers, c));
        }
        for (Worker b : blocks) b.start();
        for (Worker b : blocks) b.join();
        long sum = 0;
        for (int i = 0; i < n * n; i++) sum += c.getLong(i);
        System.out.println("sum of C's entries, read from shared memory: " + sum);

        // shared memory against a queue: a table, checked against the product computed here
        long expected = SharedMemReport.checksumHere(n);
        Table t = SharedMemReport.table(compare(n, workers, rounds), expected);
        System.out.println(t.print());
        System.out.println("table: " + Reports.csv(t, out, "sharedmem.csv"));
        // the price of sharing: two workers, one counter
        int times = 2_000_000;
        long racy = twoWorkersCount(times, false), atomic = twoWorkersCount(times, true);
        System.out.printf("one counter, two workers x %d increments: read then write %d (%d lost), add %d (%d lost)%n",
                times, racy, 2L * times - racy, atomic, 2L * times - atomic);
        boolean ok = sum == expected && t.stringColumn("checksum").isEqualTo("correct").size() == 2 && atomic == 2L * times;
        return ok ? 0 : 1;
    }
}
