package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * WARM spares (issue 15, item 10): one bounded set of spare JVMs across command lines. Real spare JVMs are
 * started for many distinct command lines; the live ones never exceed the bound, and all end at the close.
 */
@ExtendWith(WorkerJvms.class)
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class SparesTest {
    private static long liveChildren() {
        return ProcessHandle.current().descendants().filter(h -> Leftovers.running(h.pid())).count();
    }

    /** Waits (bounded) until at most {@code n} child processes run; returns how many do. */
    private static long settleTo(long n) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (liveChildren() > n && System.nanoTime() < deadline) Thread.sleep(20);
        return liveChildren();
    }

    private static List<String> command(int i) {
        return new Worker(Tasks.Echo.class, "spare").setStartMethod(StartMethod.WARM)
                .setJvmOptions(List.of("-Dmproc.test.spare=" + i)).command();
    }

    @Test
    void manyDistinctCommandLinesKeepAtMostTheBoundOfSpares() throws Exception {
        int perCommand = Spares.perCommand(), max = Spares.maxIdle();
        Worker.closeSpares();
        try {
            Spares.setMaxIdle(3);
            Worker.setWarmSpares(2);
            int commands = 5;
            List<List<String>> cmds = new ArrayList<>();
            for (int i = 0; i < commands; i++) cmds.add(command(i));
            assertEquals(commands, cmds.stream().distinct().count(), "distinct command lines");
            // counts the live spare JVMs every few ms while they are started and ended
            java.util.concurrent.atomic.AtomicLong most = new java.util.concurrent.atomic.AtomicLong();
            java.util.concurrent.atomic.AtomicBoolean sampling = new java.util.concurrent.atomic.AtomicBoolean(true);
            java.util.concurrent.atomic.AtomicInteger samples = new java.util.concurrent.atomic.AtomicInteger();
            Thread sampler = new Thread(() -> {
                while (sampling.get()) {
                    most.accumulateAndGet(liveChildren(), Math::max);
                    samples.incrementAndGet();
                    try {
                        Thread.sleep(5);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            try {
                for (List<String> cmd : cmds) {
                    Spares.refill(cmd);
                    assertTrue(Spares.await(cmd, 2, 60_000), "the newest command line gets its spares");
                    assertTrue(Spares.idleCount() <= 3, "idle spares: " + Spares.idleCount());
                }
            } finally {
                sampling.set(false);
                sampler.join();
            }
            assertTrue(most.get() <= 3, "live spare JVMs at most " + most.get() + " (bound 3), " + samples.get() + " samples");
            assertEquals(3, Spares.idleCount(), "the bound is filled, not exceeded");

            // a WARM worker of the newest command line takes one of its spares and runs in it
            List<String> last = cmds.get(commands - 1);
            Worker w = new Worker(Tasks.Echo.class, "spare").setStartMethod(StartMethod.WARM)
                    .setJvmOptions(List.of("-Dmproc.test.spare=" + (commands - 1)));
            assertEquals(last, w.command());
            w.start();
            assertTrue(w.join(Duration.ofSeconds(60)));
            assertEquals(0, w.exitCode());
            assertTrue(Spares.await(last, 2, 60_000), "refilled after the take");
            assertTrue(Spares.idleCount() <= 3, "idle spares: " + Spares.idleCount());
            assertTrue(settleTo(3) <= 3, "live spare JVMs: " + liveChildren());
            System.out.println("spares: " + (commands * 2 + 1) + " started for " + commands
                    + " command lines, at most " + most.get() + " alive at once in " + samples.get() + " samples (bound 3)");
        } finally {
            Worker.closeSpares();
            Spares.setMaxIdle(max);
            Worker.setWarmSpares(perCommand);
        }
        assertEquals(0, Spares.idleCount());
        assertEquals(0, settleTo(0), "every spare ended");
    }

    @Test
    void loweringTheBoundEndsTheOldestSpares() throws Exception {
        int perCommand = Spares.perCommand(), max = Spares.maxIdle();
        Worker.closeSpares();
        try {
            Spares.setMaxIdle(4);
            Worker.setWarmSpares(2);
            List<String> a = command(100), b = command(101);
            Spares.refill(a);
            assertTrue(Spares.await(a, 2, 60_000));
            Spares.refill(b);
            assertTrue(Spares.await(b, 2, 60_000));
            assertEquals(4, Spares.idleCount());
            Spares.setMaxIdle(2);
            assertEquals(2, Spares.idleCount());
            assertTrue(Spares.await(b, 2, 1_000), "the newest stay, the oldest were ended");
            assertTrue(settleTo(2) <= 2, "live spare JVMs: " + liveChildren());
        } finally {
            Worker.closeSpares();
            Spares.setMaxIdle(max);
            Worker.setWarmSpares(perCommand);
        }
        assertEquals(0, settleTo(0), "every spare ended");
    }

    @Test
    void aTakenSpareIsReplacedAfterItsWorkerEndsOrTheDelayNotWhileItStarts() throws Exception {
        int perCommand = Spares.perCommand();
        Worker.closeSpares();
        try {
            Worker.setWarmSpares(1);
            Worker w = new Worker(Tasks.Sleep.class, 30).setStartMethod(StartMethod.WARM);
            List<String> cmd = w.command();
            assertTrue(w.prepare(Duration.ofSeconds(60)));
            long t0 = System.nanoTime();
            w.start();
            assertTrue(w.awaitOutput("working", Duration.ofSeconds(30)));
            // no replacement while the taken spare starts its task (it would take the CPU from it) ...
            if (System.nanoTime() - t0 < TimeUnit.MILLISECONDS.toNanos(Spares.REFILL_DELAY_MS)) {
                assertEquals(0, Spares.idleCount(), "replaced before the delay");
            }
            // ... then one, though the worker still runs
            assertTrue(Spares.await(cmd, 1, 60_000), "replaced after the delay");
            assertTrue(w.isAlive());
            w.kill();
            assertTrue(w.join(Duration.ofSeconds(30)));

            // a replacement scheduled before closeSpares() is not started after it
            Worker v = new Worker(Tasks.Sleep.class, 30).setStartMethod(StartMethod.WARM);
            assertTrue(v.prepare(Duration.ofSeconds(60)));
            v.start();
            Worker.closeSpares();
            Thread.sleep(Spares.REFILL_DELAY_MS + 300);
            assertEquals(0, Spares.idleCount(), "a spare started after closeSpares()");
            v.kill();
            assertTrue(v.join(Duration.ofSeconds(30)));
        } finally {
            Worker.closeSpares();
            Worker.setWarmSpares(perCommand);
        }
        assertEquals(0, settleTo(0), "every spare ended");
    }

    /**
     * A spare's warm-up loads a class through the class path (not from a class archive): the first such load
     * costs ~5 ms, which the task's class would pay after start(). Checked in a waiting spare itself (jcmd's list
     * of its classes), which then ends quietly at the end of its stdin; a worker then runs as usual. (That the
     * warm-up comes before "started" is WorkerMain's order; jcmd attaches too late to see it.)
     */
    @Test
    void aSpareIsHandedOutWarmedUp() throws Exception {
        Worker.closeSpares();
        try {
            Worker w = new Worker(Tasks.Echo.class, "warm").setStartMethod(StartMethod.WARM);
            assertTrue(w.prepare(Duration.ofSeconds(60)), "no spare came up");
            Spares.Spare s = Spares.take(w.command());
            assertNotNull(s, "a spare for this command");
            try {
                java.nio.file.Path jcmdExe = java.nio.file.Path.of(System.getProperty("java.home"), "bin", "jcmd");
                org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.Files.isExecutable(jcmdExe), "a JDK's jcmd");
                Process jcmd = new ProcessBuilder(jcmdExe.toString(),
                        Long.toString(s.process().pid()), "VM.class_hierarchy").redirectErrorStream(true).start();
                String classes = new String(jcmd.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertTrue(jcmd.waitFor(60, TimeUnit.SECONDS), "jcmd ended");
                assertEquals(0, jcmd.exitValue(), classes);
                assertTrue(classes.contains("mproc.WorkerMain$Unarchived"), "the spare's warm-up loaded its class:\n"
                        + classes.lines().filter(l -> l.contains("mproc.")).limit(20).toList());
                assertTrue(s.process().isAlive(), "the spare still waits for its spec");
            } finally {
                s.process().getOutputStream().close(); // no spec: it exits quietly
                assertTrue(s.process().waitFor(10, TimeUnit.SECONDS), "the spare ended at the end of its stdin");
                assertEquals(0, s.process().exitValue());
            }
            w.start();
            assertTrue(w.join(Duration.ofSeconds(60)));
            assertEquals(0, w.exitCode());
            assertTrue(w.output().contains("arg=warm"), w.output().toString());
        } finally {
            Worker.closeSpares();
        }
    }
}
