package mproc;

import java.util.concurrent.TimeUnit;

/** Tasks used by the tests; compiled classes, so worker JVMs can load them. */
public final class Tasks {
    private Tasks() {}

    public static class Echo implements Task {
        @Override
        public void run(String... args) {
            System.out.println("name=" + Worker.currentName());
            for (String a : args) System.out.println("arg=" + a);
            System.err.println("to stderr");
        }
    }

    public static class Fail implements Task {
        @Override
        public void run(String... args) {
            throw new IllegalStateException("boom in " + Worker.currentName());
        }
    }

    public static class ExitWith implements Task {
        @Override
        public void run(String... args) {
            System.exit(Integer.parseInt(args[0]));
        }
    }

    /** Prints "working", then sleeps; a shutdown hook announces a polite end. */
    public static class Sleep implements Task {
        @Override
        public void run(String... args) throws Exception {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("hook ran")));
            System.out.println("working");
            Thread.sleep(TimeUnit.SECONDS.toMillis(Long.parseLong(args[0])));
            System.out.println("slept");
        }
    }

    /** Prints what {@link Procs#mayHaveChildren()} says, before and (with the argument "spawn") while a process it started runs. */
    public static class MayHaveChildren implements Task {
        @Override
        public void run(String... args) throws Exception {
            System.out.println("before=" + Procs.mayHaveChildren());
            if (args.length > 0 && args[0].equals("spawn")) {
                Process p = new ProcessBuilder("sleep", "30").start();
                System.out.println("while=" + Procs.mayHaveChildren() + " " + Procs.hasChildren());
                p.destroyForcibly().waitFor();
            }
        }
    }

    /** Starts a grandchild process (sleep), prints its pid, then waits. */
    public static class Grandparent implements Task {
        @Override
        public void run(String... args) throws Exception {
            Process p = new ProcessBuilder("sleep", "60").start();
            System.out.println("grandchild=" + p.pid());
            p.waitFor();
        }
    }

    /**
     * Starts a grandchild process (sleep) and returns, leaving it running; with the argument "thread" a non-daemon
     * thread starts it instead, 300 ms after run() returned. Prints the grandchild's pid.
     */
    public static class LeavesGrandchild implements Task {
        @Override
        public void run(String... args) throws Exception {
            if (args.length == 0) {
                System.out.println("grandchild=" + new ProcessBuilder("sleep", "60").start().pid());
                return;
            }
            Thread t = new Thread(() -> {
                try {
                    Thread.sleep(300);
                    System.out.println("grandchild=" + new ProcessBuilder("sleep", "60").start().pid());
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            t.setDaemon(false);
            t.start();
        }
    }

    /** Main of a parent JVM for the orphan test: starts a daemon worker, prints its pid, waits to be killed. */
    public static final class DaemonParent {
        public static void main(String[] args) throws Exception {
            Worker w = new Worker(Sleep.class, 60).setDaemon(Boolean.parseBoolean(args[0]));
            w.start();
            w.awaitOutput("working", java.time.Duration.ofSeconds(30));
            System.out.println("worker=" + w.pid());
            System.out.flush();
            Thread.sleep(60_000);
        }
    }

    /**
     * Main of a parent JVM whose main returns without joining: a daemon (sleeps 30 s) and a non-daemon
     * (sleeps 1 s) worker, started with the start method given as args[0]; at exit it reports both.
     */
    public static final class ReturningParent {
        public static void main(String[] args) {
            StartMethod m = StartMethod.valueOf(args[0]);
            Worker daemon = new Worker("d", Sleep.class, 30).setDaemon(true).setStartMethod(m);
            Worker other = new Worker("o", Sleep.class, 1).setStartMethod(m);
            Worker.atExit(() -> System.out.println("atexit: daemon=" + daemon.exitCode() + " other=" + other.exitCode()
                    + " other-output=" + other.output()));
            daemon.start();
            other.start();
            System.out.println("main returns");
        }
    }
}
