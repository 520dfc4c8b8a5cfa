///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS pbpj:mproc-chapters:1.0.0
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 2 (spawning_processes.py): six workers, worker i doing i units of work; one after another, then all at once.

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.tutorial.Charts;
import mproc.tutorial.Lifetimes;
import mproc.Worker;
import mproc.chapters.Spawning;
import mproc.cli.Cli;
import mproc.cli.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "spawning", mixinStandardHelpOptions = true, version = "spawning 1.0",
        description = {"Spawns six worker JVMs where worker i does i units of work: first each joined before the",
                "next starts (as the Python original does), then all started together. Compares the two timelines."})
public class spawning implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "20000", converter = Cli.CountConverter.class,
            description = "20x20 multiplies per unit of work (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--workers", defaultValue = "6", description = "number of workers, 1..64 (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--out", defaultValue = "build/spawning", description = "folder for the CSV and PNG outputs (default: ${DEFAULT-VALUE})")
    Path out;

    public static void main(String... args) {
        System.exit(Cli.execute(new spawning(), args));
    }

    @Override
    public Integer call() throws Exception {
        Cli.checkRange(this, "--workers", workers, 1, 64);
        System.out.println("== one after another: start(), join(), next ==");
        List<Worker> seq = Spawning.oneAfterAnother(workers, count);
        System.out.println("== all at once: start() all, then join() all ==");
        List<Worker> par = Spawning.allAtOnce(workers, count);

        Table a = Lifetimes.table("one after another", seq);
        Table b = Lifetimes.table("all at once", par);
        for (Table t : List.of(a, b)) System.out.println(t.selectColumns("name", "exit_code", "requested_ms", "startup_ms", "run_ms", "finished_ms").print());
        double sequential = a.doubleColumn("finished_ms").max(), together = b.doubleColumn("finished_ms").max();
        System.out.printf("wall time: one after another %.0f ms, all at once %.0f ms (%.2fx)%n", sequential, together, sequential / together);
        System.out.printf("JVM start-up paid: %.0f ms in total one after another (median %.0f ms per worker)%n",
                a.doubleColumn("startup_ms").sum(), a.doubleColumn("startup_ms").median());

        var img = Charts.sideBySide(Charts.image(Charts.timeline(a, "one after another", 560)), Charts.image(Charts.timeline(b, "all at once", 560)));
        Path png = Charts.savePng(img, out.resolve("spawning.png"));
        Path csvA = Reports.csv(a, out, "spawning-one-after-another.csv");
        Path csvB = Reports.csv(b, out, "spawning-all-at-once.csv");
        System.out.println("tables: " + csvA + ", " + csvB + "\nchart: " + png);
        return 0;
    }
}
