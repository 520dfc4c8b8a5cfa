package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Exit semantics with real parent JVMs, and the start methods. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class LifecycleTest {
    @AfterEach
    void cleanUp() throws Exception {
        Leftovers.endAndCheck(h -> Leftovers.running(h.pid()));
    }

    /** Processes still running that carry this tag in their environment (inherited from a test's parent JVM). */
    static List<Long> tagged(String tag) throws Exception {
        List<Long> out = new ArrayList<>();
        try (var dirs = Files.list(Path.of("/proc"))) {
            for (Path d : dirs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    if (new String(Files.readAllBytes(d.resolve("environ"))).contains("MPROC_TEST_TAG=" + tag)) {
                        long pid = Long.parseLong(d.getFileName().toString());
                        if (Leftovers.running(pid)) out.add(pid);
                    }
                } catch (java.io.IOException e) {
                    // gone meanwhile, or not ours to read
                }
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(StartMethod.class)
    void whenMainReturnsDaemonsAreEndedAndOthersWaitedForThenAtExitRuns(StartMethod m) throws Exception {
        String tag = UUID.randomUUID().toString();
        List<String> cmd = new ArrayList<>(new Worker(Tasks.Echo.class).command());
        cmd.set(cmd.size() - 1, Tasks.ReturningParent.class.getName());
        cmd.add(m.name());
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("MPROC_TEST_TAG", tag);
        long t0 = System.nanoTime();
        Process parent = pb.start();
        String out = new String(parent.getInputStream().readAllBytes());
        assertTrue(parent.waitFor(30, TimeUnit.SECONDS));
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals(0, parent.exitValue(), out);
        assertTrue(out.contains("main returns"), out);
        assertTrue(out.contains("atexit: daemon=143 other=0 other-output=[working, slept, hook ran]"),
                "daemon terminated (143), non-daemon waited for (0, printed 'slept'): " + out);
        assertTrue(seconds >= 1.0 && seconds < 20, "the parent waited ~1 s for its non-daemon worker: " + seconds);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (!tagged(tag).isEmpty() && System.nanoTime() < deadline) Thread.sleep(50);
        assertEquals(List.of(), tagged(tag), "workers or spare JVMs outlived their parent");
    }

    @Test
    void warmStartHandsOutAPreStartedProcessPerWorker() throws Exception {
        Worker first = new Worker(Tasks.Echo.class, "a").setStartMethod(StartMethod.WARM);
        assertTrue(first.prepare(Duration.ofSeconds(60)), "no spare JVM came up");
        first.start();
        first.join();
        Worker second = new Worker(Tasks.Echo.class, "b").setStartMethod(StartMethod.WARM);
        assertTrue(second.prepare(Duration.ofSeconds(60)));
        second.start();
        second.join();
        assertNotEquals(first.pid(), second.pid(), "each worker is a process of its own");
        assertEquals(0, first.exitCode());
        assertEquals(0, second.exitCode());
        assertTrue(first.output().contains("arg=a") && second.output().contains("arg=b"), first.output() + " " + second.output());
        assertTrue(second.output().contains("name=" + second.getName()), second.output().toString());
        // a spare's start-up happened before start(): start() to ready is much shorter than a JVM start
        Duration toReady = Duration.between(second.lifetime().requested(), second.lifetime().ready());
        assertTrue(toReady.toMillis() < 30, "warm start() to ready took " + toReady.toMillis() + " ms");
    }

    @Test
    void startMethodsChooseTheirOptions() {
        List<String> cold = new Worker(Tasks.Echo.class).setStartMethod(StartMethod.COLD).command();
        List<String> tuned = new Worker(Tasks.Echo.class).setStartMethod(StartMethod.TUNED).command();
        assertTrue(cold.stream().noneMatch(o -> o.startsWith("-XX:") || o.startsWith("-Xm")), "cold uses the JVM's defaults: " + cold);
        assertTrue(tuned.containsAll(Tuning.OPTIONS), tuned.toString());
        List<String> own = new Worker(Tasks.Echo.class).setJvmOptions(List.of("-Xmx64m")).command();
        assertTrue(own.contains("-Xmx64m") && !own.contains("-XX:+UseSerialGC"), own.toString());
        assertEquals(StartMethod.TUNED, new Worker().getStartMethod());
    }

    @Test
    void archivesNeedJarOnlyClassPaths() throws Exception {
        Path jar = Files.createTempFile("mproc-test", ".jar");
        try {
            assertTrue(Tuning.allJars(jar.toString()));
            assertFalse(Tuning.allJars(jar + java.io.File.pathSeparator + "target/classes"));
            assertFalse(Tuning.allJars("/no/such.jar"));
            Path a = Tuning.archivePath("/usr/bin/java", Tuning.OPTIONS, jar.toString(), Training.class);
            assertEquals(a, Tuning.archivePath("/usr/bin/java", Tuning.OPTIONS, jar.toString(), Training.class));
            assertNotEquals(a, Tuning.archivePath("/usr/bin/java", List.of("-Xmx1g"), jar.toString(), Training.class));
            assertTrue(a.startsWith(Tuning.cacheDir()));
        } finally {
            Files.delete(jar);
        }
    }

    @Test
    void atExitRejectsNull() {
        assertThrows(NullPointerException.class, () -> Worker.atExit(null));
    }
}
