package mproc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.util.Properties;

/**
 * The main class of every worker JVM. Reads the worker's spec (text properties) from stdin, reports that
 * start-up is over, recreates the {@link Worker} and calls its {@link Worker#run()}.
 *
 * <p>Exit codes follow Python's: 0 when run() returns, 1 when it throws (the traceback goes to stderr),
 * or what the task passed to {@code System.exit}. A daemon worker exits within a second when its parent
 * is gone, even if the parent was SIGKILLed.
 */
final class WorkerMain {
    /** Exit status of a daemon worker that outlived its parent. */
    static final int ORPHANED = 143;
    /** How often a daemon worker checks that its parent is still there. */
    static final long PARENT_POLL_MS = 100;

    private WorkerMain() {}

    public static void main(String[] argv) {
        EndChildren endChildren = new EndChildren();
        Runtime.getRuntime().addShutdownHook(endChildren);
        // A worker started for its spec (TUNED, COLD) finds it already on stdin (the parent wrote it while this
        // JVM started): it goes straight on. A spare (WARM) has none yet: it loads what the worker needs after
        // its spec arrives before it says it has started (it is handed out only then), so that the time from
        // start() to run() is only reading the spec, never waiting behind this warm-up
        if (!specWaiting() && !Boolean.getBoolean("mproc.training")) preload(); // (not what a training records)
        // "started": the JVM is up. A spare waits here until start() sends its spec
        System.out.println(Relay.MARKER + "started " + Clock.epochNanos());
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Properties spec;
        try {
            spec = Spec.read(in);
            if (spec == null) return; // stdin closed before any spec: an unused spare, nothing to do
        } catch (IOException | IllegalArgumentException e) {
            System.err.println("mproc worker: no valid spec on stdin (" + e.getMessage() + ")."
                    + " This class is started by mproc.Worker, not by hand.");
            System.exit(2);
            return;
        }
        System.out.println(Relay.MARKER + "ready " + Clock.epochNanos());
        System.out.flush();
        // code the parent has and this JVM's class path lacks (a notebook cell's classes): see Classes
        String shipped = spec.getProperty("classes");
        if (shipped != null) Thread.currentThread().setContextClassLoader(Classes.loader(shipped));

        Worker w;
        try {
            w = Spec.recreate(spec);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            System.err.println("mproc worker " + spec.getProperty("name") + ": cannot create "
                    + spec.getProperty("class") + ": " + e);
            System.exit(1);
            return;
        }
        Worker.setCurrent(w);
        watchParent(Long.parseLong(spec.getProperty("parent.pid", "-1")),
                w.isDaemon() || Boolean.parseBoolean(spec.getProperty("parent.watch")));

        try {
            w.run();
            Ipc.Pending.flushAll(); // queue items still batched here
        } catch (Throwable t) {
            try {
                Ipc.Pending.flushAll();
            } catch (Throwable f) { // a refused put: shown with the task's own failure, not instead of it
                t.addSuppressed(f);
            }
            System.out.flush();
            // SIGTERM (terminate()) came while the task ran: the JVM is shutting down and ends with 143. What the
            // task then threw (say, "Shutdown in progress" from adding a hook) is the signal's doing, not the
            // task's: no traceback, as a Python child killed by SIGTERM prints none
            if (shuttingDown()) return;
            System.err.println("Process " + w.getName() + ":");
            t.printStackTrace();
            System.err.flush();
            System.exit(1);
        }
        System.out.flush();
        System.err.flush();
        // The exit hook is a thread the JVM starts at exit (~0.4 ms of a warm worker's ~4.8 ms start+join,
        // measured here). When it would find nothing to do, it is dropped: the JVM ends as soon as main returns
        // (no other non-daemon thread) and this JVM never started a process. Otherwise it runs, as it did
        if (lastNonDaemonThread() && !Procs.mayHaveChildren()) {
            try {
                Runtime.getRuntime().removeShutdownHook(endChildren);
            } catch (IllegalStateException e) {
                // shutting down already: the hook runs
            }
        }
        // Returning (not System.exit(0)) ends the JVM once the task's own non-daemon threads are done, as
        // Python's child joins its threads before it exits; and it saves ~20 ms: since JDK 21 every
        // Runtime.exit() first starts the JDK's logging to report itself.
    }

