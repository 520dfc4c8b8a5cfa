package mproc;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * JVM options for {@link StartMethod#TUNED} workers, and the class archive that makes them start fast.
 *
 * <p>The archive depends on the JDK, the options and the exact jars of the class path, so its file name
 * is a hash of all of them (a changed jar gives a new archive). It is made by a background "training" JVM
 * that runs an empty worker with {@code -XX:AOTCacheOutput} (JDK 25+) or {@code -XX:ArchiveClassesAtExit}
 * (JDK 21-24), writing to a temporary name that is renamed when complete, so no JVM ever reads half an
 * archive. Training output is discarded; a training JVM still running when this JVM exits is ended.
 *
 * <p>Archives are kept in {@code $XDG_CACHE_HOME/mproc} (else {@code ~/.cache/mproc}), created with mode
 * 0700. A JVM runs the classes of the archive it starts from, so the directory is used only if it is owned
 * by this user and not writable by group or others; otherwise workers start without an archive, and
 * stderr says why once (see {@link #usableCacheDir}).
 */
final class Tuning {
    /** Options of every TUNED (and WARM) worker. */
    static final List<String> OPTIONS = List.of("-XX:+UseSerialGC", "-Xms16m", "-Xmx128m", "-XX:-UsePerfData");
    private static final int FEATURE = Runtime.version().feature();
    private static final Set<String> training = ConcurrentHashMap.newKeySet();
    private static final Map<String, Process> trainers = new ConcurrentHashMap<>();
    private static final Set<String> trained = ConcurrentHashMap.newKeySet(); // training runs that have ended
    private static final Map<String, Long> touched = new ConcurrentHashMap<>(); // archive: when this JVM last marked it used
    private static final long TOUCH_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);

    private Tuning() {}

    /**
     * Flags of every worker JVM, whatever its start method:
     * <ul>
     *   <li>on JDK 23+, no warning on stderr about sun.misc.Unsafe use in third-party jars (classgraph, via
     *       Tablesaw);</li>
     *   <li>on Linux, the JDK's own epoll {@code SelectorProvider}, named, which is what the JVM would pick
     *       anyway. Without the name, the first socket a JVM opens looks for a provider service in every
     *       jar of the class path: with the 32 jars of the notebooks' class path that took about 60 ms of
     *       each new pool worker's start. Not added when the worker's options name a provider.</li>
     *   <li>this JVM's IPC base directory ({@code -Dmproc.ipcdir}, see {@link Ipc}), so that the JVM's own IPC
     *       objects live beside ours; not added when the options set it.</li>
     * </ul>
     */
    static List<String> launchFlags(List<String> options) {
        List<String> flags = new java.util.ArrayList<>();
        if (FEATURE >= 23) flags.add("--sun-misc-unsafe-memory-access=allow");
        if (EPOLL && options.stream().noneMatch(o -> o.startsWith("-D" + SELECTOR_PROPERTY + "="))) {
            flags.add("-D" + SELECTOR_PROPERTY + "=" + EPOLL_PROVIDER);
        }
        if (options.stream().noneMatch(o -> o.startsWith("-Dmproc.ipcdir="))) {
            flags.add("-Dmproc.ipcdir=" + Ipc.base().toAbsolutePath());
        }
        return flags;
    }

    private static final String SELECTOR_PROPERTY = "java.nio.channels.spi.SelectorProvider";
    private static final String EPOLL_PROVIDER = "sun.nio.ch.EPollSelectorProvider";
    private static final boolean EPOLL = epollProvider();

    private static boolean epollProvider() {
        if (!System.getProperty("os.name", "").equals("Linux")) return false;
        try {
            Class.forName(EPOLL_PROVIDER, false, null);
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /**
     * The archive options for these JVM options and class path, if the archive exists; else none (and
     * training starts: a background JVM runs {@code trainer} with the argument {@code --train}).
     */
    static List<String> archiveOptions(String javaExe, List<String> options, String classpath,
                                       Class<? extends Task> trainer) {
        if (Boolean.getBoolean("mproc.noArchive") || !allJars(classpath) || usableCacheDir(cacheDir()) == null) return List.of();
        Path archive = archivePath(javaExe, options, classpath, trainer);
        if (Files.isRegularFile(archive)) {
            long now = System.nanoTime();
            Long last = touched.get(archive.toString());
            if (last == null || now - last > TOUCH_EVERY_NANOS) { // a long-lived kernel's archive stays recent too
                touched.put(archive.toString(), now);
                touch(archive);
            }
            List<String> use = new java.util.ArrayList<>(4);
            use.add(FEATURE >= 25 ? "-XX:AOTCache=" + archive : "-XX:SharedArchiveFile=" + archive);
            if (options.stream().noneMatch(o -> o.startsWith("-XX:ArchiveRelocationMode="))) use.addAll(AT_ITS_ADDRESS);
            return use;
        }
        train(javaExe, options, classpath, archive, trainer);
        return List.of();
    }

    /**
     * The archive mapped at the address it was made for (the default before JDK 20; since then it is moved to a
     * random address, every pointer in it rewritten). Not moving it leaves its pages the file's, shared by every worker,
     * instead of ~6 MB private copies per worker, and an exit frees that much less: the kernel frees ~50 us per
     * MB, and a warm worker's start+join went from ~4.5-4.8 to ~4.0 ms in a probe here. The price: a worker's archive
     * is not at a random address (the parent JVM's own archive still is).
     */
    static final List<String> AT_ITS_ADDRESS = List.of("-XX:+UnlockDiagnosticVMOptions", "-XX:ArchiveRelocationMode=0");

    /** Whether the archive for this class path is ready (for benchmarks: wait until it is). */
    static boolean archiveReady(String javaExe, List<String> options, String classpath, Class<? extends Task> trainer) {
        return !allJars(classpath) || usableCacheDir(cacheDir()) == null // there will be none
                || Files.isRegularFile(archivePath(javaExe, options, classpath, trainer));
    }

    static boolean allJars(String classpath) {
        // known once true, per class path and JVM, as its archive's key (a stat per jar: ~60 us of a start()
        // with 40 jars); a false (a jar missing while it is rebuilt, say) is checked again next time
        if (ALL_JARS.contains(classpath)) return true;
        boolean all = true;
        for (String e : classpath.split(File.pathSeparator)) {
            if (!e.endsWith(".jar") || !Files.isRegularFile(Path.of(e))) {
                all = false;
                break;
            }
        }
        if (all && ALL_JARS.size() < 256) ALL_JARS.add(classpath);
        return all;
    }

    private static final Set<String> ALL_JARS = ConcurrentHashMap.newKeySet(); // class paths known to be all jars

    static Path cacheDir() {
        String xdg = System.getenv("XDG_CACHE_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache");
        return base.resolve("mproc");
    }

    private static final Map<Path, java.util.Optional<Path>> checkedDirs = new ConcurrentHashMap<>();

    /**
     * {@code dir} if class archives can be kept there, created (mode 0700) if missing; null, with one line on
     * stderr saying why, if it is not a directory, is owned by another user or is writable by group or others:
     * a JVM started from an archive runs the classes in it, so nobody else may be able to write one. Checked
     * once per directory and JVM; without it workers start without an archive.
     */
    static Path usableCacheDir(Path dir) {
        return checkedDirs.computeIfAbsent(dir, d -> {
            String problem = cacheDirProblem(d);
            if (problem == null) return java.util.Optional.of(d);
            System.err.println("mproc: not using class archives (workers start without one): " + problem);
            return java.util.Optional.empty();
        }).orElse(null);
    }

    /** What is wrong with {@code d} as the archive cache, or null if nothing. */
    static String cacheDirProblem(Path d) {
        try {
            if (!Files.exists(d, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectories(d.toAbsolutePath().getParent());
                try {
                    Files.createDirectory(d, java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
                            java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
                } catch (java.nio.file.FileAlreadyExistsException raced) {
                    // another JVM made it: checked below like any other
                }
            }
            var a = Files.readAttributes(d, java.nio.file.attribute.PosixFileAttributes.class);
            if (!a.isDirectory()) return d + " is not a directory";
            if (!a.owner().equals(Ipc.me())) {
                return d + " is owned by " + a.owner().getName() + ", not by this user (" + Ipc.me().getName() + ")";
            }
            var perms = a.permissions();
            if (perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
                    || perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE)) {
                return d + " is writable by other users (mode "
                        + java.nio.file.attribute.PosixFilePermissions.toString(perms) + "); chmod 700 it";
            }
            return null;
        } catch (UnsupportedOperationException e) {
            return null; // no POSIX permissions here: nothing to check with
        } catch (IOException | RuntimeException e) {
            return d + " cannot be used: " + e;
        }
    }

    private static final Map<String, Path> archivePaths = new ConcurrentHashMap<>();

    /** The archive's path (hashing ~30 jars' sizes and dates is done once per class path and JVM). */
    static Path archivePath(String javaExe, List<String> options, String classpath, Class<? extends Task> trainer) {
        return archivePaths.computeIfAbsent(javaExe + "\n" + options + "\n" + classpath + "\n" + trainer.getName(),
                k -> computeArchivePath(javaExe, options, classpath, trainer));
    }

    private static Path computeArchivePath(String javaExe, List<String> options, String classpath,
                                           Class<? extends Task> trainer) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            update(md, javaExe + "\n" + Runtime.version() + "\n" + String.join(" ", options) + "\n" + trainer.getName() + "\n");
            for (String e : classpath.split(File.pathSeparator)) {
                Path p = Path.of(e);
                update(md, e + "|" + Files.size(p) + "|" + Files.getLastModifiedTime(p).toMillis() + "\n");
            }
            String name = HexFormat.of().formatHex(md.digest()).substring(0, 24);
            return cacheDir().resolve(name + (FEATURE >= 25 ? ".aot" : ".jsa"));
        } catch (IOException | NoSuchAlgorithmException e) {
            return cacheDir().resolve("unusable");
        }
    }

    private static void update(MessageDigest md, String s) {
        md.update(s.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Marks an archive used now ({@link #archiveOptions} calls it on this JVM's first use of the archive, and again
     * when its last touch is over a minute old): {@link #prune} keeps the archives used last, so that one in use
     * (the notebook kernel's, say, while a run of scripts trains one each) is not thrown away and trained again.
     */
    static void touch(Path archive) {
        try {
            Files.setLastModifiedTime(archive, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
        } catch (IOException | RuntimeException e) {
            // best effort: the archive is pruned sooner
        }
    }

    /** The file whose lock marks a training of {@code archive} under way ({@link #trainingLock}). */
    static Path lockPath(Path archive) {
        return archive.resolveSibling(archive.getFileName() + ".lock");
    }

    /**
     * The lock of {@code archive}'s training, taken once no other JVM holds it: the open channel of
     * {@code <archive>.lock} (closing it lets go; the OS lets go when the JVM ends, however it ends). Null if
     * the archive is there (another JVM trained it meanwhile) or {@code waitMillis} passed. So one class path
     * gets one training, however many programs start workers on it.
     */
    static java.nio.channels.FileChannel trainingLock(Path archive, long waitMillis) throws IOException, InterruptedException {
        java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(lockPath(archive),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
        try {
            long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
            while (true) {
                if (Files.isRegularFile(archive)) break;
                if (c.tryLock() != null) {
                    if (Files.isRegularFile(archive)) break; // trained just before the other JVM let go
                    return c;
                }
                if (System.nanoTime() > deadline) break;
                Thread.sleep(100);
            }
        } catch (IOException | InterruptedException | RuntimeException e) {
            c.close();
            throw e;
        }
        c.close();
        return null;
    }

    /**
     * Keeps the cache small: the {@code keep} archives used last (each toolkit or script rebuild makes a new
     * one; see {@link #touch}), and no abandoned half-written ones. A {@code <archive>.tmp-<pid>} file (and its {@code .config})
     * is abandoned when the JVM {@code pid} that trained it is gone, as after a short program exits mid-training
     * (after a minute, so that a file just written is left alone), or when it is over an hour old.
     */
    static void prune(Path dir, int keep) {
        try (var s = Files.list(dir)) {
            List<Path> all = s.filter(p -> Files.isRegularFile(p)).sorted((a, b) -> {
                try {
                    return Files.getLastModifiedTime(b).compareTo(Files.getLastModifiedTime(a));
                } catch (IOException e) {
                    return 0;
                }
            }).toList();
            long now = System.currentTimeMillis();
            int kept = 0;
            for (Path p : all) {
                String name = p.getFileName().toString();
                if (name.endsWith(".lock")) { // a training's lock: goes with its archive, or after an hour without one
                    Path archive = p.resolveSibling(name.substring(0, name.length() - ".lock".length()));
                    if (!Files.exists(archive) && now - Files.getLastModifiedTime(p).toMillis() > 3_600_000L) Files.deleteIfExists(p);
                    continue;
                }
                int at = name.indexOf(".tmp-");
                if (at < 0) {
                    if (kept++ >= keep) {
                        Files.deleteIfExists(p);
                        Files.deleteIfExists(lockPath(p));
                    }
                    continue;
                }
                long age = now - Files.getLastModifiedTime(p).toMillis();
                String pid = name.substring(at + 5).replaceFirst("\\..*", "");
                boolean ownerGone = !pid.matches("\\d{1,18}") || Procs.gone(Long.parseLong(pid));
                if (age > 3_600_000L || (ownerGone && age > 60_000L)) Files.deleteIfExists(p);
            }
        } catch (IOException | RuntimeException e) {
            // best effort
        }
    }

    private static void train(String javaExe, List<String> options, String classpath, Path archive,
                              Class<? extends Task> trainer) {
        String key = archive.toString();
        if (!training.add(key)) return;
        Thread t = new Thread(() -> {
            Path tmp = archive.resolveSibling(archive.getFileName() + ".tmp-" + ProcessHandle.current().pid());
            java.nio.channels.FileChannel lock = null;
            try {
                if (usableCacheDir(archive.getParent()) == null) return;
                lock = trainingLock(archive, TimeUnit.MINUTES.toMillis(5)); // another JVM's training: its archive
                if (lock == null) return;
                prune(archive.getParent(), 8); // what earlier JVMs ended mid-training left behind
                List<String> cmd = new ArrayList<>();
                cmd.add(javaExe);
                cmd.addAll(options);
                cmd.addAll(launchFlags(options));
                cmd.add(FEATURE >= 25 ? "-XX:AOTCacheOutput=" + tmp : "-XX:ArchiveClassesAtExit=" + tmp);
                cmd.add("-Dmproc.training=true");
                cmd.add("-cp");
                cmd.add(classpath);
                cmd.add(WorkerMain.class.getName());
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                trainers.put(key, p);
                try (OutputStream in = p.getOutputStream()) {
                    in.write(("class=mproc.Worker\nname=mproc-training\ntarget=" + trainer.getName()
                            + "\nargs.count=1\nargs.0=--train\ndaemon=true\nparent.pid="
                            + ProcessHandle.current().pid() + "\n" + Spec.END + "\n").getBytes(StandardCharsets.UTF_8));
                }
                if (p.waitFor(5, TimeUnit.MINUTES) && p.exitValue() == 0 && Files.size(tmp) > 0) {
                    try {
                        Files.move(tmp, archive, StandardCopyOption.ATOMIC_MOVE);
                    } catch (AtomicMoveNotSupportedException e) {
                        Files.move(tmp, archive, StandardCopyOption.REPLACE_EXISTING);
                    }
                    prune(archive.getParent(), 8);
                }
            } catch (IOException | RuntimeException e) {
                // no archive this time: workers keep starting on the options alone
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                trainers.remove(key);
                trained.add(key);
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // best effort
                }
                try {
                    Files.deleteIfExists(Path.of(tmp + ".config"));
                } catch (IOException ignored) {
                    // best effort
                }
                try {
                    if (lock != null) lock.close(); // the lock file stays: the next training of this class path locks it
                } catch (IOException ignored) {
                    // released when this JVM ends
                }
            }
        }, "mproc-archive-training");
        t.setDaemon(true);
        t.start();
    }

    /** Waits (bounded) for a running training to finish; true if the archive now exists. */
    static boolean awaitArchive(String javaExe, List<String> options, String classpath, Class<? extends Task> trainer,
                                long timeoutMillis) throws InterruptedException {
        archiveOptions(javaExe, options, classpath, trainer); // starts training if needed
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        String key = archivePath(javaExe, options, classpath, trainer).toString();
        while (!archiveReady(javaExe, options, classpath, trainer)) {
            if (System.nanoTime() > deadline) return false;
            // training ended without an archive (it failed): no point waiting longer
            if (trained.contains(key)) return archiveReady(javaExe, options, classpath, trainer);
            Thread.sleep(50);
        }
        return true;
    }

    /** Ends training JVMs still running (at exit). */
    static void endTraining() {
        for (Process p : trainers.values()) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.toHandle().destroyForcibly();
        }
    }
}
