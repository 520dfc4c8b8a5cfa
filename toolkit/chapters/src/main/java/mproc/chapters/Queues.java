package mproc.chapters;

import mproc.tutorial.*;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mproc.Barrier;
import mproc.tutorial.Matrix;
import mproc.Queue;
import mproc.SharedArray;
import mproc.Worker;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Chapter 9, communicating_with_queue.py: producer and consumer Worker subclasses sharing a Queue. */
public final class Queues {
    private Queues() {}

    /** Python's producer: puts its items (ids k*items .. k*items+items-1), doing {@code work} multiplies before each. */
    public static class Producer extends Worker {
        Queue queue;
        Barrier start;
        int index;
        long items, work;
        boolean verbose;

        public Producer() {}

        Producer(Queue queue, Barrier start, int index, long items, long work, boolean verbose) {
            this.queue = queue;
            this.start = start;
            this.index = index;
            this.items = items;
            this.work = work;
            this.verbose = verbose;
        }

        @Override
        public void run() throws Exception {
            if (start != null) start.await(Duration.ofMinutes(2));
            for (long i = 0; i < items; i++) {
                if (work > 0) Matrix.work(work);
                long id = index * items + i;
                queue.put(id);
                if (verbose) System.out.println("Process Producer : item " + id + " appended to queue " + getName());
            }
        }
    }

    /** Python's consumer, race included: stops as soon as it sees the queue empty. */
    public static class RacyConsumer extends Worker {
        Queue queue;

        public RacyConsumer() {}

        RacyConsumer(Queue queue) {
            this.queue = queue;
        }

        @Override
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

    /**
     * The fixed consumer: takes items until the queue is closed (and empty). Marks each id in a shared
     * bitmap (an id marked twice is a duplicate) and writes its count, duplicates and end time to {@code stats}.
     */
    public static class Consumer extends Worker {
        Queue queue;
        Barrier start;
        SharedArray seen, stats;
        int index;
        boolean verbose;

        public Consumer() {}

        Consumer(Queue queue, Barrier start, SharedArray seen, SharedArray stats, int index, boolean verbose) {
            this.queue = queue;
            this.start = start;
            this.seen = seen;
            this.stats = stats;
            this.index = index;
            this.verbose = verbose;
        }

        @Override
        public void run() throws Exception {
            if (start != null) start.await(Duration.ofMinutes(2));
            long count = 0, dup = 0;
            for (Object o : queue) {
                long id = (Long) o;
                int word = (int) (id >>> 6);
                long bit = 1L << (id & 63);
                while (true) {
                    long old = seen.getLong(word);
                    if ((old & bit) != 0) {
                        dup++;
                        break;
                    }
                    if (seen.compareAndSet(word, old, old | bit)) break;
                }
                count++;
                if (verbose) System.out.println("Process Consumer : item " + id + " popped by " + getName());
            }
            stats.setLong(3 * index, count);
            stats.setLong(3 * index + 1, dup);
            stats.setLong(3 * index + 2, System.currentTimeMillis());
        }
    }

    /** What the racy version left behind. */
    public record RaceResult(long produced, long consumed, long leftInQueue) {}

    /** Python's script: one producer, one consumer that quits when it sees the queue empty. */
    public static RaceResult race(long items, long work) throws InterruptedException {
        Queue q = Queue.create();
        Producer p = new Producer(q, null, 0, items, work, true);
        RacyConsumer c = new RacyConsumer(q);
        p.start();
        c.start();
        p.join();
        c.join();
        long consumed = c.output().stream().filter(l -> l.startsWith("Process Consumer")).count();
        return new RaceResult(items, consumed, q.size());
    }

    /** What a run of {@link #run} measured, from what the consumers really received. */
    public record Summary(long produced, long consumed, long lost, long duplicates, double seconds) {
        public double perSecond() {
            return consumed / seconds;
        }

        public String line() {
            return "produced=" + produced + " consumed=" + consumed + " lost=" + lost + " duplicates=" + duplicates
                    + String.format(" (%.0f items/s)", perSecond());
        }
    }

    /**
     * The fix at scale: P producers and C consumers; when every producer has been joined, the queue is
     * closed, and the consumers end once it is empty. Nothing is counted from what was sent: lost and
     * duplicates come from the ids the consumers marked.
     */
    public static Summary run(int producers, int consumers, long items, boolean verbose) throws InterruptedException {
        if (producers < 1 || producers > 64 || consumers < 1 || consumers > 64) {
            throw new IllegalArgumentException("producers and consumers must be between 1 and 64");
        }
        if (items < 0 || items > 100_000_000L) throw new IllegalArgumentException("items must be between 0 and 100000000, got " + items);
        long total = producers * items;
        Queue q = Queue.create();
        Barrier start = Barrier.create(producers + consumers + 1);
        SharedArray seen = SharedArray.ofLongs((int) Math.max(1, (total + 63) / 64));
        SharedArray stats = SharedArray.ofLongs(3 * consumers);
        List<Worker> ps = new ArrayList<>(), cs = new ArrayList<>();
        for (int k = 0; k < consumers; k++) cs.add(new Consumer(q, start, seen, stats, k, verbose));
        for (int k = 0; k < producers; k++) ps.add(new Producer(q, start, k, items, 0, verbose));
        for (Worker w : cs) w.start();
        for (Worker w : ps) w.start();
        try {
            start.await(Duration.ofMinutes(2));
        } catch (java.util.concurrent.BrokenBarrierException e) {
            for (Worker w : cs) w.kill();
            for (Worker w : ps) w.kill();
            throw new IllegalStateException("the workers did not all start: " + e.getMessage());
        }
        long t0 = System.currentTimeMillis();
        for (Worker w : ps) w.join();
        q.close(); // every producer is done: "no more items" is now true
        for (Worker w : cs) w.join();
        for (Worker w : ps) if (w.exitCode() != 0) throw new IllegalStateException(w.getName() + " failed: exit " + w.exitCode());
        for (Worker w : cs) if (w.exitCode() != 0) throw new IllegalStateException(w.getName() + " failed: exit " + w.exitCode());
        long consumed = 0, dup = 0, end = t0;
        for (int k = 0; k < consumers; k++) {
            consumed += stats.getLong(3 * k);
            dup += stats.getLong(3 * k + 1);
            end = Math.max(end, stats.getLong(3 * k + 2));
        }
        long distinct = 0;
        for (int i = 0; i < seen.length(); i++) distinct += Long.bitCount(seen.getLong(i));
        return new Summary(total, consumed, total - distinct, dup, Math.max(1, end - t0) / 1000.0);
    }

    public static Table table(Summary s) {
        return Table.create("queue: what the consumers received",
                LongColumn.create("produced", s.produced()), LongColumn.create("consumed", s.consumed()),
                LongColumn.create("lost", s.lost()), LongColumn.create("duplicates", s.duplicates()),
                DoubleColumn.create("seconds", s.seconds()), DoubleColumn.create("items_per_s", Math.round(s.perSecond())));
    }

    public static Table raceTable(List<RaceResult> runs) {
        StringColumn run = StringColumn.create("run");
        LongColumn produced = LongColumn.create("produced"), consumed = LongColumn.create("consumed"), left = LongColumn.create("left_in_queue");
        for (int i = 0; i < runs.size(); i++) {
            run.append("run " + (i + 1));
            produced.append(runs.get(i).produced());
            consumed.append(runs.get(i).consumed());
            left.append(runs.get(i).leftInQueue());
        }
        return Table.create("Python's consumer: stop when the queue looks empty", run, produced, consumed, left);
    }
}
