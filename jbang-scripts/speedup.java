///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS pbpj:mproc-chapters:1.0.0
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 13 (performance): speed-up against workers, and the break-even task size of a Pool, Java and Python.

import java.nio.file.Path;
import java.util.concurrent.Callable;
import mproc.tutorial.Charts;
import mproc.chapters.Speedup;
import mproc.cli.Cli;
import mproc.cli.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "speedup", mixinStandardHelpOptions = true, version = "speedup 1.0",
        description = {"Speed-up and efficiency of a warm Pool against one JVM for 1..--max-workers workers on",
                "--tasks matrix tasks of --count multiplies; then Pool(2) against one JVM as the same work is cut",
                "into smaller tasks, and the break-even task size; then Python's multiprocessing.Pool the same way."})
public class speedup implements Callable<Integer> {
    @Option(names = "--max-workers", defaultValue = "4", description = "1..16 (default: ${DEFAULT-VALUE}: twice the cores here)")
    int maxWorkers;

    @Option(names = "--tasks", defaultValue = "40", description = "tasks per map, 1..100000 (default: ${DEFAULT-VALUE})")
    int tasks;

    @Option(names = "--count", defaultValue = "20000", converter = Cli.CountConverter.class,
            description = "multiplies per task in the scaling run (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--out", defaultValue = "build/speedup", description = "folder for the CSV and PNG outputs (default: ${DEFAULT-VALUE})")
    Path out;

    public static void main(String... args) {
        System.exit(Cli.execute(new speedup(), args));
    }

    @Override
    public Integer call() throws Exception {
        Cli.checkRange(this, "--max-workers", maxWorkers, 1, 16);
        Cli.checkRange(this, "--tasks", tasks, 1, 100_000);
        Table scaling = Speedup.scaling(maxWorkers, tasks, count);
        System.out.println(scaling.print());
        Table g = Speedup.granularity();
        System.out.println(g.print());
        System.out.println("break-even, Java: " + Speedup.breakEvenText(Speedup.breakEvenMicros(g)));
        // Python's multiprocessing.Pool, measured the same way now (Debian's /usr/bin/python3)
        Speedup.PythonRun py = Speedup.python();
        if (py == null) {
            System.out.println("note: no /usr/bin/python3: Python's side skipped");
        } else {
            System.out.println(py.granularity().print());
            System.out.println("break-even, Python: " + Speedup.breakEvenText(py.breakEvenMicros()) + ";"
                    + " efficiency of its Pool(2): " + py.efficiency());
        }
        Path c1 = Reports.csv(scaling, out, "speedup.csv");
        Path c2 = Reports.csv(g, out, "granularity.csv");
        Path p1 = Charts.savePng(Speedup.scalingChart(scaling), out.resolve("speedup.png"));
        Path p2 = Charts.savePng(Speedup.granularityChart(g, py == null ? null : py.granularity()), out.resolve("granularity.png"));
        System.out.println("tables: " + c1 + ", " + c2 + (py == null ? "" : ", " + Reports.csv(py.granularity(), out, "python-granularity.csv"))
                + "\ncharts: " + p1 + ", " + p2);
        return 0;
    }
}
