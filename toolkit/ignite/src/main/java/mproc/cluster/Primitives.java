package mproc.cluster;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import mproc.Clock;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteCache;
import org.apache.ignite.IgniteCountDownLatch;
import org.apache.ignite.IgniteLock;
import org.apache.ignite.IgniteQueue;
import org.apache.ignite.configuration.CollectionConfiguration;
import org.apache.ignite.lang.IgniteCallable;
import org.apache.ignite.lang.IgniteFuture;
import org.apache.ignite.resources.IgniteInstanceResource;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The Queue, Lock and Barrier chapters on the cluster: every server node runs {@link NodeJob} at once;
 * the nodes meet at a count-down latch (the barrier), add to a counter under a cluster-wide lock, and put
 * items into a cluster queue that this JVM drains.
 */
public final class Primitives {
    private Primitives() {}

    static final String LATCH = "mproc-barrier", LOCK = "mproc-lock", QUEUE = "mproc-queue", COUNTER = "mproc-counter";

    /** What one node did. */
    public static final class Report {
        public String node;
        public long arrivedNanos, releasedNanos;
        public int increments, items;
    }

    /** Runs on each server node. */
    public static final class NodeJob implements IgniteCallable<Report> {
        public int nodes, increments, items;
        @IgniteInstanceResource
        private transient Ignite ignite;

        public NodeJob() {}

        NodeJob(int nodes, int increments, int items) {
            this.nodes = nodes;
            this.increments = increments;
            this.items = items;
        }

        @Override
        public Report call() throws Exception {
            Report r = new Report();
            r.node = ignite.name();
            // barrier: nobody goes on until every node has arrived
            IgniteCountDownLatch latch = ignite.countDownLatch(LATCH, nodes, false, true);
            r.arrivedNanos = Clock.epochNanos();
            latch.countDown();
            if (!latch.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("barrier: not all nodes arrived");
            r.releasedNanos = Clock.epochNanos();
            // lock: a read-modify-write of a shared counter, safe only because of the lock
            IgniteLock lock = ignite.reentrantLock(LOCK, true, false, true);
            IgniteCache<String, Long> cache = ignite.getOrCreateCache(COUNTER);
            for (int i = 0; i < increments; i++) {
                lock.lock();
                try {
                    Long v = cache.get("n");
                    cache.put("n", v == null ? 1 : v + 1);
                } finally {
                    lock.unlock();
                }
                r.increments++;
            }
            // queue: items for the client to take
            IgniteQueue<String> q = ignite.queue(QUEUE, 0, null);
            for (int i = 0; i < items; i++) q.put(r.node + ":" + i);
            r.items = items;
            return r;
        }
    }

    /**
     * Runs {@link NodeJob} on every server node and checks the outcome from this side: the barrier held
     * everyone until the last arrival, the locked counter lost no update, the queue delivered every item
     * exactly once. One row per check.
     */
    public static Table run(Cluster cluster, int increments, int items) throws InterruptedException {
        Ignite ig = cluster.ignite();
        int nodes = cluster.size();
        IgniteQueue<String> q = ig.queue(QUEUE, 0, new CollectionConfiguration());
        IgniteCountDownLatch latch = ig.countDownLatch(LATCH, nodes, false, true);
        IgniteLock lock = ig.reentrantLock(LOCK, true, false, true);
        IgniteCache<String, Long> cache = ig.getOrCreateCache(COUNTER);
        cache.clear();
        try {
            IgniteFuture<Collection<Report>> f = ig.compute(ig.cluster().forServers()).broadcastAsync(new NodeJob(nodes, increments, items));
            List<String> taken = new ArrayList<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (taken.size() < nodes * items && System.nanoTime() < deadline) {
                String s = q.poll(100, TimeUnit.MILLISECONDS);
                if (s != null) taken.add(s);
                else if (f.isDone()) f.get(); // a node's job failed: throw its error here
            }
            Collection<Report> reports = f.get(120, TimeUnit.SECONDS);
            long lastArrival = reports.stream().mapToLong(r -> r.arrivedNanos).max().orElse(0);
            long firstRelease = reports.stream().mapToLong(r -> r.releasedNanos).min().orElse(0);
            Set<String> distinct = new HashSet<>(taken);
            Long counter = cache.get("n");

            StringColumn prim = StringColumn.create("primitive"), python = StringColumn.create("python_counterpart"),
                    check = StringColumn.create("check"), expected = StringColumn.create("expected"),
                    got = StringColumn.create("got");
            BooleanColumn ok = BooleanColumn.create("ok");
            prim.append("IgniteCountDownLatch"); python.append("Barrier(n)");
            check.append("first release after last arrival"); expected.append("true");
            got.append(String.valueOf(firstRelease >= lastArrival)); ok.append(firstRelease >= lastArrival);
            prim.append("IgniteLock"); python.append("Lock()");
            check.append("counter after locked increments"); expected.append(String.valueOf((long) nodes * increments));
            got.append(String.valueOf(counter)); ok.append(counter != null && counter == (long) nodes * increments);
            prim.append("IgniteQueue"); python.append("Queue()");
            check.append("items taken, distinct"); expected.append(nodes * items + ", " + nodes * items);
            got.append(taken.size() + ", " + distinct.size());
            ok.append(taken.size() == nodes * items && distinct.size() == nodes * items);
            return Table.create("cluster primitives on " + nodes + " nodes", prim, python, check, expected, got, ok);
        } catch (org.apache.ignite.lang.IgniteFutureTimeoutException e) {
            throw new IllegalStateException("the nodes' jobs did not finish within 120 s", e);
        } finally {
            q.close();
            latch.close();
            lock.close();
            ig.destroyCache(COUNTER);
        }
    }
}
