package mproc.bench;

import mproc.tutorial.*;
import java.util.concurrent.TimeUnit;
import mproc.tutorial.Matrix;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * JMH microbenchmark of the chapter's unit of work, a 20x20 multiply, as a task runs it: {@link
 * Matrix#multiply(long)} repeating it 100 times per call, reported per multiply (average time, its own forked
 * JVM). Run by {@code make bench} (row {@code matmul_20x20_us}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-XX:+IgnoreUnrecognizedVMOptions", "--sun-misc-unsafe-memory-access=allow"})
public class MatmulBenchmark {
    private Matrix m;

    @Setup
    public void setUp() {
        m = Matrix.random(Matrix.SIZE, Matrix.DEFAULT_SEED);
    }

    @Benchmark
    @OperationsPerInvocation(100)
    public long multiply() {
        return m.multiply(100); // returned: JMH consumes it, so the JIT cannot drop the work
    }

    /** Runs the benchmark (JMH's usual output on stdout); microseconds per multiply. */
    static double run() throws RunnerException {
        return run(false);
    }

    /** As {@link #run()}; {@code quick}: one short warm-up, five short measurements (bench --quick). */
    static double run(boolean quick) throws RunnerException {
        OptionsBuilder o = new OptionsBuilder();
        o.include(MatmulBenchmark.class.getName() + ".multiply").shouldFailOnError(true);
        if (quick) {
            o.warmupIterations(1).warmupTime(org.openjdk.jmh.runner.options.TimeValue.milliseconds(500))
                    .measurementTime(org.openjdk.jmh.runner.options.TimeValue.milliseconds(200));
        }
        java.util.Collection<RunResult> r = new Runner(o.build()).run();
        return r.iterator().next().getPrimaryResult().getScore();
    }
}
