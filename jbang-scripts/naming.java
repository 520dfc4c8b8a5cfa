///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS pbpj:mproc-chapters:1.0.0
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 1 (naming_processes.py): a named and a default-named worker JVM, started together.

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.tutorial.Charts;
import mproc.tutorial.Lifetimes;
import mproc.Worker;
import mproc.chapters.Naming;
import mproc.cli.Cli;
import mproc.cli.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "naming", mixinStandardHelpOptions = true, version = "naming 1.0",
        description = {"Starts a worker JVM named 'myFunc process' and one with a default name (Process-N),",
                "both on the matrix task, and shows their lifetimes: the two run at the same time."})
public class naming implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "100000", converter = Cli.CountConverter.class,
            description = "20x20 multiplies per worker (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--out", defaultValue = "build/naming", description = "folder for naming.csv and naming.png (default: ${DEFAULT-VALUE})")
    Path out;

    public static void main(String... args) {
        System.exit(Cli.execute(new naming(), args));
    }

    @Override
    public Integer call() throws Exception {
        List<Worker> workers = Naming.run(count);
        Table t = Lifetimes.table("naming: two workers started together", workers);
        System.out.println(t.selectColumns("name", "pid", "exit_code", "startup_ms", "run_ms", "total_ms").print());
        Path csv = Reports.csv(t, out, "naming.csv");
        Path png = Charts.savePng(Charts.timeline(t, "naming: a named and a default-named worker"), out.resolve("naming.png"));
        System.out.println("table: " + csv + "\nchart: " + png);
        return 0;
    }
}
