///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS pbpj:mproc-chapters:1.0.0
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 7 (start methods): start() + join() of an empty worker, Java cold/tuned/warm vs Python spawn/fork/forkserver.

import java.nio.file.Path;
import java.util.concurrent.Callable;
import mproc.tutorial.Charts;
import mproc.chapters.StartMethods;
import mproc.cli.Cli;
import mproc.cli.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "startmethods", mixinStandardHelpOptions = true, version = "startmethods 1.0",
        description = {"Measures start() + join() of an empty worker for each Java start method (cold, tuned,",
                "warm) and, in the same run, Python's fork, forkserver and spawn (Debian's /usr/bin/python3,",
                "skipped if absent), with a hello-world JVM and 'python3 -c pass' as baselines."})
public class startmethods implements Callable<Integer> {
    @Option(names = "--samples", defaultValue = "20", description = "samples per method, 3..1000 (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--out", defaultValue = "build/startmethods", description = "folder for the CSV and PNG outputs (default: ${DEFAULT-VALUE})")
    Path out;

    public static void main(String... args) {
        System.exit(Cli.execute(new startmethods(), args));
    }

    @Override
    public Integer call() throws Exception {
        Cli.checkRange(this, "--samples", samples, 3, 1000);
        Table all = StartMethods.measureJava(samples).append(StartMethods.measurePython(samples));
        Table summary = StartMethods.summary(all);
        System.out.println(summary.print());
        if (!java.nio.file.Files.isExecutable(mproc.tutorial.Python.PYTHON)) System.out.println("note: no " + mproc.tutorial.Python.PYTHON + ", Python not measured");
        Path c1 = Reports.csv(summary, out, "startmethods-summary.csv");
        Path c2 = Reports.csv(all, out, "startmethods-samples.csv");
        Path p1 = Charts.savePng(StartMethods.medians(summary), out.resolve("startmethods-medians.png"));
        Path p2 = Charts.savePng(StartMethods.distribution(all), out.resolve("startmethods-distribution.png"));
        System.out.println("tables: " + c1 + ", " + c2 + "\ncharts: " + p1 + ", " + p2);
        return 0;
    }
}
