///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS pbpj:mproc-chapters:1.0.0
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 11 (shared memory): blocks of a matrix product written to shared memory vs sent through a Queue.

import java.nio.file.Path;
import java.util.concurrent.Callable;
import mproc.tutorial.Matrix;
import mproc.chapters.SharedMem;
import mproc.cli.Cli;
import mproc.cli.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "sharedmem", mixinStandardHelpOptions = true, version = "sharedmem 1.0",
        description = {"Workers compute blocks of rows of C = A B (n x n) into a shared array; then the same",
                "rows are sent back through a Queue. Time, bytes through IPC, and the result checked."})
public class sharedmem implements Callable<Integer> {
    @Option(names = "--size", defaultValue = "300", description = "n, 1..400 (default: ${DEFAULT-VALUE})")
    int size;

    @Option(names = "--workers", defaultValue = "2", description = "workers, 1..64 (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--rounds", defaultValue = "3", description = "measured rounds per method, 1..50; the median is shown (default: ${DEFAULT-VALUE})")
    int rounds;

    @Option(names = "--out", defaultValue = "build/sharedmem", description = "folder for sharedmem.csv (default: ${DEFAULT-VALUE})")
    Path out;

    public static void main(String... args) {
        System.exit(Cli.execute(new sharedmem(), args));
    }

    @Override
    public Integer call() throws Exception {
        Cli.checkRange(this, "--size", size, 1, Matrix.MAX_SIZE);
        Cli.checkRange(this, "--workers", workers, 1, 64);
        Cli.checkRange(this, "--rounds", rounds, 1, 50);
        long expected = SharedMem.checksumHere(size);
        Table t = SharedMem.table(SharedMem.compare(size, workers, rounds), expected);
        System.out.println(t.print());
        System.out.println("table: " + Reports.csv(t, out, "sharedmem.csv"));
        return t.stringColumn("checksum").isEqualTo("correct").size() == 2 ? 0 : 1;
    }
}
