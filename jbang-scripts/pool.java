///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS ../toolkit/jbang/mproc.java
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 11 (process_pool.py): Pool(4).map(function_square, range(100)), then the matrix task over a batch.

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import mproc.Fn;
import mproc.Pool;
import mproc.ProcessPoolExecutor;
import mproc.cli.Cli;
import mproc.cli.Reports;
import mproc.report.PoolReport;
import mproc.tutorial.Charts;
import mproc.tutorial.Matrix;
import mproc.tutorial.Progress;
import mproc.tutorial.Tables;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "pool", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"First Python's script: Pool(4).map(function_square, range(100)), printed as one ordered list.",
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

    /** The chapter's function_square: what each pool worker applies to one input. */
    static class FunctionSquare implements Fn<Integer, Integer> {
        public Integer apply(Integer data) {
            int result = data * data;
            return result;
        }
    }

    /** The chapter's do_something as a pool function: count 20x20 multiplies, the checksum as the result. */
    static class DoSomething implements Fn<Long, Long> {
        public Long apply(Long count) {
            return Matrix.work(count);
        }
    }

    /** A pool of `workers` JVMs, all up before the clock starts; then the matrix task over `counts`, with progress. */
    static PoolReport.Batch batch(int workers, List<Long> counts, Progress progress) throws InterruptedException {
        long t0 = System.nanoTime();
        try (Pool pool = new Pool(workers)) {
            pool.map(FunctionSquare.class, Pool.range(workers), 1, null); // every worker JVM up and answering
            pool.resetStats();
            double startMs = (System.nanoTime() - t0) / 1e6;
            long t1 = System.nanoTime();
            int chunk = Math.max(1, counts.size() / (8 * workers));
            List<Long> results = pool.map(DoSomething.class, counts, chunk, progress);
            double mapMs = (System.nanoTime() - t1) / 1e6;
            long checksum = 0;
            for (long r : results) checksum += r;
            return new PoolReport.Batch(workers, counts.size(), startMs, mapMs, Tables.poolStats(pool.stats()), checksum);
        }
    }

    public static void main(String... args) {
        System.exit(Cli.execute(new pool(), args));
    }

    @Override
    public Integer call() throws Exception {
        Cli.checkRange(this, "--workers", workers, 1, 64);
        Cli.checkRange(this, "--tasks", tasks, 1, 1_000_000);
        // the main block
        List<Integer> inputs = Pool.range(100);
        Pool pool = new Pool(4);
        List<Integer> poolOutputs = pool.map(FunctionSquare.class, inputs);
        pool.close();
        pool.join(Duration.ofSeconds(30));
        System.out.println(poolOutputs);

        // the matrix task over a batch: a table, a chart, the results checked
        List<Long> counts = Collections.nCopies(tasks, count);
        PoolReport.Batch matrixBatch;
        try (Progress progress = Progress.of("matrix tasks", counts.size())) {
            matrixBatch = batch(workers, counts, progress);
        }
        System.out.println(matrixBatch.stats().print());
        System.out.println(matrixBatch.summary());
        long expected = tasks * Matrix.work(count); // every task computes the same checksum
        System.out.println("results: " + (long) matrixBatch.stats().intColumn("tasks").sum() + " of " + tasks + ", checksum "
                + (matrixBatch.checksum() == expected ? "ok" : "WRONG (expected " + expected + ", got " + matrixBatch.checksum() + ")"));
        // concurrent.futures: an ExecutorService of processes
        List<Long> viaExecutor = new ArrayList<>();
        long composed;
        try (ProcessPoolExecutor ex = new ProcessPoolExecutor(2)) {
            List<Future<Long>> futures = new ArrayList<>();
            for (long c : List.of(1_000L, 2_000L, 3_000L, 4_000L)) futures.add(ex.submit(() -> Matrix.work(c)));
            for (Future<Long> f : futures) viaExecutor.add(f.get());
            // the JDK's composition: a step in a worker, then a step in this JVM
            composed = CompletableFuture.supplyAsync(ex.remote(() -> Matrix.work(500)), ex).thenApply(x -> 2 * x).get();
        }
        System.out.println("executor: " + viaExecutor + ", composed " + composed);

        Path csv = Reports.csv(matrixBatch.stats(), out, "pool.csv");
        Path png = Charts.savePng(PoolReport.chart(matrixBatch), out.resolve("pool.png"));
        System.out.println("table: " + csv + "\nchart: " + png);
        boolean executorRight = viaExecutor.equals(List.of(Matrix.work(1_000), Matrix.work(2_000), Matrix.work(3_000), Matrix.work(4_000)))
                && composed == 2 * Matrix.work(500);
        return matrixBatch.checksum() == expected && executorRight ? 0 : 1;
    }
}
