package mproc;

import java.io.PrintStream;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Where the workers' stdout and stderr go in the parent.
 *
 * <p>In a script ({@link Mode#DIRECT}) the threads that read each child's pipes print its lines at once.
 * In a notebook ({@link Mode#CALLER}) a line printed by any thread other than the cell's never reaches the
 * cell, so the reader threads queue the lines and the calling thread prints them while it waits in
 * {@link Worker#join()} (or {@link #flush()}). The mode is detected: CALLER when the IJava kernel is this
 * JVM's main program, DIRECT otherwise; {@code -Dmproc.output=direct|caller} overrides it. In CALLER
 * mode the queue is bounded (64 Mi characters): lines over it are dropped and counted (see {@link #emit}).
 */
public final class Output {
    public enum Mode { DIRECT, CALLER }

    record Line(boolean err, String text) {}

    private static volatile Mode mode = detect();
    private static final LinkedBlockingQueue<Line> pending = new LinkedBlockingQueue<>();
    /** At most this many characters of lines wait to be printed (CALLER mode); later ones are dropped, and counted. */
    static volatile long maxPendingChars = 64L << 20;
    private static final java.util.concurrent.atomic.AtomicLong pendingChars = new java.util.concurrent.atomic.AtomicLong();
    private static final java.util.concurrent.atomic.AtomicLong dropped = new java.util.concurrent.atomic.AtomicLong();

    private Output() {}

    public static Mode mode() {
        return mode;
    }

    public static void setMode(Mode m) {
        mode = java.util.Objects.requireNonNull(m, "mode");
    }

    /** Prints every queued worker line on the calling thread; returns how many. */
    public static int flush() {
        int n = 0;
        Line l;
        while ((l = poll()) != null) {
            if (l == WAKE) continue;
            print(l);
            n++;
        }
        reportDropped();
        return n;
    }

    /**
     * Passes on a worker's line: printed at once (DIRECT), or queued for the calling thread (CALLER). In
     * CALLER mode at most {@link #maxPendingChars} characters wait: a worker that floods its output while
     * nobody joins it cannot fill this JVM's memory. The lines over are dropped, and a line on stderr says
     * how many when printing resumes. {@link Worker#output()} keeps its lines either way.
     */
    static void emit(boolean err, String text) {
        Line l = new Line(err, text);
        if (mode == Mode.DIRECT) {
            print(l);
            return;
        }
        if (pendingChars.addAndGet(text.length()) > maxPendingChars) {
            pendingChars.addAndGet(-text.length());
            dropped.incrementAndGet();
            return;
        }
        pending.add(l);
    }

    private static Line poll() {
        Line l = pending.poll();
        if (l != null && l != WAKE) pendingChars.addAndGet(-l.text().length());
        return l;
    }

    private static void reportDropped() {
        long n = dropped.getAndSet(0);
        if (n > 0) {
            print(new Line(true, "mproc: " + n + " line(s) of worker output dropped: more than " + maxPendingChars
                    + " characters were waiting to be printed"));
        }
    }

    private static final Line WAKE = new Line(false, null);

    /** Waits up to {@code millis} for one queued line and prints it (CALLER mode); false if none came. */
    static boolean pump(long millis) throws InterruptedException {
        Line l = pending.poll(millis, TimeUnit.MILLISECONDS);
        if (l == null) return false;
        if (l != WAKE) {
            pendingChars.addAndGet(-l.text().length());
            print(l);
        }
        flush();
        return true;
    }

    /** Wakes a thread waiting in {@link #pump} (a worker ended: time to look again). */
    static void wake() {
        if (mode == Mode.CALLER) pending.add(WAKE);
    }

    private static void print(Line l) {
        PrintStream out = l.err() ? System.err : System.out;
        synchronized (out) {
            out.println(l.text());
            out.flush();
        }
    }

    private static Mode detect() {
        // a worker JVM is never the notebook kernel, even when it inherited the kernel's class path
        if (System.getProperty("mproc.worker") != null) return Mode.DIRECT;
        String forced = System.getProperty("mproc.output", "").trim().toLowerCase(java.util.Locale.ROOT);
        if (forced.equals("direct")) return Mode.DIRECT;
        if (forced.equals("caller")) return Mode.CALLER;
        try {
            Class.forName("io.github.spencerpark.ijava.IJava", false, ClassLoader.getSystemClassLoader());
            return Mode.CALLER;
        } catch (ClassNotFoundException | LinkageError e) {
            return Mode.DIRECT;
        }
    }
}
