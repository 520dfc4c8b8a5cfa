package mproc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Reads a worker's stdout or stderr line by line: each line is kept by the worker and handed to
 * {@link Output}; a line starting with {@link #MARKER} is the child JVM reporting to the parent ("started",
 * "ready") and is not shown.
 */
final class Relay {
    static final String MARKER = "\u0001mproc:";

    private Relay() {}

    static BufferedReader utf8(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /** A daemon thread relaying {@code in} for {@code w}: the exit hook, not these threads, decides what happens at exit. */
    static Thread start(Worker w, BufferedReader in, boolean err) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = in) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (line.startsWith(MARKER)) {
                        w.control(line.substring(MARKER.length()));
                        continue;
                    }
                    w.received(line);
                    Output.emit(err, line);
                }
            } catch (IOException e) {
                // pipe closed under us: the child is gone
            }
        }, "mproc-relay-" + w.getName() + (err ? "-err" : "-out"));
        t.setDaemon(true);
        t.start();
        return t;
    }
}
