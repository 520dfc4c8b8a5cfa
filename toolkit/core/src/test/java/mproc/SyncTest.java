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
}
