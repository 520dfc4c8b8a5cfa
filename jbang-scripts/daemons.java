///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS pbpj:mproc-chapters:1.0.0
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 4 (run_background_processes.py): a daemon and a non-daemon worker, neither joined.

import java.nio.file.Path;
import java.util.concurrent.Callable;
import mproc.chapters.Background;
import mproc.cli.Cli;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "daemons", mixinStandardHelpOptions = true, version = "daemons 1.0",
        description = {"Starts background_process (a daemon) and NO_background_process (not a daemon) and ends",
                "main without joining either. At exit the daemon is terminated (it never prints 'Exiting'),",
                "the other is waited for and finishes. The lifetimes table and chart are written at exit."})
public class daemons implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "60000", converter = Cli.CountConverter.class,
            description = "20x20 multiplies per step; each worker does 5 steps (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--out", defaultValue = "build/daemons", description = "folder for background.csv/.png (default: ${DEFAULT-VALUE})")
    Path out;

    public static void main(String... args) {
        System.exit(Cli.execute(new daemons(), args));
    }

    @Override
    public Integer call() {
        Background.program(count, true, out);
        return 0;
    }
}
