package mproc.tutorial;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A notebook cell that is a JBang script: {@code %%jbang [args...]} runs the rest of the cell as a
 * program of its own (its own JVM, its own {@code main}, ending when main ends), so a lesson that needs a
 * real main program can show one, and the same text runs unchanged with {@code jbang File.java}. The
 * script's output is relayed into the cell as it comes; afterwards the charts (PNG) and tables (CSV) it
 * wrote into its working folder are shown. The cell fails when the script exits with a code other than 0.
 *
 * <p>The cell runs as if it were a file of {@code jbang-scripts/}: a relative source dependency such as
 * {@code //DEPS ../toolkit/jbang/mproc.java} (what the chapter scripts have) is resolved from there, so a
 * chapter script pasted into a cell runs unchanged. {@link #last()} gives the notebook the last run's result.
 */
public final class JBangCell {
    private static final Pattern PUBLIC_CLASS = Pattern.compile("(?m)^\\s*public\\s+(?:final\\s+)?class\\s+(\\w+)");
    private static int runs;
    private static volatile Result last;
    private static final Pattern RELATIVE_DEP = Pattern.compile("(?m)^(//(?:DEPS|SOURCES)\\s+)(\\.\\.?/\\S+\\.java)\\s*$");

    /**
     * What a run left: its exit code, what it printed, the folder it ran in (removed once the magic has shown
     * its files), and the tables it wrote (CSV files, read back).
     */
    public record Result(int exitCode, List<String> output, Path folder, java.util.Map<String, tech.tablesaw.api.Table> tables) {}

    /** The last {@code %%jbang} cell's result (null before the first): for the notebook's checks. */
    public static Result last() {
        return last;
    }

    private JBangCell() {}

    /** Registers {@code %%jbang} with the notebook's kernel. */
    public static void register() {
        Kernel.get().registerCellMagic("jbang", (args, body) -> {
            Result r;
            try {
                r = run(args, body);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException("cannot run the cell as a script: " + e.getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted: the script was ended", e);
            }
            for (Path f : files(r.folder(), ".png")) {
                try {
                    Kernel.get().png(Files.readAllBytes(f), f.getFileName().toString());
                } catch (IOException e) {
                    System.err.println("cannot show " + f.getFileName() + ": " + e.getMessage());
                }
            }
            for (tech.tablesaw.api.Table t : r.tables().values()) Kernel.get().display(t.print(), Tables.html(t));
            delete(r.folder());
            last = r;
            if (r.exitCode() != 0) throw new IllegalStateException("the script exited with code " + r.exitCode());
            return null;
        });
    }

    /**
     * Writes {@code body} to {@code <PublicClass>.java} in a fresh folder and runs it there with JBang,
     * relaying its output (stdout and stderr, in order) to this thread's {@code System.out}.
     */
    public static Result run(List<String> args, String body) throws IOException, InterruptedException {
        Matcher m = PUBLIC_CLASS.matcher(body);
        String name = m.find() ? m.group(1) : "Cell";
        Path folder;
        synchronized (JBangCell.class) {
            folder = Path.of(System.getProperty("java.io.tmpdir"), "mproc-jbang-" + ProcessHandle.current().pid(), name + "-" + ++runs);
        }
        Files.createDirectories(folder);
        Path script = folder.resolve(name + ".java");
        Files.writeString(script, resolveRelative(body));
        List<String> cmd = new ArrayList<>(List.of(jbang(), "--quiet", script.getFileName().toString()));
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(folder.toFile()).redirectErrorStream(true);
        pb.environment().put("JBANG_NO_VERSION_CHECK", "true");
        Process p = pb.start();
        List<String> out = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.add(line);
                System.out.println(line);
            }
            p.waitFor();
        } catch (IOException e) {
            p.waitFor(5, TimeUnit.SECONDS);
        } finally {
            if (p.isAlive()) { // the cell was interrupted: end the script and what it started
                p.descendants().forEach(ProcessHandle::destroy);
                p.destroy();
                if (!p.waitFor(5, TimeUnit.SECONDS)) p.destroyForcibly();
            }
        }
        java.util.Map<String, tech.tablesaw.api.Table> tables = new java.util.LinkedHashMap<>();
        for (Path f : files(folder, ".csv")) {
            try {
                tech.tablesaw.api.Table t = tech.tablesaw.api.Table.read().csv(f.toFile());
                t.setName(f.getFileName().toString());
                tables.put(f.getFileName().toString(), t);
            } catch (RuntimeException e) {
                System.err.println("cannot read " + f.getFileName() + ": " + e.getMessage());
            }
        }
        return new Result(p.exitValue(), List.copyOf(out), folder, tables);
    }

    /** Relative {@code //DEPS} and {@code //SOURCES} paths made absolute, as seen from {@code jbang-scripts/}. */
    static String resolveRelative(String body) {
        Path scripts = scriptsFolder();
        if (scripts == null) return body;
        Matcher m = RELATIVE_DEP.matcher(body);
        StringBuilder sb = new StringBuilder();
        while (m.find()) m.appendReplacement(sb, Matcher.quoteReplacement(m.group(1) + scripts.resolve(m.group(2)).normalize()));
        m.appendTail(sb);
        return sb.toString();
    }

    /** The project's jbang-scripts folder: beside the kernel's working folder (notebooks/), or above it. */
    private static Path scriptsFolder() {
        for (Path d = Path.of("").toAbsolutePath(); d != null; d = d.getParent()) {
            if (Files.isDirectory(d.resolve("jbang-scripts"))) return d.resolve("jbang-scripts");
        }
        return null;
    }

    /** JBang: {@code $JBANG}, else {@code jbang} on the PATH, else {@code ~/.jbang/bin/jbang} (where make setup puts it). */
    static String jbang() {
        String env = System.getenv("JBANG");
        if (env != null && Files.isExecutable(Path.of(env))) return env;
        for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
            if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "jbang"))) return Path.of(dir, "jbang").toString();
        }
        Path home = Path.of(System.getProperty("user.home"), ".jbang", "bin", "jbang");
        if (Files.isExecutable(home)) return home.toString();
        throw new IllegalStateException("JBang not found (looked at $JBANG, the PATH and ~/.jbang/bin): run `make setup` first");
    }

    private static void delete(Path folder) {
        try (Stream<Path> s = Files.walk(folder)) {
            for (Path f : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
        } catch (IOException e) {
            // a temporary folder: best effort
        }
    }

    private static List<Path> files(Path folder, String suffix) {
        try (Stream<Path> s = Files.walk(folder)) {
            return s.filter(f -> f.getFileName().toString().endsWith(suffix)).sorted(Comparator.naturalOrder()).toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
