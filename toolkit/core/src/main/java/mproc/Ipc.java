package mproc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Where this JVM's IPC endpoints live: one private directory (mode 0700) under the temp directory, named
 * after the pid, removed at exit. Directories left by JVMs that died without cleaning up (SIGKILL) are
 * removed the next time one is created. Also the list of client objects to flush when a worker ends.
 */
final class Ipc {
    private static volatile Path dir;
    private static final AtomicLong ids = new AtomicLong();
    private static final List<Flushable> flushables = new CopyOnWriteArrayList<>();

    interface Flushable {
        void flushQuietly();
    }

    private Ipc() {}

    /** The private directory of this JVM, created on first use. */
    static Path dir() {
        Path d = dir;
        if (d != null) return d;
        synchronized (Ipc.class) {
            if (dir != null) return dir;
            Path base = Path.of(System.getProperty("mproc.ipcdir", System.getProperty("java.io.tmpdir")));
            if (!Files.isDirectory(base)) {
                throw new IllegalStateException("cannot create IPC endpoints: directory " + base + " does not exist"
                        + " (set -Dmproc.ipcdir to a writable directory)");
            }
            removeStale(base);
            try {
                d = Files.createTempDirectory(base, "mproc-" + ProcessHandle.current().pid() + "-",
                        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a private IPC directory in " + base + ": " + e.getMessage(), e);
            }
            Path created = d;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(created), "mproc-ipc-cleanup"));
            dir = d;
            return d;
        }
    }

    /** A fresh file name in the private directory (socket paths must stay short: ~100 bytes). */
    static Path newPath(String kind) {
        return dir().resolve(kind + ids.incrementAndGet());
    }

    static void register(Flushable f) {
        flushables.add(f);
    }

    /** Sends what client objects still buffer (a worker calls this before it ends). */
    static void flushAll() {
        for (Flushable f : flushables) f.flushQuietly();
    }

    private static void removeStale(Path base) {
        try (Stream<Path> s = Files.list(base)) {
            for (Path p : s.filter(p -> p.getFileName().toString().matches("mproc-\\d+-.*")).toList()) {
                long pid = Long.parseLong(p.getFileName().toString().split("-")[1]);
                if (Procs.gone(pid) && Files.isDirectory(p) && Files.isWritable(p)) delete(p);
            }
        } catch (IOException | RuntimeException e) {
            // best effort
        }
    }

    static void delete(Path d) {
        try (Stream<Path> s = Files.walk(d)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort at exit
        }
    }
}
