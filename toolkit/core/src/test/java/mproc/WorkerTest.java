package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class WorkerTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @BeforeAll
    static void quiet() {
        Output.setMode(Output.Mode.CALLER); // lines are kept by each worker; the test prints them on join
    }

    @AfterEach
    void nothingLeftRunning() throws Exception {
        Leftovers.endAndCheck(ProcessHandle::isAlive);
    }

    public static class MyProcess extends Worker {
        int number;
        String label;
        double[] weights;
        transient int parentOnly;

        public MyProcess() {}

        MyProcess(int number, String label, double[] weights) {
            this.number = number;
            this.label = label;
            this.weights = weights;
        }

        @Override
        public void run() {
            System.out.println("called run method in " + getName() + " number=" + number + " label=" + label
                    + " weights=" + java.util.Arrays.toString(weights) + " parentOnly=" + parentOnly);
        }
    }

    @Test
    void defaultNamesCountEveryHandleNamedOrNot() {
        Worker a = new Worker(Tasks.Echo.class);
        new Worker("named", Tasks.Echo.class);
        Worker c = new Worker(Tasks.Echo.class);
        int na = Integer.parseInt(a.getName().substring("Process-".length()));
        assertEquals("Process-" + (na + 2), c.getName());
        MyProcess m = new MyProcess();
        assertEquals("MyProcess-" + (na + 3), m.getName());
    }

    @Test
    void startRunsTheTargetInAnotherJvmAndRelaysItsOutput() throws Exception {
        Worker w = new Worker("echo", Tasks.Echo.class, 42, "two words", true);
        assertFalse(w.isAlive(), "alive before start");
        assertNull(w.exitCode());
        w.start();
        assertNotEquals(ProcessHandle.current().pid(), w.pid());
        w.join();
        assertFalse(w.isAlive());
        assertEquals(0, w.exitCode());
        assertEquals(List.of("name=echo", "arg=42", "arg=two words", "arg=true", "to stderr"), sorted(w.output()));
    }

    private static List<String> sorted(List<String> lines) {
        // stdout lines keep their order; the one stderr line may arrive anywhere among them
        List<String> out = new ArrayList<>(lines.stream().filter(l -> !l.equals("to stderr")).toList());
        if (lines.contains("to stderr")) out.add("to stderr");
        return out;
    }

    @Test
    void subclassFieldsTravelToTheChild() throws Exception {
        MyProcess p = new MyProcess(7, "héllo, wörld = ok", new double[] {1.5, -2});
        p.parentOnly = 99; // transient: stays in the parent
        p.start();
        p.join();
        assertEquals(0, p.exitCode());
        String line = p.output().get(0);
        assertTrue(line.startsWith("called run method in " + p.getName() + " number=7 label=héllo, wörld = ok weights=[1.5, -2.0] parentOnly=0"), line);
    }

    @Test
    void anExceptionInTheTaskGivesExitCode1AndATraceback() throws Exception {
        Worker w = new Worker("failing", Tasks.Fail.class).start();
        w.join();
        assertEquals(1, w.exitCode());
        assertTrue(w.output().contains("Process failing:"), w.output().toString());
        assertTrue(w.output().stream().anyMatch(l -> l.contains("IllegalStateException: boom in failing")));
    }

    @Test
    void systemExitCodeIsReported() throws Exception {
        Worker w = new Worker(Tasks.ExitWith.class, 7).start();
        w.join();
        assertEquals(7, w.exitCode());
    }

    @Test
    void terminateIsAsynchronousPoliteAndGives143() throws Exception {
        Worker w = new Worker(Tasks.Sleep.class, 30).start();
        assertTrue(w.awaitOutput("working", WAIT));
        w.terminate();
        w.join();
        assertEquals(143, w.exitCode());
        assertTrue(w.output().contains("hook ran"), "SIGTERM runs the child's shutdown hooks: " + w.output());
        assertFalse(w.output().contains("slept"));
        assertEquals("ended by SIGTERM: 128 + 15 (Python: -15)", Worker.describeExit(w.exitCode()));
    }

    @Test
    void terminateRightAfterStartAlwaysEndsCleanlyWith143() throws Exception {
        for (int i = 0; i < 15; i++) {
            Worker w = new Worker(Tasks.Sleep.class, 30).start();
            w.terminate(); // often while the child JVM is still initialising
            assertTrue(w.isAlive() || w.exitCode() != null);
            assertTrue(w.join(WAIT));
            assertEquals(143, w.exitCode(), "run " + i + ": " + w.output());
            assertTrue(w.output().stream().noneMatch(l -> l.contains("Error occurred during initialization")), w.output().toString());
        }
    }

    @Test
    void killGives137AndRunsNoHook() throws Exception {
        Worker w = new Worker(Tasks.Sleep.class, 30).start();
        assertTrue(w.awaitOutput("working", WAIT));
        w.kill();
        w.join();
        assertEquals(137, w.exitCode());
        assertFalse(w.output().contains("hook ran"), w.output().toString());
    }

    @Test
    void joinWithTimeoutReturnsFalseWhileRunning() throws Exception {
        Worker w = new Worker(Tasks.Sleep.class, 30).start();
        assertFalse(w.join(Duration.ofMillis(200)));
        assertTrue(w.isAlive());
        assertNull(w.exitCode());
        w.kill();
        assertTrue(w.join(WAIT));
    }

    @Test
    void misuseIsRejectedClearly() throws Exception {
        Worker w = new Worker(Tasks.Echo.class);
        var e = assertThrows(IllegalStateException.class, w::join);
        assertTrue(e.getMessage().startsWith("cannot join a worker that was not started"));
        w.start();
        e = assertThrows(IllegalStateException.class, w::start);
        assertTrue(e.getMessage().startsWith("cannot start a worker twice"));
        assertThrows(IllegalStateException.class, () -> w.setDaemon(true));
        w.join();
        var a = assertThrows(IllegalArgumentException.class, () -> new Worker(Tasks.Echo.class, new Object()));
        assertTrue(a.getMessage().contains("cannot be sent to a worker JVM"), a.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Worker(Tasks.Echo.class).setName(" "));
        assertThrows(IllegalArgumentException.class, () -> w.join(Duration.ofMillis(-1)));
    }

    @Test
    void killEndsTheWorkersOwnChildrenToo() throws Exception {
        Worker w = new Worker(Tasks.Grandparent.class).start();
        assertTrue(w.awaitOutput("grandchild=", WAIT));
        long g = Long.parseLong(w.output().stream().filter(l -> l.startsWith("grandchild=")).findFirst().orElseThrow().substring(11));
        ProcessHandle gh = ProcessHandle.of(g).orElseThrow();
        w.terminate();
        w.join();
        assertTrue(gh.onExit().get(5, TimeUnit.SECONDS).pid() == g && !gh.isAlive(), "grandchild still alive");
    }

    /**
     * A worker whose run() returns ends the processes it left running: at once when nothing else keeps its JVM up
     * (done on the main thread, no exit hook), and once its last non-daemon thread ends when one does (a thread
     * that starts a process after run() returned: the exit hook ends it).
     */
    @Test
    void aWorkerThatReturnsEndsTheProcessesItLeftRunning() throws Exception {
        for (String how : new String[] {"returned", "thread"}) {
            Worker w = how.equals("thread") ? new Worker(Tasks.LeavesGrandchild.class, "thread") : new Worker(Tasks.LeavesGrandchild.class);
            w.start();
            assertTrue(w.join(WAIT), how);
            assertEquals(0, w.exitCode(), how + ": " + w.output());
            long g = Long.parseLong(w.output().stream().filter(l -> l.startsWith("grandchild=")).findFirst()
                    .orElseThrow(() -> new AssertionError(how + ": no grandchild in " + w.output())).substring(11));
            java.util.Optional<ProcessHandle> gh = ProcessHandle.of(g);
            if (gh.isPresent()) gh.get().onExit().completeOnTimeout(null, 5, TimeUnit.SECONDS).join(); // else: still alive, below
            assertFalse(ProcessHandle.of(g).map(ProcessHandle::isAlive).orElse(false), how + ": grandchild " + g + " still alive");
        }
    }

    @Test
    void aDaemonWorkerEndsWithinASecondWhenItsParentIsSigkilled() throws Exception {
        long[] r = orphanAfterParentKill(true);
        assertTrue(r[1] <= 1_000, "daemon worker outlived its killed parent by " + r[1] + " ms");
    }

    @Test
    void aNonDaemonWorkerRunsOnWhenItsParentIsSigkilled() throws Exception {
        long[] r = orphanAfterParentKill(false);
        assertEquals(-1, r[1], "non-daemon worker should still be running after its parent was killed");
        ProcessHandle.of(r[0]).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** Starts a parent JVM with a worker, SIGKILLs the parent; returns {worker pid, ms the worker took to end or -1}. */
    private static long[] orphanAfterParentKill(boolean daemon) throws Exception {
        Worker probe = new Worker(Tasks.Echo.class); // only to reuse the toolkit's own command line
        List<String> cmd = new ArrayList<>(probe.command());
        cmd.set(cmd.size() - 1, Tasks.DaemonParent.class.getName());
        cmd.add(Boolean.toString(daemon));
        Process parent = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        long worker;
        try (BufferedReader r = new BufferedReader(new InputStreamReader(parent.getInputStream()))) {
            String line;
            while ((line = r.readLine()) != null && !line.startsWith("worker=")) { /* skip the relayed lines */ }
            assertNotNull(line, "parent ended without starting its worker");
            worker = Long.parseLong(line.substring(7));
            parent.toHandle().destroyForcibly();
            parent.waitFor();
            long t0 = System.nanoTime();
            while (System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(3)) {
                if (!Leftovers.running(worker)) return new long[] {worker, (System.nanoTime() - t0) / 1_000_000};
                Thread.sleep(10);
            }
            return new long[] {worker, -1};
        } finally {
            parent.toHandle().destroyForcibly();
        }
    }

    @Test
    void childClasspathFindsToolkitAndTaskClasses() {
        String cp = ChildClasspath.of(Tasks.Echo.class);
        assertTrue(cp.contains(Path.of("target", "classes").toString()), cp);
        assertTrue(cp.contains(Path.of("target", "test-classes").toString()), cp);
    }
}
