package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.io.EOFException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(WorkerJvms.class)
class IpcTest {
    static final Duration WAIT = Duration.ofSeconds(30);


    @Test
    void pipeEndsInOneThreadCarryEveryKindOfValue() throws Exception {
        Pipe p = Pipe.create();
        List<Object> sent = List.of(1, 2L, 3.5, "héllo", true, List.of(1L, "x", List.of()));
        for (Object o : sent) p.end1().send(o);
        p.end1().send(null);
        p.end1().send(new int[] {1, 2, 3});
        for (Object o : sent) assertEquals(o, p.end2().recv());
        assertNull(p.end2().recv());
        assertArrayEquals(new int[] {1, 2, 3}, (int[]) p.end2().recv());
        p.end2().send("back");
        assertEquals("back", p.end1().recv());
        assertThrows(TimeoutException.class, () -> p.end2().recv(Duration.ofMillis(50)));
        assertFalse(p.end2().poll(Duration.ofMillis(10)));
        var e = assertThrows(IllegalArgumentException.class, () -> p.end1().send(new Object()));
        assertTrue(e.getMessage().startsWith("cannot send a java.lang.Object"), e.getMessage());
        p.end1().close();
        assertThrows(EOFException.class, () -> p.end2().recv());
    }

    @Test
    void producerSquarerMainChainKeepsOrderThenEnds() throws Exception {
        Pipe a = Pipe.create(), b = Pipe.create();
        Worker producer = new Worker("producer", IpcTasks.Produce.class, a.end1(), 10).start();
        Worker squarer = new Worker("squarer", IpcTasks.Square.class, a.end2(), b.end1()).start();
        List<Object> got = new ArrayList<>();
        while (true) {
            try {
                got.add(b.end2().recv());
            } catch (EOFException e) {
                break;
            }
        }
        assertEquals(List.of(0L, 1L, 4L, 9L, 16L, 25L, 36L, 49L, 64L, 81L), got);
        producer.join();
        squarer.join();
        assertEquals(0, producer.exitCode());
        assertEquals(0, squarer.exitCode());
    }

    @Test
    void aPeerKilledMidStreamEndsTheStreamInsteadOfHanging() throws Exception {
        Pipe p = Pipe.create();
        Worker w = new Worker(IpcTasks.SendThenHang.class, p.end2()).start();
        assertEquals("hello", p.end1().recv(WAIT));
        w.kill();
        long t0 = System.nanoTime();
        assertThrows(EOFException.class, () -> p.end1().recv());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
    }

    @Test
    void aPeerThatDiesBeforeConnectingIsNamed() throws Exception {
        Pipe p = Pipe.create();
        Worker w = new Worker("doomed", IpcTasks.Crash.class, p.end2()).start();
        var e = assertThrows(EOFException.class, () -> p.end1().recv());
        assertTrue(e.getMessage().contains("worker 'doomed' ended (exit code 1)"), e.getMessage());
        w.join();
    }

    @Test
    void queueManyProducersManyConsumersNothingLostNothingDuplicated() throws Exception {
        int producers = 3, consumers = 3, n = 20_000;
        Queue q = Queue.create();
        SharedArray sums = SharedArray.ofLongs(3 * consumers);
        List<Worker> ps = new ArrayList<>(), cs = new ArrayList<>();
        for (int k = 0; k < consumers; k++) cs.add(new Worker(IpcTasks.Take.class, q, sums, k).start());
        for (int k = 0; k < producers; k++) ps.add(new Worker(IpcTasks.Put.class, q, k, n).start());
        for (Worker p : ps) p.join();
        for (Worker p : ps) assertEquals(0, p.exitCode());
        q.shutdown(); // every producer is done: now "no more items" is true
        for (Worker c : cs) c.join();
        long count = 0, sum = 0, squares = 0;
        for (int k = 0; k < consumers; k++) {
            assertEquals(0, cs.get(k).exitCode());
            count += sums.getLong(3 * k);
            sum += sums.getLong(3 * k + 1);
            squares += sums.getLong(3 * k + 2);
        }
        long total = (long) producers * n;
        assertEquals(total, count, "items received");
        assertEquals(total * (total - 1) / 2, sum, "sum of ids: each id 0..N-1 exactly once");
        assertEquals((total - 1) * total * (2 * total - 1) / 6, squares, "sum of squares: no id lost and another duplicated");
    }

    @Test
    void aConsumerThatStopsAtASentinelGivesBackWhatItFetchedAhead() throws Exception {
        Queue q = Queue.create();
        for (long i = 0; i < 20; i++) q.put(i);
        q.put(-1L);
        q.put(-1L); // one sentinel per consumer, both already there: the first consumer's batch may hold both
        Worker a = new Worker("A", IpcTasks.UntilSentinel.class, q).start();
        assertTrue(a.join(Duration.ofSeconds(60)), "A ended");
        Worker b = new Worker("B", IpcTasks.UntilSentinel.class, q).start();
        assertTrue(b.join(Duration.ofSeconds(60)), "B found its sentinel: A gave back what it had fetched and not taken");
        long taken = 0;
        for (Worker w : List.of(a, b)) taken += Long.parseLong(w.output().get(0).substring(5));
        assertEquals(20, taken, "every item taken once");
        assertEquals(0, q.size());
    }

