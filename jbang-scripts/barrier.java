///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS pbpj:mproc-chapters:1.0.0
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 10 (processes_barrier.py): p1, p2 meet at a Barrier(2) and print under a Lock; p3, p4 do not wait.

import java.nio.file.Path;
import java.util.concurrent.Callable;
import mproc.tutorial.Charts;
import mproc.chapters.Barriers;
import mproc.cli.Cli;
import mproc.cli.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "barrier", mixinStandardHelpOptions = true, version = "barrier 1.0",
        description = {"Four workers: p1 and p2 wait for each other at a Barrier(2), then print their name and",
                "time under a Lock; p3 and p4 print at once. p1 and p3 first do --count multiplies."})
public class barrier implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "30000", converter = Cli.CountConverter.class,
            description = "multiplies p1 and p3 do first (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--out", defaultValue = "build/barrier", description = "folder for barrier.csv/.png (default: ${DEFAULT-VALUE})")
    Path out;

    public static void main(String... args) {
        System.exit(Cli.execute(new barrier(), args));
    }

    @Override
    public Integer call() throws Exception {
        Table t = Barriers.run(count);
        System.out.println(t.print());
        Path csv = Reports.csv(t, out, "barrier.csv");
        Path png = Charts.savePng(Barriers.chart(t), out.resolve("barrier.png"));
        System.out.println("table: " + csv + "\nchart: " + png);
        return 0;
    }
}
