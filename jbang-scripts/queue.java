///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS ../toolkit/jbang/mproc.java
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 8 (communicating_with_queue.py): producers and consumers sharing a Queue; the race and its fix.

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.Queue;
import mproc.Worker;
import mproc.cli.Cli;
import mproc.cli.Reports;
import mproc.tutorial.Matrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;

@Command(name = "queue", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"First Python's version: a consumer that stops when it sees the queue empty,",
                "which can stop before the producer has put anything. Then the fix: consumers",
                "take items until the queue is shut down, and main shuts it down once every producer",
                "has been joined. Ends with produced=N consumed=N lost=0 duplicates=0, computed",
                "from the ids the consumers received."})
public class queue implements Callable<Integer> {
    @Option(names = "--producers", paramLabel = "N", defaultValue = "1", description = "producer workers, 1..64 (default: ${DEFAULT-VALUE})")
    int producerCount;

    @Option(names = "--consumers", paramLabel = "N", defaultValue = "1", description = "consumer workers, 1..64 (default: ${DEFAULT-VALUE})")
    int consumerCount;

    @Option(names = "--items", paramLabel = "N", defaultValue = "10", description = "items per producer, 0..10000000 (default: ${DEFAULT-VALUE})")
    long itemCount;

    @Option(names = "--count", defaultValue = "20000", converter = Cli.CountConverter.class,
            description = "multiplies the racy run's producer does before each item (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--out", defaultValue = "build/queue", description = "folder for queue.csv (default: ${DEFAULT-VALUE})")
    Path out;

    /** Python's producer: a Worker subclass that puts its items (first, first + 1, ...) into the queue, doing `work` multiplies before each. */
    static class Producer extends Worker {
        Queue queue;
        long first, items, work;
        boolean verbose;

        public Producer() {}

        Producer(Queue queue, long first, long items, long work, boolean verbose) {
            this.queue = queue;
            this.first = first;
            this.items = items;
            this.work = work;
            this.verbose = verbose;
        }

        public void run() {
            for (long item = first; item < first + items; item++) {
                if (work > 0) Matrix.work(work);
                queue.put(item);
                if (verbose) System.out.println("Process Producer : item " + item + " appended to queue " + getName());
            }
        }
    }

    /** Python's consumer, race included: it stops as soon as it sees the queue empty. */
    static class RacyConsumer extends Worker {
        Queue queue;

        public RacyConsumer() {}

        RacyConsumer(Queue queue) {
            this.queue = queue;
        }

        public void run() throws Exception {
            while (true) {
                if (queue.size() == 0) {
                    System.out.println("the queue is empty");
                    break;
                }
                System.out.println("Process Consumer : item " + queue.get() + " popped by " + getName());
            }
        }
    }

    /** The fix: takes items until the queue is shut down and empty; then puts a report of what it received into `reports`. */
    static class Consumer extends Worker {
        Queue queue, reports;
        boolean verbose;

        public Consumer() {}

        Consumer(Queue queue, Queue reports, boolean verbose) {
            this.queue = queue;
            this.reports = reports;
            this.verbose = verbose;
        }

        public void run() {
            BitSet seen = new BitSet();
            long count = 0, duplicates = 0, firstMs = 0;
            for (Object item : queue) {                    // ends when the queue is shut down and empty
                int id = ((Long) item).intValue();
                if (count == 0) firstMs = System.currentTimeMillis();
                if (seen.get(id)) duplicates++;
                seen.set(id);
                count++;
                if (verbose) System.out.println("Process Consumer : item " + id + " popped by " + getName());
            }
            reports.put(List.of(count, duplicates, firstMs, System.currentTimeMillis(), seen.toLongArray()));
        }
    }

    public static void main(String... args) {
        System.exit(Cli.execute(new queue(), args));
    }

