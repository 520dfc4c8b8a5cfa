package mproc.bench;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.Worker;
import mproc.cli.Cli;
import mproc.cli.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * {@code make bench}: the benchmarks, written to {@code build/bench/results.csv} (metric,value,unit).
 * Figures are medians over {@code --samples} runs, each compared with a baseline measured in the same run.
 *
 * <ul>
 *   <li>{@code jvm_hello_ms}: baseline, a plain JVM that prints one line and exits (same java, same flags)</li>
 *   <li>{@code start_join_default_ms}: {@code new Worker().start(); join()} of an empty worker</li>
 *   <li>{@code start_join_vs_hello}: the ratio of the two</li>
 * </ul>
 */
@Command(name = "bench", mixinStandardHelpOptions = true, description = "Runs the toolkit's benchmarks and writes results.csv.")
public final class Bench implements Callable<Integer> {
    @Option(names = "--samples", defaultValue = "20", description = "runs per figure (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--out", defaultValue = "build/bench", description = "output folder (default: ${DEFAULT-VALUE})")
    Path out;

    /** The baseline's main: a hello world. */
    public static final class Hello {
        public static void main(String[] args) {
            System.out.println("hello");
        }
    }

    public static void main(String[] args) {
        System.exit(Cli.execute(new Bench(), args));
    }

    @Override
    public Integer call() throws Exception {
        if (samples < 3 || samples > 10_000) throw new IllegalArgumentException("--samples must be 3..10000, got " + samples);
        Worker probe = new Worker();
        List<String> hello = new ArrayList<>(probe.command());
        hello.set(hello.size() - 1, Hello.class.getName());
        // warm-up: page cache, CDS archive mapping
        for (int i = 0; i < 3; i++) {
            new ProcessBuilder(hello).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            Worker w = new Worker();
            w.start();
            w.join();
        }
        double[] helloMs = new double[samples], startJoinMs = new double[samples];
        for (int i = 0; i < samples; i++) { // interleaved, so both see the same machine state
            long t0 = System.nanoTime();
            new ProcessBuilder(hello).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor();
            helloMs[i] = (System.nanoTime() - t0) / 1e6;
            t0 = System.nanoTime();
            Worker w = new Worker();
            w.start();
            w.join();
            startJoinMs[i] = (System.nanoTime() - t0) / 1e6;
            if (w.exitCode() != 0) throw new IllegalStateException("empty worker exited with " + w.exitCode());
        }
        double h = median(helloMs), s = median(startJoinMs);
        Table t = Table.create("bench",
                StringColumn.create("metric", "jvm_hello_ms", "start_join_default_ms", "start_join_vs_hello"),
                DoubleColumn.create("value", round(h), round(s), Math.round(s / h * 100) / 100.0),
                StringColumn.create("unit", "ms", "ms", "ratio"));
        System.out.println(t.print());
        System.out.println("results: " + Reports.csv(t, out, "results.csv"));
        return 0;
    }

    static double median(double[] v) {
        double[] c = v.clone();
        java.util.Arrays.sort(c);
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }
}