    /** At exit, ends the worker's own child processes (SIGTERM), so none outlives it. */
    static final class EndChildren extends Thread {
        EndChildren() {
            super("mproc-end-children");
        }

        @Override
        public void run() {
            // ProcessHandle.descendants() costs ~25 ms of JVM start-up work (it scans every process), and
            // reading /proc for children ~2 ms: only pay them when this JVM may have children at all
            // (the workers this JVM started itself are dealt with by Worker's own exit hook, the Python way)
            if (!Procs.mayHaveChildren() || !Procs.hasChildren()) return;
            ProcessHandle.current().children().filter(c -> !Children.isWorkerPid(c.pid())).forEach(c -> {
                c.descendants().forEach(ProcessHandle::destroy);
                c.destroy();
            });
        }
    }

    /** Whether no thread but this one keeps the JVM running. */
    private static boolean lastNonDaemonThread() {
        java.util.List<Thread> ts = Procs.liveThreads();
        if (ts == null) return false; // cannot tell
        for (Thread t : ts) if (t != Thread.currentThread() && !t.isDaemon() && t.isAlive()) return false;
        return true;
    }

    /** Whether this JVM's shutdown has begun (a signal, or another thread's exit). */
    static boolean shuttingDown() {
        Thread probe = new Thread(() -> { });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    /** Whether the spec is already on stdin, or part of it. */
    private static boolean specWaiting() {
        try {
            return System.in.available() > 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * A spare's warm-up: what every worker runs, and one class loaded from a jar. The classes of a class archive
     * come without the class loader ever opening a jar, so the first class that is not in it (the task's own)
     * would pay for that machinery's first run: ~5 ms of the ~10 from start() to join() of a warm worker whose
     * task is in a jar of its own, measured here (the jar itself, once warm, opens in ~0.4 ms).
     */
    private static void preload() {
        try {
            Spec.recreate(Spec.read(new BufferedReader(new StringReader("class=mproc.Worker\nname=preload\n"
                    + Spec.END + "\n"))));
            Procs.mayHaveChildren();
            Class.forName("mproc.WorkerMain$Unarchived", false, ClassLoader.getSystemClassLoader());
        } catch (ReflectiveOperationException | IOException | RuntimeException e) {
            // only a warm-up
        }
    }

    /** Loaded only by a spare's warm-up, which a training run never does: so never in the archive. */
    static final class Unarchived {}

    /**
     * Watches the parent JVM: when it is gone (even SIGKILLed, when it could not clean up), a daemon worker
     * exits (so does every worker of a notebook kernel). It polls every 100 ms from a sleeping thread: a thread blocked in a native read (say, of stdin)
     * would hold up every exit of this JVM by ~300 ms, as HotSpot waits for threads in native code.
     */
    private static void watchParent(long parentPid, boolean watch) {
        if (!watch) return; // non-daemon workers of a program run on to completion, as in Python
        Thread t = new ParentWatch(parentPid);
        t.setDaemon(true);
        t.start();
    }

    static final class ParentWatch extends Thread {
        private final long parentPid;

        ParentWatch(long parentPid) {
            super("mproc-parent-watch");
            this.parentPid = parentPid;
        }

        @Override
        public void run() {
            try {
                while (Procs.parentIs(parentPid)) Thread.sleep(PARENT_POLL_MS);
            } catch (InterruptedException e) {
                return;
            }
            System.out.flush();
            Runtime.getRuntime().exit(ORPHANED);
        }
    }
}
