package mproc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The worker's class path: every entry the parent has, in the parent's order except that the entries holding
 * the mproc packages come before the others (a worker then finds a toolkit class without first reading the
 * directories of every large jar before it).
 */
class ChildClasspathTest {

    /** A jar of {@code entries} (names ending in / are directories, the rest get a few bytes). */
    private static Path jar(Path file, String... entries) throws IOException {
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(file))) {
            for (String e : entries) {
                out.putNextEntry(new JarEntry(e));
                if (!e.endsWith("/")) out.write(e.getBytes());
                out.closeEntry();
            }
        }
        return file;
    }

    @Test
    void theToolkitsEntriesComeBeforeOtherJarsOfTheLoader(@TempDir Path dir) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "tests run on a JDK");
        Path src = Files.createDirectories(dir.resolve("src/org/user")).resolve("Anchor.java");
        Files.writeString(src, "package org.user; public class Anchor {}");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), src.toString()));
        Path big = jar(dir.resolve("big.jar"), "org/", "org/big/", "org/big/Big.class");
        Path anchorJar = jar(dir.resolve("anchor.jar"));
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(anchorJar))) {
            out.putNextEntry(new JarEntry("org/user/Anchor.class"));
            out.write(Files.readAllBytes(classes.resolve("org/user/Anchor.class")));
            out.closeEntry();
        }
        Path toolkit = jar(dir.resolve("toolkit.jar"), "mproc/", "mproc/extra/", "mproc/extra/Helper.class");
        Path late = jar(dir.resolve("late.jar"), "late/");
        try (Growing loader = new Growing(big, anchorJar)) {
            Class<?> anchor = Class.forName("org.user.Anchor", false, loader);
            assertEquals(List.of(anchorJar.toString(), big.toString()), after(ChildClasspath.of(anchor), anchorJar, big),
                    "the anchor's own jar first, then the loader's others");
            // the loader gains jars (a kernel's %jars): its entries are looked up again
            loader.add(toolkit);
            loader.add(late);
            List<String> cp = Arrays.asList(ChildClasspath.of(anchor).split(File.pathSeparator));
            int a = cp.indexOf(anchorJar.toString()), t = cp.indexOf(toolkit.toString()),
                    b = cp.indexOf(big.toString()), l = cp.indexOf(late.toString());
            assertTrue(a >= 0 && t >= 0 && b >= 0 && l >= 0, "every entry is kept: " + cp);
            assertTrue(a < t, "the anchor's own jar first: " + cp);
            assertTrue(t < b && b < l, "the toolkit's jar before the others, which keep their order: " + cp);
            assertEquals(cp.size(), new java.util.HashSet<>(cp).size(), "no entry twice: " + cp);
        }
    }

    /** The entries {@code of} of the class path, in its order. */
    private static List<String> after(String classpath, Path... of) {
        List<String> wanted = Arrays.stream(of).map(Path::toString).toList();
        return Arrays.stream(classpath.split(File.pathSeparator)).filter(wanted::contains).toList();
    }

    private static final class Growing extends URLClassLoader {
        Growing(Path... jars) throws IOException {
            super(new URL[0], ChildClasspathTest.class.getClassLoader());
            for (Path j : jars) add(j);
        }

        void add(Path jar) throws IOException {
            addURL(jar.toUri().toURL());
        }
    }

    /** Prints this JVM's worker class path (run in a JVM of its own, below). */
    public static final class Print {
        public static void main(String[] args) {
            System.out.print(ChildClasspath.of());
        }
    }

    /**
     * java.class.path as given (relative entries here): the toolkit's entries are found and moved all the same,
     * and a file named twice is kept once.
     */
    @Test
    void relativeEntriesOfJavaClassPathAreOrderedToo(@TempDir Path dir) throws Exception {
        jar(dir.resolve("big.jar"), "org/", "org/big/");
        jar(dir.resolve("toolkit.jar"), "mproc/", "mproc/extra/");
        String own = Path.of(Worker.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        String tests = Path.of(ChildClasspathTest.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        // the same files again, spelled otherwise: each is kept once, as first spelled
        String given = String.join(File.pathSeparator, "big.jar", own, "toolkit.jar", tests, "./big.jar",
                dir.resolve("toolkit.jar").toString());
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", given, Print.class.getName()).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            String out = new String(p.getInputStream().readAllBytes()).trim();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "child did not end");
            assertEquals(0, p.exitValue(), out);
            assertEquals(List.of(own, "toolkit.jar", tests, "big.jar"), Arrays.asList(out.split(File.pathSeparator)));
        } finally {
            p.destroyForcibly();
        }
    }

    /** The class path worked out for the application loader's classes is kept, but not past a change of java.class.path. */
    @Test
    void aKeptClassPathFollowsAChangeOfJavaClassPath(@TempDir Path dir) throws Exception {
        String before = System.getProperty("java.class.path");
        try {
            String first = ChildClasspath.of(Tasks.Echo.class);
            assertEquals(first, ChildClasspath.of(Tasks.Echo.class), "the same again");
            Path extra = jar(dir.resolve("extra.jar"), "extra/");
            System.setProperty("java.class.path", before + File.pathSeparator + extra);
            String after = ChildClasspath.of(Tasks.Echo.class);
            assertTrue(Arrays.asList(after.split(File.pathSeparator)).contains(extra.toString()), after);
            System.setProperty("java.class.path", before);
            assertEquals(first, ChildClasspath.of(Tasks.Echo.class), "back as before");
        } finally {
            System.setProperty("java.class.path", before);
        }
    }
}
