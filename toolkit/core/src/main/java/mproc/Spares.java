package mproc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Spare worker JVMs for {@link StartMethod#WARM}: started ahead of time with a worker's exact command
 * line, each blocked reading its spec from stdin. {@code start()} takes one and writes the spec: the
 * JVM's start-up has already been paid. A spare left over when this JVM exits sees its stdin end and
 * exits quietly (so does one whose parent was killed); the exit hook also closes them.
 *
 * <p>Bounded: at most {@link #perCommand()} spares per command line, and at most {@link #maxIdle()} in all,
 * whatever the number of distinct command lines (each set of JVM options is one); when a new spare would go
 * over the bound, the oldest spare of another command line is ended first, before the new one starts (so the
 * spare JVMs alive never outnumber the bound). The bound is
 * {@code -Dmproc.maxSpares} (default 4), raised to the per-command number if that is set higher.
 */
final class Spares {
    record Spare(Process process, BufferedReader out) {}

    /** A waiting spare and the command line it was started with. */
    private record Idle(List<String> cmd, Spare spare) {}

    private static volatile int perCommand = 2;
    private static volatile int maxIdle = Math.max(0, Math.min(64, Integer.getInteger("mproc.maxSpares", 4)));
    /** Every waiting spare, oldest first; guarded by itself. */
    private static final ArrayDeque<Idle> idle = new ArrayDeque<>();
    private static final ExecutorService starter = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mproc-spares");
        t.setDaemon(true);
        return t;
    });

    private Spares() {}

    static void setPerCommand(int n) {
        if (n < 0 || n > 64) throw new IllegalArgumentException("spare JVMs per command must be 0..64, got " + n);
        perCommand = n;
        if (maxIdle < n) maxIdle = n;
    }

    static int perCommand() {
        return Math.min(perCommand, maxIdle);
    }

    /** How many spare JVMs may wait in all, across command lines (0..64); the oldest over it are ended. */
    static void setMaxIdle(int n) {
        if (n < 0 || n > 64) throw new IllegalArgumentException("spare JVMs in all must be 0..64, got " + n);
        maxIdle = n;
        List<Spare> over = new ArrayList<>();
        synchronized (idle) {
            while (idle.size() > n) over.add(idle.pollFirst().spare());
        }
        end(over);
    }

    static int maxIdle() {
        return maxIdle;
    }

    /**
     * A started spare for this command, or null (then the caller starts a JVM itself, and the spares are refilled
     * now); a spare taken is replaced once its worker has ended or {@link #REFILL_DELAY_MS} later.
     */
    static Spare take(List<String> cmd) {
        List<String> key = List.copyOf(cmd);
        Spare s = null;
        synchronized (idle) {
            for (Iterator<Idle> it = idle.iterator(); it.hasNext(); ) {
                Idle i = it.next();
                if (!i.spare().process().isAlive()) {
                    it.remove();
                } else if (s == null && i.cmd().equals(key)) {
                    it.remove();
                    s = i.spare();
                }
            }
        }
        if (s == null) {
            refill(key);
        } else {
            // the replacement starts once the worker given this spare has ended, or REFILL_DELAY_MS later: a
            // JVM starting meanwhile would take the CPU from the worker that was just started (two cores here:
            // a short worker's start+join took 1.5x as long). A closeIdle() meanwhile cancels it.
            long gen = generation;
            CompletableFuture.anyOf(s.process().onExit(),
                    CompletableFuture.runAsync(() -> { }, CompletableFuture.delayedExecutor(REFILL_DELAY_MS, TimeUnit.MILLISECONDS)))
                    .thenRun(() -> {
                        if (generation == gen) refill(key);
                    });
        }
        return s;
    }

    /** How long after a spare was handed out its replacement starts, at the latest. */
    static final long REFILL_DELAY_MS = 200;
    /** Bumped by {@link #closeIdle()}: a replacement scheduled before it is not started. */
    private static volatile long generation;

    /**
     * Starts spares (in the background) until this command has {@link #perCommand()} of them, ending the
     * oldest spares of other commands when that goes over {@link #maxIdle()}.
     */
    static void refill(List<String> cmd) {
        List<String> key = List.copyOf(cmd);
        if (starter.isShutdown()) return; // this JVM is exiting
        try {
            starter.execute(() -> fill(key));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shut down meanwhile: no more spares
        }
    }

    private static void fill(List<String> key) {
        while (count(key) < perCommand()) {
            // at the bound: the oldest spare of another command line ends first, before a new one starts
            List<Spare> over = new ArrayList<>();
            synchronized (idle) {
                for (Iterator<Idle> it = idle.iterator(); idle.size() >= maxIdle && it.hasNext(); ) {
                    Idle i = it.next();
                    if (!i.cmd().equals(key)) {
                        it.remove();
                        over.add(i.spare());
                    }
                }
                if (idle.size() >= maxIdle && over.isEmpty()) return; // all this command's: nothing to make room
            }
            end(over);
            over.clear();
            Spare spare;
            try {
                Process p = new ProcessBuilder(key).start();
                BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                String first = out.readLine(); // "started": the JVM is up and waiting for its spec
                if (first == null || !first.startsWith(Relay.MARKER + "started")) {
                    p.destroyForcibly();
                    return;
                }
                spare = new Spare(p, out);
            } catch (IOException e) {
                return;
            }
            synchronized (idle) {
                idle.addLast(new Idle(key, spare));
                while (idle.size() > maxIdle) over.add(idle.pollFirst().spare()); // the bound was lowered meanwhile
            }
            end(over);
        }
    }

    private static int count(List<String> key) {
        int n = 0;
        synchronized (idle) {
            for (Idle i : idle) if (i.cmd().equals(key)) n++;
        }
        return n;
    }

    /** Waits until this command has at least {@code n} spares ready; false on timeout. */
    static boolean await(List<String> cmd, int n, long timeoutMillis) throws InterruptedException {
        List<String> key = List.copyOf(cmd);
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (count(key) < n) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(2);
        }
        return true;
    }

    /** How many spare JVMs are waiting (all commands). */
    static int idleCount() {
        synchronized (idle) {
            return idle.size();
        }
    }

    /** At exit: no more spares, and every idle one ended. */
    static void shutdown() {
        perCommand = 0;
        starter.shutdownNow();
        closeAllIdle();
    }

    /** Ends every idle spare, after letting a refill under way finish (so none appears afterwards). */
    static void closeIdle() {
        generation++;
        int keep = perCommand;
        perCommand = 0;
        try {
            if (!starter.isShutdown()) starter.submit(() -> { }).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            // shut down, interrupted or timed out: close what there is
        } finally {
            closeAllIdle();
            if (!starter.isShutdown()) perCommand = keep;
        }
    }

    private static void closeAllIdle() {
        List<Spare> all = new ArrayList<>();
        synchronized (idle) {
            for (Idle i : idle) all.add(i.spare());
            idle.clear();
        }
        end(all);
    }

    /** Ends spares: their stdin closed, they exit quietly; killed if they have not within 500 ms. */
    private static void end(List<Spare> spares) {
        for (Spare s : spares) {
            try {
                s.process().getOutputStream().close();
            } catch (IOException e) {
                s.process().destroyForcibly();
            }
        }
        for (Spare s : spares) {
            try {
                if (!s.process().waitFor(500, TimeUnit.MILLISECONDS)) {
                    s.process().destroyForcibly();
                    s.process().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                s.process().destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