    @Test
    void queueShutdownTimeoutAndNullItems() throws Exception {
        Queue q = Queue.create();
        assertThrows(TimeoutException.class, () -> q.get(Duration.ofMillis(30)));
        q.put(null);
        q.put("x");
        assertNull(q.get());
        assertEquals(1, q.size());
        q.shutdown();
        assertEquals("x", q.get());
        assertThrows(EOFException.class, q::get);
        assertThrows(IllegalArgumentException.class, () -> q.put(new Object()));
    }

    @Test
    void lockExcludesAcrossJvms() throws Exception {
        Lock lock = Lock.create();
        SharedArray counter = SharedArray.ofLongs(1);
        List<Worker> ws = new ArrayList<>();
        for (int k = 0; k < 4; k++) ws.add(new Worker(IpcTasks.Increment.class, lock, counter, 500).start());
        for (Worker w : ws) w.join();
        for (Worker w : ws) assertEquals(0, w.exitCode());
        assertEquals(2000, counter.getLong(0), "read-modify-write under the lock lost no update");
        assertTrue(lock.acquire(Duration.ofSeconds(1)), "free again after the workers");
        lock.release();
        assertThrows(IllegalStateException.class, lock::release);
    }

    @Test
    void barrierReleasesAllPartiesTogether() throws Exception {
        Barrier b = Barrier.create(3);
        Worker w1 = new Worker(IpcTasks.Wait.class, b, 30_000).start();
        Worker w2 = new Worker(IpcTasks.Wait.class, b, 30_000).start();
        Thread.sleep(300);
        assertTrue(w1.isAlive() && w2.isAlive(), "two of three parties must still wait");
        int mine = b.await(WAIT);
        w1.join();
        w2.join();
        List<Integer> indices = new ArrayList<>(List.of(mine));
        long t1 = 0, t2 = 0;
        for (Worker w : List.of(w1, w2)) {
            String[] f = w.output().get(0).split(" ");
            assertEquals("released", f[0], w.output().toString());
            indices.add(Integer.parseInt(f[1]));
            if (w == w1) t1 = Long.parseLong(f[2]); else t2 = Long.parseLong(f[2]);
        }
        assertEquals(List.of(0, 1, 2), indices.stream().sorted().toList());
        assertTrue(Math.abs(t1 - t2) < TimeUnit.MILLISECONDS.toNanos(100), "released together: " + Math.abs(t1 - t2) / 1e6 + " ms apart");
    }

    @Test
    void aBarrierThatTimesOutBreaksCleanlyForEveryone() throws Exception {
        Barrier b = Barrier.create(3);
        Worker w = new Worker(IpcTasks.Wait.class, b, 30_000).start();
        Thread.sleep(300);
        var e = assertThrows(BrokenBarrierException.class, () -> b.await(Duration.ofMillis(200)));
        assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        w.join();
        assertTrue(w.output().get(0).startsWith("broken: a party timed out"), w.output().toString());
        assertThrows(BrokenBarrierException.class, () -> b.await(Duration.ofMillis(10)));
        b.reset();
        assertEquals(0, Barrier.create(1).await());
    }

    @Test
    void aPartyKilledAtTheBarrierBreaksIt() throws Exception {
        Barrier b = Barrier.create(3);
        Worker dying = new Worker(IpcTasks.Wait.class, b, 30_000).start();
        Worker other = new Worker(IpcTasks.Wait.class, b, 30_000).start();
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (b.nWaiting() < 2 && System.nanoTime() < deadline) Thread.sleep(10); // both at the barrier, however slow the start
        assertEquals(2, b.nWaiting());
        dying.kill();
        other.join(WAIT);
        assertFalse(other.isAlive());
        assertTrue(other.output().get(0).startsWith("broken: a party's process ended"), other.output().toString());
    }

    @Test
    void sharedArrayIsSeenByBothSides() throws Exception {
        SharedArray d = SharedArray.ofDoubles(4);
        d.setDouble(2, 1.5);
        assertEquals(3.0, d.add(2, 1.5));
        SharedArray same = SharedArray.attach(d.address());
        assertEquals(3.0, same.getDouble(2));
        assertThrows(IndexOutOfBoundsException.class, () -> d.getDouble(4));
        assertThrows(IllegalArgumentException.class, () -> SharedArray.ofLongs(0));
    }

    @Test
    void privateDirectoryIsOwnerOnlyAndRemovedAtExit() throws Exception {
        Path dir = Ipc.dir();
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)));
        List<String> cmd = new ArrayList<>(new Worker(Tasks.Echo.class).command());
        cmd.set(cmd.size() - 1, IpcTasks.MakeIpcDir.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes()).strip();
        assertEquals(0, p.waitFor());
        Path child = Path.of(out.lines().filter(l -> l.startsWith("dir=")).findFirst().orElseThrow().substring(4));
        assertFalse(Files.exists(child), "the child's IPC directory outlived it: " + child);
    }

    @Test
    void aMissingIpcDirectoryIsReportedClearly() throws Exception {
        List<String> cmd = new ArrayList<>(new Worker(Tasks.Echo.class).command());
        cmd.add(cmd.size() - 3, "-Dmproc.ipcdir=/no/such/dir");
        cmd.set(cmd.size() - 1, IpcTasks.MakeIpcDir.class.getName());
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertEquals(3, p.waitFor(), out);
        assertTrue(out.contains("error=cannot create IPC endpoints: directory /no/such/dir does not exist"), out);
    }
}
