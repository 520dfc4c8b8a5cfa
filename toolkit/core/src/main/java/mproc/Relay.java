package mproc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;

/**
 * Reads a worker's stdout or stderr line by line: each line is kept by the worker and handed to
 * {@link Output}; a well-formed line starting with {@link #MARKER} is the child JVM reporting to the parent
 * ("started", "ready") and is not shown. A line that starts with the marker but is not a report the parent
 * understands is shown as the worker printed it.
 *
 * <p>A line is at most {@link #MAX_LINE} characters: a longer one (or output that never ends its line) is
 * passed on in pieces of that length. Whatever the worker prints, the relay thread keeps reading until the
 * stream ends, so a worker never blocks on a full pipe because of what it printed.
 */
final class Relay {
    static final String MARKER = "\u0001mproc:";
    /** The longest line passed on whole (64 Ki characters); longer ones are split. */
    static final int MAX_LINE = 64 * 1024;

    private Relay() {}

    static BufferedReader utf8(InputStream in) {
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }

    /**
     * Relays {@code in} for {@code w} on a daemon thread (the exit hook, not these threads, decides what happens
     * at exit). The threads are reused: a worker's start() hands its two streams to idle ones instead of
     * starting threads, whose start waits for the new thread to run, ~0.1 ms each, and over 1 ms when the child
     * just given its spec holds the other core.
     */
    static Running start(Worker w, BufferedReader in, boolean err) {
        Running r = new Running();
        String name = "mproc-relay-" + w.getName() + (err ? "-err" : "-out");
        THREADS.execute(() -> {
            Thread t = Thread.currentThread();
            t.setName(name);
            try {
                relay(w, in, err);
                t.setName("mproc-relay-idle"); // (an Error's report still names the worker)
            } finally {
                r.done.countDown();
            }
        });
        return r;
    }

    /** Relay threads: idle ones are reused, and end after a minute unused. */
    private static final java.util.concurrent.ExecutorService THREADS = new java.util.concurrent.ThreadPoolExecutor(
            0, Integer.MAX_VALUE, 60, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.SynchronousQueue<>(), r -> {
                Thread t = new Thread(r, "mproc-relay-idle");
                t.setDaemon(true);
                t.setContextClassLoader(Relay.class.getClassLoader()); // not the loader of whoever started it (a cell's)
                return t;
            });

    /** One stream's relay: whether it is still relaying, and a wait for its end. */
    static final class Running {
        private final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);

        boolean isAlive() {
            return done.getCount() > 0;
        }

        /** Waits at most {@code millis} (> 0) for the stream to end and its last line to be passed on. */
        void join(long millis) throws InterruptedException {
            done.await(millis, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
    }

    private static void relay(Worker w, BufferedReader in, boolean err) {
        Lines r = new Lines(in);
        try {
            String line;
            while ((line = r.next()) != null) {
                try {
                    if (!r.continued && line.startsWith(MARKER) && w.control(line.substring(MARKER.length()))) continue;
                    w.received(line);
                    Output.emit(err, line);
                } catch (RuntimeException e) {
                    // one line that could not be handled must not stop the relay (the child would block)
                }
            }
        } catch (IOException e) {
            // pipe closed under us: the child is gone
        } catch (Error e) {
            drain(in); // out of memory, say: still read on, so the child is not blocked on a full pipe
            throw e;
        } finally {
            try {
                r.close();
            } catch (IOException e) {
                // closed already
            }
        }
    }

    private static void drain(Reader in) {
        char[] buf = new char[8192];
        try {
            while (in.read(buf) >= 0) {
                // discard
            }
        } catch (IOException | RuntimeException e) {
            // gone
        }
    }

    /**
     * Lines of a reader, as {@link BufferedReader#readLine} ends them ({@code \n}, {@code \r} or
     * {@code \r\n}), but none longer than {@link #MAX_LINE}: {@link #continued} says the line returned is
     * the rest of a line split there.
     */
    static final class Lines implements AutoCloseable {
        private final Reader in;
        private final char[] buf = new char[8192];
        private int pos, end;
        private boolean skipLf; // the last line ended with \r: a \n right after belongs to it
        private boolean splitLast; // the last line returned was cut at MAX_LINE
        /** Whether the line last returned continues one cut at {@link #MAX_LINE}. */
        boolean continued;

        Lines(Reader in) {
            this.in = in;
        }

        /** The next line, or null at the end of the stream. */
        String next() throws IOException {
            StringBuilder sb = null;
            boolean atCut = splitLast; // a line end right here ends the line already returned
            continued = splitLast;
            splitLast = false;
            while (true) {
                if (pos == end) {
                    end = in.read(buf);
                    pos = 0;
                    if (end <= 0) {
                        end = 0;
                        return sb == null || sb.isEmpty() ? null : sb.toString();
                    }
                }
                if (skipLf) {
                    skipLf = false;
                    if (buf[pos] == '\n') {
                        pos++;
                        continue;
                    }
                }
                if (atCut) {
                    atCut = false;
                    if (buf[pos] == '\n' || buf[pos] == '\r') {
                        skipLf = buf[pos] == '\r';
                        pos++;
                        continued = false;
                        continue;
                    }
                }
                int start = pos;
                int room = MAX_LINE - (sb == null ? 0 : sb.length());
                int stop = Math.min(end, pos + room);
                while (pos < stop && buf[pos] != '\n' && buf[pos] != '\r') pos++;
                if (sb == null) sb = new StringBuilder();
                sb.append(buf, start, pos - start);
                if (pos < stop) { // a line end
                    skipLf = buf[pos] == '\r';
                    pos++;
                    return sb.toString();
                }
                if (sb.length() >= MAX_LINE) {
                    splitLast = true;
                    return sb.toString();
                }
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }
}
