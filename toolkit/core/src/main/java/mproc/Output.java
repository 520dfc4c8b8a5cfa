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
 * JVM's main program, DIRECT otherwise; {@code -Dmproc.output=direct|caller} overrides it.
 */
public final class Output {
    public enum Mode { DIRECT, CALLER }

    record Line(boolean err, String text) {}

    private static volatile Mode mode = detect();
    private static final LinkedBlockingQueue<Line> pending = new LinkedBlockingQueue<>();

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
        while ((l = pending.poll()) != null) {
            if (l == WAKE) continue;
            print(l);
            n++;
        }
        return n;
    }

    static void emit(boolean err, String text) {
        Line l = new Line(err, text);
        if (mode == Mode.DIRECT) print(l);
        else pending.add(l);
    }

    private static final Line WAKE = new Line(false, null);

    /** Waits up to {@code millis} for one queued line and prints it (CALLER mode); false if none came. */
    static boolean pump(long millis) throws InterruptedException {
        Line l = pending.poll(millis, TimeUnit.MILLISECONDS);
        if (l == null) return false;
        if (l != WAKE) print(l);
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
