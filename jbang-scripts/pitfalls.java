///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS ../toolkit/jbang/mproc.java
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 14 (programming guidelines): what travels to a worker, queues, locks, zombies and orphans, reusing a pool.

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.Lock;
import mproc.Pool;
import mproc.Queue;
import mproc.Task;
import mproc.Worker;
import mproc.cli.Cli;
import mproc.cli.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

@Command(name = "pitfalls", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"Shows Python's programming guidelines live, in Java: what reaches a worker JVM and what does not,",
                "joining before reading a queue, a lock whose holder is terminated, zombies and orphans, reusing a pool."})
public class pitfalls implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "build/pitfalls", description = "folder for pitfalls.csv (default: ${DEFAULT-VALUE})")
    Path out;

    static int k; // a variable of the main program, as a notebook's are

    /** A class with a static field the notebook changes. */
    static class Counter {
        static int hits;
    }

    /** Prints what the worker sees of the notebook variable k, of a static field, and of its argument. */
    static class Peek implements Task {
        public void run(String... args) {
            System.out.println("in the worker: k = " + k + ", Counter.hits = " + Counter.hits + ", argument = " + args[0]);
        }
    }

    /** A worker with a field that cannot travel to another JVM. */
    static class Holder extends Worker {
        Thread helper = new Thread(() -> {});

        public void run() {
            System.out.println("never runs");
        }
    }

    /** Puts 0 .. items-1 on a queue. */
    static class Producer extends Worker {
        Queue queue;
        int items;

        public void run() {
            for (int i = 0; i < items; i++) queue.put(i);
        }
    }

    /** Takes the lock and keeps it. */
    static class LockHolder extends Worker {
        Lock lock;

        public void run() throws Exception {
            lock.acquire();
            System.out.println("holding the lock");
            Thread.sleep(60_000);
        }
    }

    /** Sleeps for a minute. */
    static class Sleeper implements Task {
        public void run(String... args) throws Exception {
            Thread.sleep(60_000);
        }
    }

    /** Starts a daemon and a non-daemon Sleeper, prints their pids, then dies without cleaning up (like SIGKILL). */
    static class DyingParent implements Task {
        public void run(String... args) {
            Worker daemon = new Worker("daemon", Sleeper.class).setDaemon(true);
            Worker plain = new Worker("non-daemon", Sleeper.class);
            daemon.start();
            plain.start();
            System.out.println("children " + daemon.pid() + " " + plain.pid());
            Runtime.getRuntime().halt(0);
        }
    }

    /** Whether process pid still runs (a zombie has ended: it only waits to be collected). */
    static boolean running(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
            return "ZX".indexOf(stat.charAt(stat.lastIndexOf(')') + 2)) < 0;
        } catch (java.io.IOException e) {
            return false;
        }
    }

    public static void main(String... args) {
        System.exit(Cli.execute(new pitfalls(), args));
    }

    @Override
    public Integer call() throws Exception {
        k = 21;
        // the main block
        Counter.hits = 5;
        Worker peek = new Worker("peek", Peek.class, k);
        peek.start();
        peek.join();
        System.out.println("in the notebook: k = " + k + ", Counter.hits = " + Counter.hits);
        String refusal;
        try {
            new Holder().start();
            refusal = "started";
        } catch (IllegalArgumentException e) {
            refusal = e.getMessage();
        }
        System.out.println("Holder.start(): " + refusal);

        // 2. join before reading a queue
        Queue queue = Queue.create();
        Producer producer = new Producer();
        producer.queue = queue;
        producer.items = 100_000;
        producer.start();
        boolean joined = producer.join(Duration.ofSeconds(60));
        queue.shutdown();
        long read = 0;
        for (Object item : queue) read++;
        System.out.println("joined before reading: " + joined + ", exit code " + producer.exitCode() + ", then read " + read + " items");

        // 3. terminate a worker that holds a lock
        Lock lock = Lock.create();
        LockHolder holder = new LockHolder();
        holder.lock = lock;
        holder.start();
        holder.awaitOutput("holding the lock", Duration.ofSeconds(30));
        holder.terminate();
        holder.join();
        long t0 = System.nanoTime();
        boolean got = lock.acquire(Duration.ofSeconds(10));
        double waitedMs = (System.nanoTime() - t0) / 1e6;
        if (got) lock.release();
        System.out.println(String.format("holder ended with exit code %d; the lock was free again: %b, after %.1f ms", holder.exitCode(), got, waitedMs));

        // 4. zombies and orphans
        Worker parent = new Worker("dying parent", DyingParent.class);
        parent.start();
        parent.join();
        String[] pids = parent.output().get(0).split(" ");
        long daemonPid = Long.parseLong(pids[1]), plainPid = Long.parseLong(pids[2]);
        Thread.sleep(1500); // a daemon notices its parent is gone within a few hundred ms
        boolean daemonRuns = running(daemonPid), plainRuns = running(plainPid), parentZombie = running(parent.pid());
        System.out.println("after the parent died: daemon child running " + daemonRuns + ", non-daemon child running " + plainRuns
                + ", the parent itself a zombie " + parentZombie);
        ProcessHandle.of(plainPid).ifPresent(ProcessHandle::destroyForcibly); // the orphan is ours to end

        // 5. start a pool once
        long s0 = System.nanoTime();
        for (int i = 0; i < 5; i++) {
            try (Pool pool = new Pool(2)) {
                pool.map(x -> x * x, Pool.range(8));
            }
        }
        double freshMs = (System.nanoTime() - s0) / 1e6;
        s0 = System.nanoTime();
        try (Pool pool = new Pool(2)) {
            for (int i = 0; i < 5; i++) pool.map(x -> x * x, Pool.range(8));
        }
        double reusedMs = (System.nanoTime() - s0) / 1e6;
        System.out.println(String.format("five maps, a fresh pool each: %.0f ms; one pool for all five: %.0f ms (%.1fx faster)", freshMs, reusedMs, freshMs / reusedMs));

        Table rules = Table.create("guidelines, shown live",
                StringColumn.create("rule", List.of("notebook variable k in the worker", "static Counter.hits in the worker",
                        "argument k in the worker", "a Thread field at start()", "items read after joining the producer",
                        "lock free after its holder was terminated", "daemon child after its parent died",
                        "non-daemon child after its parent died", "five maps: fresh pools / one pool (ms)")),
                StringColumn.create("seen", List.of(peek.output().get(0).replaceAll(".*k = (\\d+),.*", "$1"),
                        peek.output().get(0).replaceAll(".*hits = (\\d+),.*", "$1"), peek.output().get(0).replaceAll(".*argument = (\\d+)", "$1"),
                        refusal.contains("cannot travel") ? "refused" : refusal, Long.toString(read),
                        got + String.format(" (%.0f ms)", waitedMs), daemonRuns ? "running" : "ended", plainRuns ? "running (orphan)" : "ended",
                        String.format("%.0f / %.0f", freshMs, reusedMs))));
        System.out.println(rules.print());
        System.out.println("table: " + Reports.csv(rules, out, "pitfalls.csv"));
        return peek.output().get(0).equals("in the worker: k = 0, Counter.hits = 0, argument = 21") && read == 100_000 && got
                && !daemonRuns && plainRuns ? 0 : 1;
    }
}
