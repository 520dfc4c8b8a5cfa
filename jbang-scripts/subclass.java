///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS pbpj:mproc-chapters:1.0.0
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 6 (process_in_subclass.py): ten instances of a Worker subclass, run one by one.

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.tutorial.Charts;
import mproc.tutorial.Lifetimes;
import mproc.Worker;
import mproc.chapters.Subclass;
import mproc.cli.Cli;
import mproc.cli.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "subclass", mixinStandardHelpOptions = true, version = "subclass 1.0",
        description = {"Runs ten instances of Subclass.MyProcess (a Worker subclass overriding run()), each",
                "started and joined before the next. Default names: MyProcess-1 .. MyProcess-10."})
public class subclass implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "build/subclass", description = "folder for subclass.csv/.png (default: ${DEFAULT-VALUE})")
    Path out;

    public static void main(String... args) {
        System.exit(Cli.execute(new subclass(), args));
    }

    @Override
    public Integer call() throws Exception {
        List<Worker> ws = Subclass.runTen();
        Table t = Lifetimes.table("ten subclass workers, one by one", ws);
        System.out.println(t.selectColumns("name", "pid", "exit_code", "startup_ms", "run_ms", "total_ms").print());
        Path csv = Reports.csv(t, out, "subclass.csv");
        Path png = Charts.savePng(Charts.durations(t, "subclass: JVM start-up and run() per worker"), out.resolve("subclass.png"));
        System.out.println("table: " + csv + "\nchart: " + png);
        return 0;
    }
}
