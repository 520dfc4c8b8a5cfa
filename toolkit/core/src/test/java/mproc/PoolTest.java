package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PoolTest {
    public static final class Slow implements Fn<Object, Object> {
        @Override
        public Object apply(Object x) throws Exception {
            Thread.sleep(20);
            return ((Number) x).longValue() * 10;
        }
    }

    /** Busy for about 50 microseconds; returns its input. */
    public static final class Spin implements Fn<Object, Object> {
        @Override
        public Object apply(Object x) {
            long end = System.nanoTime() + 50_000;
            while (System.nanoTime() < end) Thread.onSpinWait();
            return x;
        }
    }

    public static final class Boom implements Fn<Object, Object> {
        @Override
        public Object apply(Object x) {
            if (((Number) x).longValue() == 7) throw new IllegalArgumentException("seven is bad");
            return x;
        }
    }

    public static final class Die implements Fn<Object, Object> {
        @Override
        public Object apply(Object x) {
            Runtime.getRuntime().halt(9);
            return x;
        }
    }

    @AfterEach
    void nothingLeftRunning() throws Exception {
        Leftovers.endAndCheck(h -> Leftovers.running(h.pid()));
    }

    @Test
    void mapReturnsTheHundredSquaresInOrder() throws Exception {
        try (Pool pool = new Pool(4)) {
            List<Object> squares = pool.map(Pool.Square.class, Pool.range(100));
            List<Object> expected = new ArrayList<>();
            for (long i = 0; i < 100; i++) expected.add(i * i);
            assertEquals(expected, squares);
            assertEquals(4, pool.pids().stream().distinct().count(), "four worker JVMs");
            assertEquals(100, pool.stats().stream().mapToInt(Pool.WorkerStats::tasks).sum(), "every task counted once");
            AtomicInteger last = new AtomicInteger();
            assertEquals(expected, pool.map(Pool.Square.class, Pool.range(100), 7, last::set));
            assertEquals(100, last.get(), "progress reached the end");
        }
    }

    @Test
    void workersAreReusedNotRestarted() throws Exception {
        try (Pool pool = new Pool(2)) {
            List<Long> before = pool.pids();
            pool.map(Pool.Square.class, Pool.range(50));
            pool.map(Pool.Square.class, List.of(10L, 20L, 30L));
            assertEquals(before, pool.pids());
            assertEquals(0, pool.restarts());
        }
    }

    @Test
    void imapIsLazyAndOrdered() throws Exception {
        AtomicInteger pulled = new AtomicInteger();
        Iterator<Long> inputs = new Iterator<>() {
            long i;

            @Override
            public boolean hasNext() {
                return true; // endless: only a lazy imap can use it
            }

            @Override
            public Long next() {
                pulled.incrementAndGet();
                return i++;
            }
        };
        try (Pool pool = new Pool(2)) {
            Iterator<Long> out = pool.imap(Pool.Square.class, inputs, 3);
            for (long i = 0; i < 10; i++) assertEquals(i * i, (long) out.next());
            // at most the window (chunks of 3 for each of 2 workers) beyond the 10 consumed, and the chunk refilled
            assertTrue(pulled.get() <= 10 + (Pool.MAX_HELD + 1) * 2 * 3 + 3, "imap pulled " + pulled.get() + " inputs for 10 results");
        }
    }

    @Test
    void applyAsyncRunsOneInput() throws Exception {
        try (Pool pool = new Pool(1)) {
            assertEquals(49L, pool.applyAsync(Pool.Square.class, 7L).get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void aWorkerKilledDuringAMapLosesNothingAndDuplicatesNothing() throws Exception {
        try (Pool pool = new Pool(2)) {
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(400);
                    ProcessHandle.of(pool.pids().get(0)).ifPresent(ProcessHandle::destroyForcibly);
                } catch (InterruptedException ignored) {
                    // test ends
                }
            });
            killer.start();
            List<Object> out = pool.map(Slow.class, Pool.range(60), 2, null);
            killer.join();
            List<Object> expected = new ArrayList<>();
            for (long i = 0; i < 60; i++) expected.add(i * 10);
            assertEquals(expected, out, "every result exactly once, in order");
            assertEquals(1, pool.restarts(), "the killed worker was replaced");
            assertTrue(pool.stats().stream().mapToInt(Pool.WorkerStats::tasks).sum() <= 60, "the re-run chunk is counted once (on the fresh worker)");
        }
    }

    @Test
    void aWorkerKilledWithAChunkSentAheadLosesNothingAndDuplicatesNothing() throws Exception {
        // short chunks (50 us of work): each worker has a few more chunks waiting while it runs one (see
        // Pool's Slot.feed); the kill catches them all, and they all run again on the fresh worker
        try (Pool pool = new Pool(2)) {
            pool.map(Spin.class, Pool.range(2_000), 1, null); // the workers' code compiled: chunks are measured short
            long victim = pool.pids().get(0);
            Thread killer = new Thread(() -> {
                try {
                    Thread.sleep(150);
                    ProcessHandle.of(victim).ifPresent(ProcessHandle::destroyForcibly);
                } catch (InterruptedException ignored) {
                    // test ends
                }
            });
            killer.start();
            List<Object> out = pool.map(Spin.class, Pool.range(20_000), 1, null);
            killer.join();
            assertEquals(20_000, out.size(), "one result per input");
            for (int i = 0; i < out.size(); i++) assertEquals((Integer) i, out.get(i), "result " + i + " (in input order)");
            assertEquals(1, pool.restarts(), "the killed worker was replaced");
            assertFalse(pool.pids().contains(victim), "the killed worker is not in the pool any more");
        }
    }

    @Test
    void mapReportsProgressFromTheCallingThreadEndingWithTheTotal() throws Exception {
        try (Pool pool = new Pool(2)) {
            List<Integer> seen = new ArrayList<>();
            Thread caller = Thread.currentThread();
            List<Thread> threads = new ArrayList<>();
            pool.map(Slow.class, Pool.range(40), 1, done -> {
                seen.add(done);
                threads.add(Thread.currentThread());
            });
            assertTrue(seen.size() >= 3, "reported while running (~400 ms of work, every " + Pool.PROGRESS_MILLIS + " ms): " + seen);
            assertEquals(40, seen.get(seen.size() - 1), "the last report is the total");
            for (int i = 1; i < seen.size(); i++) assertTrue(seen.get(i) >= seen.get(i - 1), "never goes back: " + seen);
            assertTrue(threads.stream().allMatch(t -> t == caller), "reported on the calling thread");
        }
    }

    @Test
    void anExceptionInTheFunctionFailsTheCallNamingTheTask() throws Exception {
        try (Pool pool = new Pool(2)) {
            var e = assertThrows(IllegalStateException.class, () -> pool.map(Boom.class, Pool.range(10), 1, null));
            assertTrue(e.getMessage().contains("(inputs [7]) failed") && e.getMessage().contains("seven is bad"), e.getMessage());
            assertEquals(List.of(1L), pool.map(Boom.class, List.of(1L)), "the pool still works");
        }
    }

    @Test
    void aTaskThatAlwaysKillsItsWorkerFailsClearlyAfterBoundedRetries() throws Exception {
        try (Pool pool = new Pool(1)) {
            var e = assertThrows(IllegalStateException.class, () -> pool.map(Die.class, List.of(5L)));
            assertTrue(e.getMessage().contains("(inputs [5]) failed: its worker died " + Pool.MAX_TRIES + " times"), e.getMessage());
            assertEquals(List.of(25L), pool.map(Pool.Square.class, List.of(5L)), "a fresh worker took over");
        }
    }

    @Test
    void terminateLeavesNoWorkerAlive() throws Exception {
        Pool pool = new Pool(3);
        List<Long> pids = pool.pids();
        var pending = pool.applyAsync(Slow.class, 1L);
        pool.terminate();
        for (long pid : pids) assertFalse(Leftovers.running(pid), "worker " + pid + " still running");
        assertThrows(IllegalStateException.class, () -> pool.map(Pool.Square.class, List.of(1L)));
        assertTrue(pending.isDone());
    }

    @Test
    void badArgumentsAreRejectedClearly() throws Exception {
        assertEquals("pool size must be between 1 and 256, got 0", assertThrows(IllegalArgumentException.class, () -> new Pool(0)).getMessage());
        try (Pool pool = new Pool(1)) {
            assertThrows(IllegalArgumentException.class, () -> pool.map(Pool.Square.class, Pool.range(3), 0, null));
            assertThrows(IllegalArgumentException.class, () -> pool.map(Pool.Square.class, java.util.Arrays.asList(1L, null)));
            assertThrows(IllegalArgumentException.class, () -> pool.map(Slow.class, List.of(new Object())));
            pool.close();
            assertThrows(IllegalStateException.class, () -> pool.map(Pool.Square.class, List.of(1L)));
        }
    }

    @Test
    void sixteenWorkersOverTenThousandTasksLoseAndRepeatNothing() throws Exception {
        List<Object> expected = new ArrayList<>();
        for (long i = 0; i < 10_000; i++) expected.add(i * i);
        try (Pool pool = new Pool(16)) {
            assertEquals(expected, pool.map(Pool.Square.class, Pool.range(10_000), 50, null));
            assertEquals(0, pool.restarts());
            List<Pool.WorkerStats> s = pool.stats();
            assertEquals(10_000, s.stream().mapToInt(Pool.WorkerStats::tasks).sum());
            for (double mb : s.stream().mapToDouble(Pool.WorkerStats::peakRssMb).toArray()) assertTrue(mb > 0 && mb < 200, "peak RSS " + mb + " MB");
        }
    }
}
