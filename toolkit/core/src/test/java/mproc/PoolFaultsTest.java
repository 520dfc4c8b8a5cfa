package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 15 for the Pool: a replacement worker that cannot start, an Error in a feeder thread, values that
 * cannot travel, Errors thrown by the function, the initializer and the callbacks. Each fault is injected for
 * real (a java executable that is not there, a removed IPC directory, SIGKILL, a real OutOfMemoryError,
 * a real stack overflow); each test asserts that nothing hangs and no future stays pending.
 */
@ExtendWith(WorkerJvms.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PoolFaultsTest {
    private static final Duration BOUND = Duration.ofSeconds(60);

    /** Sleeps {@code x} ms, returns x. */
    public static final class Nap implements Fn<Object, Object> {
        @Override
        public Object apply(Object x) throws Exception {
            Thread.sleep(((Number) x).longValue());
            return x;
        }
    }

    public static final class ThrowsError implements Fn<Object, Object> {
        @Override
        public Object apply(Object x) {
            throw new Error("custom failure of " + x);
        }
    }

    public static final class Overflows implements Fn<Object, Object> {
        @Override
        public Object apply(Object x) {
            return depth(0);
        }

        private static int depth(int d) {
            return depth(d + 1) + 1;
        }
    }

    /** Asks for a 16 GiB array: a real OutOfMemoryError in a worker whose heap is smaller. */
    public static final class OutOfMemory implements Fn<Object, Object> {
        @Override
        public Object apply(Object x) {
            long[] huge = new long[Integer.MAX_VALUE - 16];
            return huge.length;
        }
    }

    public static final class WherePid implements Fn<Object, Object> {
        @Override
        public Object apply(Object x) {
            return ProcessHandle.current().pid();
        }
    }

    private static void killWorkers(Pool pool) throws InterruptedException {
        for (long pid : pool.pids()) {
            ProcessHandle h = ProcessHandle.of(pid).orElseThrow();
            h.destroyForcibly(); // SIGKILL
            h.onExit().orTimeout(30, TimeUnit.SECONDS).join();
        }
    }

    private static Throwable failureOf(Future<?> f) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(BOUND.toSeconds(), TimeUnit.SECONDS),
                "the future fails within " + BOUND + ", it does not hang");
        return e.getCause();
    }

    private static String chain(Throwable t) {
        StringBuilder b = new StringBuilder();
        for (; t != null; t = t.getCause()) b.append(t).append(" <- ");
        return b.toString();
    }

    // ------------------------------------------------------------------ item 6: replacements that cannot start

    /**
     * The java executable is made invalid (java.home points nowhere), then the worker is SIGKILLed: its
     * replacement cannot start. Pending work fails with a BrokenPoolException naming the cause, later calls
     * fail at once, and close() returns.
     */
    @Test
    void aReplacementThatCannotStartBreaksThePoolInsteadOfHanging() throws Exception {
        String javaHome = System.getProperty("java.home");
        Pool pool = new Pool(2);
        try {
            assertEquals(List.of(1L, 4L), pool.map(Pool.Square.class, List.of(1, 2)));
            System.setProperty("java.home", "/nonexistent-java-home-for-a-test");
            killWorkers(pool);
            CompletableFuture<List<Object>> map = pool.mapAsync(Pool.Square.class, Pool.range(20));
            CompletableFuture<Object> one = pool.applyAsync(Pool.Square.class, 3);
            Throwable e = failureOf(map);
            assertInstanceOf(BrokenPoolException.class, e, chain(e));
            assertTrue(e.getMessage().contains("cannot start the pool's worker JVM"), e.getMessage());
            assertTrue(chain(e).contains("nonexistent-java-home-for-a-test"), "the cause is named: " + chain(e));
            assertInstanceOf(BrokenPoolException.class, failureOf(one));
            assertSame(pool.broken(), pool.broken());
            assertNotNull(pool.broken());
            assertThrows(BrokenPoolException.class, () -> pool.map(Pool.Square.class, List.of(1)), "later calls fail at once");
            assertThrows(BrokenPoolException.class, () -> pool.imap((Integer x) -> x, List.of(1).iterator()).hasNext());
        } finally {
            System.setProperty("java.home", javaHome);
            long t0 = System.nanoTime();
            pool.close();
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), "close() returns promptly");
        }
    }

    /** The same through the executor: its futures fail with the BrokenPoolException, shutdown completes. */
    @Test
    void anExecutorWhoseReplacementCannotStartFailsItsFutures() throws Exception {
        String javaHome = System.getProperty("java.home");
        ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
        try {
            assertEquals(7, ex.submit(() -> 7).get(60, TimeUnit.SECONDS));
            System.setProperty("java.home", "/nonexistent-java-home-for-a-test");
            killWorkers(ex.pool());
            List<Future<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                int v = i;
                fs.add(ex.submit(() -> v));
            }
            for (Future<Integer> f : fs) assertInstanceOf(BrokenPoolException.class, failureOf(f));
            assertThrows(BrokenPoolException.class, () -> ex.submit(() -> 1), "a broken executor refuses work");
        } finally {
            System.setProperty("java.home", javaHome);
            ex.shutdown();
            assertTrue(ex.awaitTermination(30, TimeUnit.SECONDS), "shutdown completes");
        }
    }

    /**
     * Workers whose command fails (a class path without the toolkit: each JVM starts and exits at once, code 1):
     * after a bounded number of such starts the pool is broken, quoting what the JVM said; no endless restarts.
     */
    @Test
    void workersWhoseCommandFailsBreakThePoolQuotingTheJvm() throws Exception {
        String forced = System.getProperty("mproc.classpath");
        System.setProperty("mproc.classpath", "/nonexistent-classpath-for-a-test");
        Pool pool = null;
        try {
            pool = new Pool(1);
            Pool p = pool;
            CompletableFuture<List<Object>> map = p.mapAsync(Pool.Square.class, Pool.range(20));
            Throwable e = failureOf(map);
            assertInstanceOf(BrokenPoolException.class, e, chain(e));
            assertTrue(e.getMessage().contains("end before they start: " + Pool.START_DEATHS + " in a row"), e.getMessage());
            assertTrue(e.getMessage().contains("exit code 1"), e.getMessage());
            assertTrue(e.getMessage().contains("WorkerMain"), "what the JVM said is quoted: " + e.getMessage());
            assertEquals(Pool.START_DEATHS - 1, pool.restarts(), "bounded: no endless restarts");
            assertThrows(BrokenPoolException.class, () -> p.apply(Pool.Square.class, 1));
        } finally {
            if (forced == null) System.clearProperty("mproc.classpath");
            else System.setProperty("mproc.classpath", forced);
            if (pool != null) {
                long t0 = System.nanoTime();
                pool.close();
                assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), "close() returns promptly");
            }
        }
    }

    /** A pool that cannot start at all: the constructor fails naming the cause, and leaves no worker behind. */
    @Test
    void aPoolThatCannotStartFailsInItsConstructorLeavingNothing() {
        String javaHome = System.getProperty("java.home");
        System.setProperty("java.home", "/nonexistent-java-home-for-a-test");
        try {
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> new Pool(2));
            assertTrue(chain(e).contains("nonexistent-java-home-for-a-test"), chain(e));
        } finally {
            System.setProperty("java.home", javaHome);
        }
    }

    /**
     * The IPC directory is removed under a running pool, then its worker is SIGKILLed (in a JVM of its own,
     * so that this test JVM keeps its directory): a pool's workers talk over their stdin and stdout, not
     * through that directory, so the replacement worker runs the map, and terminate() returns.
     */
    @Test
    void aRemovedIpcDirectoryDoesNotStopThePool() throws Exception {
        Worker w = new Worker(PoolFaultTasks.RemoveIpcDir.class);
        w.start();
        assertTrue(w.join(Duration.ofSeconds(120)), "the child ends: " + w.output());
        String out = String.join("\n", w.output());
        assertEquals(0, w.exitCode(), out);
        assertTrue(out.contains("removed "), out);
        assertTrue(out.contains("result [9]"), out);
        assertTrue(out.contains("terminated"), out);
    }

    /**
     * An Error thrown in a feeder thread (injected through the test hook, between sending and receiving):
     * the map fails with a BrokenPoolException whose cause is that Error, later calls fail at once, and
     * close() returns with no future pending.
     */
    @Test
    void anErrorInAFeederThreadBreaksThePoolAndNothingStaysPending() throws Exception {
        AtomicBoolean thrown = new AtomicBoolean();
        Pool pool = new Pool(2);
        try {
            pool.map(Pool.Square.class, List.of(1, 2, 3));
            Pool.beforeReceiveHook = () -> {
                if (thrown.compareAndSet(false, true)) throw new OutOfMemoryError("injected into the feeder");
            };
            List<CompletableFuture<Object>> singles = new ArrayList<>();
            CompletableFuture<List<Object>> map = pool.mapAsync(Nap.class, List.of(50, 50, 50, 50, 50, 50, 50, 50));
            for (int i = 0; i < 4; i++) {
                try {
                    singles.add(pool.applyAsync(Nap.class, 50));
                } catch (BrokenPoolException x) {
                    // broken already: refused at the call, as it should be
                }
            }
            Throwable e = failureOf(map);
            assertTrue(thrown.get());
            assertInstanceOf(BrokenPoolException.class, e, chain(e));
            assertInstanceOf(OutOfMemoryError.class, e.getCause(), chain(e));
            assertTrue(e.getMessage().contains("injected into the feeder"), e.getMessage());
            for (CompletableFuture<Object> f : singles) {
                try {
                    f.get(BOUND.toSeconds(), TimeUnit.SECONDS); // ran on the healthy slot before the break: fine
                } catch (ExecutionException x) {
                    assertInstanceOf(BrokenPoolException.class, x.getCause());
                }
            }
            assertThrows(BrokenPoolException.class, () -> pool.apply(Pool.Square.class, 2));
        } finally {
            Pool.beforeReceiveHook = null;
            long t0 = System.nanoTime();
            pool.close();
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), "close() returns promptly");
        }
    }

    /**
     * Four threads submit 100 tasks each while an Error breaks a feeder at its 50th answer: every task is
     * answered, failed with the BrokenPoolException, or refused at the call; none is left pending, none lost.
     */
    @Test
    void tasksSubmittedByManyThreadsWhileThePoolBreaksAreNeverLeftPending() throws Exception {
        java.util.concurrent.atomic.AtomicInteger receives = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();
        List<CompletableFuture<Object>> all = java.util.Collections.synchronizedList(new ArrayList<>());
        Pool pool = new Pool(2);
        try {
            Pool.beforeReceiveHook = () -> {
                if (receives.incrementAndGet() == 50) throw new OutOfMemoryError("injected at the 50th answer");
            };
            List<Thread> threads = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                Thread th = new Thread(() -> {
                    for (int i = 0; i < 100; i++) {
                        try {
                            all.add(pool.applyAsync(Pool.Square.class, i));
                        } catch (BrokenPoolException e) {
                            refused.incrementAndGet();
                        }
                    }
                });
                th.start();
                threads.add(th);
            }
            for (Thread th : threads) th.join(60_000);
            int ok = 0, failed = 0;
            for (CompletableFuture<Object> f : List.copyOf(all)) {
                try {
                    f.get(BOUND.toSeconds(), TimeUnit.SECONDS);
                    ok++;
                } catch (ExecutionException e) {
                    assertInstanceOf(BrokenPoolException.class, e.getCause(), chain(e));
                    failed++;
                }
            }
            assertEquals(400, ok + failed + refused.get(), "every task accounted for");
            assertTrue(ok >= 1 && failed + refused.get() >= 1, ok + " answered, " + failed + " failed, " + refused + " refused");
            System.out.println("broken under load: " + ok + " answered, " + failed + " failed, " + refused + " refused, 0 pending");
        } finally {
            Pool.beforeReceiveHook = null;
            long t0 = System.nanoTime();
            pool.close();
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), "close() returns promptly");
        }
    }

    /** terminate() while tasks run and wait: every future is done when it returns. */
    @Test
    void terminateLeavesNoFuturePending() throws Exception {
        Pool pool = new Pool(2);
        List<CompletableFuture<Object>> fs = new ArrayList<>();
        for (int i = 0; i < 6; i++) fs.add(pool.applyAsync(Nap.class, 30_000));
        Thread.sleep(1_000);
        long t0 = System.nanoTime();
        pool.terminate();
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), "terminate() returns promptly");
        for (CompletableFuture<Object> f : fs) {
            assertTrue(f.isDone(), "no future pending after terminate()");
            ExecutionException e = assertThrows(ExecutionException.class, f::get);
            assertTrue(e.getCause().getMessage().contains("terminated"), e.getCause().toString());
        }
    }

    // ------------------------------------------------------------------ item 5: refused at the call

    /**
     * Values that cannot travel are refused at the call, with their type named, and the worker lives on:
     * an object of no plain-data type, one nested in a list, and a chunk over the size of one message.
     */
    @Test
    void aValueThatCannotTravelIsRefusedAtTheCallAndNoWorkerIsKilled() throws Exception {
        try (Pool pool = new Pool(1)) {
            List<Long> pids = pool.pids();
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> pool.map(Pool.Square.class, List.of(1, 2, new StringBuilder("x"))));
            assertTrue(e.getMessage().contains("java.lang.StringBuilder"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> pool.applyAsync(Pool.Square.class, List.of(1, new Object())));
            assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> pool.imap((Object x) -> x,
                    List.<Object>of(1, Thread.currentThread()).iterator(), 2).next());
            assertTrue(e.getMessage().contains("Thread"), e.getMessage());
            byte[] big = new byte[FrameChannel.MAX_FRAME - 16];
            e = assertThrows(IllegalArgumentException.class, () -> pool.applyAsync(Pool.Square.class, big));
            assertTrue(e.getMessage().contains("too large") && e.getMessage().contains("byte[]"), e.getMessage());
            byte[] half = new byte[FrameChannel.MAX_FRAME / 2 + 16];
            e = assertThrows(IllegalArgumentException.class, () -> pool.map(Nap.class, List.of(half, half), 2, null));
            assertTrue(e.getMessage().contains("inputs 0 to 1") && e.getMessage().contains("chunksize"), e.getMessage());
            assertEquals(List.of(0L, 1L, 4L), pool.map(Pool.Square.class, List.of(0, 1, 2)), "the pool still works");
            assertEquals(pids, pool.pids(), "no worker was killed for a value");
            assertEquals(0, pool.restarts());
        }
    }

    record Holder(Object value) {}

    /** Many kinds of values that cannot travel, each alone and inside a map's inputs: all refused at the call. */
    @Test
    void everyKindOfValueThatCannotTravelIsRefusedAtTheCall() throws Exception {
        Object deep = 1;
        for (int i = 0; i < 100; i++) deep = List.of(deep);
        java.util.Map<String, Object> badMap = new java.util.HashMap<>();
        badMap.put("k", new java.util.concurrent.atomic.AtomicLong(1));
        List<Object> bad = List.of(new StringBuilder("s"), new Object(), Thread.currentThread(),
                new java.util.concurrent.atomic.AtomicLong(5), new java.util.Date(0), java.util.Optional.of(1),
                new int[][] {{1}}, (Runnable) () -> { }, badMap, new Holder(new Object()), deep,
                java.util.List.of(1, new java.io.File("/")), new Exception("an exception is not data"));
        try (Pool pool = new Pool(1)) {
            List<Long> pids = pool.pids();
            int refused = 0;
            for (Object v : bad) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> pool.applyAsync(Pool.Square.class, v), "refused at the call: " + v.getClass());
                assertTrue(e.getMessage().contains("cannot travel"), e.getMessage());
                List<Object> inputs = new ArrayList<>(List.of(1, 2, 3));
                inputs.add(v);
                assertThrows(IllegalArgumentException.class, () -> pool.mapAsync(Pool.Square.class, inputs));
                refused += 2;
            }
            assertEquals(List.of(1L, 4L, 9L), pool.map(Pool.Square.class, List.of(1, 2, 3)), "nothing of them ran");
            assertEquals(pids, pool.pids(), "no worker was killed for a value");
            assertEquals(0, pool.restarts());
            System.out.println("values that cannot travel: " + refused + " calls refused, 0 workers killed");
        }
    }

    /** The inputs are encoded at the call: changing them afterwards changes nothing in the worker. */
    @Test
    void inputsAreTakenAtTheCall() throws Exception {
        try (Pool pool = new Pool(1)) {
            List<Object> in = new ArrayList<>(List.of(1, 2));
            CompletableFuture<Object> f = pool.applyAsync(Nap.class, 500); // keeps the worker busy
            CompletableFuture<List<Object>> g = pool.mapAsync((List<Object> l) -> l.size(), List.of(in));
            in.add(3);
            assertEquals(500, f.get(60, TimeUnit.SECONDS));
            assertEquals(List.of(2), g.get(60, TimeUnit.SECONDS));
        }
    }

    /** A result that cannot travel back fails the task with the type named; the worker is not killed. */
    @Test
    void aResultThatCannotTravelBackFailsTheTaskNotTheWorker() throws Exception {
        try (Pool pool = new Pool(1)) {
            List<Long> pids = pool.pids();
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> pool.apply((Integer x) -> new StringBuilder("r" + x), 1));
            RemoteException r = assertInstanceOf(RemoteException.class, e.getCause(), chain(e));
            assertTrue(IllegalArgumentException.class.isAssignableFrom(Class.forName(r.getRemoteClassName())), r.getRemoteClassName());
            assertTrue(r.getMessage().contains("StringBuilder"), r.getMessage());
            assertEquals(9L, (long) pool.apply(Pool.Square.class, 3));
            assertEquals(pids, pool.pids());
            assertEquals(0, pool.restarts());
        }
    }

    // ------------------------------------------------------------------ Errors thrown by the function

    /** An Error and a real StackOverflowError thrown by the function reach the caller; the worker lives on. */
    @Test
    void anErrorThrownByTheFunctionReachesTheCallerAndTheWorkerLivesOn() throws Exception {
        try (Pool pool = new Pool(1)) {
            List<Long> pids = pool.pids();
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.map(ThrowsError.class, List.of(4)));
            RemoteException r = assertInstanceOf(RemoteException.class, e.getCause(), chain(e));
            assertEquals("java.lang.Error", r.getRemoteClassName());
            assertEquals("custom failure of 4", r.getRemoteMessage());

            e = assertThrows(IllegalStateException.class, () -> pool.apply(Overflows.class, 1));
            r = assertInstanceOf(RemoteException.class, e.getCause(), chain(e));
            assertEquals("java.lang.StackOverflowError", r.getRemoteClassName());

            AtomicReference<Throwable> seen = new AtomicReference<>();
            CompletableFuture<Object> f = pool.applyAsync((Integer x) -> {
                throw new AssertionError("asserted " + x);
            }, 5, v -> { }, seen::set);
            assertThrows(ExecutionException.class, () -> f.get(60, TimeUnit.SECONDS));
            assertEquals("java.lang.AssertionError", ((RemoteException) seen.get()).getRemoteClassName());

            assertEquals(16L, (long) pool.apply(Pool.Square.class, 4));
            assertEquals(pids, pool.pids(), "the worker was not taken for dead");
            assertEquals(0, pool.restarts());
        }
    }

    /** The executor: a task's Error fails its future with the RemoteException; the executor is not broken. */
    @Test
    void anErrorThrownByAnExecutorTaskFailsItsFuture() throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            Future<Object> f = ex.submit((Call<Object>) () -> {
                throw new Error("task error");
            });
            RemoteException r = assertInstanceOf(RemoteException.class, failureOf(f));
            assertEquals("java.lang.Error", r.getRemoteClassName());
            assertEquals("task error", r.getRemoteMessage());
            assertEquals(3, ex.submit(() -> 3).get(60, TimeUnit.SECONDS));
            assertNull(ex.pool().broken());
            assertEquals(0, ex.pool().restarts());
        }
    }

    /**
     * A real OutOfMemoryError in the function reaches the caller as the function's failure; that worker
     * then ends (a JVM out of memory is not trusted with more work) and a fresh one takes over.
     */
    @Test
    void anOutOfMemoryErrorReachesTheCallerAndTheWorkerIsReplaced() throws Exception {
        try (Pool pool = new Pool(1)) {
            long before = pool.pids().get(0);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> pool.apply(OutOfMemory.class, 1));
            RemoteException r = assertInstanceOf(RemoteException.class, e.getCause(), chain(e));
            assertEquals("java.lang.OutOfMemoryError", r.getRemoteClassName());
            ProcessHandle.of(before).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join());
            assertEquals(List.of(1L, 4L, 9L), pool.map(Pool.Square.class, List.of(1, 2, 3)), "a fresh worker runs the rest");
            long after = (long) pool.apply(WherePid.class, 0);
            assertNotEquals(before, after);
            assertEquals(1, pool.restarts());
        }
    }

    /**
     * After an OutOfMemoryError the worker answers and ends; the task sent ahead to it never started there,
     * so it runs on the fresh worker, even with failFast (not "its worker died 1 times").
     */
    @Test
    void aTaskBehindAnOutOfMemoryErrorIsNotChargedWithThatWorkersEnd() throws Exception {
        try (Pool pool = Pool.builder().processes(1).failFast().build()) {
            assertEquals(4L, (long) pool.apply(Pool.Square.class, 2L), "warm: the next task is sent ahead");
            CompletableFuture<Object> oom = pool.applyAsync(OutOfMemory.class, 1);
            CompletableFuture<Long> after = pool.applyAsync(Pool.Square.class, 5L);
            ExecutionException e = assertThrows(ExecutionException.class, () -> oom.get(60, TimeUnit.SECONDS));
            RemoteException r = assertInstanceOf(RemoteException.class, e.getCause().getCause(), chain(e));
            assertEquals("java.lang.OutOfMemoryError", r.getRemoteClassName());
            assertEquals(25L, (long) after.get(60, TimeUnit.SECONDS), "the task behind it ran on the fresh worker");
            assertEquals(1, pool.restarts());
        }
    }

    // ------------------------------------------------------------------ initializer and callbacks

    /** An initializer that throws an Error breaks the pool with that Error named, at once (not after retries). */
    @Test
    void anInitializerThatThrowsAnErrorBreaksThePoolNamingIt() throws Exception {
        try (Pool pool = Pool.builder().processes(1).initializer(args -> {
            throw new Error("init error " + args.get(0));
        }, "x").build()) {
            BrokenPoolException e = assertThrows(BrokenPoolException.class, () -> pool.map(Pool.Square.class, List.of(1, 2)));
            RemoteException r = assertInstanceOf(RemoteException.class, e.getCause(), chain(e));
            assertEquals("java.lang.Error", r.getRemoteClassName());
            assertEquals("init error x", r.getRemoteMessage());
            assertEquals(0, pool.restarts(), "the worker was not taken for dead");
        }
    }

    /** Initargs are checked and encoded when given: one that cannot travel is refused there; later changes do not count. */
    @Test
    void initargsAreCheckedAndTakenWhenGiven() throws Exception {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Pool.builder().initializer(a -> null, new StringBuilder("x")));
        assertTrue(e.getMessage().contains("java.lang.StringBuilder"), e.getMessage());
        List<Object> arg = new ArrayList<>(List.of("a"));
        Pool.Builder b = Pool.builder().processes(1).initializer(a -> {
            PoolFaultTasks.seen = String.valueOf(a.get(0));
            return null;
        }, arg);
        arg.add("b");
        try (Pool pool = b.build()) {
            assertEquals("[a]", pool.apply((Integer x) -> PoolFaultTasks.seen, 0));
            killWorkers(pool); // the replacement runs the initializer again, with the same initargs
            assertEquals("[a]", pool.apply((Integer x) -> PoolFaultTasks.seen, 0));
            assertEquals(1, pool.restarts());
        }
    }

    /** Callbacks that throw (an Error, a RuntimeException) do not hang the call or the pool. */
    @Test
    void callbacksThatThrowDoNotHangThePool() throws Exception {
        try (Pool pool = new Pool(1)) {
            CompletableFuture<Long> ok = pool.applyAsync((Integer x) -> (long) x * x, 3, v -> {
                throw new Error("callback error");
            }, null);
            assertEquals(9L, ok.get(60, TimeUnit.SECONDS), "the result still reaches the future");
            CompletableFuture<List<Long>> bad = pool.mapAsync((Integer x) -> {
                if (x == 2) throw new IllegalArgumentException("two");
                return (long) x;
            }, List.of(1, 2, 3), 1, v -> { }, t -> {
                throw new IllegalStateException("error callback fails too");
            });
            assertThrows(ExecutionException.class, () -> bad.get(60, TimeUnit.SECONDS));
            assertEquals(List.of(0L, 1L), pool.map(Pool.Square.class, List.of(0, 1)), "the pool goes on");
        }
    }
}
