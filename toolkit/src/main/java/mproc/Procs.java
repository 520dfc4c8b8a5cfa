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
}
