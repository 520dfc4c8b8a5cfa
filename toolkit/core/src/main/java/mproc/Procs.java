package mproc;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;

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
