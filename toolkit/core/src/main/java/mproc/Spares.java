package mproc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Spare worker JVMs for {@link StartMethod#WARM}: started ahead of time with a worker's exact command
 * line, each blocked reading its spec from stdin. {@code start()} takes one and writes the spec: the
 * JVM's start-up has already been paid. A spare left over when this JVM exits sees its stdin end and
 * exits quietly (so does one whose parent was killed); the exit hook also closes them.
 */
final class Spares {
    record Spare(Process process, BufferedReader out) {}

    private static volatile int perCommand = 2;
    private static final Map<List<String>, Deque<Spare>> idle = new ConcurrentHashMap<>();
    private static final ExecutorService starter = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mproc-spares");
        t.setDaemon(true);
        return t;
    });

    private Spares() {}

    static void setPerCommand(int n) {
        if (n < 0 || n > 64) throw new IllegalArgumentException("spare JVMs per command must be 0..64, got " + n);
        perCommand = n;
    }

    static int perCommand() {
        return perCommand;
    }

    /** A started spare for this command, or null (then the caller starts a JVM itself); refills either way. */
    static Spare take(List<String> cmd) {
        Deque<Spare> q = idle.computeIfAbsent(List.copyOf(cmd), k -> new ArrayDeque<>());
        Spare s;
        synchronized (q) {
            do {
                s = q.pollFirst();
            } while (s != null && !s.process().isAlive());
        }
        refill(cmd);
        return s;
    }

    /** Starts spares (in the background) until this command has {@link #perCommand} of them. */
    static void refill(List<String> cmd) {
        List<String> key = List.copyOf(cmd);
        starter.execute(() -> {
            Deque<Spare> q = idle.computeIfAbsent(key, k -> new ArrayDeque<>());
            while (size(q) < perCommand) {
                try {
                    Process p = new ProcessBuilder(key).start();
                    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
                    String first = out.readLine(); // "started": the JVM is up and waiting for its spec
                    if (first == null || !first.startsWith(Relay.MARKER + "started")) {
                        p.destroyForcibly();
                        return;
                    }
                    synchronized (q) {
                        q.addLast(new Spare(p, out));
                    }
                } catch (IOException e) {
                    return;
                }
            }
        });
    }

    private static int size(Deque<Spare> q) {
        synchronized (q) {
            return q.size();
        }
    }

    /** Waits until this command has at least {@code n} spares ready; false on timeout. */
    static boolean await(List<String> cmd, int n, long timeoutMillis) throws InterruptedException {
        Deque<Spare> q = idle.computeIfAbsent(List.copyOf(cmd), k -> new ArrayDeque<>());
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        while (size(q) < n) {
            if (System.nanoTime() > deadline) return false;
            Thread.sleep(2);
        }
        return true;
    }

    /** How many spare JVMs are waiting (all commands). */
    static int idleCount() {
        int n = 0;
        for (Deque<Spare> q : idle.values()) n += size(q);
        return n;
    }

    /** At exit: no more spares, and every idle one ended. */
    static void shutdown() {
        perCommand = 0;
        starter.shutdownNow();
        closeAllIdle();
    }

    /** Ends every idle spare, after letting a refill under way finish (so none appears afterwards). */
    static void closeIdle() {
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
        List<Spare> all = new java.util.ArrayList<>();
        for (Deque<Spare> q : idle.values()) {
            synchronized (q) {
                all.addAll(q);
                q.clear();
            }
        }
        for (Spare s : all) {
            try {
                s.process().getOutputStream().close();
            } catch (IOException e) {
                s.process().destroyForcibly();
            }
        }
        for (Spare s : all) {
            try {
                if (!s.process().waitFor(500, TimeUnit.MILLISECONDS)) s.process().destroyForcibly();
            } catch (InterruptedException e) {
                s.process().destroyForcibly();
            }
        }
    }
}
