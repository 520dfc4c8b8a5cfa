package mproc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where this JVM's IPC endpoints live: one private directory {@code mproc-<pid>-<random>} (mode 0700) in a
 * base directory, removed at exit. Also the list of client objects to flush when a worker ends.
 *
 * <p>The base directory is, in this order: {@code -Dmproc.ipcdir} when set; {@code $XDG_RUNTIME_DIR} when
 * set and private to this user (a directory owned by this uid, mode 0700); else {@code java.io.tmpdir}.
 * Worker JVMs are given the same base ({@link Launcher} passes {@code -Dmproc.ipcdir}). A base that another
 * user could rename entries in (owned by a user other than this one or root, or writable by others
 * without the sticky bit) is refused, as is a socket path longer than the OS allows ({@link #MAX_SOCKET_PATH}).
 *
 * <p>Directories left by JVMs that died without cleaning up (SIGKILL) are removed by the next JVM that
 * creates its own, in the same base. The sweep removes a directory only when all of these hold:
 * <ul>
 *   <li>it is a directory (not a link), owned by this uid, with mode exactly 0700;</li>
 *   <li>it holds the marker file {@value #MARKER} (a regular file) written by the JVM that made it, with the
 *       Linux boot id, the PID namespace and the start time of that JVM;</li>
 *   <li>the boot id and the PID namespace are this JVM's (a directory of a JVM in another PID namespace,
 *       such as another container sharing the temporary directory, or of an earlier boot, is left alone:
 *       its pid means nothing here), and the process with that pid is gone or has another start time
 *       (the pid was reused).</li>
 * </ul>
 * Anything else is left alone, including directories without a marker (those of older versions, or one
 * being created at that moment). Deletion is relative to opened directories ({@link SecureDirectoryStream}):
 * it never follows a symbolic link and never resolves a path again, so swapping an entry for a link
 * meanwhile removes the link, not what it points to. Where the platform has no such streams, nothing is
 * swept. The sweep is best effort: whatever it cannot remove is left in place, silently.
 */
final class Ipc {
    /** The longest path a Unix domain socket may have on Linux (108 bytes of sun_path, with the NUL). */
    static final int MAX_SOCKET_PATH = 107;
    /** The file in each private directory that says who made it (see the class comment). */
    static final String MARKER = ".mproc-owner";
    private static final Pattern NAME = Pattern.compile("mproc-(\\d{1,18})-.+");
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rwx------");
    private static final int MAX_DEPTH = 32;

    private static volatile Path dir;
    private static final AtomicLong ids = new AtomicLong();
    /** Test hook: called with each directory the sweep is about to empty, after its entries were listed. */
    static volatile Consumer<Path> beforeDelete;

    interface Flushable {
        void flushQuietly();

        /** Whether there is nothing left to flush, ever (its handle was closed or collected): then it is dropped. */
        default boolean gone() {
            return false;
        }
    }

    private Ipc() {}

    /** The base directory private directories are made in (see the class comment); not created or checked here. */
    static Path base() {
        String prop = System.getProperty("mproc.ipcdir");
        if (prop != null && !prop.isBlank()) return Path.of(prop);
        String xdg = System.getenv("XDG_RUNTIME_DIR");
        if (xdg != null && !xdg.isBlank() && isPrivate(Path.of(xdg))) return Path.of(xdg);
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    /** Whether {@code d} is a directory owned by this uid with mode 0700. */
    private static boolean isPrivate(Path d) {
        try {
            PosixFileAttributes a = Files.readAttributes(d, PosixFileAttributes.class);
            return a.isDirectory() && a.owner().equals(me()) && a.permissions().equals(OWNER_ONLY);
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    /** The private directory of this JVM, created on first use. */
    static Path dir() {
        Path d = dir;
        if (d != null) return d;
        synchronized (Ipc.class) {
            if (dir != null) return dir;
            Path base = base();
            if (!Files.isDirectory(base)) {
                throw new IllegalStateException("cannot create IPC endpoints: directory " + base + " does not exist"
                        + " (set -Dmproc.ipcdir to a writable directory)");
            }
            checkBase(base);
            try {
                d = Files.createTempDirectory(base, "mproc-" + ProcessHandle.current().pid() + "-",
                        PosixFilePermissions.asFileAttribute(OWNER_ONLY));
                PosixFileAttributes a = Files.readAttributes(d, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (!a.isDirectory() || !a.permissions().equals(OWNER_ONLY)) {
                    throw new IOException(d + " is not a private directory (mode "
                            + PosixFilePermissions.toString(a.permissions()) + ")");
                }
                me = a.owner(); // who we are, for certain: the owner of what we just made
                Files.writeString(d.resolve(MARKER), marker(ProcessHandle.current().pid()), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot create a private IPC directory in " + base + ": " + e.getMessage(), e);
            }
            Path created = d;
            Runtime.getRuntime().addShutdownHook(new Thread(() -> delete(created), "mproc-ipc-cleanup"));
            dir = d;
            sweep(base);
            return d;
        }
    }

    /**
     * Refuses a base in which another user could rename or replace our directory: one owned by a user other
     * than this one or root, or writable by group or others without the sticky bit (as /tmp has).
     */
    private static void checkBase(Path base) {
        int mode, uid;
        try {
            mode = (Integer) Files.getAttribute(base, "unix:mode");
            uid = (Integer) Files.getAttribute(base, "unix:uid");
        } catch (IOException | RuntimeException e) {
            return; // no unix attributes here: nothing to check with
        }
        int myUid = myUid();
        if (myUid >= 0 && uid != myUid && uid != 0) {
            throw new IllegalStateException("cannot create IPC endpoints in " + base + ": it is owned by uid " + uid
                    + ", not by this user (uid " + myUid + ") or root, so its owner could replace them"
                    + " (set -Dmproc.ipcdir to a directory of your own)");
        }
        if ((mode & 0022) != 0 && (mode & 01000) == 0) {
            throw new IllegalStateException("cannot create IPC endpoints in " + base + ": it is writable by other users"
                    + " (mode " + String.format("%04o", mode & 07777) + ") without the sticky bit, so they could replace"
                    + " them (set -Dmproc.ipcdir to a directory of your own, or chmod +t it)");
        }
    }

    private static volatile UserPrincipal me;

    /** This process's user (as the owner of a file it creates would be). */
    static UserPrincipal me() {
        UserPrincipal u = me;
        if (u != null) return u;
        try {
            Path self = Path.of("/proc/self");
            if (Files.isDirectory(self)) {
                u = Files.getOwner(self);
            } else {
                Path probe = Files.createTempFile("mproc-uid", ".tmp");
                try {
                    u = Files.getOwner(probe);
                } finally {
                    Files.deleteIfExists(probe);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot tell this process's user: " + e.getMessage(), e);
        }
        me = u;
        return u;
    }

    private static int myUid() {
        try {
            return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }

    /** A fresh file name in the private directory; refused if too long for a Unix domain socket. */
    static Path newPath(String kind) {
        Path p = dir().resolve(kind + ids.incrementAndGet());
        int len = p.toString().getBytes(StandardCharsets.UTF_8).length;
        if (len > MAX_SOCKET_PATH) {
            throw new IllegalStateException("the IPC socket path " + p + " is " + len + " bytes long, over the OS limit of "
                    + MAX_SOCKET_PATH + " bytes for a Unix domain socket; set -Dmproc.ipcdir to a shorter directory"
                    + " (its own path is " + dir().toString().getBytes(StandardCharsets.UTF_8).length + " bytes)");
        }
        return p;
    }

    static void register(Flushable f) {
        Pending.register(f);
    }

    /** Sends what client objects still buffer (a worker calls this before it ends). */
    static void flushAll() {
        Pending.flushAll();
    }

    /**
     * What client objects still buffer, flushed at a worker's end. A class of its own so that a worker which
     * never used IPC ({@code Pending.flushAll()} on an empty list) does not initialise {@link Ipc} as it ends.
     */
    static final class Pending {
        private static final List<Flushable> flushables = new CopyOnWriteArrayList<>();

        private Pending() {}

        static void register(Flushable f) {
            flushables.removeIf(Flushable::gone); // handles made and dropped by the thousand leave no entries behind
            flushables.add(f);
        }

        static void flushAll() {
            for (Flushable f : flushables) f.flushQuietly();
        }

        /** How many are registered (for the leak test). */
        static int size() {
            return flushables.size();
        }
    }

    // ---------------------------------------------------------------- who made a directory

    /** The marker text of process {@code pid}: its boot id, PID namespace and start time. */
    static String marker(long pid) {
        return "pid=" + pid + "\nboot=" + bootId() + "\npidns=" + pidNamespace() + "\nstart=" + startTime(pid) + "\n";
    }

    private static String bootId() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/random/boot_id")).strip();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static String pidNamespace() {
        try {
            return Files.readSymbolicLink(Path.of("/proc/self/ns/pid")).toString();
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }

    /** When process {@code pid} started (Linux: clock ticks after boot, from /proc), or "" if it is not running. */
    static String startTime(long pid) {
        if (!PROC) {
            return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).flatMap(h -> h.info().startInstant())
                    .map(i -> "t" + i.toEpochMilli()).orElse("");
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            // "pid (comm) state ppid ...": field 22 is the start time; comm may hold spaces and parentheses
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            char state = f[0].charAt(0);
            return state == 'Z' || state == 'X' ? "" : f[19];
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException | RuntimeException e) {
            return "?"; // cannot tell: taken for alive
        }
    }

    private static final boolean PROC = Files.isRegularFile(Path.of("/proc/self/stat"));

    /** Whether a marker's process is gone (see the class comment). */
    static boolean markerStale(Properties m, long namedPid) {
        String pid = m.getProperty("pid"), start = m.getProperty("start");
        if (pid == null || start == null || !pid.equals(Long.toString(namedPid))) return false;
        if (!bootId().equals(m.getProperty("boot")) || !pidNamespace().equals(m.getProperty("pidns"))) return false;
        if (Long.parseLong(pid) == ProcessHandle.current().pid()) return false;
        String now = startTime(Long.parseLong(pid));
        return now.isEmpty() || (!now.equals("?") && !now.equals(start));
    }

    // ---------------------------------------------------------------- the sweep

    /** Removes the stale private directories of {@code base} (see the class comment); how many it removed. */
    static int sweep(Path base) {
        int removed = 0;
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(base)) {
            if (!(ds instanceof SecureDirectoryStream<Path> sds)) return 0; // no fd-relative deletion: no sweep
            List<Path> names = new ArrayList<>();
            for (Path p : sds) {
                var m = NAME.matcher(p.getFileName().toString());
                if (m.matches() && Long.parseLong(m.group(1)) != ProcessHandle.current().pid()) names.add(p.getFileName());
            }
            for (Path name : names) {
                try {
                    if (removeIfStale(sds, base, name)) removed++;
                } catch (IOException | RuntimeException e) {
                    // left alone
                }
            }
        } catch (IOException | RuntimeException e) {
            // best effort
        }
        return removed;
    }

    private static boolean removeIfStale(SecureDirectoryStream<Path> parent, Path base, Path name) throws IOException {
        // a first look without opening (a FIFO named like us would block an open)
        PosixFileAttributes pre = parent.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                .readAttributes();
        if (!pre.isDirectory() || !pre.owner().equals(me()) || !pre.permissions().equals(OWNER_ONLY)) return false;
        try (SecureDirectoryStream<Path> d = parent.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
            // and again of the directory opened (fstat): what is deleted is what was checked
            PosixFileAttributes a = d.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
            if (!a.owner().equals(me()) || !a.permissions().equals(OWNER_ONLY)) return false;
            Properties m = readMarker(d);
            var named = NAME.matcher(name.toString());
            if (m == null || !named.matches() || !markerStale(m, Long.parseLong(named.group(1)))) return false;
            deleteContents(d, base.resolve(name), 0);
        }
        parent.deleteDirectory(name);
        return true;
    }

    private static Properties readMarker(SecureDirectoryStream<Path> d) throws IOException {
        Path name = Path.of(MARKER);
        BasicFileAttributes a;
        try {
            a = d.getFileAttributeView(name, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
        } catch (NoSuchFileException e) {
            return null;
        }
        if (!a.isRegularFile() || a.size() > 4096) return null;
        try (SeekableByteChannel ch = d.newByteChannel(name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            ByteBuffer b = ByteBuffer.allocate(4097);
            while (b.hasRemaining() && ch.read(b) > 0) {
                // read it all
            }
            Properties p = new Properties();
            p.load(new java.io.StringReader(new String(b.array(), 0, b.position(), StandardCharsets.UTF_8)));
            return p;
        }
    }

    /** Empties the opened directory {@code d} ({@code path} is its name, for the test hook), never following a link. */
    private static void deleteContents(SecureDirectoryStream<Path> d, Path path, int depth) throws IOException {
        List<Path> entries = new ArrayList<>();
        for (Path p : d) entries.add(p.getFileName());
        Consumer<Path> hook = beforeDelete;
        if (hook != null) hook.accept(path);
        for (Path e : entries) {
            BasicFileAttributes a;
            try {
                a = d.getFileAttributeView(e, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
            } catch (NoSuchFileException gone) {
                continue;
            }
            if (a.isDirectory()) {
                if (depth >= MAX_DEPTH) throw new IOException("directories nested too deep under " + path);
                try (SecureDirectoryStream<Path> sub = d.newDirectoryStream(e, LinkOption.NOFOLLOW_LINKS)) {
                    deleteContents(sub, path.resolve(e), depth + 1);
                }
                d.deleteDirectory(e);
            } else {
                d.deleteFile(e); // a link is removed itself (unlinkat), not what it points to
            }
        }
    }

    /** Removes this JVM's own directory {@code d} (at exit), the same way: never through a link. */
    static void delete(Path d) {
        Path parent = d.toAbsolutePath().getParent();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(parent)) {
            if (ds instanceof SecureDirectoryStream<Path> sds) {
                Path name = d.getFileName();
                try (SecureDirectoryStream<Path> own = sds.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS)) {
                    deleteContents(own, d, 0);
                }
                sds.deleteDirectory(name);
                return;
            }
        } catch (IOException | RuntimeException e) {
            return; // best effort at exit
        }
        try (Stream<Path> s = Files.walk(d)) { // walk does not follow links; deleting a link removes only it
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // best effort at exit
        }
    }
}
