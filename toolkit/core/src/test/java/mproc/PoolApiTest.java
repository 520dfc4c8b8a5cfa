package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The rest of Python's Pool API: starmap, imapUnordered, mapAsync, apply, callbacks, initializer, maxTasksPerChild, timeouts, retries. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class PoolApiTest {
    /** What the initializer sets in a worker JVM, and how often it ran there. */
    static volatile String prefix = "unset";
    static volatile int inits;

    /** Sleeps {@code x * 400} ms, returns x. */
    public static final class Sleepy implements Fn<Object, Object> {
        @Override
        public Object apply(Object x) throws Exception {
            Thread.sleep(((Number) x).longValue() * 400);
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

    /** Writes its pid to the file named by the input, sleeps 2 s, returns its pid. */
    public static final class MarkAndWait implements Fn<Object, Object> {
        @Override
        public Object apply(Object path) throws Exception {
            long pid = ProcessHandle.current().pid();
            Files.writeString(Path.of((String) path + ".tmp"), Long.toString(pid));
            Files.move(Path.of((String) path + ".tmp"), Path.of((String) path), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Thread.sleep(2_000);
            return pid;
        }
    }

    /** A path (it starts with '/') is marked and waited on, as {@link MarkAndWait}; any other input comes back. */
    public static final class MarkOrEcho implements Fn<Object, Object> {
        @Override
        public Object apply(Object in) throws Exception {
            return ((String) in).startsWith("/") ? new MarkAndWait().apply(in) : in;
        }
    }

    @AfterEach
    void nothingLeftRunning() throws Exception {
        Leftovers.endAndCheck(h -> Leftovers.running(h.pid()));
    }

    @Test
    void defaultSizeIsTheProcessorsAndStarmapSpreadsArgumentLists() throws Exception {
        try (Pool pool = new Pool()) {
            assertEquals(Runtime.getRuntime().availableProcessors(), pool.size());
            Fn<List<Object>, Integer> add = a -> ((Number) a.get(0)).intValue() * 10 + ((Number) a.get(1)).intValue();
            assertEquals(List.of(12, 34, 56), pool.starmap(add, List.of(List.of(1, 2), new int[] {3, 4}, new Object[] {5, 6})));
            assertEquals(List.of(12, 34), pool.starmapAsync(add, List.of(List.of(1, 2), List.of(3, 4))).get(30, TimeUnit.SECONDS));
            assertThrows(IllegalArgumentException.class, () -> pool.starmap(add, List.of(5)), "an input that is not a list");
        }
    }

    @Test
    void imapUnorderedYieldsInCompletionOrderAndImapInInputOrder() throws Exception {
        try (Pool pool = new Pool(3)) {
            // the workers' code loaded, so the sleeps decide the order; and each chunk measured long (400 ms),
            // so no worker is sent a second chunk ahead of its answer (see Pool's Slot.feed): one input each
            pool.map(Sleepy.class, List.of(1L, 1L, 1L), 1, null);
            List<Object> unordered = new ArrayList<>();
            pool.imapUnordered(Sleepy.class, List.of(3L, 1L, 2L).iterator(), 1).forEachRemaining(unordered::add);
            assertEquals(List.of(1L, 2L, 3L), unordered, "the shortest sleep first");
            List<Object> ordered = new ArrayList<>();
            pool.imap(Sleepy.class, List.of(3L, 1L, 2L).iterator(), 1).forEachRemaining(ordered::add);
            assertEquals(List.of(3L, 1L, 2L), ordered, "imap keeps the input order");
            Iterator<Long> squares = pool.imapUnordered((Long x) -> x * x, List.of(1L, 2L, 3L, 4L).iterator());
            List<Long> got = new ArrayList<>();
            squares.forEachRemaining(got::add);
            got.sort(null);
            assertEquals(List.of(1L, 4L, 9L, 16L), got, "every result once");
        }
    }

    @Test
    void mapAsyncApplyAndCallbacks() throws Exception {
        try (Pool pool = new Pool(2)) {
            CompletableFuture<List<Long>> f = pool.mapAsync(Pool.Square.class, Pool.range(20));
            List<Long> expected = new ArrayList<>();
            for (long i = 0; i < 20; i++) expected.add(i * i);
            assertEquals(expected, f.get(30, TimeUnit.SECONDS));

            AtomicReference<List<Long>> seen = new AtomicReference<>();
            AtomicReference<Thread> on = new AtomicReference<>();
            CompletableFuture<List<Long>> g = pool.mapAsync((Long x) -> x + 1, List.of(1L, 2L), 1, l -> {
                seen.set(l);
                on.set(Thread.currentThread());
            }, null);
            assertEquals(List.of(2L, 3L), g.get(30, TimeUnit.SECONDS));
            assertEquals(List.of(2L, 3L), seen.get(), "the callback ran before the future completed");
            assertEquals("mproc-pool-callbacks", on.get().getName());

            assertEquals(49L, (long) pool.apply(Pool.Square.class, 7L));
            assertEquals(9L, (long) pool.apply((Long x) -> x * x, 3L));
            AtomicReference<Object> result = new AtomicReference<>();
            assertEquals(16L, (long) pool.applyAsync((Long x) -> x * x, 4L, result::set, null).get(30, TimeUnit.SECONDS));
            assertEquals(16L, result.get());
        }
    }

    @Test
    void aTasksExceptionArrivesWithItsClassMessageAndRemoteStackTrace() throws Exception {
        try (Pool pool = new Pool(1)) {
            List<Throwable> errors = new CopyOnWriteArrayList<>();
            List<Object> results = new CopyOnWriteArrayList<>();
            Fn<Long, Long> boom = x -> {
                if (x == 7) throw new IllegalArgumentException("seven is bad");
                return x;
            };
            CompletableFuture<Long> f = pool.applyAsync(boom, 7L, results::add, errors::add);
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
            assertEquals(List.of(), results, "no result for a failed task");
            assertEquals(1, errors.size(), "errorCallback called once");
            RemoteException r = assertInstanceOf(RemoteException.class, errors.get(0));
            assertEquals("java.lang.IllegalArgumentException", r.getRemoteClassName());
            assertEquals("seven is bad", r.getRemoteMessage());
            assertEquals("java.lang.IllegalArgumentException: seven is bad", r.getMessage());
            assertEquals(PoolApiTest.class.getName(), r.getStackTrace()[0].getClassName(), "thrown in this class's lambda, in the worker");
            assertTrue(r.getRemoteStackTrace().contains("at mproc.PoolWorker.run"), r.getRemoteStackTrace());
            assertSame(r, e.getCause().getCause(), "the future's failure names the task, its cause is the remote exception");
            assertTrue(e.getCause().getMessage().contains("(inputs [7]) failed"), e.getCause().getMessage());

            IllegalStateException m = assertThrows(IllegalStateException.class, () -> pool.map(Boom.class, Pool.range(10), 1, null));
            RemoteException mr = assertInstanceOf(RemoteException.class, m.getCause());
            assertEquals("java.lang.IllegalArgumentException", mr.getRemoteClassName());
            assertEquals(Boom.class.getName(), mr.getStackTrace()[0].getClassName());
            assertEquals("apply", mr.getStackTrace()[0].getMethodName());
            assertEquals(0, pool.restarts(), "a task's exception is not a worker death, and is not retried");
        }
    }

    @Test
    void theInitializerRunsOncePerWorkerAndTasksSeeWhatItSet() throws Exception {
        Pool pool = Pool.builder().processes(2).initializer(a -> {
            prefix = (String) a.get(0);
            inits++;
            return null;
        }, "db:").build();
        try (pool) {
            List<String> out = pool.map((Long x) -> prefix + x + "/" + inits, List.of(1L, 2L, 3L, 4L, 5L, 6L), 1, null);
            assertEquals(List.of("db:1/1", "db:2/1", "db:3/1", "db:4/1", "db:5/1", "db:6/1"), out);
            assertEquals("unset", prefix, "the initializer ran in the workers, not here");
        }
    }

    @Test
    void anInitializerThatThrowsBreaksThePoolWithAClearError() throws Exception {
        Pool pool = Pool.builder().processes(2).initializer(a -> {
            throw new IllegalStateException("no database at " + a.get(0));
        }, "db:1").build();
        try (pool) {
            BrokenPoolException e = assertThrows(BrokenPoolException.class, () -> pool.map(Pool.Square.class, Pool.range(4)));
            assertTrue(e.getMessage().contains("initializer failed") && e.getMessage().contains("no database at db:1"), e.getMessage());
            RemoteException r = assertInstanceOf(RemoteException.class, e.getCause());
            assertEquals("java.lang.IllegalStateException", r.getRemoteClassName());
            assertThrows(BrokenPoolException.class, () -> pool.apply(Pool.Square.class, 1L), "later calls fail too");
            assertNotNull(pool.broken());
            assertEquals(0, pool.restarts(), "no worker restarted over and over (Python would)");
        }
    }

    @Test
    void anInitializerThatKillsItsWorkerBreaksThePoolAfterBoundedRetries() throws Exception {
        try (Pool pool = Pool.builder().processes(1).initializer(a -> {
            Runtime.getRuntime().halt(3);
            return null;
        }).build()) {
            BrokenPoolException e = assertThrows(BrokenPoolException.class, () -> pool.apply(Pool.Square.class, 2L));
            assertTrue(e.getMessage().contains("died in the initializer " + Pool.MAX_TRIES + " times in a row")
                    && e.getMessage().contains("exit code 3"), e.getMessage());
            assertEquals(Pool.MAX_TRIES - 1, pool.restarts(), "replaced until the limit, then given up");
        }
    }

    @Test
    void maxTasksPerChildReplacesWorkers() throws Exception {
        try (Pool pool = Pool.builder().processes(2).maxTasksPerChild(2).build()) {
            List<Long> pids = pool.map((Integer x) -> ProcessHandle.current().pid(), Pool.range(10), 1, null);
            assertEquals(10, pids.size());
            // no JVM runs more than two tasks; at the end two fresh workers may share the last two tasks
            assertTrue(pids.stream().distinct().count() >= 5, "ten tasks, at most two per worker JVM: " + pids);
            for (long pid : pids) assertTrue(pids.stream().filter(p -> p == pid).count() <= 2, "at most two tasks in " + pid + ": " + pids);
            assertTrue(pool.retirements() >= 4, "retirements " + pool.retirements());
            assertEquals(0, pool.restarts(), "replaced, not died");
        }
    }

    @Test
    void aPerCallTimeoutFailsTheCallAndThePoolGoesOn() throws Exception {
        try (Pool pool = new Pool(1)) {
            long t0 = System.nanoTime();
            assertThrows(TimeoutException.class, () -> pool.apply((Long x) -> {
                Thread.sleep(x);
                return x;
            }, 1_500L, Duration.ofMillis(200)));
            assertThrows(TimeoutException.class, () -> pool.map((Long x) -> {
                Thread.sleep(x);
                return x;
            }, List.of(1_000L, 1_000L, 1_000L), Duration.ofMillis(300)));
            assertTrue(System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(1_400), "did not wait for the tasks");
            assertEquals(List.of(1L, 4L), pool.map((Long x) -> x * x, List.of(1L, 2L), Duration.ofSeconds(30)));
        }
    }

    /** Kills the process whose pid appears in {@code mark} (once). */
    static Thread killWhenMarked(Path mark, List<Long> killed) {
        Thread t = new Thread(() -> {
            try {
                while (!Files.exists(mark)) Thread.sleep(10);
                long pid = Long.parseLong(Files.readString(mark).trim());
                killed.add(pid);
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            } catch (Exception e) {
                // the test fails on its own
            }
        });
        t.start();
        return t;
    }

    @Test
    void aTaskWhoseWorkerIsKilledMidTaskRunsAgainOnAFreshWorker(@TempDir Path dir) throws Exception {
        try (Pool pool = new Pool(1)) {
            Path mark = dir.resolve("started");
            List<Long> killed = new CopyOnWriteArrayList<>();
            Thread killer = killWhenMarked(mark, killed);
            long pid = (Long) pool.apply(MarkAndWait.class, mark.toString());
            killer.join();
            assertEquals(1, killed.size());
            assertNotEquals(killed.get(0), pid, "the result came from the fresh worker");
            assertEquals(1, pool.restarts());
        }
    }

    @Test
    void shortChunksAreSentSeveralAheadAndLongOnesOneAtATime() throws Exception {
        // a worker whose chunks take microseconds finds several waiting in its stdin (up to Pool.MAX_HELD), so that
        // it does not idle while the parent's threads wait for a core; one whose chunks take milliseconds gets one
        // at a time, so that none waits behind another's while a worker is idle
        List<Integer> held = new CopyOnWriteArrayList<>(); // chunks the worker holds after each send
        try (Pool pool = new Pool(1)) {
            pool.map(Pool.Square.class, Pool.range(2_000), 1, null); // compiled: its chunks are measured short
            Pool.afterSendHook = held::add;
            List<Object> out = pool.map(Pool.Square.class, Pool.range(2_000), 1, null);
            assertEquals(2_000, out.size());
            for (int i = 0; i < out.size(); i++) assertEquals((long) i * i, out.get(i), "result " + i + " in input order");
            int most = held.stream().mapToInt(Integer::intValue).max().orElse(0);
            assertTrue(most > 2, "short chunks: at most " + most + " held at once");
            held.clear();
            pool.map(PoolTest.Slow.class, Pool.range(6), 1, null); // 20 ms each
            Pool.afterSendHook = null;
            assertEquals(6, held.size(), "one send per chunk: " + held);
            // new work after an idle spell: one ahead at most until its first answer is measured, then one at a time
            assertTrue(held.get(1) <= 2 && held.subList(2, 6).stream().allMatch(n -> n == 1), "long chunks: " + held);
        } finally {
            Pool.afterSendHook = null;
        }
    }

    @Test
    void oneShortAnswerAmongLongChunksLetsAWorkerTakeFewMore() throws Exception {
        // a 0 ms chunk, then 20 ms ones: the worker's allowance grows at most twofold per answer, so it does not
        // take every long chunk there is on the strength of one short answer (another worker would idle)
        List<Integer> held = new CopyOnWriteArrayList<>(); // chunks the worker holds after each send
        java.util.concurrent.CountDownLatch queued = new java.util.concurrent.CountDownLatch(1);
        try (Pool pool = new Pool(1)) {
            PoolFaultsTest.Nap nap = new PoolFaultsTest.Nap();
            for (int i = 0; i < 3; i++) pool.mapAsync(nap, List.of(0L), 1, null, null).get(30, TimeUnit.SECONDS); // its path warm
            Pool.afterSendHook = held::add;
            Pool.beforeReceiveHook = () -> { // the first answer is read once every chunk is queued
                try {
                    queued.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            List<Object> naps = new ArrayList<>(List.of(0L));
            for (int i = 0; i < 7; i++) naps.add(20L);
            CompletableFuture<List<Object>> f = pool.mapAsync(nap, naps, 1, null, null);
            queued.countDown();
            assertEquals(naps, f.get(30, TimeUnit.SECONDS));
            int most = held.stream().mapToInt(Integer::intValue).max().orElse(0);
            assertEquals(8, held.size(), "one send per chunk: " + held);
            assertTrue(most <= 4, "after one short answer the worker held " + most + " chunks at once: " + held);
        } finally {
            Pool.afterSendHook = null;
            Pool.beforeReceiveHook = null;
            queued.countDown();
        }
    }

    @Test
    void aTaskSentAheadIsNotChargedWithTheDeathOfTheTaskBeforeIt(@TempDir Path dir) throws Exception {
        // after a short chunk the feeder sends the next one ahead, so the worker holds "after" while it runs the
        // killed one; "after" never started there, so it runs on the fresh worker, even with failFast
        List<Integer> held = new CopyOnWriteArrayList<>(); // chunks the worker holds after each send
        Pool.afterSendHook = held::add;
        java.util.concurrent.CountDownLatch queued = new java.util.concurrent.CountDownLatch(1);
        try (Pool pool = Pool.builder().processes(1).failFast().build()) {
            assertEquals(List.of("warm"), pool.map(MarkOrEcho.class, List.of("warm")), "the function's path warmed up");
            Path mark = dir.resolve("started");
            List<Long> killed = new CopyOnWriteArrayList<>();
            Thread killer = killWhenMarked(mark, killed);
            // the feeder waits for the answer to "short" only once all three are queued: then it sends the
            // marked one and "after" (ahead), whatever the test thread's speed
            Pool.beforeReceiveHook = () -> {
                try {
                    queued.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            List<CompletableFuture<Object>> f = new ArrayList<>();
            for (String in : List.of("short", mark.toString(), "after")) f.add(pool.applyAsync(MarkOrEcho.class, in));
            queued.countDown();
            assertEquals("short", f.get(0).get(30, TimeUnit.SECONDS));
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(1).get(30, TimeUnit.SECONDS));
            assertTrue(e.getCause().getMessage().contains("its worker died 1 times"), e.getCause().getMessage());
            // sends: warm, short, the marked one, after (then after again, to the fresh worker)
            assertEquals(2, held.get(3), "'after' was sent ahead: the killed worker held it; " + held);
            assertEquals("after", f.get(2).get(30, TimeUnit.SECONDS), "the task behind it was not charged");
            killer.join();
            assertEquals(1, pool.restarts());
        } finally {
            Pool.afterSendHook = null;
            Pool.beforeReceiveHook = null;
            queued.countDown();
        }
    }

    @Test
    void failFastFailsATaskAtItsWorkersFirstDeath(@TempDir Path dir) throws Exception {
        try (Pool pool = Pool.builder().processes(1).failFast().build()) {
            Path mark = dir.resolve("started");
            List<Long> killed = new CopyOnWriteArrayList<>();
            Thread killer = killWhenMarked(mark, killed);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.apply(MarkAndWait.class, mark.toString()));
            killer.join();
            assertTrue(e.getMessage().contains("its worker died 1 times"), e.getMessage());
            assertEquals(25L, (long) pool.apply(Pool.Square.class, 5L), "the pool goes on");
            assertEquals(1, pool.restarts(), "on a fresh worker");
            assertNotEquals(killed.get(0), pool.pids().get(0));
        }
    }
}
