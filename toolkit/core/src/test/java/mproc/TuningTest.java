package mproc;

import static org.junit.jupiter.api.Assertions.*;

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

    @Test
    void anArchiveIsTrainedElsewhereOnlyWhileAnotherLiveJvmHoldsItsLock(@TempDir Path dir) throws Exception {
        Path archive = dir.resolve("k.aot");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        assertFalse(Tuning.trainedElsewhere(archive), "no lock");
        file(dir, "k.aot.tmp-" + ProcessHandle.current().pid() + ".lock", 0);
        assertFalse(Tuning.trainedElsewhere(archive), "this JVM's own training");
        file(dir, "k.aot.tmp-" + gone.pid() + ".lock", 0);
        assertFalse(Tuning.trainedElsewhere(archive), "a JVM that has ended");
        Process other = new ProcessBuilder("sleep", "30").start();
        try {
            file(dir, "other.aot.tmp-" + other.pid() + ".lock", 0);
            assertFalse(Tuning.trainedElsewhere(archive), "another archive's training");
            file(dir, "k.aot.tmp-" + other.pid() + ".lock", 0);
            assertTrue(Tuning.trainedElsewhere(archive), "another JVM trains it now");
        } finally {
            other.destroyForcibly().waitFor();
        }
        assertFalse(Tuning.trainedElsewhere(archive), "that JVM ended");
    }
}
