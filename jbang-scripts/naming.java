///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS ../toolkit/jbang/mproc.java
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 1 (naming_processes.py): a named and a default-named worker JVM, started together.

import java.nio.file.Path;
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

@Command(name = "naming", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"Starts a worker JVM named 'myFunc process' and one with a default name (Process-N),",
                "both running myFunc, and shows their lifetimes: the two run at the same time."})
public class naming implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "100000", converter = Cli.CountConverter.class,
            description = "20x20 multiplies per worker (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--out", defaultValue = "build/naming", description = "folder for naming.csv and naming.png (default: ${DEFAULT-VALUE})")
    Path out;

    /** The chapter's myFunc: says which process runs it, multiplies 20x20 matrices count times, says it is done. */
    static class MyFunc implements Task {
        public void run(String... args) {
            long count = Long.parseLong(args[0]);
            String name = Worker.currentName();
            System.out.println("Starting process name = " + name);
            long checksum = Matrix.work(count);
            System.out.println("Exiting process name = " + name + " (checksum " + checksum + ")");
        }
    }

    public static void main(String... args) {
        System.exit(Cli.execute(new naming(), args));
    }

    @Override
    public Integer call() throws Exception {
        // the main block
        Worker processWithName = new Worker("myFunc process", MyFunc.class, count);
        Worker processWithDefaultName = new Worker(MyFunc.class, count);
        processWithName.start();
        processWithDefaultName.start();
        processWithName.join();
        processWithDefaultName.join();

        // what happened: a table and a chart
        Table table = Lifetimes.table("naming: two workers started together", List.of(processWithName, processWithDefaultName));
        System.out.println(table.selectColumns("name", "pid", "exit_code", "startup_ms", "run_ms", "total_ms").print());
        Path csv = Reports.csv(table, out, "naming.csv");
        Path png = Charts.savePng(Charts.timeline(table, "naming: a named and a default-named worker"), out.resolve("naming.png"));
        System.out.println("table: " + csv + "\nchart: " + png);
        return 0;
    }
}
