package mproc.cluster;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import mproc.Pool;
import mproc.tutorial.MatrixWork;
import mproc.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import tech.tablesaw.api.Table;

@Timeout(180)
class ClusterTest {
    static List<Long> counts(int n, int count) {
        List<Long> l = new ArrayList<>();
        for (int i = 0; i < n; i++) l.add((long) count + i);
        return l;
    }

    /** The JVM options of the first local cluster's first node seen by this class's tests. */
    private static final java.util.concurrent.atomic.AtomicReference<List<String>> FIRST_NODE_OPTIONS =
            new java.util.concurrent.atomic.AtomicReference<>();

    /**
     * The JVM options of each node of {@code c} (its command line up to the main class) are those of every other node
     * and of the other tests' clusters: they are the key of the nodes' class archive, so an option that differs per
     * node or per cluster would train a new archive (~8 s, a JVM of its own) for each.
     */
    static void nodesStartWithOneSetOfOptions(Cluster c) throws java.io.IOException {
        for (Worker n : c.nodes()) {
            String cmd = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/" + n.pid() + "/cmdline"));
            List<String> args = List.of(cmd.split("\0"));
            int main = args.indexOf("mproc.WorkerMain");
            assertTrue(main > 0, "a node JVM's command line: " + args);
            List<String> options = new ArrayList<>(args.subList(0, main));
            options.removeIf(o -> o.endsWith(".jar") || o.contains(java.io.File.pathSeparator + "/")); // the class path
            // and the archive itself (used once it is trained: a node started before may lack it)
            options.removeIf(o -> o.startsWith("-XX:AOTCache=") || o.startsWith("-XX:SharedArchiveFile=")
                    || o.equals("-XX:+UnlockDiagnosticVMOptions") || o.startsWith("-XX:ArchiveRelocationMode="));
            FIRST_NODE_OPTIONS.compareAndSet(null, options);
            List<String> first = FIRST_NODE_OPTIONS.get(), differ = new ArrayList<>(options);
            differ.removeAll(first);
            assertEquals(first, options, () -> n.getName() + "'s JVM options differ from another node's: " + differ
                    + " instead of " + first.stream().filter(o -> !options.contains(o)).toList());
        }
    }

    @AfterEach
    void noNodeLeft() throws InterruptedException {
        mproc.Leftovers.endAndCheck(ProcessHandle::isAlive);
    }

    @Test
    void twoNodesComputeWhatThePoolComputes() throws Exception {
        List<Long> counts = counts(40, 200);
        List<Object> expected;
        try (Pool pool = new Pool(2)) {
            expected = pool.map(MatrixWork.class, counts);
        }
        try (Cluster c = Cluster.local(2)) {
            assertEquals(2, c.size());
            assertEquals(2, c.nodes().size());
            nodesStartWithOneSetOfOptions(c);
            List<Object> got = c.map(MatrixWork.class, counts);
            assertEquals(expected, got);
            Table s = c.stats();
            assertEquals(40, (int) s.intColumn("tasks").sum());
            assertEquals(2, s.rowCount(), "both nodes got work:\n" + s);
            assertEquals(List.of(0L, 1L, 4L, 9L), c.map(Pool.Square.class, Pool.range(4), 1));
        }
    }

    @Test
    void queueLockAndBarrierAcrossNodes() throws Exception {
        try (Cluster c = Cluster.local(2)) {
            nodesStartWithOneSetOfOptions(c);
            Table t = Primitives.run(c, 50, 100);
            assertEquals(3, t.rowCount());
            assertTrue(t.booleanColumn("ok").all(), t.toString());
            assertEquals("100", t.stringColumn("got").get(1), "2 nodes x 50 locked increments");
        }
    }

    @Test
    void aNodeKilledMidMapIsSurvived() throws Exception {
        List<Long> counts = counts(60, 20_000); // ~60 x 30 ms of work
        List<Object> expected;
        try (Pool pool = new Pool(2)) {
            expected = pool.map(MatrixWork.class, counts);
        }
        try (Cluster c = Cluster.local(3)) {
            nodesStartWithOneSetOfOptions(c);
            Worker victim = c.nodes().get(2);
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(300);
                } catch (InterruptedException e) {
                    return;
                }
                victim.kill();
            });
            killer.start();
            List<Object> got = c.map(MatrixWork.class, counts, 1);
            killer.join();
            assertEquals(expected, got, "every result exactly once, in order, despite the kill");
            assertFalse(victim.isAlive());
            assertTrue(c.failovers() >= 1, "jobs of the killed node were failed over: " + c.failovers());
            assertEquals(2, c.size());
            assertFalse(c.stats().stringColumn("node").contains("node-3") && c.stats().rowCount() == 3
                    && c.stats().where(c.stats().stringColumn("node").isEqualTo("node-3")).intColumn("tasks").sum() == 60);
            // the survivors' warnings about it went to their logs in the work directory (<name>.log), which
            // Cluster.log() reads: the nodes and the cluster agree on where a node's log is
            Table log = c.log();
            assertTrue(log.stringColumn("node").asList().stream().anyMatch(n -> n.equals("node-1") || n.equals("node-2")),
                    "a surviving node reported the death:\n" + log.print());
        }
    }

    @Test
    void badArgumentsAreRejectedClearly() {
        assertThrows(IllegalArgumentException.class, () -> Cluster.local(0));
        assertThrows(IllegalArgumentException.class, () -> Cluster.local(Cluster.MAX_LOCAL_NODES + 1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Cluster.connect(List.of("no-port")));
        assertTrue(e.getMessage().contains("no-port"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Cluster.connect(List.of()));
    }

    @Test
    void joiningWhereNoClusterRunsFailsClearly() throws Exception {
        int port = Nodes.freePortBlock();
        long t0 = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Cluster.connect(List.of("127.0.0.1:" + port)));
        assertTrue(e.getMessage().contains("could not join the cluster"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(60).toNanos());
    }

    @Test
    void addressesFileSkipsCommentsAndBlanks(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        java.nio.file.Path f = dir.resolve("cluster.txt");
        java.nio.file.Files.writeString(f, "# the lab\n10.0.0.5:47500..47509\n\n10.0.0.6:47500  # spare\n");
        assertEquals(List.of("10.0.0.5:47500..47509", "10.0.0.6:47500"), Cluster.addressesFrom(f));
    }
}
