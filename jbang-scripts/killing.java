///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS ../toolkit/jbang/mproc.java
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 3 (killing_processes.py): the lifecycle around terminate(), and terminate() against kill().

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.Task;
import mproc.Worker;
import mproc.report.KillReport;
import mproc.cli.Cli;
import mproc.cli.Reports;
import mproc.tutorial.Charts;
import mproc.tutorial.Lifetimes;
import mproc.tutorial.Matrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

@Command(name = "killing", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"Starts a worker and terminates it at once, printing is_alive and the exit code after each",
                "step (as the Python original does); then ends one working worker with terminate() (SIGTERM)",
                "and another with kill() (SIGKILL) and shows what each one could still do."})
public class killing implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "50000", converter = Cli.CountConverter.class,
            description = "20x20 multiplies per step of the worker's 10 steps (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--out", defaultValue = "build/killing", description = "folder for the CSV and PNG outputs (default: ${DEFAULT-VALUE})")
    Path out;

    /**
     * Python's foo(): ten steps of work, printing each. It also registers a shutdown hook, the JVM's cleanup at exit,
     * to show what each signal allows: SIGTERM runs it, SIGKILL does not.
     */
    static class Foo implements Task {
        public void run(String... args) {
            long count = Long.parseLong(args[0]);
            try {
                Runtime.getRuntime().addShutdownHook(new Thread(
                        () -> System.out.println("shutdown hook: cleaning up in " + Worker.currentName())));
            } catch (IllegalStateException shuttingDown) {
                return; // the signal came before the hook could be registered: nothing to clean up
            }
            System.out.println("Starting function");
            for (int i = 0; i < 10; i++) {
                Matrix.work(count);
                System.out.println("-->" + i);
            }
            System.out.println("Finished function");
        }
    }

    /** What the main block saw at one step; print() shows it as the Python original does, and keeps it for the table. */
    record Step(String step, boolean alive, Integer exitCode) {
        static Step print(String step, Worker p, boolean alive, Integer exitCode) {
            System.out.printf("Process %-24s is_alive=%-5s exit code=%-4s %s%n", step + ":", alive, exitCode, p);
            return new Step(step, alive, exitCode);
        }
    }

    /** The steps as a table, with what each exit code means. */
    static Table stepsTable(List<Step> steps) {
        Table t = Table.create("lifecycle", StringColumn.create("step"), BooleanColumn.create("is_alive"),
                IntColumn.create("exit_code"), StringColumn.create("meaning"));
        for (Step s : steps) {
            t.stringColumn("step").append(s.step());
            t.booleanColumn("is_alive").append(s.alive());
            if (s.exitCode() == null) t.intColumn("exit_code").appendMissing(); else t.intColumn("exit_code").append(s.exitCode());
            t.stringColumn("meaning").append(Worker.describeExit(s.exitCode()));
        }
        return t;
    }

    public static void main(String... args) {
        System.exit(Cli.execute(new killing(), args));
    }

    @Override
    public Integer call() throws Exception {
        // the main block
        Worker p = new Worker(Foo.class, count);
        Step before = Step.print("before start()", p, p.isAlive(), p.exitCode());
        p.start();
        Step running = Step.print("after start()", p, p.isAlive(), p.exitCode());
        p.terminate();
        Step terminated = Step.print("right after terminate()", p, p.isAlive(), p.exitCode());
        p.join();
        Step joined = Step.print("after join()", p, p.isAlive(), p.exitCode());

        // terminate() against kill(): two workers on the same job, each stopped once it has done its first step
        Worker polite = new Worker("terminated", Foo.class, count);
        Worker forced = new Worker("killed", Foo.class, count);
        polite.start();
        forced.start();
        boolean bothWorking = polite.awaitOutput("-->0", Duration.ofSeconds(30)) & forced.awaitOutput("-->0", Duration.ofSeconds(30));
        polite.terminate();
        forced.kill();
        polite.join();
        forced.join();

        // what happened: tables and a chart
        Table lifecycle = stepsTable(List.of(before, running, terminated, joined));
        System.out.println(lifecycle.print());
        Table signals = KillReport.signalsTable(List.of(polite, forced));
        System.out.println(signals.print());
        if (!bothWorking) System.out.println("note: a worker had not done its first step within 30 s when it was stopped");
        Path png = Charts.savePng(Charts.timeline(Lifetimes.table("terminate vs kill", List.of(polite, forced)),
                "terminate() vs kill(): both end mid-task"), out.resolve("killing.png"));
        Path c1 = Reports.csv(lifecycle, out, "killing-lifecycle.csv");
        Path c2 = Reports.csv(signals, out, "killing-signals.csv");
        System.out.println("tables: " + c1 + ", " + c2 + "\nchart: " + png);
        return 0;
    }
}
