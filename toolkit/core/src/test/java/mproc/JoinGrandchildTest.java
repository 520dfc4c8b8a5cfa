package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** A worker that ended while a process it left behind still holds its stdout and stderr open. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(WorkerJvms.class)
class JoinGrandchildTest {
    /**
     * Leaves a {@code sleep 30} running that inherited its stdout and stderr (through a shell that exits at
     * once, so the sleep is no child of the worker's and its exit hook does not end it), prints the sleep's
     * pid and ends.
     */
    public static class LeavesGrandchild implements Task {
        @Override
        public void run(String... args) throws Exception {
            Process sh = new ProcessBuilder("sh", "-c", "sleep 30 & echo grandchild=$!").inheritIO().start();
            assertEquals(0, sh.waitFor());
            System.out.println("worker done");
        }
    }

    private long grandchild = -1;

    @AfterEach
    void endGrandchild() {
        if (grandchild > 0) ProcessHandle.of(grandchild).ifPresent(ProcessHandle::destroyForcibly);
    }

    private Worker startAndAwaitItsEnd() throws Exception {
        Worker w = new Worker(LeavesGrandchild.class).start();
        w.onExit().get(60, TimeUnit.SECONDS);
        assertTrue(w.awaitOutput("worker done", Duration.ofSeconds(30)), w.output().toString());
        grandchild = Long.parseLong(w.output().stream().filter(l -> l.startsWith("grandchild=")).findFirst()
                .orElseThrow().substring(11));
        assertTrue(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false), "the grandchild is not running");
        return w;
    }

    @Test
    void joinWithATimeoutDoesNotOverrunWhileAGrandchildHoldsTheOutput() throws Exception {
        Worker w = startAndAwaitItsEnd();
        long t0 = System.nanoTime();
        assertTrue(w.join(Duration.ofMillis(100)));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        // it used to wait 2 s for each of the two relay threads: 4 s whatever the timeout
        assertTrue(ms < 2_500, "join(100 ms) took " + ms + " ms");
        assertEquals(0, w.exitCode());
        assertTrue(w.join(Duration.ZERO), "an ended worker joins at once");

        t0 = System.nanoTime();
        assertFalse(w.awaitOutput("never printed", Duration.ofSeconds(25)));
        ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 15_000, "awaitOutput on an ended worker waited " + ms + " ms, as long as the grandchild");

        t0 = System.nanoTime();
        w.close();
        ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertTrue(ms < 15_000, "close() took " + ms + " ms");
        assertTrue(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false), "still running: it held the output");
    }

    @Test
    void joinWithoutATimeoutDoesNotWaitForTheGrandchild() throws Exception {
        Worker w = startAndAwaitItsEnd();
        long t0 = System.nanoTime();
        w.join();
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        // the last lines are waited for at most 2 s in all; the grandchild runs for 30 s
        assertTrue(ms < 20_000, "join() took " + ms + " ms");
        assertTrue(ProcessHandle.of(grandchild).map(ProcessHandle::isAlive).orElse(false));
        assertEquals(0, w.exitCode());
    }
}
