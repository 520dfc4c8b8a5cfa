///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS ../toolkit/jbang/mproc.java
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 5 (run_background_processes_no_daemons.py): two non-daemon workers, neither joined.

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.Task;
import mproc.Worker;
import mproc.cli.Cli;
import mproc.cli.Reports;
import mproc.tutorial.Charts;
import mproc.tutorial.Lifetimes;
import mproc.tutorial.Matrix;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "nodaemons", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"Starts background_process and NO_background_process, both non-daemon, and ends main",
                "without joining either. At exit both are waited for: both finish and print 'Exiting'.",
                "The lifetimes table and chart are written at exit."})
public class nodaemons implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "60000", converter = Cli.CountConverter.class,
            description = "20x20 multiplies per step; each worker does 5 steps (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--out", defaultValue = "build/nodaemons", description = "folder for background.csv/.png (default: ${DEFAULT-VALUE})")
    Path out;

    /** Python's foo(): prints its name, five numbered steps of work (count multiplies each), then Exiting. */
    static class Foo implements Task {
        public void run(String... args) {
            long count = Long.parseLong(args[0]);
            String name = Worker.currentName();
            System.out.println("Starting " + name);
            int first = name.equals("background_process") ? 0 : 5; // the original counts 0..4 and 5..9
            for (int i = first; i < first + 5; i++) {
                Matrix.work(count);
                System.out.println("---> " + i);
            }
            System.out.println("Exiting " + name);
        }
    }

    public static void main(String... args) {
        System.exit(Cli.execute(new nodaemons(), args));
    }

    @Override
    public Integer call() {
        Instant mainStarted = Instant.now();
        // the main block
        Worker backgroundProcess = new Worker("background_process", Foo.class, count);
        backgroundProcess.setDaemon(false);
        Worker noBackgroundProcess = new Worker("NO_background_process", Foo.class, count);
        noBackgroundProcess.setDaemon(false);
        backgroundProcess.start();
        noBackgroundProcess.start();
        System.out.println("main program ends here (neither worker joined)");

        // what happened, reported at exit: after both workers were waited for
        Instant mainEnded = Instant.now();
        Worker.atExit(() -> report(List.of(backgroundProcess, noBackgroundProcess), mainStarted, mainEnded, out));
        return 0;
    }

    /** The lifetimes table with a row for the main program, a sentence per worker, background.csv and .png. */
    static void report(List<Worker> workers, Instant mainStarted, Instant mainEnded, Path out) {
        Table t = Lifetimes.table("background processes", mainStarted, workers);
        Lifetimes.addSpan(t, mainStarted, "main program", ProcessHandle.current().pid(), mainStarted, mainEnded);
        System.out.println(t.selectColumns("name", "daemon", "exit_code", "requested_ms", "finished_ms").print());
        System.out.printf("main program: ended at %.0f ms%n", t.doubleColumn("finished_ms").get(t.rowCount() - 1));
        for (int i = 0; i < workers.size(); i++) {
            Worker w = workers.get(i);
            System.out.printf("%s (daemon: %s): ended at %.0f ms, exit code %d, %s; printed 'Exiting': %s%n", w.getName(),
                    w.isDaemon() ? "yes" : "no", t.doubleColumn("finished_ms").get(i), w.exitCode(),
                    Worker.describeExit(w.exitCode()), w.output().contains("Exiting " + w.getName()) ? "yes" : "no");
        }
        Path csv = Reports.csv(t, out, "background.csv");
        Path png = Charts.savePng(Charts.timeline(t, "background processes: main ends, then"), out.resolve("background.png"));
        System.out.println("table: " + csv + "\nchart: " + png);
    }
}
