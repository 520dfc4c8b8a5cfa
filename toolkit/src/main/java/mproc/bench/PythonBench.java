package mproc.bench;

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
import mproc.chapters.StartMethods;

/** Runs one of the toolkit's Python benchmark scripts (resources) on Debian's python3; "metric,value" lines. */
public final class PythonBench {
    private PythonBench() {}

    /** The metrics the script printed; empty when there is no /usr/bin/python3. */
    public static Map<String, Double> run(String script, String... args) throws InterruptedException {
        Map<String, Double> out = new LinkedHashMap<>();
        if (!Files.isExecutable(StartMethods.PYTHON)) return out;
        Path file;
        try (InputStream in = PythonBench.class.getResourceAsStream(script)) {
            if (in == null) throw new IllegalArgumentException("no benchmark script " + script);
            file = Files.createTempFile("mproc-bench", ".py");
            Files.write(file, in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try {
            List<String> cmd = new ArrayList<>(List.of(StartMethods.PYTHON.toString(), file.toString()));
            cmd.addAll(List.of(args));
            Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    String[] f = line.split(",");
                    if (f.length == 2) out.put(f[0], Double.parseDouble(f[1]));
                }
            } finally {
                if (!p.waitFor(10, TimeUnit.MINUTES)) {
                    p.descendants().forEach(ProcessHandle::destroyForcibly);
                    p.destroyForcibly();
                }
            }
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // temp file
            }
        }
    }
}
