package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;

/** Event, Semaphore, BoundedSemaphore, RLock, Condition and Barrier, used from real worker JVMs. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(WorkerJvms.class)
class SyncTest {
    static final Duration WAIT = Duration.ofSeconds(30);


    static void until(BooleanSupplier c, String what) throws InterruptedException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!c.getAsBoolean()) {
            if (System.nanoTime() > deadline) fail("not within " + WAIT + ": " + what);
            Thread.sleep(10);
        }
    }

    static List<String> ended(Worker w) throws InterruptedException {
        assertTrue(w.join(WAIT), w + " did not end");
        assertEquals(0, w.exitCode(), w + ": " + w.output());
        return w.output();
    }

    /** The number at the end of the only output line that starts with {@code prefix}. */
    static long lastNumber(List<String> out, String prefix) {
        String line = out.stream().filter(l -> l.startsWith(prefix)).findFirst().orElseThrow(() -> new AssertionError(prefix + " in " + out));
        return Long.parseLong(line.substring(line.lastIndexOf(' ') + 1));
    }

    // ------------------------------------------------------------------ Event

    @Test
    void eventSetByOneWorkerWakesWaitersInOthers() throws Exception {
        Event e = Event.create();
        Worker forever = new Worker(SyncTasks.EventWait.class, e, -1).start();
        Worker timed = new Worker(SyncTasks.EventWait.class, e, 30_000).start();
        assertTrue(forever.awaitOutput("waiting", WAIT) && timed.awaitOutput("waiting", WAIT));
        Thread.sleep(300);
        assertTrue(forever.isAlive() && timed.isAlive(), "both wait while the flag is clear");
        assertFalse(e.isSet());
        assertEquals(List.of("isSet true"), ended(new Worker(SyncTasks.EventChange.class, e, "set").start()));
        for (Worker w : List.of(forever, timed)) assertTrue(ended(w).get(1).startsWith("result true "), w.output().toString());
        assertTrue(e.isSet());
        assertTrue(e.await(Duration.ZERO), "a set event does not wait");
        assertEquals(List.of("isSet false"), ended(new Worker(SyncTasks.EventChange.class, e, "clear").start()));
        assertFalse(e.isSet(), "cleared by the worker");
    }

    @Test
    void eventWaitTimesOutReturningFalse() throws Exception {
        Event e = Event.create();
        List<String> out = ended(new Worker(SyncTasks.EventWait.class, e, 300).start());
        assertTrue(out.get(1).startsWith("result false "), out.toString());
        assertTrue(lastNumber(out, "result") >= 290, "waited the whole timeout: " + out);
        long t0 = System.nanoTime();
        assertFalse(e.await(Duration.ofMillis(100)));
        assertFalse(e.waitFor(Duration.ofMillis(50)));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(150));
        assertThrows(IllegalArgumentException.class, () -> e.await(Duration.ofMillis(-1)));
    }

    // ------------------------------------------------------------------ Semaphore, BoundedSemaphore

    @Test
    void aSemaphoreReleasedByAProcessThatNeverAcquiredIt() throws Exception {
        Semaphore s = Semaphore.create(0);
        Worker waiter = new Worker(SyncTasks.SemAcquire.class, s, true, -1).start();
        assertTrue(waiter.awaitOutput("waiting", WAIT));
        Thread.sleep(300);
        assertTrue(waiter.isAlive(), "waits while the value is 0");
        List<String> rel = ended(new Worker(SyncTasks.SemRelease.class, s, 1).start());
        assertEquals("released 0", rel.get(0));
        assertTrue(ended(waiter).get(1).startsWith("acquired true "), waiter.output().toString());
        assertEquals(0, s.getValue());

        assertEquals(List.of("released 0", "released 1", "value 2 plain"), ended(new Worker(SyncTasks.SemRelease.class, s, 2).start()));
        assertEquals(2, s.getValue());
        assertTrue(s.acquire(false, null));
        assertTrue(s.acquire(false, Duration.ofSeconds(5)), "not blocking: the timeout is ignored");
        assertFalse(s.acquire(false, null), "none left");
        long t0 = System.nanoTime();
        assertFalse(s.acquire(Duration.ofMillis(100)));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(100));
        List<String> timedOut = ended(new Worker(SyncTasks.SemAcquire.class, s, true, 200).start());
        assertTrue(timedOut.get(1).startsWith("acquired false "), timedOut.toString());
        assertTrue(lastNumber(timedOut, "acquired") >= 190, timedOut.toString());
        s.release(); // the host never acquired this one either
        assertTrue(ended(new Worker(SyncTasks.SemAcquire.class, s, false, -1).start()).get(1).startsWith("acquired true "));
        assertThrows(IllegalArgumentException.class, () -> Semaphore.create(-1));
    }

    @Test
    void aBoundedSemaphoreRefusesToBeReleasedAboveItsValue() throws Exception {
        BoundedSemaphore b = BoundedSemaphore.create(2);
        var e = assertThrows(IllegalStateException.class, b::release);
        assertTrue(e.getMessage().contains("released too many times"), e.getMessage());
        assertEquals(2, b.getValue(), "the refused release changed nothing");
        b.acquire();
        b.acquire();
        assertEquals(0, b.getValue());
        List<String> out = ended(new Worker(SyncTasks.SemRelease.class, b, 3).start());
        assertEquals(4, out.size(), out.toString());
        assertEquals(List.of("released 0", "released 1"), out.subList(0, 2), "a process that did not acquire may release");
        assertTrue(out.get(2).startsWith("error 2: semaphore or lock released too many times"), out.toString());
        assertEquals("value 2 bounded", out.get(3));
        assertEquals(2, b.getValue());
        assertInstanceOf(BoundedSemaphore.class, Semaphore.attach(b.address()));
        assertThrows(IllegalArgumentException.class, () -> BoundedSemaphore.attach(Semaphore.create(1).address()));
    }

    @Test
    void aSemaphoreBoundsHowManyWorkersAreInsideAtOnce() throws Exception {
        Semaphore s = Semaphore.create(2);
        SharedArray c = SharedArray.ofLongs(2);
        Event start = Event.create();
        List<Worker> ws = new ArrayList<>();
        for (int k = 0; k < 4; k++) ws.add(new Worker(SyncTasks.SemCrowd.class, s, c, 60, start).start());
        for (Worker w : ws) assertTrue(w.awaitOutput("ready", WAIT));
        start.set();
        for (Worker w : ws) ended(w);
        assertEquals(0, c.getLong(0));
        assertEquals(2, c.getLong(1), "at most two inside at once, and two at some time");
        assertEquals(2, s.getValue());
    }

    // ------------------------------------------------------------------ RLock

    @Test
    void anRLockIsReentrantForItsHolderAndRefusesEveryoneElse() throws Exception {
        RLock r = RLock.create();
        var unheld = assertThrows(IllegalStateException.class, r::release);
        assertTrue(unheld.getMessage().contains("un-acquired"), unheld.getMessage());
        r.acquire();
        r.acquire();
        List<String> out = ended(new Worker(SyncTasks.RLockTry.class, r, 200).start());
        assertTrue(out.get(0).startsWith("release error: attempt to release recursive lock not owned by thread"), out.toString());
        assertEquals("acquired false", out.get(1));
        Thread other = new Thread(() -> assertThrows(IllegalStateException.class, r::release));
        other.start();
        other.join();
        r.release();
        assertEquals("acquired false", ended(new Worker(SyncTasks.RLockTry.class, r, 200).start()).get(1), "still held once");
        r.release();
        assertEquals("acquired true", ended(new Worker(SyncTasks.RLockTry.class, r, 5_000).start()).get(1));
        assertTrue(r.acquire(Duration.ofSeconds(5)), "the worker ended holding it: freed");
        r.release();
        assertThrows(IllegalStateException.class, r::release);
    }

    @Test
    void anRLockCountsNestedLevelsAndExcludesAcrossJvms() throws Exception {
        RLock r = RLock.create();
        SharedArray counter = SharedArray.ofLongs(1);
        List<Worker> ws = new ArrayList<>();
        for (int k = 0; k < 3; k++) ws.add(new Worker(SyncTasks.RLockNested.class, r, counter, 200).start());
        for (Worker w : ws) assertEquals(List.of("thread: release refused, acquired false"), ended(w));
        assertEquals(600, counter.getLong(0), "read-modify-write under the nested lock lost no update");
        assertTrue(r.acquire(Duration.ofSeconds(1)));
        r.release();
    }

    // ------------------------------------------------------------------ Condition

    @Test
    void conditionWaitForWakesWhenThePredicateHolds() throws Exception {
        Condition c = Condition.create();
        SharedArray v = SharedArray.ofLongs(1);
        Worker w = new Worker(SyncTasks.CondWaitFor.class, c, v, 3, 30_000).start();
        for (long i = 1; i <= 3; i++) {
            until(() -> c.waiters() == 1, "the worker waits");
            assertTrue(w.isAlive());
            try (var held = c.hold()) {
                v.setLong(0, i);
                c.signalAll();
            }
        }
        List<String> out = ended(w);
        assertTrue(out.get(1).startsWith("waitFor true value 3 held true "), out.toString());
    }

    @Test
    void conditionWaitForWithATimeoutReturnsThePredicatesLastValue() throws Exception {
        Condition c = Condition.create(Lock.create());
        SharedArray v = SharedArray.ofLongs(1);
        Worker w = new Worker(SyncTasks.CondWaitFor.class, c, v, 1, 600).start();
        until(() -> c.waiters() == 1, "the worker waits");
        try (var held = c.hold()) {
            c.signal(); // woken with the predicate still false: it waits on, for the rest of the timeout
        }
        List<String> out = ended(w);
        assertTrue(out.get(1).startsWith("waitFor false value 0 held true "), out.toString());
        long elapsed = lastNumber(out, "waitFor");
        assertTrue(elapsed >= 590 && elapsed < 10_000, "waited the timeout in all: " + elapsed + " ms");
        try (var held = c.hold()) {
            long t0 = System.nanoTime();
            assertFalse(c.await(Duration.ofMillis(100)), "nobody signals: the timeout");
            assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(100));
            assertTrue(c.awaitFor(() -> true, Duration.ZERO), "a true predicate does not wait");
        }
    }

    @Test
    void conditionSignalWakesTheLongestWaitingFirstThenSignalAllTheRest() throws Exception {
        Condition c = Condition.create();
        SharedArray order = SharedArray.ofLongs(4); // [woken so far, pid woken first, second, third]
        List<Worker> ws = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            ws.add(new Worker(SyncTasks.CondWaitOnce.class, c, order).start());
            int n = k + 1;
            until(() -> c.waiters() == n, n + " waiting");
        }
        try (var held = c.hold()) {
            c.signal(1);
        }
        until(() -> order.getLong(0) == 1, "one woken");
        Thread.sleep(300);
        assertEquals(1, order.getLong(0), "signal(1) woke one");
        assertEquals(ws.get(0).pid(), order.getLong(1), "the longest waiting");
        assertEquals(2, c.waiters());
        try (var held = c.hold()) {
            c.signalAll();
        }
        for (Worker w : ws) assertEquals(List.of("woken true"), ended(w));
        assertEquals(3, order.getLong(0));
        assertEquals(0, c.waiters());
    }

    @Test
    void conditionRefusesSignalAndWaitWithoutTheLock() throws Exception {
        Condition c = Condition.create();
        List<String> out = ended(new Worker(SyncTasks.CondUnheld.class, c).start());
        assertTrue(out.get(0).startsWith("signal refused: cannot notify on un-acquired lock"), out.toString());
        assertTrue(out.get(1).startsWith("await refused: must acquire()"), out.toString());
        assertThrows(IllegalStateException.class, c::signalAll);
        assertThrows(IllegalStateException.class, c::await);
        Condition onLock = Condition.create(Lock.create());
        List<String> out2 = ended(new Worker(SyncTasks.CondUnheld.class, onLock).start());
        assertTrue(out2.get(0).startsWith("signal refused"), out2.toString());
        assertTrue(out2.get(1).startsWith("await refused"), out2.toString());
    }

    // ------------------------------------------------------------------ Barrier

    @Test
    void barrierResetBreaksAWaitingWorkerThenWorksAgain() throws Exception {
        Barrier b = Barrier.create(2);
        Worker w = new Worker(IpcTasks.Wait.class, b, 30_000).start();
        until(() -> b.nWaiting() == 1, "the worker waits at the barrier");
        assertFalse(b.isBroken());
        b.reset();
        assertEquals(List.of("broken: the barrier was reset while parties were waiting"), ended(w));
        assertFalse(b.isBroken(), "usable again after reset");
        assertEquals(0, b.nWaiting());
        Worker again = new Worker(IpcTasks.Wait.class, b, 30_000).start();
        int mine = b.await(WAIT);
        String[] f = ended(again).get(0).split(" ");
        assertEquals("released", f[0]);
        assertEquals(List.of(0, 1), List.of(mine, Integer.parseInt(f[1])).stream().sorted().toList());
    }

    @Test
    void barrierAbortBreaksWaitersAndLaterArrivalsUntilReset() throws Exception {
        Barrier b = Barrier.create(3);
        Worker w = new Worker(IpcTasks.Wait.class, b, 30_000).start();
        until(() -> b.nWaiting() == 1, "the worker waits at the barrier");
        assertEquals(List.of("parties 3 waiting 1 broken false"), ended(new Worker(SyncTasks.BarrierInfo.class, b).start()));
        assertEquals(List.of("broken true"), ended(new Worker(SyncTasks.BarrierChange.class, b, "abort").start()));
        assertEquals(List.of("broken: the barrier was aborted"), ended(w));
        assertTrue(b.isBroken());
        var e = assertThrows(BrokenBarrierException.class, () -> b.await(Duration.ofSeconds(5)));
        assertTrue(e.getMessage().contains("aborted"), e.getMessage());
        assertEquals(List.of("parties 3 waiting 0 broken true"), ended(new Worker(SyncTasks.BarrierInfo.class, b).start()));
        assertEquals(List.of("broken false"), ended(new Worker(SyncTasks.BarrierChange.class, b, "reset").start()));
        assertFalse(b.isBroken());
        assertEquals(3, b.parties());
    }

    // ------------------------------------------------------------------ as fields of a Worker subclass

    /** Python's Process subclass with the primitives as attributes: they travel as fields. */
    public static class Helper extends Worker {
        Event go;
        BoundedSemaphore slots;
        RLock rlock;
        Condition cond;
        Queue jobs; // holds a JoinableQueue: arrives as one
        SimpleQueue results;

        public Helper() {}

        @Override
        public void run() throws Exception {
            go.await();
            JoinableQueue q = (JoinableQueue) jobs;
            long job = ((Number) q.get()).longValue();
            slots.acquire();
            rlock.acquire();
            rlock.acquire();
            results.put(job * 10 + slots.getValue());
            rlock.release();
            rlock.release();
            slots.release();
            try (var held = cond.hold()) {
                cond.signalAll();
            }
            q.taskDone();
        }
    }

    @Test
    void thePrimitivesTravelAsFieldsOfAWorkerSubclass() throws Exception {
        Helper h = new Helper();
        h.go = Event.create();
        h.slots = BoundedSemaphore.create(1);
        h.rlock = RLock.create();
        h.cond = Condition.create(h.rlock);
        JoinableQueue jobs = JoinableQueue.create(1);
        h.jobs = jobs;
        h.results = SimpleQueue.create();
        h.start();
        jobs.put(7L);
        Thread.sleep(200);
        assertEquals(1, jobs.qsize(), "the helper waits for the event");
        h.go.set();
        jobs.join();
        assertEquals(70L, h.results.get(), "job 7, with no slot left while it held the semaphore");
        assertTrue(h.rlock.acquire(Duration.ofSeconds(5)));
        h.rlock.release();
        assertEquals(1, h.slots.getValue());
        assertTrue(h.join(WAIT));
        assertEquals(0, h.exitCode(), h.output().toString());
    }
}
