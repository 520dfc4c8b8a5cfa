package mproc.chapters;

import mproc.tutorial.*;
import java.time.Duration;
import java.util.List;
import mproc.tutorial.Matrix;
import mproc.Task;
import mproc.Worker;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Chapter 3, killing_processes.py: the lifecycle around terminate(), and terminate() against kill(). */
public final class Killing {
    private Killing() {}

    /**
     * Python's {@code foo()}: ten steps of work, printing each. It also installs a shutdown hook, which
     * shows the difference between the two signals: SIGTERM runs it, SIGKILL does not.
     */
    public static class Foo implements Task {
        @Override
        public void run(String... args) {
            long count = Long.parseLong(args[0]);
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(
                        () -> System.out.println("shutdown hook: cleaning up in " + Worker.currentName())));
            } catch (IllegalStateException shuttingDown) {
                return; // terminated before the hook could even be registered: nothing to clean up
            }
            System.out.println("Starting function");
            for (int i = 0; i < 10; i++) {
                Matrix.work(count);
                System.out.println("-->" + i);
            }
            System.out.println("Finished function");
        }
    }

    /** One row per step of the lifecycle: is the worker alive, and what is its exit code. */
    public record Step(String step, boolean alive, Integer exitCode) {}

    /**
     * start, terminate at once, join, as the Python script does; the states seen after each step.
     * Right after terminate() the worker is usually still alive: the signal is only a request.
     */
    public static List<Step> lifecycle(long count) throws InterruptedException {
        Worker p = new Worker(Foo.class, count);
        Step before = new Step("before start()", p.isAlive(), p.exitCode());
        p.start();
        Step running = new Step("after start()", p.isAlive(), p.exitCode());
        p.terminate();
        Step terminated = new Step("right after terminate()", p.isAlive(), p.exitCode());
        p.join();
        Step joined = new Step("after join()", p.isAlive(), p.exitCode());
        return List.of(before, running, terminated, joined);
    }

    public static Table stepsTable(List<Step> steps) {
        StringColumn step = StringColumn.create("step");
        BooleanColumn alive = BooleanColumn.create("is_alive");
        IntColumn code = IntColumn.create("exit_code");
        StringColumn meaning = StringColumn.create("meaning");
        for (Step s : steps) {
            step.append(s.step());
            alive.append(s.alive());
            if (s.exitCode() == null) code.appendMissing(); else code.append(s.exitCode());
            meaning.append(Worker.describeExit(s.exitCode()));
        }
        return Table.create("lifecycle", step, alive, code, meaning);
    }

    /**
     * Two workers on the same job; once both are working, one gets terminate() (SIGTERM) and the other
     * kill() (SIGKILL). Returns them, ended, in that order.
     */
    public static List<Worker> terminateVersusKill(long count) throws InterruptedException {
        Worker polite = new Worker("terminated", Foo.class, count);
        Worker forced = new Worker("killed", Foo.class, count);
        polite.start();
        forced.start();
        Duration wait = Duration.ofSeconds(30);
        if (!polite.awaitOutput("-->0", wait) || !forced.awaitOutput("-->0", wait)) {
            polite.kill();
            forced.kill();
            throw new IllegalStateException("workers did not start working within " + wait
                    + "; use a larger count so that one step takes a while");
        }
        polite.terminate();
        forced.kill();
        polite.join();
        forced.join();
        return List.of(polite, forced);
    }

    /** What each worker of {@link #terminateVersusKill} went through. */
    public static Table signalsTable(List<Worker> ws) {
        StringColumn name = StringColumn.create("name");
        StringColumn signal = StringColumn.create("signal");
        IntColumn code = IntColumn.create("exit_code");
        IntColumn python = IntColumn.create("python_exitcode");
        IntColumn steps = IntColumn.create("steps_done");
        BooleanColumn hook = BooleanColumn.create("shutdown_hook_ran");
        for (Worker w : ws) {
            name.append(w.getName());
            int c = w.exitCode();
            signal.append(c == 143 ? "SIGTERM" : c == 137 ? "SIGKILL" : "none");
            code.append(c);
            python.append(c > 128 ? 128 - c : c);
            steps.append((int) w.output().stream().filter(l -> l.startsWith("-->")).count());
            hook.append(w.output().stream().anyMatch(l -> l.startsWith("shutdown hook")));
        }
        return Table.create("terminate vs kill", name, signal, code, python, steps, hook);
    }
}
