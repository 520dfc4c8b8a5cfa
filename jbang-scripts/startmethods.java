///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS ../toolkit/jbang/mproc.java
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 6 (start methods): start() + join() of an empty worker, Java cold/tuned/warm vs Python spawn/fork/forkserver.

import java.awt.BasicStroke;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.StartMethod;
import mproc.Task;
import mproc.Worker;
import mproc.report.StartTimes;
import mproc.cli.Cli;
import mproc.cli.Reports;
import mproc.tutorial.Charts;
import mproc.tutorial.Python;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "startmethods", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"Starts and joins one empty worker per Java start method (COLD, TUNED, WARM),",
                "then measures start() + join() of an empty worker for each and, in the same",
                "run, Python's fork, forkserver and spawn (Debian's /usr/bin/python3, skipped",
                "if absent), with a hello-world JVM and 'python3 -c pass' as baselines."})
public class startmethods implements Callable<Integer> {
    @Option(names = "--samples", defaultValue = "20", description = "samples per method, 3..1000 (default: ${DEFAULT-VALUE})")
    int samples;

    @Option(names = "--out", defaultValue = "build/startmethods", description = "folder for the CSV and PNG outputs (default: ${DEFAULT-VALUE})")
    Path out;

    /** Python's foo(): does nothing, so that start() + join() measures only what a new process costs. */
    static class Foo implements Task {
        public void run(String... args) {
        }
    }

    public static void main(String... args) {
        System.exit(Cli.execute(new startmethods(), args));
    }

    @Override
    public Integer call() throws Exception {
        Cli.checkRange(this, "--samples", samples, 3, 1000);
        // the main block
        for (StartMethod method : StartMethod.values()) {
            Worker p = new Worker(Foo.class).setStartMethod(method);
            p.prepare(Duration.ofMinutes(2)); // class archive built, and for WARM a spare JVM waiting
            long t0 = System.nanoTime();
            p.start();
            p.join();
            System.out.printf("%-5s start() + join(): %5.1f ms, exit code %d%n", method, (System.nanoTime() - t0) / 1e6, p.exitCode());
        }

        // measured: every method many times, Java and Python in the same run; a table and two charts
        Table all = StartTimes.measureJava(samples).append(StartTimes.measurePython(samples));
        Table summary = StartTimes.summary(all);
        System.out.println(summary.print());
        if (!Files.isExecutable(Python.PYTHON)) System.out.println("note: no " + Python.PYTHON + ", Python not measured");
        Path c1 = Reports.csv(summary, out, "startmethods-summary.csv");
        Path c2 = Reports.csv(all, out, "startmethods-samples.csv");
        Path p1 = Charts.savePng(medianChart(summary), out.resolve("startmethods-medians.png"));
        Path p2 = Charts.savePng(sampleChart(all), out.resolve("startmethods-distribution.png"));
        System.out.println("tables: " + c1 + ", " + c2 + "\ncharts: " + p1 + ", " + p2);
        return 0;
    }

    /** An empty chart with one row per method, the first on top (row n - 1), x in milliseconds. */
    static XYChart rowsChart(String title, int rows) {
        XYChart c = new XYChartBuilder().width(820).height(80 + 36 * rows).title(title).xAxisTitle("milliseconds").build();
        c.getStyler().setLegendVisible(false);
        c.getStyler().setChartBackgroundColor(Color.WHITE);
        c.getStyler().setPlotBackgroundColor(Color.WHITE);
        c.getStyler().setYAxisTicksVisible(false);
        c.getStyler().setYAxisMin(-0.6);
        c.getStyler().setYAxisMax(rows - 0.4);
        return c;
    }

    /** Java's methods in blue, Python's in orange. */
    static Color colour(String method) {
        return method.startsWith("python") ? new Color(0xF5, 0x7C, 0x00) : Charts.RUN;
    }

    /** The medians as horizontal bars, each labelled with its method and value. */
    static XYChart medianChart(Table summary) {
        List<String> methods = summary.stringColumn("method").asList();
        XYChart c = rowsChart("start() + join() of an empty worker: median", methods.size());
        double max = summary.doubleColumn("median_ms").max();
        c.getStyler().setXAxisMin(0.0);
        c.getStyler().setXAxisMax(max * 1.45);
        for (int i = 0; i < methods.size(); i++) {
            double ms = summary.doubleColumn("median_ms").getDouble(i), row = methods.size() - 1 - i;
            XYSeries s = c.addSeries(methods.get(i), new double[] {0, ms}, new double[] {row, row});
            s.setMarker(SeriesMarkers.NONE);
            s.setLineColor(colour(methods.get(i)));
            s.setLineStyle(new BasicStroke(20f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
            c.addAnnotation(new AnnotationText(String.format("%s  %.1f", methods.get(i), ms), ms + max * 0.2, row, false));
        }
        return c;
    }

    /** Every sample as a dot, on a logarithmic axis (the methods differ by a factor of 30): how much each one varies. */
    static XYChart sampleChart(Table samples) {
        List<String> methods = samples.stringColumn("method").asList().stream().distinct().toList();
        XYChart c = rowsChart("start() + join(): every sample (logarithmic axis)", methods.size());
        double min = samples.doubleColumn("ms").min(), max = samples.doubleColumn("ms").max();
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setXAxisMin(min / 1.5);
        c.getStyler().setXAxisMax(max * 6);
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        for (int i = 0; i < methods.size(); i++) {
            String m = methods.get(i);
            double[] ms = samples.where(samples.stringColumn("method").isEqualTo(m)).doubleColumn("ms").asDoubleArray();
            double[] row = new double[ms.length];
            for (int k = 0; k < ms.length; k++) row[k] = methods.size() - 1 - i + 0.1 * ((k % 5) - 2); // spread a little, to see each dot
            XYSeries s = c.addSeries(m, ms, row);
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setMarkerColor(colour(m));
            double right = Arrays.stream(ms).max().orElse(min);
            c.addAnnotation(new AnnotationText(m, right * 1.9, methods.size() - 1 - i, false));
        }
        return c;
    }
}
