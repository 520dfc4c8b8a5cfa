package mproc;

import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * How a {@link Pool} talks to its worker JVM: framed messages over the worker's own stdin and stdout, the
 * pipes every process has (Python's pool workers talk over OS pipes too). No socket: a JVM's first Unix
 * domain socket costs it ~35 ms (the JDK seeds a SecureRandom for it, loading the security providers), which
 * was most of a fresh pool's start beyond the JVMs' own.
 *
 * <p>On stdout the worker first prints its start-up reports as text lines (see {@link Relay}), then the line
 * {@link #SWITCH}; after it, stdout carries frames only, each a kind byte, a 4-byte length and the bytes:
 * {@code 'M'} a message ({@link Codec}), {@code 'O'} what the worker's code printed to {@code System.out}
 * (the parent relays it as the worker's output, as for any worker). stderr stays plain text. The parent
 * writes the spec on stdin, then (once it has read the switch) {@code 'M'} frames.
 *
 * <p>Something written to the worker's stdout past {@code System.out} (native code, a process it started
 * with inherited output) breaks the frames: the parent then fails the link (the pool replaces the worker)
 * and shows the rest of that stdout as output.
 */
final class StdioLink {
    /** The argument that tells a {@link PoolWorker} to talk over its stdin and stdout. */
    static final String ADDRESS = "mproc-stdio";
    /** The line after which the worker's stdout carries frames. */
    static final String SWITCH = Relay.MARKER + "frames";
    private static final byte[] SWITCH_LINE = (SWITCH + "\n").getBytes(StandardCharsets.UTF_8);
    static final byte MESSAGE = 'M', OUTPUT = 'O';

    private StdioLink() {}

    // ---------------------------------------------------------------- the worker's side

    /** The worker's end: call once, before anything else of the task prints. */
    static Child child() throws IOException {
        return new Child();
    }

    static final class Child implements AutoCloseable {
        private final DataInputStream in = new DataInputStream(System.in);
        private final OutputStream out = new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16);

        private Child() throws IOException {
            System.out.flush();
            synchronized (out) {
                out.write(SWITCH_LINE);
                out.flush();
            }
            // what the task prints goes into OUTPUT frames, whole lines at a time (and at each flush)
            System.setOut(new PrintStream(new BufferedOutputStream(new OutputStream() {
                @Override
                public void write(int b) throws IOException {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] b, int off, int len) throws IOException {
                    if (len > 0) output(b, off, len);
                }
            }, 8192), true, StandardCharsets.UTF_8));
        }

        /** An OUTPUT frame: the length, then the bytes the task printed. */
        private void output(byte[] b, int off, int len) throws IOException {
            synchronized (out) {
                out.write(OUTPUT);
                out.write(len >>> 24);
                out.write(len >>> 16);
                out.write(len >>> 8);
                out.write(len);
                out.write(b, off, len);
                out.flush();
            }
        }

        /** A MESSAGE frame: {@code framed} is {@link Codec#frame}'s, the length already in front of the value. */
        private void message(byte[] framed) throws IOException {
            synchronized (out) {
                out.write(MESSAGE);
                out.write(framed);
                out.flush();
            }
        }

        /** The next message from the pool; EOFException once the pool closed this worker's stdin. */
        Object recv() throws IOException {
            int kind = in.read();
            if (kind < 0) throw new EOFException("the pool closed this worker's stdin");
            int len = in.readInt();
            if (kind != MESSAGE || !fits(len)) throw new IOException("corrupt frame from the pool: kind " + kind + ", length " + len);
            byte[] payload = new byte[len];
            in.readFully(payload);
            return Codec.decode(payload, 0, len);
        }

        /** Sends a message to the pool (what the task printed before it goes first). */
        void send(Object msg) throws IOException {
            System.out.flush();
            message(Codec.frame(msg));
        }

        @Override
        public void close() {
            System.out.flush();
        }
    }

    /** Whether a frame's length is one a frame can have (a broken stream gives any four bytes). */
    private static boolean fits(int len) {
        return len >= 0 && len <= FrameChannel.MAX_FRAME;
    }

    // ---------------------------------------------------------------- the pool's side

    /**
     * The pool's end of one worker: {@link #send} writes to the worker's stdin, {@link #recv} takes what the
     * worker's stdout brought, read by the worker's stdout relay thread through {@link #demux}.
     */
    static final class Parent implements AutoCloseable {
        private static final Object EOF = new Object();
        private final String who;
        private final OutputStream stdin;
        /** Payloads of MESSAGE frames, then EOF or an IOException; decoded by recv (the caller's class loaders). */
        private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
        private boolean switched, ended, closed; // guarded by this
        private final List<byte[]> early = new ArrayList<>(); // sent before the switch; guarded by this
        private IOException failure; // guarded by this

        Parent(String who, OutputStream stdin) {
            this.who = who;
            this.stdin = stdin;
        }

        /**
         * Sends a message (encoded here: refused with IllegalArgumentException if it cannot travel). Before the
         * worker has said it reads frames the message is kept, and written by the next send or recv of this
         * thread (the pool's feeder) once it has. UncheckedIOException if the worker is gone,
         * IllegalStateException once closed.
         */
        void send(Object msg) {
            byte[] f = Codec.frame(msg);
            synchronized (this) {
                if (closed) throw new IllegalStateException("the link to " + who + " is closed");
                if (!switched) {
                    if (ended) throw new UncheckedIOException(new EOFException(who + " ended before it took work"
                            + (failure == null ? "" : ": " + failure.getMessage())));
                    early.add(f);
                    return;
                }
            }
            write(f);
        }

        /** Writes what was kept (and {@code f}, if not null) to the worker's stdin. */
        private void write(byte[] f) {
            try {
                synchronized (stdin) {
                    List<byte[]> kept;
                    synchronized (this) {
                        kept = new ArrayList<>(early);
                        early.clear();
                    }
                    for (byte[] k : kept) {
                        stdin.write(MESSAGE);
                        stdin.write(k);
                    }
                    if (f != null) {
                        stdin.write(MESSAGE);
                        stdin.write(f);
                    }
                    stdin.flush();
                }
            } catch (IOException e) {
                throw new UncheckedIOException(who + " is gone: " + e.getMessage(), e);
            }
        }

        /**
         * The next message; EOFException once the worker's stdout ended (it exited) or its frames broke. Writes
         * what {@link #send} kept first, once the worker reads frames.
         */
        Object recv() throws EOFException, InterruptedException {
            boolean flush;
            synchronized (this) {
                while (!early.isEmpty() && !switched && !ended && !closed) wait();
                flush = !early.isEmpty() && switched && !closed;
            }
            if (flush) {
                try {
                    write(null);
                } catch (UncheckedIOException e) {
                    // the worker is gone: its end of stdout comes below
                }
            }
            Object o = inbox.take();
            if (o == EOF) {
                inbox.add(EOF); // every later call sees the end too
                synchronized (this) {
                    EOFException e = new EOFException(who + " ended" + (failure == null ? "" : ": " + failure.getMessage()));
                    if (failure != null) e.initCause(failure);
                    throw e;
                }
            }
            try {
                byte[] payload = (byte[]) o;
                return Codec.decode(payload, 0, payload.length);
            } catch (IOException e) {
                throw new UncheckedIOException("a message from " + who + " cannot be read: " + e.getMessage(), e);
            }
        }

        /** Closes the worker's stdin: it sees the end of its work and exits. */
        @Override
        public void close() {
            synchronized (this) {
                if (closed) return;
                closed = true;
                notifyAll();
            }
            try {
                synchronized (stdin) {
                    stdin.close();
                }
            } catch (IOException e) {
                // gone already
            }
        }

        /** Why the link failed while the worker may still run (its frames broke), or null. */
        synchronized String failure() {
            return failure == null ? null : failure.getMessage();
        }

        private synchronized void switched() {
            switched = true;
            notifyAll();
        }

        private synchronized void ended(IOException why) {
            if (why != null && failure == null) failure = why;
            ended = true;
            notifyAll();
            inbox.add(EOF);
        }

        /**
         * The worker's stdout as its relay reads it: the text before {@link #SWITCH} as it came, then only the
         * bytes of OUTPUT frames; MESSAGE frames go to {@link #recv}. Frames that break (see the class comment)
         * end the link, and the rest of the stream is passed on as text.
         */
        InputStream demux(InputStream raw) {
            return new Demux(raw);
        }

        private final class Demux extends InputStream {
            private final DataInputStream in;
            private boolean frames, broken, done;
            private int left; // bytes of the current OUTPUT frame still to pass on
            private byte[] pending; // a text line read, not all passed on yet
            private int pendingAt;

            Demux(InputStream raw) {
                in = new DataInputStream(raw);
            }

            @Override
            public int read() throws IOException {
                byte[] b = new byte[1];
                int n = read(b, 0, 1);
                return n < 0 ? -1 : b[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (len == 0) return 0;
                if (done) return -1;
                try {
                    if (!frames || broken) return text(b, off, len);
                    while (left == 0) {
                        int kind = in.read();
                        if (kind < 0) return end(null);
                        int n = in.readInt();
                        if ((kind != MESSAGE && kind != OUTPUT) || !fits(n)) {
                            broken = true;
                            // what was read as a frame's head is text too: passed on first
                            pending = new byte[] {(byte) kind, (byte) (n >>> 24), (byte) (n >>> 16), (byte) (n >>> 8), (byte) n};
                            pendingAt = 0;
                            ended(new IOException("its stdout broke off the frames (frame kind " + kind + ", length " + n
                                    + "): something wrote to it past System.out, native code or a process it started?"));
                            return text(b, off, len);
                        }
                        if (kind == OUTPUT) {
                            left = n;
                            continue;
                        }
                        byte[] payload = new byte[n];
                        in.readFully(payload);
                        inbox.add(payload);
                    }
                    int n = in.read(b, off, Math.min(len, left));
                    if (n < 0) return end(null);
                    left -= n;
                    return n;
                } catch (EOFException e) {
                    return end(null); // the worker died within a frame
                } catch (IOException e) {
                    return end(e);
                }
            }

            /** Before the switch (and after frames broke): text, a line at a time, watched for the switch line. */
            private int text(byte[] b, int off, int len) throws IOException {
                if (pending == null && broken) {
                    int n = in.read(b, off, len);
                    return n < 0 ? end(null) : n;
                }
                if (pending == null) {
                    // byte by byte (a few short lines), so that nothing past the switch line is read as text
                    java.io.ByteArrayOutputStream l = new java.io.ByteArrayOutputStream();
                    int c = -1;
                    while (l.size() < 4096 && (c = in.read()) >= 0) {
                        l.write(c);
                        if (c == '\n') break;
                    }
                    if (l.size() == 0) return end(null);
                    byte[] bytes = l.toByteArray();
                    if (java.util.Arrays.equals(bytes, SWITCH_LINE)) { // the link's, not output
                        frames = true;
                        switched();
                        return read(b, off, len);
                    }
                    pending = bytes;
                    pendingAt = 0;
                }
                int n = Math.min(len, pending.length - pendingAt);
                System.arraycopy(pending, pendingAt, b, off, n);
                pendingAt += n;
                if (pendingAt == pending.length) pending = null;
                return n;
            }

            private int end(IOException why) {
                done = true;
                ended(why);
                return -1;
            }

            @Override
            public int available() throws IOException {
                return frames && !broken && !done ? Math.min(left, in.available()) : 0;
            }

            @Override
            public void close() throws IOException {
                in.close();
            }
        }
    }
}
