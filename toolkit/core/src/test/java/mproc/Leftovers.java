package mproc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/** After each test: end the workers and spares still there, then assert that no child process is left. */
public final class Leftovers {
    private Leftovers() {}

    /** {@code counts}: which child processes count as left over (alive at all, or still running). */
    public static void endAndCheck(Predicate<ProcessHandle> counts) throws InterruptedException {
        for (Worker w : Worker.active()) w.kill();
        Worker.closeSpares();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (ProcessHandle.current().descendants().anyMatch(counts) && System.nanoTime() < deadline) Thread.sleep(20);
        assertEquals(List.of(), ProcessHandle.current().descendants().filter(counts)
                .map(h -> h.pid() + " " + h.info().commandLine().orElse("?")).toList(), "processes left running");
    }

    /**
     * Whether a process is still running. An orphan that has exited stays a zombie until whoever adopted it
     * reaps it (here up to seconds): it has ended, but kill -0 and ProcessHandle.isAlive() still see it.
     */
    public static boolean running(long pid) {
        try {
            String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", Long.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (java.io.IOException e) {
            return false;
        }
    }
}
