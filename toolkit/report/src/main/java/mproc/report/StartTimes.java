package mproc.report;

import mproc.tutorial.*;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import mproc.StartMethod;
import mproc.Worker;
import org.knowm.xchart.BoxChart;
import org.knowm.xchart.BoxChartBuilder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.numbers.NumberColumnFormatter;

/**
 * Chapter 7, the start-method lesson of spawning_processes.py: what it costs to get an (empty) worker
 * started and finished, {@code start()} + {@code join()}, for each Java start method and, in the same run,
 * each Python start method. Baselines: a hello-world JVM and {@code python3 -c pass}.
 */
public final class StartTimes {

    private StartTimes() {}

    /** One row per sample: method, run, ms. Java methods are prepared first (archive built, spare ready). */
    public static Table measureJava(int samples) throws InterruptedException {
        check(samples);
        Table t = empty();
        // baseline: a plain JVM saying hello, same java, same options as a TUNED worker without archive
        List<String> hello = new ArrayList<>(new Worker().setStartMethod(StartMethod.COLD).command());
        hello.set(hello.size() - 1, mproc.tutorial.HelloJvm.class.getName());
        for (int i = 0; i < samples + 2; i++) {
            double ms = time(hello);
            if (i >= 2) add(t, "JVM hello world", i - 2, ms);
        }
        for (StartMethod m : StartMethod.values()) {
            for (int i = 0; i < samples + 2; i++) {
                Worker w = new Worker().setStartMethod(m);
                if (!w.prepare(Duration.ofMinutes(2))) throw new IllegalStateException("could not prepare " + m + " start");
                long t0 = System.nanoTime();
                w.start();
                w.join();
                double ms = (System.nanoTime() - t0) / 1e6;
                if (w.exitCode() != 0) throw new IllegalStateException(m + " worker exited with " + w.exitCode());
                if (i >= 2) add(t, "java " + m.name().toLowerCase(), i - 2, ms);
            }
        }
        return t;
    }

    /**
     * The same measurement for Python's fork, forkserver and spawn, plus {@code python3 -c pass}, with
     * Debian's /usr/bin/python3. Returns an empty table when there is no such interpreter.
     */
    public static Table measurePython(int samples) throws InterruptedException {
        check(samples);
        Table t = empty();
        if (!Files.isExecutable(mproc.tutorial.Python.PYTHON)) return t;
        for (int i = 0; i < samples + 2; i++) {
            double ms = time(List.of(mproc.tutorial.Python.PYTHON.toString(), "-c", "pass"));
            if (i >= 2) add(t, "python -c pass", i - 2, ms);
        }
        for (String line : mproc.tutorial.Python.lines("python_start_methods.py", Integer.toString(samples))) {
            String[] f = line.split(",");
            if (f.length == 3) add(t, f[0], Integer.parseInt(f[1]), Double.parseDouble(f[2]));
        }
        return t;
    }

    /** Median, min, 90th percentile and max per method, in the order the methods first appear. */
    public static Table summary(Table samples) {
        StringColumn method = StringColumn.create("method");
        DoubleColumn median = DoubleColumn.create("median_ms"), min = DoubleColumn.create("min_ms"),
                p90 = DoubleColumn.create("p90_ms"), max = DoubleColumn.create("max_ms");
        IntColumn n = IntColumn.create("samples");
        for (String m : methods(samples)) {
            DoubleColumn v = samples.where(samples.stringColumn("method").isEqualTo(m)).doubleColumn("ms");
            method.append(m);
            median.append(v.median());
            min.append(v.min());
            p90.append(v.percentile(90));
            max.append(v.max());
            n.append(v.size());
        }
        for (DoubleColumn c : List.of(median, min, p90, max)) c.setPrintFormatter(NumberColumnFormatter.fixedWithGrouping(1));
        return Table.create("start() + join() of an empty worker", method, median, min, p90, max, n);
    }

    /** The methods of a samples table, in the order they first appear. */
    private static List<String> methods(Table samples) {
        return new ArrayList<>(new java.util.LinkedHashSet<>(samples.stringColumn("method").asList()));
    }

    /** The median of one method in a summary table (NaN if absent). */
    public static double median(Table summary, String method) {
        int i = summary.stringColumn("method").indexOf(method);
        return i < 0 ? Double.NaN : summary.doubleColumn("median_ms").getDouble(i);
    }

    public static CategoryChart medians(Table summary) {
        CategoryChart c = new CategoryChartBuilder().width(820).height(420)
                .title("start() + join() of an empty worker: median").xAxisTitle("").yAxisTitle("milliseconds").build();
        c.getStyler().setLegendVisible(false);
        c.getStyler().setXAxisLabelRotation(20);
        c.getStyler().setLabelsVisible(true);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setPlotBackgroundColor(java.awt.Color.WHITE);
        c.addSeries("median", summary.stringColumn("method").asList(), median(summary));
        return c;
    }

    private static List<Double> median(Table s) {
        List<Double> out = new ArrayList<>();
        for (double d : s.doubleColumn("median_ms").asDoubleArray()) out.add(Math.round(d * 10) / 10.0);
        return out;
    }

    /** Box plot of every sample per method: how much each method varies, not just its median. */
    public static BoxChart distribution(Table samples) {
        BoxChart c = new BoxChartBuilder().width(820).height(420)
                .title("start() + join(): every sample").yAxisTitle("milliseconds").build();
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        c.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setPlotBackgroundColor(java.awt.Color.WHITE);
        for (String m : methods(samples)) {
            c.addSeries(m, samples.where(samples.stringColumn("method").isEqualTo(m)).doubleColumn("ms").asDoubleArray());
        }
        return c;
    }

    private static double time(List<String> cmd) throws InterruptedException {
        long t0 = System.nanoTime();
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!p.waitFor(1, TimeUnit.MINUTES)) {
                p.destroyForcibly();
                throw new IllegalStateException(cmd.get(0) + " did not end within a minute");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private static Table empty() {
        return Table.create("samples", StringColumn.create("method"), IntColumn.create("run"), DoubleColumn.create("ms"));
    }

    private static void add(Table t, String method, int run, double ms) {
        t.stringColumn("method").append(method);
        t.intColumn("run").append(run);
        t.doubleColumn("ms").append(Math.round(ms * 1000) / 1000.0);
    }

    private static void check(int samples) {
        if (samples < 3 || samples > 1000) throw new IllegalArgumentException("samples must be between 3 and 1000, got " + samples);
    }
}
