package mproc;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The worker JVMs this JVM started and has not seen end, and what happens to them at exit, in Python's
 * order: daemons are terminated, the others waited for, then the {@link Worker#atExit} actions run. In a
 * notebook kernel every worker is ended (there is no main program to wait for). Also what an interrupted
 * wait means in a notebook (see {@link #interrupted}).
 */
final class Children {
    private static final Set<Worker> LIVE = ConcurrentHashMap.newKeySet();
    private static final List<Runnable> AT_EXIT = new CopyOnWriteArrayList<>();
    private static final AtomicBoolean HOOKED = new AtomicBoolean();

    private Children() {}

    static void add(Worker w) {
        LIVE.add(w);
        hook();
    }

    static void remove(Worker w) {
        LIVE.remove(w);
    }

    static List<Worker> all() {
        return List.copyOf(LIVE);
    }

    static boolean isWorkerPid(long pid) {
        for (Worker w : LIVE) if (w.pid() == pid) return true;
        return false;
    }

    static void atExit(Runnable action) {
        AT_EXIT.add(Objects.requireNonNull(action, "action"));
        hook();
    }

    /**
     * A wait of the calling thread was interrupted. In a notebook that is the reader stopping the cell
     * (Jupyter's interrupt): as Ctrl-C in a terminal reaches the whole process group, every worker this
     * kernel started is terminated. In a program the interrupt is the program's business: nothing is ended.
     */
    static InterruptedException interrupted(InterruptedException e) {
        if (Output.mode() == Output.Mode.CALLER) {
            Pool.terminateAll(); // first: a pool would replace its workers
            List<Worker> all = all();
            for (Worker w : all) w.terminate();
            Output.emit(true, "interrupted: terminated " + all.size() + " running worker(s)");
            Output.flush();
        }
        return e;
    }

    private static void hook() {
        if (HOOKED.compareAndSet(false, true)) Runtime.getRuntime().addShutdownHook(new Thread(Children::atExit, "mproc-shutdown"));
    }

    private static void atExit() {
        boolean kernel = Output.mode() == Output.Mode.CALLER;
        Spares.shutdown();
        Tuning.endTraining();
        List<Worker> all = all();
        for (Worker w : all) if (w.isDaemon() || kernel) w.terminate();
        for (Worker w : all) {
            if (w.isDaemon() || kernel) continue;
            try {
                w.process().waitFor();
                w.drainOutput(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
        for (Worker w : all) {
            if (!(w.isDaemon() || kernel)) continue;
            try {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !w.process().waitFor(left, TimeUnit.NANOSECONDS)) w.kill();
                w.drainOutput(1_000);
            } catch (InterruptedException e) {
                w.kill();
            }
        }
        for (Runnable r : AT_EXIT) {
            try {
                r.run();
            } catch (RuntimeException e) {
                System.err.println("mproc: an atExit action failed: " + e);
                if (Boolean.getBoolean("mproc.trace")) e.printStackTrace();
            }
        }
    }
}
