///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS pbpj:mproc-chapters:1.0.0
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 8 (communicating_with_pipe.py): producer -> squarer -> main through two pipes.

import java.nio.file.Path;
import java.util.concurrent.Callable;
import mproc.tutorial.Charts;
import mproc.chapters.Pipes;
import mproc.cli.Cli;
import mproc.cli.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "pipe", mixinStandardHelpOptions = true, version = "pipe 1.0",
        description = {"A producer worker sends 0..9 through a pipe to a squarer worker, which sends the squares",
                "through a second pipe to main, which prints them until end of stream, then 'End'.",
                "Then the same chain carries 20x20 matrices, squared on the way, with per-message latency."})
public class pipe implements Callable<Integer> {
    @Option(names = "--messages", defaultValue = "2000", description = "matrices sent through the chain, 1..1000000 (default: ${DEFAULT-VALUE})")
    int messages;

    @Option(names = "--out", defaultValue = "build/pipe", description = "folder for pipe.csv and pipe.png (default: ${DEFAULT-VALUE})")
    Path out;

    public static void main(String... args) {
        System.exit(Cli.execute(new pipe(), args));
    }

    @Override
    public Integer call() throws Exception {
        Cli.checkRange(this, "--messages", messages, 1, 1_000_000);
        Pipes.squares(10);
        Table t = Pipes.matrices(messages);
        System.out.println(messages + " matrices, every product checked");
        System.out.println(Pipes.summary(t).print());
        Path csv = Reports.csv(t, out, "pipe.csv");
        Path png = Charts.savePng(Pipes.latencyChart(t), out.resolve("pipe.png"));
        System.out.println("table: " + csv + "\nchart: " + png);
        return 0;
    }
}
