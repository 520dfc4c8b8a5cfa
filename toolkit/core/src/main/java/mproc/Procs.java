package mproc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * Cheap questions about this process, answered from Linux's /proc where it exists (a few file reads),
 * else through {@link ProcessHandle} (whose first use costs a worker JVM ~25 ms of start-up).
 */
final class Procs {
    private static final Path SELF = Path.of("/proc/self");

    private Procs() {}

    /** Whether this process has any child process. */
    static boolean hasChildren() {
        Path tasks = SELF.resolve("task");
        if (Files.isDirectory(tasks)) {
            try (DirectoryStream<Path> ts = Files.newDirectoryStream(tasks)) {
                for (Path t : ts) {
                    if (!Files.readString(t.resolve("children")).isBlank()) return true;
                }
                return false;
            } catch (IOException | RuntimeException e) {
                // fall through to the portable answer
            }
        }
        return ProcessHandle.current().children().findAny().isPresent();
    }

    /**
     * False when this JVM has certainly no child process started through {@link ProcessBuilder} or
     * {@link Runtime#exec}: the JDK waits for each such child in a thread named {@code process reaper}, which
     * exists as long as the child runs (and a while after). Cheap (a list of the live threads), so the exit of
     * a worker that started nothing skips reading /proc. A process forked by native code is not seen here.
     */
    static boolean mayHaveChildren() {
        List<Thread> ts = liveThreads();
        if (ts == null) return true; // cannot tell
        for (Thread t : ts) if (t.getName().startsWith("process reaper")) return true;
        return false;
    }

    /** The live platform threads of this JVM, or null if there were more than could be listed at once. */
    static List<Thread> liveThreads() {
        ThreadGroup g = Thread.currentThread().getThreadGroup();
        while (g.getParent() != null) g = g.getParent();
        Thread[] ts = new Thread[g.activeCount() + 16];
        int n = g.enumerate(ts, true);
        return n == ts.length ? null : Arrays.asList(ts).subList(0, n);
    }

    /** Whether {@code pid} is still this process's parent (false once the parent died and we were adopted). */
    static boolean parentIs(long pid) {
        try {
            String stat = Files.readString(SELF.resolve("stat"));
            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so parse after the last ')'
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ", 3);
            return Long.parseLong(f[1]) == pid;
        } catch (IOException | RuntimeException e) {
            return ProcessHandle.current().parent().map(p -> p.pid() == pid).orElse(false);
        }
    }

    /** Whether process {@code pid} has ended (or never was): for files named after the process that made them. */
    static boolean gone(long pid) {
        return ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true);
    }

    /** Peak resident memory of a live process in MB (Linux's VmHWM), NaN if it cannot be read. */
    public static double peakRssMb(long pid) {
        try {
            for (String l : java.nio.file.Files.readAllLines(java.nio.file.Path.of("/proc", Long.toString(pid), "status"))) {
                if (l.startsWith("VmHWM:")) return Math.round(Long.parseLong(l.replaceAll("[^0-9]", "")) / 102.4) / 10.0;
            }
        } catch (java.io.IOException | RuntimeException e) {
            // gone, or not Linux
        }
        return Double.NaN;
    }
}
