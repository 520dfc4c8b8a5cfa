///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS pbpj:mproc-chapters:1.0.0
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 5 (run_background_processes_no_daemons.py): two non-daemon workers, neither joined.

import java.nio.file.Path;
import java.util.concurrent.Callable;
import mproc.chapters.Background;
import mproc.cli.Cli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "nodaemons", mixinStandardHelpOptions = true, version = "nodaemons 1.0",
        description = {"Starts background_process and NO_background_process, both non-daemon, and ends main",
                "without joining either. At exit both are waited for: both finish and print 'Exiting'.",
                "The lifetimes table and chart are written at exit."})
public class nodaemons implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "60000", converter = Cli.CountConverter.class,
            description = "20x20 multiplies per step; each worker does 5 steps (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--out", defaultValue = "build/nodaemons", description = "folder for background.csv/.png (default: ${DEFAULT-VALUE})")
    Path out;

    public static void main(String... args) {
        System.exit(Cli.execute(new nodaemons(), args));
    }

    @Override
    public Integer call() {
        Background.program(count, false, out);
        return 0;
    }
}
