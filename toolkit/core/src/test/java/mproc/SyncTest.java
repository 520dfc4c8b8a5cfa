package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Event, Semaphore, BoundedSemaphore, RLock, Condition and Barrier, used from real worker JVMs. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class SyncTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @BeforeAll
    static void quiet() {
        Output.setMode(Output.Mode.CALLER);
    }

    @AfterEach
    void nothingLeftRunning() throws Exception {
        Leftovers.endAndCheck(h -> Leftovers.running(h.pid()));
    }

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
}
