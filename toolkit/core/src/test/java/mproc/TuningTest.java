package mproc;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TuningTest {
    static void file(Path dir, String name, long ageMillis) throws Exception {
        Path p = Files.writeString(dir.resolve(name), name);
        Files.setLastModifiedTime(p, FileTime.fromMillis(System.currentTimeMillis() - ageMillis));
    }

    @Test
    void pruneKeepsTheNewestArchivesAndDropsAbandonedHalfWrittenOnes(@TempDir Path dir) throws Exception {
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        long dead = gone.pid(), alive = ProcessHandle.current().pid();
        for (int i = 0; i < 10; i++) file(dir, "archive" + i + ".aot", 1_000L * (i + 1)); // archive0 newest
        file(dir, "x.aot.tmp-" + dead, 120_000);           // its JVM is gone: abandoned
        file(dir, "x.aot.tmp-" + dead + ".config", 120_000);
        file(dir, "y.aot.tmp-" + dead, 10_000);            // just written: left for now
        file(dir, "z.aot.tmp-" + alive, 1_800_000);        // its JVM is still training
        file(dir, "w.aot.tmp-" + alive, 7_200_000);        // over an hour: abandoned whoever owns it
        Tuning.prune(dir, 8);
        Set<String> left = new TreeSet<>();
        try (var s = Files.list(dir)) {
            s.forEach(p -> left.add(p.getFileName().toString()));
        }
        Set<String> expected = new TreeSet<>(Set.of("y.aot.tmp-" + dead, "z.aot.tmp-" + alive));
        for (int i = 0; i < 8; i++) expected.add("archive" + i + ".aot");
        assertEquals(expected, left);
    }

    @Test
    void anArchiveInUseIsKeptOverOnesTrainedAfterIt(@TempDir Path dir) throws Exception {
        for (int i = 0; i < 10; i++) file(dir, "archive" + i + ".aot", 1_000L * (i + 1)); // archive9 trained first
        Tuning.touch(dir.resolve("archive9.aot")); // a worker started from it just now
        Tuning.prune(dir, 8);
        Set<String> left = new TreeSet<>();
        try (var s = Files.list(dir)) {
            s.forEach(p -> left.add(p.getFileName().toString()));
        }
        Set<String> expected = new TreeSet<>(Set.of("archive9.aot"));
        for (int i = 0; i < 7; i++) expected.add("archive" + i + ".aot");
        assertEquals(expected, left, "the least recently used go: archive7 and archive8");
    }

    /** Holds the training lock of the archive args[0] (as a training JVM does), says so, and waits to be killed. */
    public static final class LockHolder {
        public static void main(String[] args) throws Exception {
            java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(Tuning.lockPath(Path.of(args[0])),
                    java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
            c.lock();
            System.out.println("locked");
            Thread.sleep(600_000);
        }
    }

    @Test
    void aTrainingWaitsWhileAnotherJvmHoldsTheLockAndTrainsOnceThatJvmIsKilled(@TempDir Path dir) throws Exception {
        Path archive = dir.resolve("k.aot");
        String java = WorkerJvms.java();
        Process other = new ProcessBuilder(java, "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-cp",
                System.getProperty("java.class.path"), LockHolder.class.getName(), archive.toString()).start();
        try {
            assertEquals("locked", new java.io.BufferedReader(new java.io.InputStreamReader(other.getInputStream())).readLine());
            long t0 = System.nanoTime();
            assertNull(Tuning.trainingLock(archive, 500), "another JVM trains it: no second training");
            assertTrue(System.nanoTime() - t0 >= 400_000_000L, "it waited for that JVM");
            other.destroyForcibly().waitFor(); // SIGKILL: no finally runs there, the OS lets go of the lock
            try (java.nio.channels.FileChannel mine = Tuning.trainingLock(archive, 5_000)) {
                assertNotNull(mine, "the lock is this JVM's once the other is gone");
            }
            Files.writeString(archive, "trained");
            assertNull(Tuning.trainingLock(archive, 5_000), "the archive is there: nothing to train");
        } finally {
            other.destroyForcibly().waitFor();
        }
    }

    @Test
    void aLockGoesWithItsArchiveOrAfterAnHourWithoutOne(@TempDir Path dir) throws Exception {
        for (int i = 0; i < 9; i++) file(dir, "archive" + i + ".aot", 1_000L * (i + 1)); // archive8 the oldest
        file(dir, "archive8.aot.lock", 0);
        file(dir, "archive0.aot.lock", 0);
        file(dir, "gone.aot.lock", 7_200_000);   // no archive, over an hour: abandoned
        file(dir, "training.aot.lock", 60_000);  // no archive yet: a training under way
        Tuning.prune(dir, 8);
        Set<String> left = new TreeSet<>();
        try (var s = Files.list(dir)) {
            s.forEach(p -> left.add(p.getFileName().toString()));
        }
        Set<String> expected = new TreeSet<>(Set.of("archive0.aot.lock", "training.aot.lock"));
        for (int i = 0; i < 8; i++) expected.add("archive" + i + ".aot");
        assertEquals(expected, left, "the locks count as no archive; archive8 went with its lock");
    }

    /** A jar of every class under {@code classes}. */
    static Path jarOf(Path classes, Path jar) throws Exception {
        try (var out = new java.util.jar.JarOutputStream(Files.newOutputStream(jar)); var files = Files.walk(classes)) {
            for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                out.putNextEntry(new java.util.jar.JarEntry(classes.relativize(f).toString().replace('\\', '/')));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
        return jar;
    }

    /**
     * A worker JVM on a class path of jars starts from its trained archive, mapped where it was made (no
     * relocation), and runs: exit 0, its reports on stdout, nothing on stderr (no warning about the options).
     */
    @Test
    void aWorkerStartsFromItsArchiveMappedWhereItWasMade(@TempDir Path dir) throws Exception {
        Path classes = Path.of(Worker.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        assumeTrue(Files.isDirectory(classes), "the toolkit's classes are a directory here");
        String cp = jarOf(classes, dir.resolve("mproc-test-" + System.nanoTime() + ".jar")).toString();
        String javaExe = Launcher.javaExecutable();
        java.util.List<String> options = Tuning.OPTIONS;
        assumeTrue(Tuning.usableCacheDir(Tuning.cacheDir()) != null, "a usable archive cache");
        Path archive = Tuning.archivePath(javaExe, options, cp, Training.class);
        try {
            startsFromIt(javaExe, options, cp);
        } finally { // a test's archive: not left to push a used one out of the cache
            Files.deleteIfExists(archive);
            Files.deleteIfExists(Tuning.lockPath(archive));
        }
    }

    private static void startsFromIt(String javaExe, java.util.List<String> options, String cp) throws Exception {
        assertTrue(Tuning.awaitArchive(javaExe, options, cp, Training.class, 120_000), "the archive was trained");
        java.util.List<String> use = Tuning.archiveOptions(javaExe, options, cp, Training.class);
        assertTrue(use.containsAll(Tuning.AT_ITS_ADDRESS), use.toString());
        java.util.List<String> cmd = new java.util.ArrayList<>(java.util.List.of(javaExe));
        cmd.addAll(options);
        cmd.addAll(use);
        boolean aot = Runtime.version().feature() >= 25; // the aot log tag is JDK 25's; cds before
        cmd.add(aot ? "-Xlog:aot=info" : "-Xlog:cds=info");
        cmd.addAll(java.util.List.of("-cp", cp, WorkerMain.class.getName()));
        Process p = new ProcessBuilder(cmd).start();
        try (var in = p.getOutputStream()) {
            in.write(("class=mproc.Worker\nname=archived\nparent.pid=1\n" + Spec.END + "\n").getBytes());
        }
        String out = new String(p.getInputStream().readAllBytes()), err = new String(p.getErrorStream().readAllBytes());
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out + err);
        assertEquals("", err, "nothing on stderr");
        assertTrue(out.contains(Relay.MARKER + "ready "), out);
        // the JVM's own log: the archive was opened and not relocated
        if (aot) {
            assertTrue(out.contains("Opened AOT cache " + use.get(0).substring(13)), out);
            assertTrue(out.contains("ArchiveRelocationMode: 0"), out);
        }
        assertFalse(out.contains("alternative address"), "mapped where it was made:\n" + out);
    }
}
