///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS pbpj:mproc-chapters:1.0.0
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 12 (process_pool.py): Pool(4).map(square, range(100)), then the matrix task over a batch.

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.tutorial.Charts;
import mproc.Pool;
import mproc.tutorial.Progress;
import mproc.chapters.Pools;
import mproc.cli.Cli;
import mproc.cli.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "pool", mixinStandardHelpOptions = true, version = "pool 1.0",
        description = {"First Python's script: Pool(4).map(square, range(100)), printed as one ordered list.",
                "Then the matrix task (--count multiplies per task) over --tasks tasks on a Pool of --workers",
                "worker JVMs, with a progress bar, a table of the work each worker did, and a chart."})
public class pool implements Callable<Integer> {
    @Option(names = "--workers", defaultValue = "2", description = "worker JVMs in the batch's pool, 1..64 (default: ${DEFAULT-VALUE})")
    int workers;

    @Option(names = "--tasks", defaultValue = "200", description = "tasks in the batch, 1..1000000 (default: ${DEFAULT-VALUE})")
    int tasks;

    @Option(names = "--count", defaultValue = "2000", converter = Cli.CountConverter.class,
            description = "20x20 multiplies per task (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--out", defaultValue = "build/pool", description = "folder for pool.csv and pool.png (default: ${DEFAULT-VALUE})")
    Path out;

    public static void main(String... args) {
        System.exit(Cli.execute(new pool(), args));
    }

    @Override
    public Integer call() throws Exception {
        Cli.checkRange(this, "--workers", workers, 1, 64);
        Cli.checkRange(this, "--tasks", tasks, 1, 1_000_000);
        try (Pool p = new Pool(4)) {
            System.out.println(p.map(Pool.Square.class, Pool.range(100)));
        }
        List<Object> inputs = new ArrayList<>();
        for (int i = 0; i < tasks; i++) inputs.add(count);
        Pools.Batch batch;
        try (Progress progress = Progress.of("matrix tasks", tasks)) {
            batch = Pools.batch(workers, inputs, progress);
        }
        System.out.println(batch.stats().print());
        System.out.println(batch.summary());
        // every task computes the same checksum: a lost or doubled result would change the sum
        long expected = tasks * mproc.tutorial.Matrix.work(count);
        System.out.println("results: " + (long) batch.stats().intColumn("tasks").sum() + " of " + tasks + ", checksum "
                + (batch.checksum() == expected ? "ok" : "WRONG (expected " + expected + ", got " + batch.checksum() + ")"));
        Path csv = Reports.csv(batch.stats(), out, "pool.csv");
        Path png = Charts.savePng(Pools.chart(batch), out.resolve("pool.png"));
        System.out.println("table: " + csv + "\nchart: " + png);
        return 0;
    }
}
