package mproc.tutorial;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;


/** Runs one of the toolkit's Python benchmark scripts (resources) on Debian's python3; "metric,value" lines. */
public final class Python {
    /** Debian's python3 (the first python3 on PATH may be another interpreter, without what the scripts import). */
    public static final Path PYTHON = Path.of("/usr/bin/python3");

    private Python() {}

    /** The metrics the script printed; empty when there is no /usr/bin/python3. */
    public static Map<String, Double> run(String script, String... args) throws InterruptedException {
        Map<String, Double> out = new LinkedHashMap<>();
        for (String line : lines(script, args)) {
            String[] f = line.split(",");
            if (f.length == 2) out.put(f[0], number(f[1]));
        }
        return out;
    }

    /** A number as Python prints it: {@code nan}, {@code inf} and {@code -inf} included (Java's parser wants NaN, Infinity). */
    public static double number(String s) {
        return switch (s.strip()) {
            case "nan", "-nan", "NaN" -> Double.NaN;
            case "inf", "Infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-Infinity" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(s);
        };
    }

    /**
     * Runs the Python script stored as a resource of the tutorial module (mproc/tutorial) on Debian's python3 (from a temporary
     * file, removed afterwards) and returns what it printed, line by line; nothing when there is no python3.
     * A script still running after 10 minutes is ended, with its children.
     */
    public static List<String> lines(String script, String... args) throws InterruptedException {
        List<String> out = new ArrayList<>();
        if (!Files.isExecutable(PYTHON)) return out;
        Path file;
        try (InputStream in = Python.class.getResourceAsStream(script)) {
            if (in == null) throw new IllegalArgumentException("no Python script " + script + " in mproc/tutorial");
            file = Files.createTempFile("mproc-", ".py");
            Files.write(file, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            List<String> cmd = new ArrayList<>(List.of(PYTHON.toString(), file.toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) out.add(line);
            } finally {
                if (!p.waitFor(10, TimeUnit.MINUTES)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run " + PYTHON + ": " + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // temp file
            }
        }
    }
}