    @Override
    public Integer call() throws Exception {
        Cli.checkRange(this, "--producers", producerCount, 1, 64);
        Cli.checkRange(this, "--consumers", consumerCount, 1, 64);
        Cli.checkRange(this, "--items", itemCount, 0, 10_000_000L);
        System.out.println("== Python's consumer: stops when the queue looks empty ==");
        long work = count;
        // the main block
        Queue queue = Queue.create();
        Producer processProducer = new Producer(queue, 0, 5, work, true);
        RacyConsumer processConsumer = new RacyConsumer(queue);
        processProducer.start();
        processConsumer.start();
        processProducer.join();
        processConsumer.join();
        long consumed = processConsumer.output().stream().filter(l -> l.startsWith("Process Consumer")).count();
        System.out.println("racy run: produced=5 consumed=" + consumed + " left in queue=" + queue.size());

        System.out.println("== the fix: consume until the queue is shut down ==");
        int nProducers = producerCount, nConsumers = consumerCount;
        long perProducer = itemCount;
        boolean verbose = nProducers * perProducer <= 20;
        // the fix: consumers take items until the queue is shut down, and main shuts it down once every producer is done
        Queue items = Queue.create(), reports = Queue.create();
        List<Producer> producers = new ArrayList<>();
        List<Consumer> consumers = new ArrayList<>();
        for (int k = 0; k < nProducers; k++) producers.add(new Producer(items, k * perProducer, perProducer, 0, verbose));
        for (int k = 0; k < nConsumers; k++) consumers.add(new Consumer(items, reports, verbose));
        for (Worker w : consumers) w.start();
        for (Worker w : producers) w.start();
        for (Worker w : producers) w.join();
        items.shutdown();   // "no more items" is now true
        for (Worker w : consumers) w.join();

        // what happened: a table, its CSV, and the line to remember
        Table fixed = received(reports, nConsumers, nProducers * perProducer);
        System.out.println(fixed.print());
        System.out.println("table: " + Reports.csv(fixed, out, "queue.csv"));
        System.out.println(line(fixed));
        return fixed.longColumn("lost").get(0) == 0 && fixed.longColumn("duplicates").get(0) == 0 ? 0 : 1;
    }

    /**
     * What the consumers received, from their reports: every id marked in a bit set, so an id marked twice is a
     * duplicate and an id never marked is lost; items per second from the first item taken to the last.
     */
    static Table received(Queue reports, int consumers, long produced) throws Exception {
        BitSet all = new BitSet();
        long count = 0, duplicates = 0, first = Long.MAX_VALUE, last = 0;
        for (int k = 0; k < consumers; k++) {
            List<?> r = (List<?>) reports.get(Duration.ofSeconds(60));
            count += (Long) r.get(0);
            duplicates += (Long) r.get(1);
            if ((Long) r.get(0) > 0) first = Math.min(first, (Long) r.get(2));
            last = Math.max(last, (Long) r.get(3));
            BitSet seen = BitSet.valueOf((long[]) r.get(4));
            BitSet twice = (BitSet) seen.clone();
            twice.and(all);
            duplicates += twice.cardinality();
            all.or(seen);
        }
        double seconds = count == 0 ? 0 : Math.max(1, last - first) / 1000.0;
        return Table.create("queue: what the consumers received",
                LongColumn.create("produced", produced), LongColumn.create("consumed", count),
                LongColumn.create("lost", produced - all.cardinality()), LongColumn.create("duplicates", duplicates),
                DoubleColumn.create("seconds", seconds), LongColumn.create("items_per_s", seconds == 0 ? 0 : Math.round(count / seconds)));
    }

    /** The table's one row as the line the script prints: produced=... consumed=... lost=... duplicates=... (... items/s). */
    static String line(Table t) {
        return "produced=" + t.longColumn("produced").get(0) + " consumed=" + t.longColumn("consumed").get(0)
                + " lost=" + t.longColumn("lost").get(0) + " duplicates=" + t.longColumn("duplicates").get(0)
                + " (" + t.longColumn("items_per_s").get(0) + " items/s)";
    }
}
