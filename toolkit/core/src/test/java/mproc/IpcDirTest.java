package mproc;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The IPC base directory and the sweep of stale private directories (see {@link Ipc}): each test works in
 * a base of its own, with real directories, real owners (chown: the tests run as root), real modes, real
 * symbolic links and real JVMs killed with SIGKILL.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(WorkerJvms.class)
class IpcDirTest {
    private static final int NOBODY = 65534;
    private Path base;
    private final List<Process> started = new ArrayList<>();

    @BeforeEach
    void makeBase() throws Exception {
        base = Files.createTempDirectory("ipcdirtest"); // 0700, ours
    }

    @AfterEach
    void cleanUp() throws Exception {
        Ipc.beforeDelete = null;
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
            p.waitFor(10, TimeUnit.SECONDS);
        }
        try (Stream<Path> s = Files.walk(base)) { // walk does not follow links
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        }
    }

    // ---------------------------------------------------------------- helpers

    /** A fresh JVM running {@code main}, with the worker class path and these -D options (no inherited ipcdir). */
    private static List<String> javaCmd(Class<?> main, List<String> props, String... args) {
        List<String> cmd = new ArrayList<>(new Worker(Tasks.Echo.class).command());
        cmd.removeIf(a -> a.startsWith("-Dmproc.ipcdir="));
        cmd.set(cmd.size() - 1, main.getName());
        cmd.addAll(cmd.size() - 3, props);
        cmd.addAll(List.of(args));
        return cmd;
    }

    private Process start(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        started.add(p);
        return p;
    }

    /** Reads lines of {@code p} until one starts with {@code prefix}; its rest. */
    private static String awaitLine(Process p, String prefix) throws Exception {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder seen = new StringBuilder();
        for (String l; (l = r.readLine()) != null; ) {
            if (l.startsWith(prefix)) return l.substring(prefix.length());
            seen.append(l).append('\n');
        }
        fail("no line " + prefix + " from " + p.info().commandLine().orElse("?") + ":\n" + seen);
        return null;
    }

    /** The pid of a process that has ended (and was reaped). */
    private static long deadPid() throws Exception {
        Process p = new ProcessBuilder("true").start();
        assertEquals(0, p.waitFor());
        assertTrue(Ipc.startTime(p.pid()).isEmpty());
        return p.pid();
    }

    /** A directory as a dead JVM of ours leaves it: mode 0700, its marker, a socket-like file, a subdirectory. */
    private Path staleDir(String suffix) throws Exception {
        long pid = deadPid();
        Path d = Files.createDirectory(base.resolve("mproc-" + pid + "-" + suffix),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Files.writeString(d.resolve(Ipc.MARKER), Ipc.marker(pid));
        Files.writeString(d.resolve("p1"), "x");
        Path sub = Files.createDirectories(d.resolve("classes-1/REPL"));
        Files.writeString(sub.resolve("A.class"), "x");
        return d;
    }

    private Path outside() throws Exception {
        Path o = Files.createDirectory(base.resolve("outside"));
        Files.writeString(o.resolve("precious"), "keep me");
        Files.createDirectory(o.resolve("subdir"));
        Files.writeString(o.resolve("subdir/also"), "keep me too");
        return o;
    }

    private static void assertIntact(Path outside) throws Exception {
        assertEquals("keep me", Files.readString(outside.resolve("precious")));
        assertEquals("keep me too", Files.readString(outside.resolve("subdir/also")));
    }

    // ---------------------------------------------------------------- the sweep

    @Test
    void theDirectoryOfAJvmKilledWithSigkillIsSweptAndALiveOnesIsNot() throws Exception {
        List<String> props = List.of("-Dmproc.ipcdir=" + base);
        Process killed = start(javaCmd(IpcDirTasks.HoldDir.class, props));
        Process alive = start(javaCmd(IpcDirTasks.HoldDir.class, props));
        Path killedDir = Path.of(awaitLine(killed, "dir="));
        Path aliveDir = Path.of(awaitLine(alive, "dir="));
        assertEquals(base, killedDir.getParent());
        killed.destroyForcibly(); // SIGKILL: no shutdown hook removes its directory
        assertEquals(137, killed.waitFor());
        assertTrue(Files.isDirectory(killedDir), "SIGKILL left no directory to sweep");
        assertTrue(Files.isRegularFile(killedDir.resolve(Ipc.MARKER)));

        assertEquals(1, Ipc.sweep(base));
        assertFalse(Files.exists(killedDir));
        assertTrue(Files.isDirectory(aliveDir), "the directory of a live JVM was swept");

        alive.destroyForcibly();
        alive.waitFor();
        assertEquals(1, Ipc.sweep(base));
        assertFalse(Files.exists(aliveDir));
    }

    @Test
    void aSubdirectorySwappedForALinkBetweenListingAndDeletingRemovesOnlyTheLink() throws Exception {
        Path outside = outside();
        Path stale = staleDir("swap");
        List<Path> hooked = new ArrayList<>();
        Ipc.beforeDelete = d -> {
            if (!d.equals(stale)) return;
            hooked.add(d);
            try { // what a second user did: the subdirectory listed is now a link to elsewhere
                Files.move(stale.resolve("classes-1"), base.resolve("moved-away"));
                Files.createSymbolicLink(stale.resolve("classes-1"), outside);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        assertEquals(1, Ipc.sweep(base));
        assertEquals(List.of(stale), hooked, "the hook ran between listing and deleting");
        assertFalse(Files.exists(stale, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertIntact(outside);
    }

    static final int RACE_ROUNDS = 100;

    @Test
    void aThreadSwappingSubdirectoriesForLinksDuringTheSweepNeverReachesOutside() throws Exception {
        Path outside = outside();
        int removed = 0;
        long allSwaps = 0;
        for (int round = 0; round < RACE_ROUNDS; round++) {
            Path stale = staleDir("race" + round);
            Path sub = stale.resolve("classes-1"), away = base.resolve("away-" + round);
            java.util.concurrent.atomic.AtomicBoolean done = new java.util.concurrent.atomic.AtomicBoolean();
            java.util.concurrent.atomic.AtomicInteger swaps = new java.util.concurrent.atomic.AtomicInteger();
            Thread attacker = new Thread(() -> {
                while (!done.get()) {
                    try {
                        Files.move(sub, away);
                        Files.createSymbolicLink(sub, outside);
                        swaps.incrementAndGet();
                        Thread.onSpinWait();
                        Files.delete(sub);
                        Files.move(away, sub);
                    } catch (java.io.IOException | RuntimeException e) {
                        // the sweep got there first: try again
                    }
                }
            });
            attacker.start();
            while (swaps.get() == 0 && attacker.isAlive()) Thread.onSpinWait();
            removed += Ipc.sweep(base);
            done.set(true);
            attacker.join();
            allSwaps += swaps.get();
            assertIntact(outside);
        }
        System.out.println("sweep race: " + RACE_ROUNDS + " rounds, " + allSwaps + " swaps, " + removed + " directories removed");
        assertTrue(removed > 0, "no round removed its stale directory");
    }

    @Test
    void theSweptDirectoryItselfSwappedForALinkLeavesTheOutsideIntact() throws Exception {
        Path outside = outside();
        Path stale = staleDir("topswap");
        Ipc.beforeDelete = d -> {
            if (!d.equals(stale)) return;
            try {
                Files.move(stale, base.resolve("moved-top"));
                Files.createSymbolicLink(stale, outside);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        Ipc.sweep(base);
        assertTrue(Files.isSymbolicLink(stale), "the link is not followed (nor removed as a directory)");
        assertIntact(outside);
    }

    @Test
    void linksAlreadyInPlaceAreNeverFollowed() throws Exception {
        Path outside = outside();
        long dead = deadPid();
        Path topLink = Files.createSymbolicLink(base.resolve("mproc-" + dead + "-link"), outside);
        Path stale = staleDir("links");
        Files.createSymbolicLink(stale.resolve("to-dir"), outside);
        Files.createSymbolicLink(stale.resolve("to-file"), outside.resolve("precious"));
        Files.createSymbolicLink(stale.resolve("classes-1/REPL/deep"), outside.resolve("subdir"));
        assertEquals(1, Ipc.sweep(base));
        assertFalse(Files.exists(stale, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        assertTrue(Files.isSymbolicLink(topLink), "a link named like a directory of ours is left alone");
        assertIntact(outside);
    }

    @Test
    void aForeignOwnedDirectoryIsLeftAloneAndItsTwinOfOursIsSwept() throws Exception {
        Path foreign = staleDir("foreign"), ours = staleDir("ours");
        Files.setAttribute(foreign, "unix:uid", NOBODY);
        assertEquals(NOBODY, (int) (Integer) Files.getAttribute(foreign, "unix:uid"));
        // also a directory of ours whose marker file belongs to someone else (or is a link): left alone
        Path foreignMarker = staleDir("marker-link");
        Files.move(foreignMarker.resolve(Ipc.MARKER), base.resolve("marker-elsewhere"));
        Files.createSymbolicLink(foreignMarker.resolve(Ipc.MARKER), base.resolve("marker-elsewhere"));

        assertEquals(1, Ipc.sweep(base));
        assertFalse(Files.exists(ours));
        assertTrue(Files.isRegularFile(foreign.resolve("classes-1/REPL/A.class")), "a foreign directory was touched");
        assertTrue(Files.isRegularFile(foreignMarker.resolve("p1")), "a directory with a linked marker was touched");
    }

    @Test
    void aDirectoryThatIsNotMode0700IsLeftAlone() throws Exception {
        List<Path> kept = new ArrayList<>();
        for (String mode : List.of("rwxr-x---", "rwxrwxrwx", "rwx-----x", "rw-------")) {
            Path d = staleDir("mode" + kept.size());
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString(mode));
            kept.add(d);
        }
        Path ours = staleDir("ok");
        assertEquals(1, Ipc.sweep(base));
        assertFalse(Files.exists(ours));
        for (Path d : kept) {
            Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwx------"));
            assertTrue(Files.isRegularFile(d.resolve("p1")), d + " was touched");
        }
    }

    @Test
    void directoriesWithoutAMarkerOrOfAnotherPidNamespaceOrBootAreLeftAlone() throws Exception {
        long dead = deadPid();
        Path noMarker = Files.createDirectory(base.resolve("mproc-" + dead + "-nomarker"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        Path otherNs = staleDir("otherns"), otherBoot = staleDir("otherboot"), wrongPid = staleDir("wrongpid");
        Files.writeString(otherNs.resolve(Ipc.MARKER), Ipc.marker(dead).replaceFirst("pidns=.*", "pidns=pid:[1]"));
        Files.writeString(otherBoot.resolve(Ipc.MARKER), Ipc.marker(dead).replaceFirst("boot=.*", "boot=another"));
        Files.writeString(wrongPid.resolve(Ipc.MARKER), Ipc.marker(ProcessHandle.current().pid()));
        // a live process whose pid is named, with another start time: the pid was reused, so it is stale
        long me = ProcessHandle.current().pid();
        Path reused = Files.createDirectory(base.resolve("mproc-" + me + "1-x")); // not our pid: check the rule itself
        Files.delete(reused);
        java.util.Properties m = new java.util.Properties();
        m.load(new java.io.StringReader(Ipc.marker(me).replaceFirst("start=.*", "start=1")));
        assertTrue(Ipc.markerStale(m, me) == false, "our own JVM is never stale");
        Process live = start(List.of("sleep", "60"));
        m = new java.util.Properties();
        m.load(new java.io.StringReader(Ipc.marker(live.pid())));
        assertFalse(Ipc.markerStale(m, live.pid()), "a live process is not stale");
        m.setProperty("start", "1");
        assertTrue(Ipc.markerStale(m, live.pid()), "a reused pid (other start time) is stale");

        assertEquals(0, Ipc.sweep(base));
        for (Path d : List.of(noMarker, otherNs, otherBoot, wrongPid)) assertTrue(Files.isDirectory(d), d + " was swept");
    }

    @Test
    void aLiveJvmInAnotherPidNamespaceKeepsItsDirectory() throws Exception {
        assumeTrue(new ProcessBuilder("unshare", "--pid", "--fork", "true").start().waitFor() == 0,
                "no unshare --pid here");
        List<String> cmd = new ArrayList<>(List.of("unshare", "--pid", "--fork"));
        cmd.addAll(javaCmd(IpcDirTasks.HoldDir.class, List.of("-Dmproc.ipcdir=" + base)));
        Process ns = start(cmd);
        Path d = Path.of(awaitLine(ns, "dir="));
        String marker = Files.readString(d.resolve(Ipc.MARKER));
        assertFalse(marker.contains(Ipc.marker(ProcessHandle.current().pid()).lines()
                .filter(l -> l.startsWith("pidns=")).findFirst().orElseThrow()), marker);
        assertEquals(0, Ipc.sweep(base));
        assertTrue(Files.isDirectory(d), "the directory of a live JVM in another PID namespace was swept");
    }

    // ---------------------------------------------------------------- the base directory

    @Test
    void aWorkerGetsTheParentsBaseDirectory() throws Exception {
        Process p = start(javaCmd(IpcDirTasks.ParentOfWorker.class, List.of("-Dmproc.ipcdir=" + base)));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        Path worker = Path.of(out.lines().filter(l -> l.startsWith("worker=")).findFirst().orElseThrow().substring(7));
        String parentLine = out.lines().filter(l -> l.startsWith("parent=")).findFirst().orElseThrow();
        Path parent = Path.of(parentLine.substring(7, parentLine.indexOf(' ')));
        assertEquals(base, worker.getParent(), out);
        assertEquals(base, parent.getParent(), out);
        assertNotEquals(worker, parent);
        assertTrue(parentLine.endsWith("worker-exit=0"), out);
    }

    @Test
    void xdgRuntimeDirIsTheBaseWhenPrivateElseTheTemporaryDirectory() throws Exception {
        Path runtime = Files.createDirectory(base.resolve("runtime"),
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        ProcessBuilder pb = new ProcessBuilder(javaCmd(IpcDirTasks.HoldDir.class, List.of())).redirectErrorStream(true);
        pb.environment().put("XDG_RUNTIME_DIR", runtime.toString());
        Process p = pb.start();
        started.add(p);
        assertEquals(runtime, Path.of(awaitLine(p, "dir=")).getParent());
        p.destroy(); // SIGTERM: its hook removes the directory
        p.waitFor();

        Files.setPosixFilePermissions(runtime, PosixFilePermissions.fromString("rwxr-xr-x"));
        Process q = pb.start();
        started.add(q);
        Path d = Path.of(awaitLine(q, "dir="));
        assertEquals(Path.of(System.getProperty("java.io.tmpdir")), d.getParent(), "a non-private XDG_RUNTIME_DIR was used");
        q.destroy();
        q.waitFor();
    }

    @Test
    void aBaseOthersCouldRenameInIsRefused() throws Exception {
        Path open = Files.createDirectory(base.resolve("open"));
        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rwxrwxrwx"));
        Path foreign = Files.createDirectory(base.resolve("foreign"));
        Files.setAttribute(foreign, "unix:uid", NOBODY);
        Path sticky = Files.createDirectory(base.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        Map<Path, String> expected = Map.of(open, "writable by other users (mode 0777) without the sticky bit",
                foreign, "owned by uid " + NOBODY);
        for (var e : expected.entrySet()) {
            Process p = start(javaCmd(IpcTasks.MakeIpcDir.class, List.of("-Dmproc.ipcdir=" + e.getKey())));
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(3, p.waitFor(), out);
            assertTrue(out.contains("error=cannot create IPC endpoints in " + e.getKey()) && out.contains(e.getValue()), out);
        }
        Process p = start(javaCmd(IpcTasks.MakeIpcDir.class, List.of("-Dmproc.ipcdir=" + sticky)));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("dir=" + sticky + "/mproc-"), out);
    }

    @Test
    void aSocketPathOverTheOsLimitIsRefusedAtOnceNamingPathAndLimit() throws Exception {
        Path deep = base;
        while (deep.toString().length() < 80) deep = deep.resolve("deeper");
        Files.createDirectories(deep);
        long t0 = System.nanoTime();
        Process p = start(javaCmd(IpcTasks.MakeIpcDir.class, List.of("-Dmproc.ipcdir=" + deep)));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(3, p.waitFor(), out);
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(30), "took " + (System.nanoTime() - t0) / 1e9 + " s");
        assertTrue(out.contains("error=the IPC socket path " + deep + "/mproc-"), out);
        assertTrue(out.contains("over the OS limit of 107 bytes"), out);
    }

    // ---------------------------------------------------------------- the class-archive cache

    @Test
    void theArchiveCacheIsCreatedPrivateAndRefusedWhenOthersCouldWriteIt() throws Exception {
        Path fresh = base.resolve("cache-fresh/mproc");
        assertNull(Tuning.cacheDirProblem(fresh));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)));

        Path writable = Files.createDirectories(base.resolve("cache-writable/mproc"));
        Files.setPosixFilePermissions(writable, PosixFilePermissions.fromString("rwxrwxr-x"));
        assertTrue(Tuning.cacheDirProblem(writable).contains("writable by other users"), Tuning.cacheDirProblem(writable));

        Path foreign = Files.createDirectories(base.resolve("cache-foreign/mproc"));
        Files.setAttribute(foreign, "unix:uid", NOBODY);
        assertTrue(Tuning.cacheDirProblem(foreign).contains("is owned by"), Tuning.cacheDirProblem(foreign));

        // in a JVM of its own: the refusal is said on stderr and the cache is not used
        Process p = start(javaCmd(IpcDirTasks.CheckCache.class, List.of(), foreign.toString()));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), out);
        assertTrue(out.contains("mproc: not using class archives (workers start without one): " + foreign + " is owned by"), out);
        assertTrue(out.contains("usable=false"), out);
    }
}
