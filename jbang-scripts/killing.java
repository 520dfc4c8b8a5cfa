///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS pbpj:mproc-chapters:1.0.0
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 3 (killing_processes.py): the lifecycle around terminate(), and terminate() against kill().

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.tutorial.Charts;
import mproc.tutorial.Lifetimes;
import mproc.Worker;
import mproc.chapters.Killing;
import mproc.cli.Cli;
import mproc.cli.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "killing", mixinStandardHelpOptions = true, version = "killing 1.0",
        description = {"Starts a worker and terminates it at once, printing is_alive and the exit code after each",
                "step (as the Python original does); then ends one working worker with terminate() (SIGTERM)",
                "and another with kill() (SIGKILL) and shows what each one could still do."})
public class killing implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "50000", converter = Cli.CountConverter.class,
            description = "20x20 multiplies per step of the worker's 10 steps (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--out", defaultValue = "build/killing", description = "folder for the CSV and PNG outputs (default: ${DEFAULT-VALUE})")
    Path out;

    public static void main(String... args) {
        System.exit(Cli.execute(new killing(), args));
    }

    @Override
    public Integer call() throws Exception {
        List<Killing.Step> steps = Killing.lifecycle(count);
        for (Killing.Step s : steps) {
            System.out.printf("Process %-24s is_alive=%-5s exit code=%s%n", s.step() + ":", s.alive(), s.exitCode());
        }
        Table lifecycle = Killing.stepsTable(steps);
        System.out.println(lifecycle.print());

        List<Worker> ended = Killing.terminateVersusKill(count);
        Table signals = Killing.signalsTable(ended);
        System.out.println(signals.print());

        Table life = Lifetimes.table("terminate vs kill", ended);
        Path png = Charts.savePng(Charts.timeline(life, "terminate() vs kill(): both end mid-task"), out.resolve("killing.png"));
        Path c1 = Reports.csv(lifecycle, out, "killing-lifecycle.csv");
        Path c2 = Reports.csv(signals, out, "killing-signals.csv");
        System.out.println("tables: " + c1 + ", " + c2 + "\nchart: " + png);
        return 0;
    }
}
