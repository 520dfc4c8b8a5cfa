package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;

/** Worker, complete: close, onExit, parentProcess, activeChildren, hierarchical names, terminate(grace). */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(WorkerJvms.class)
class LifeTest {
    static final Duration WAIT = Duration.ofSeconds(60);


    @Test
    void aWorkersWorkersAreNamedAfterItAndKnowTheirParent() throws Exception {
        assertNull(Worker.parentProcess(), "a main program has no parent process");
        Worker w = new Worker(LifeTasks.Nested.class);
        String n = w.getName().substring("Process-".length());
        w.start();
        assertTrue(w.join(WAIT));
        List<String> out = w.output();
        assertEquals(0, w.exitCode(), out.toString());
        assertTrue(out.contains("me Process-" + n + " " + w.pid()), out.toString());
        assertTrue(out.contains("parent MainProcess " + ProcessHandle.current().pid() + " true"), out.toString());
        assertTrue(out.contains("names Process-" + n + ":1 Sub-" + n + ":2"), out.toString());
        assertTrue(out.stream().anyMatch(l -> l.contains("grand Process-" + n + ":1 Process-" + n + " " + w.pid())), out.toString());
        assertTrue(out.stream().anyMatch(l -> l.contains("grand Sub-" + n + ":2 Process-" + n)), out.toString());
        assertTrue(out.contains("joined 0 0 0"), out.toString());
    }

    @Test
    void onExitCompletesWhenTheWorkerEndsAndActiveChildrenForgetsIt() throws Exception {
        Worker w = new Worker(LifeTasks.Sleep.class, 500);
        CompletableFuture<Worker> before = w.onExit();
        w.start();
        CompletableFuture<Worker> f = w.onExit();
        assertFalse(f.isDone() || before.isDone());
        assertTrue(Worker.activeChildren().contains(w));
        f.complete(null); // a caller's own copy: the worker's future is not changed by it
        assertSame(w, w.onExit().get(60, TimeUnit.SECONDS));
        assertSame(w, before.get(1, TimeUnit.SECONDS));
        assertEquals(0, w.exitCode(), "the exit code is recorded by the time onExit completes");
        assertFalse(Worker.activeChildren().contains(w));
    }

    @Test
    void closeIsRefusedWhileRunningThenEndsTheHandle() throws Exception {
        Worker w = new Worker(LifeTasks.Sleep.class, 60_000).start();
        var e = assertThrows(IllegalStateException.class, w::close);
        assertTrue(e.getMessage().contains("still running"), e.getMessage());
        w.kill();
        assertTrue(w.join(WAIT));
        assertEquals(137, w.exitCode());
        w.close();
        w.close();
        assertThrows(IllegalStateException.class, w::isAlive);
        assertThrows(IllegalStateException.class, w::exitCode);
        assertThrows(IllegalStateException.class, w::start);
        assertThrows(IllegalStateException.class, () -> w.join(Duration.ZERO));
        assertTrue(w.toString().contains("closed"), w.toString());
        new Worker(LifeTasks.Sleep.class, 1).close(); // never started: nothing to release
    }

    @Test
    void terminateWithAGraceKillsAWorkerThatIgnoresSigterm() throws Exception {
        Worker w = new Worker(LifeTasks.IgnoreTerm.class).start();
        assertTrue(w.awaitOutput("ready", WAIT), w.output().toString());
        long t0 = System.nanoTime();
        CompletableFuture<Worker> f = w.terminate(Duration.ofSeconds(2));
        assertTrue(w.awaitOutput("hook runs", WAIT), "SIGTERM arrived: " + w.output());
        assertTrue(w.isAlive(), "its hook holds it up");
        assertSame(w, f.get(60, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(2000), "killed only after the grace");
        assertEquals(137, w.exitCode(), Worker.describeExit(w.exitCode()));

        Worker polite = new Worker(LifeTasks.Sleep.class, 60_000).start();
        polite.terminate(Duration.ofSeconds(30)).get(60, TimeUnit.SECONDS);
        assertTrue(List.of(143, 137).contains(polite.exitCode()), "" + polite.exitCode());
    }
}
