///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS ../toolkit/jbang/mproc.java
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 15 (beyond the chapter): Event, Semaphore and Condition across worker JVMs.

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.Clock;
import mproc.Condition;
import mproc.Event;
import mproc.Semaphore;
import mproc.SharedArray;
import mproc.Task;
import mproc.Worker;
import mproc.cli.Cli;
import mproc.cli.Reports;
import mproc.report.SyncReport;
import mproc.tutorial.Charts;
import mproc.tutorial.Matrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "sync", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"Five workers get ready (a Semaphore(0) counts them), wait for one Event, then work inside a Semaphore(2):",
                "at most two at a time;",
                "then three takers wait on a Condition until the main program has put items in a shared count."})
public class sync implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "100000", converter = Cli.CountConverter.class,
            description = "20x20 multiplies per worker inside the semaphore (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--out", defaultValue = "build/sync", description = "folder for sync.csv and sync.png (default: ${DEFAULT-VALUE})")
    Path out;

    /** Says it is ready, waits for the start event, then works while it holds a slot of the semaphore; writes when it entered and left. */
    static class Limited implements Task {
        public void run(String... a) throws Exception {
            Event start = Event.attach(a[0]);
            Semaphore ready = Semaphore.attach(a[1]);
            Semaphore slots = Semaphore.attach(a[2]);
            SharedArray times = SharedArray.attach(a[3]);
            int i = Integer.parseInt(a[4]);
            long count = Long.parseLong(a[5]);
            ready.release();
            start.await();
            try (var slot = slots.hold()) {
                times.setLong(2 * i, Clock.epochNanos());
                Matrix.work(count);
                times.setLong(2 * i + 1, Clock.epochNanos());
            }
        }
    }

    /** Takes items one at a time: under the condition's lock, waits while the shared count is zero (each wait at most
     *  3 s), and counts the waits a signal ended (the others timed out). Python's wait_for(predicate) is this loop. */
    static class Taker implements Task {
        public void run(String... a) throws Exception {
            Condition cond = Condition.attach(a[0]);
            SharedArray items = SharedArray.attach(a[1]);   // [0] items waiting, [1] taken, [2] takers waiting, [3] woken by a signal
            int takes = Integer.parseInt(a[2]);
            for (int k = 0; k < takes; k++) {
                try (var held = cond.hold()) {
                    items.setLong(2, items.getLong(2) + 1);
                    while (items.getLong(0) == 0) {
                        if (cond.await(Duration.ofSeconds(3))) {
                            items.setLong(3, items.getLong(3) + 1);
                        } else if (items.getLong(0) == 0) {
                            System.out.println(Worker.currentName() + " gave up waiting after " + k + " items");
                            return;
                        }
                    }
                    items.setLong(2, items.getLong(2) - 1);
                    items.setLong(0, items.getLong(0) - 1);
                    items.setLong(1, items.getLong(1) + 1);
                }
            }
        }
    }

    public static void main(String... args) {
        System.exit(Cli.execute(new sync(), args));
    }

    @Override
    public Integer call() throws Exception {
        int workers = 5, permits = 2;
        // the main block
        Event start = Event.create();
        Semaphore ready = Semaphore.create(0);           // a count of the workers at the start line
        Semaphore slots = Semaphore.create(permits);
        SharedArray times = SharedArray.ofLongs(2 * workers);
        List<Worker> ps = new ArrayList<>();
        for (int i = 0; i < workers; i++) ps.add(new Worker("worker-" + i, Limited.class, start, ready, slots, times, i, count));
        for (Worker p : ps) p.start();
        for (int i = 0; i < workers; i++) ready.acquire();  // all five are ready
        long released = Clock.epochNanos();
        start.set();
        for (Worker p : ps) p.join();

        Table slotsTable = SyncReport.slots(ps, times, released);
        System.out.println(slotsTable.print());
        System.out.println("at most " + SyncReport.maxInside(slotsTable) + " workers inside at once, with " + permits + " permits");

        boolean wakeAll = true;
        // the takers
        Condition cond = Condition.create();
        SharedArray items = SharedArray.ofLongs(4);
        List<Worker> takers = new ArrayList<>();
        for (int i = 0; i < 3; i++) takers.add(new Worker("taker-" + i, Taker.class, cond, items, 4).start());
        while (true) {                                   // until all three wait on the condition
            try (var held = cond.hold()) {
                if (items.getLong(2) == 3) {
                    items.setLong(0, 12);                // twelve items at once
                    if (wakeAll) cond.signalAll(); else cond.signal();
                    break;
                }
            }
            Thread.sleep(10);
        }
        for (Worker t : takers) t.join();
        System.out.println("taken " + items.getLong(1) + " of 12, left " + items.getLong(0) + "; takers woken by the signal: " + items.getLong(3) + " of 3");

        Path csv = Reports.csv(slotsTable, out, "sync.csv");
        Path png = Charts.savePng(SyncReport.slotsChart(slotsTable, permits), out.resolve("sync.png"));
        System.out.println("table: " + csv + "\nchart: " + png);
        return SyncReport.maxInside(slotsTable) <= permits && items.getLong(1) == 12 && items.getLong(3) == 3 ? 0 : 1;
    }
}
