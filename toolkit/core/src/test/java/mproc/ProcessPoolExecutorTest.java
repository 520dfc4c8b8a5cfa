package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.io.Serializable;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ProcessPoolExecutorTest {
    /** A task class: its worker's pid. */
    public static final class WhereAmI implements Callable<Long> {
        @Override
        public Long call() {
            return ProcessHandle.current().pid();
        }
    }

    @AfterEach
    void nothingLeftRunning() throws Exception {
        Leftovers.endAndCheck(h -> Leftovers.running(h.pid()));
    }

    @Test
    void submitInvokeAllAndInvokeAnyRunInWorkerJvms() throws Exception {
        long here = ProcessHandle.current().pid();
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(2)) {
            int base = 6;
            Future<Integer> f = ex.submit(() -> base * 7);
            assertEquals(42, f.get(30, TimeUnit.SECONDS));
            long pid = ex.submit(WhereAmI.class).get(30, TimeUnit.SECONDS);
            assertNotEquals(here, pid);
            assertTrue(ex.pool().pids().contains(pid), "ran in one of the executor's workers");
            Call<Long> pidOf = () -> ProcessHandle.current().pid();
            assertNotEquals(here, (long) ex.submit(pidOf).get(30, TimeUnit.SECONDS), "a method reference-like lambda too");

            List<Long> squares = new java.util.ArrayList<>();
            ex.map((Long x) -> x * x, List.of(1L, 2L, 3L)).forEachRemaining(squares::add);
            assertEquals(List.of(1L, 4L, 9L), squares, "map, in input order");

            List<Call<Integer>> tasks = List.of(() -> 1, () -> {
                Thread.sleep(300);
                return 2;
            }, () -> 3);
            List<Future<Integer>> all = ex.invokeAll(tasks);
            assertEquals(3, all.size());
            for (Future<Integer> g : all) assertTrue(g.isDone(), "invokeAll returns when all are done");
            assertEquals(List.of(1, 2, 3), all.stream().map(Future::resultNow).toList());

            List<Call<Integer>> race = List.of(() -> {
                Thread.sleep(3_000);
                return 1;
            }, () -> 2);
            assertEquals(2, ex.invokeAny(race), "the first to succeed");
            List<Call<Integer>> oneFails = List.of(() -> {
                throw new IllegalStateException("no");
            }, () -> {
                Thread.sleep(200);
                return 5;
            });
            assertEquals(5, ex.invokeAny(oneFails), "a failure does not win");
        }
    }

    @Test
    void completableFuturesChainOnAWorkersResult() throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            long here = ProcessHandle.current().pid();
            CompletableFuture<Long> pid = CompletableFuture.supplyAsync(ex.remote(() -> ProcessHandle.current().pid()), ex);
            assertNotEquals(here, (long) pid.get(30, TimeUnit.SECONDS), "the supplier's body ran in a worker");
            assertEquals(43, CompletableFuture.supplyAsync(ex.remote(() -> 6 * 7), ex).thenApply(x -> x + 1).get(30, TimeUnit.SECONDS));
            assertEquals(10L, ex.submit(() -> 4L).thenCombine(ex.submit(() -> 6L), Long::sum).get(30, TimeUnit.SECONDS));

            CompletableFuture<Integer> failing = CompletableFuture.supplyAsync(ex.remote(() -> {
                throw new ArithmeticException("divide by zero");
            }), ex);
            ExecutionException e = assertThrows(ExecutionException.class, () -> failing.get(30, TimeUnit.SECONDS));
            RemoteException r = assertInstanceOf(RemoteException.class, e.getCause());
            assertEquals("java.lang.ArithmeticException", r.getRemoteClassName());
        }
    }

    @Test
    void whatCannotTravelIsRefusedClearly() throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            Callable<Integer> plain = () -> 1;
            RejectedExecutionException e = assertThrows(RejectedExecutionException.class, () -> ex.submit(plain));
            assertTrue(e.getMessage().contains("cannot travel") && e.getMessage().contains("not java.io.Serializable"), e.getMessage());
            Runnable plainRunnable = () -> {};
            assertThrows(RejectedExecutionException.class, () -> ex.execute(plainRunnable));
            assertThrows(RejectedExecutionException.class, () -> ex.invokeAll(List.of(plain)));

            Runnable travels = (Runnable & Serializable) () -> System.out.println("ran in a worker");
            assertNull(ex.submit(travels).get(30, TimeUnit.SECONDS));
            assertEquals("done", ex.submit(travels, "done").get(30, TimeUnit.SECONDS));
        }
    }

    @Test
    void aTasksExceptionFailsItsFutureWithTheRemoteException() throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            Future<Object> f = ex.submit(() -> {
                throw new IllegalArgumentException("bad input");
            });
            ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(30, TimeUnit.SECONDS));
            RemoteException r = assertInstanceOf(RemoteException.class, e.getCause());
            assertEquals("java.lang.IllegalArgumentException", r.getRemoteClassName());
            assertEquals("bad input", r.getRemoteMessage());
            assertEquals(ProcessPoolExecutorTest.class.getName(), r.getStackTrace()[0].getClassName());
            assertEquals(0, ex.pool().restarts(), "not retried");
        }
    }

    @Test
    void aTaskWhoseWorkerIsKilledMidTaskRunsAgainNotBreakingTheExecutor(@TempDir Path dir) throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(1)) {
            String mark = dir.resolve("started").toString();
            List<Long> killed = new CopyOnWriteArrayList<>();
            Thread killer = PoolApiTest.killWhenMarked(Path.of(mark), killed);
            long pid = ex.submit(() -> (Long) new PoolApiTest.MarkAndWait().apply(mark)).get(60, TimeUnit.SECONDS);
            killer.join();
            assertEquals(1, killed.size());
            assertNotEquals(killed.get(0), pid, "the result came from the fresh worker (Python: BrokenProcessPool)");
            assertEquals(1, ex.pool().restarts());
            assertNull(ex.pool().broken());
        }
    }

    @Test
    void workersThatKeepDyingBreakThePoolAndFailPendingFutures() throws Exception {
        ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
        try {
            Call<Integer> die = () -> {
                Runtime.getRuntime().halt(9);
                return 0;
            };
            Future<Integer> first = ex.submit(die), second = ex.submit(die);
            Future<Integer> pending = ex.submit(() -> 1);
            ExecutionException e1 = assertThrows(ExecutionException.class, () -> first.get(60, TimeUnit.SECONDS));
            assertTrue(e1.getCause().getMessage().contains("its worker died " + Pool.MAX_TRIES + " times"), e1.getCause().getMessage());
            ExecutionException e2 = assertThrows(ExecutionException.class, () -> second.get(60, TimeUnit.SECONDS));
            BrokenPoolException b = assertInstanceOf(BrokenPoolException.class, e2.getCause());
            assertTrue(b.getMessage().contains("died " + ProcessPoolExecutor.BROKEN_AFTER_DEATHS + " times in a row"), b.getMessage());
            ExecutionException e3 = assertThrows(ExecutionException.class, () -> pending.get(60, TimeUnit.SECONDS));
            assertInstanceOf(BrokenPoolException.class, e3.getCause(), "the pending task fails too");
            assertThrows(BrokenPoolException.class, () -> ex.submit(() -> 2), "and so does a later submit");
        } finally {
            ex.close();
        }
    }

    @Test
    void theInitializerAndMaxTasksPerChildComeFromThePoolsOptions() throws Exception {
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(Pool.builder().processes(1).maxTasksPerChild(1)
                .initializer(a -> {
                    PoolApiTest.prefix = (String) a.get(0);
                    return null;
                }, "ready:"))) {
            Future<String> a = ex.submit(() -> PoolApiTest.prefix + ProcessHandle.current().pid());
            Future<String> b = ex.submit(() -> PoolApiTest.prefix + ProcessHandle.current().pid());
            String ra = a.get(30, TimeUnit.SECONDS), rb = b.get(30, TimeUnit.SECONDS);
            assertTrue(ra.startsWith("ready:") && rb.startsWith("ready:"), ra + " " + rb);
            assertNotEquals(ra, rb, "one task per worker JVM");
        }
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(Pool.builder().processes(1).initializer(a -> {
            throw new IllegalStateException("cannot start");
        }))) {
            ExecutionException e = assertThrows(ExecutionException.class, () -> ex.submit(() -> 1).get(30, TimeUnit.SECONDS));
            BrokenPoolException b = assertInstanceOf(BrokenPoolException.class, e.getCause());
            assertEquals("java.lang.IllegalStateException", assertInstanceOf(RemoteException.class, b.getCause()).getRemoteClassName());
        }
    }

    @Test
    void shutdownLetsWorkFinishAndShutdownNowCancels() throws Exception {
        ProcessPoolExecutor ex = new ProcessPoolExecutor(1);
        Future<Integer> running = ex.submit(() -> {
            Thread.sleep(500);
            return 7;
        });
        ex.shutdown();
        assertTrue(ex.isShutdown());
        assertThrows(RejectedExecutionException.class, () -> ex.submit(() -> 1));
        assertTrue(ex.awaitTermination(60, TimeUnit.SECONDS));
        assertTrue(ex.isTerminated());
        assertEquals(7, running.resultNow(), "submitted work finished");

        ProcessPoolExecutor now = new ProcessPoolExecutor(1);
        Future<Integer> slow = now.submit(() -> {
            Thread.sleep(10_000);
            return 1;
        });
        List<Future<Integer>> queued = List.of(now.submit(() -> 2), now.submit(() -> 3));
        Thread.sleep(300);
        List<Runnable> notStarted = now.shutdownNow();
        assertEquals(2, notStarted.size(), "the two queued tasks never started: " + notStarted);
        for (Future<Integer> q : queued) assertThrows(CancellationException.class, q::get);
        assertThrows(ExecutionException.class, () -> slow.get(30, TimeUnit.SECONDS), "the running task was ended");
        assertTrue(now.isTerminated());
    }
}
