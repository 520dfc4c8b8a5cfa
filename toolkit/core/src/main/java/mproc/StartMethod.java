package mproc;

/**
 * How a worker JVM is started: Java's answer to Python's start methods (spawn, fork, forkserver).
 *
 * <p>A JVM cannot fork itself (a forked JVM would hold one thread and a copy of every lock, GC and JIT
 * state), so every worker is a new JVM. What can change is how much of that new JVM's start-up is paid,
 * and when:
 * <ul>
 *   <li>{@link #COLD}: {@code java} with the JVM's default options: default garbage collector, default
 *       heap (a quarter of the machine's memory), nothing pre-computed. Python's <em>spawn</em>.</li>
 *   <li>{@link #TUNED} (the default): options chosen for short-lived workers (serial GC, 128 MB heap, no
 *       performance-data file), plus an archive of the worker's classes, pre-parsed and pre-linked: an AOT
 *       cache on JDK 25+ ({@code -XX:AOTCache}), a dynamic CDS archive before
 *       ({@code -XX:SharedArchiveFile}), mapped at the address it was made for (not moved to a random one, so its
 *       pages stay shared between workers). The archive is made automatically, once, by a background JVM the
 *       first time a worker starts without one, and kept under {@code ~/.cache/mproc} (it needs a class path
 *       of jar files only; with class directories, as in a Maven build, workers run on the options alone).</li>
 *   <li>{@link #WARM}: TUNED JVMs started ahead of time, each waiting for its orders; {@code start()}
 *       hands one out, so its start-up is already paid. Each worker is still a new process. Python's
 *       <em>forkserver</em> keeps a server process ready; this keeps spare JVMs ready.</li>
 * </ul>
 */
public enum StartMethod {
    COLD, TUNED, WARM;

    private static volatile StartMethod defaultMethod = TUNED;

    /** The method used by workers that were not given one (Python's {@code set_start_method}). */
    public static void setDefault(StartMethod m) {
        defaultMethod = java.util.Objects.requireNonNull(m, "start method");
    }

    public static StartMethod getDefault() {
        return defaultMethod;
    }
}
