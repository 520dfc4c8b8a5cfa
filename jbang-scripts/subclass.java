///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS ../toolkit/jbang/mproc.java
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 5 (process_in_subclass.py): ten instances of a Worker subclass, run one by one.

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.Worker;
import mproc.cli.Cli;
import mproc.cli.Reports;
import mproc.tutorial.Charts;
import mproc.tutorial.Lifetimes;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "subclass", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"Runs ten instances of MyProcess (a Worker subclass overriding run()), each",
                "started and joined before the next. Default names: MyProcess-1 .. MyProcess-10."})
public class subclass implements Callable<Integer> {
    @Option(names = "--out", defaultValue = "build/subclass", description = "folder for subclass.csv/.png (default: ${DEFAULT-VALUE})")
    Path out;

    /**
     * Python's class MyProcess(multiprocessing.Process): run() is what the worker JVM does. Its fields (here index)
     * travel to the worker JVM as text; the worker JVM creates the object with the no-argument constructor, then sets them.
     */
    static class MyProcess extends Worker {
        int index;

        public MyProcess() {}

        public MyProcess(int index) {
            this.index = index;
        }

        @Override
        public void run() {
            System.out.println("called run method in " + getName() + " (index " + index + ", pid "
                    + ProcessHandle.current().pid() + ")");
        }
    }

    public static void main(String... args) {
        System.exit(Cli.execute(new subclass(), args));
    }

    @Override
    public Integer call() throws Exception {
        // the main block
        List<Worker> ten = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            MyProcess process = new MyProcess(i);
            process.start();
            process.join();
            ten.add(process);
        }

        // what happened: a table and a chart
        Table t = Lifetimes.table("ten subclass workers, one by one", ten);
        System.out.println(t.selectColumns("name", "pid", "exit_code", "startup_ms", "run_ms", "total_ms").print());
        Path csv = Reports.csv(t, out, "subclass.csv");
        Path png = Charts.savePng(Charts.durations(t, "subclass: JVM start-up and run() per worker"), out.resolve("subclass.png"));
        System.out.println("table: " + csv + "\nchart: " + png);
        return 0;
    }
}
