package mproc.report;

import mproc.tutorial.*;
import java.util.Collections;
import java.util.List;
import mproc.tutorial.Matrix;
import mproc.Pool;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.Table;

/**
 * Chapter 13, performance: speed-up and efficiency against the number of workers, and the break-even task
 * size below which a pool is slower than doing the work in one JVM.
 */
public final class Speedup {
    private Speedup() {}

    /** Seconds for the same map on a warm pool (the batch runs once before it is timed; pool start not counted). */
    public static double pooled(Pool pool, int tasks, long count, int chunk) throws InterruptedException {
        List<Object> inputs = Collections.nCopies(tasks, (Object) count);
        pool.map(MatrixWork.class, inputs, chunk, null);
        long t0 = System.nanoTime();
        pool.map(MatrixWork.class, inputs, chunk, null);
        return (System.nanoTime() - t0) / 1e9;
    }

    /**
     * Speed-up over one JVM and efficiency (speed-up / workers), for 1 .. maxWorkers workers, each from
     * {@link Pools#alternatingMedians} (medians of 3 alternating runs, pool warm, its start not counted).
     */
    public static Table scaling(int maxWorkers, int tasks, long count) throws InterruptedException {
        if (maxWorkers < 1 || maxWorkers > 16) throw new IllegalArgumentException("workers must be between 1 and 16, got " + maxWorkers);
        IntColumn w = IntColumn.create("workers");
        DoubleColumn secs = DoubleColumn.create("seconds"), speed = DoubleColumn.create("speed_up"), eff = DoubleColumn.create("efficiency");
        double[] seqs = new double[maxWorkers];
        for (int n = 1; n <= maxWorkers; n++) {
            try (Pool pool = new Pool(n)) {
                double[] t = PoolReport.alternatingMedians(pool, tasks, count, 1); // each task its own message
                seqs[n - 1] = t[0];
                w.append(n);
                secs.append(round(t[1], 3));
                speed.append(round(t[0] / t[1], 2));
                eff.append(round(t[0] / t[1] / n, 2));
            }
        }
        java.util.Arrays.sort(seqs);
        return Table.create("speed-up over one JVM (" + tasks + " tasks x " + count + " multiplies, "
                + round(seqs[seqs.length / 2], 2) + " s in one JVM)", w, secs, speed, eff);
    }

    /**
     * Pool(2) against one JVM as tasks get smaller: the same total work ({@code total} multiplies) cut into
     * tasks of each size, each task its own message (chunk size 1: no batching hides the cost per task).
     * Each size is timed as {@link Pools#alternatingMedians} times a batch (medians of 3 alternating runs).
     * Columns: multiplies per task, microseconds of work per task (measured in this JVM), both times, speed-up.
     */
    public static Table granularity(long total, long[] sizes) throws InterruptedException {
        LongColumn size = LongColumn.create("multiplies_per_task");
        DoubleColumn taskUs = DoubleColumn.create("task_us"), seqMs = DoubleColumn.create("one_jvm_ms"),
                poolMs = DoubleColumn.create("pool2_ms"), speed = DoubleColumn.create("speed_up");
        try (Pool pool = new Pool(2)) {
            for (long s : sizes) {
                int tasks = (int) Math.max(2, total / s);
                double[] t = PoolReport.alternatingMedians(pool, tasks, s, 1);
                double seq = t[0], par = t[1];
                size.append(s);
                taskUs.append(round(seq * 1e6 / tasks, 1)); // measured: the multiplies and making the matrices
                seqMs.append(round(seq * 1e3, 2));
                poolMs.append(round(par * 1e3, 2));
                speed.append(round(seq / par, 2));
            }
        }
        return Table.create("granularity: the same work in smaller and smaller tasks", size, taskUs, seqMs, poolMs, speed);
    }

    /** The chapter's granularity run (notebook 12, speedup.java, make bench): 20 000 multiplies in tasks of 1 to 3000. */
    public static Table granularity() throws InterruptedException {
        return granularity(20_000, new long[] {1, 3, 10, 30, 100, 300, 1000, 3000});
    }

    /**
     * The task size (microseconds of work) where the pool's speed-up crosses 1. Speed-up can only grow with the
     * work per task, so the measured points are first fitted with the closest non-decreasing curve (isotonic
     * regression, {@link #nonDecreasing}): one noisy point cannot move the answer, nor fake a second crossing.
     * The fitted curve's crossing is interpolated on a log scale. NaN if the fit is below 1 at every size or
     * already at least 1 at the smallest (the break-even is then outside what was measured).
     */
    public static double breakEvenMicros(Table g) {
        DoubleColumn us = g.doubleColumn("task_us");
        double[] sp = nonDecreasing(g.doubleColumn("speed_up").asDoubleArray());
        int k = 0;
        while (k < sp.length && sp[k] < 1) k++;
        if (k == 0 || k == sp.length) return Double.NaN;
        double f = (1 - sp[k - 1]) / (sp[k] - sp[k - 1]);
        return round(Math.exp(Math.log(us.get(k - 1)) + f * (Math.log(us.get(k)) - Math.log(us.get(k - 1)))), 1);
    }

    /** A break-even for a reader: "about 31.0 us of work per task", or that it lies outside the measured sizes. */
    public static String breakEvenText(double micros) {
        return Double.isNaN(micros) ? "outside the measured task sizes" : "about " + micros + " us of work per task";
    }

    /**
     * The non-decreasing sequence closest to {@code y} in least squares (pool adjacent violators: a point
     * above the next one is averaged with it, and so on back).
     */
    static double[] nonDecreasing(double[] y) {
        double[] mean = new double[y.length];
        int[] size = new int[y.length];
        int blocks = 0;
        for (double v : y) {
            mean[blocks] = v;
            size[blocks++] = 1;
            while (blocks > 1 && mean[blocks - 2] > mean[blocks - 1]) {
                int n = size[blocks - 2] + size[blocks - 1];
                mean[blocks - 2] = (mean[blocks - 2] * size[blocks - 2] + mean[blocks - 1] * size[blocks - 1]) / n;
                size[blocks - 2] = n;
                blocks--;
            }
        }
        double[] fit = new double[y.length];
        for (int b = 0, i = 0; b < blocks; b++) for (int j = 0; j < size[b]; j++) fit[i++] = mean[b];
        return fit;
    }

    public static XYChart scalingChart(Table t) {
        XYChart c = new XYChartBuilder().width(820).height(380).title("speed-up against workers (2 cores)")
                .xAxisTitle("workers").yAxisTitle("speed-up").build();
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setPlotBackgroundColor(java.awt.Color.WHITE);
        double[] x = t.intColumn("workers").asDoubleArray();
        c.addSeries("measured", x, t.doubleColumn("speed_up").asDoubleArray());
        double[] ideal = new double[x.length];
        for (int i = 0; i < x.length; i++) ideal[i] = Math.min(x[i], Runtime.getRuntime().availableProcessors());
        XYSeries s = c.addSeries("ideal on this machine", x, ideal);
        s.setLineStyle(new java.awt.BasicStroke(1.5f, java.awt.BasicStroke.CAP_BUTT, java.awt.BasicStroke.JOIN_MITER, 1, new float[] {6, 4}, 0));
        return c;
    }

    public static XYChart granularityChart(Table g) {
        return granularityChart(g, null);
    }

    /** Java's granularity curve and, when {@code python} is not null, Python's: speed-up against work per task. */
    public static XYChart granularityChart(Table g, Table python) {
        XYChart c = new XYChartBuilder().width(820).height(380).title("Pool(2) speed-up as tasks shrink")
                .xAxisTitle("microseconds of work per task (log)").yAxisTitle("speed-up over one process").build();
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setPlotBackgroundColor(java.awt.Color.WHITE);
        double[] x = g.doubleColumn("task_us").asDoubleArray();
        c.addSeries(python == null ? "Pool(2)" : "Java Pool(2)", x, g.doubleColumn("speed_up").asDoubleArray());
        double lo = g.doubleColumn("task_us").min(), hi = g.doubleColumn("task_us").max();
        if (python != null && python.rowCount() > 0) {
            c.addSeries("Python Pool(2)", python.doubleColumn("task_us").asDoubleArray(), python.doubleColumn("speed_up").asDoubleArray());
            lo = Math.min(lo, python.doubleColumn("task_us").min());
            hi = Math.max(hi, python.doubleColumn("task_us").max());
        }
        XYSeries s = c.addSeries("break-even (1.0)", new double[] {lo, hi}, new double[] {1, 1});
        s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        return c;
    }

    /** Arguments of python_pool.py speedup: 16 x 150 multiplies for the efficiency, 4000 product rows cut into tasks of 1..200 rows. */
    static final String[] PYTHON_ARGS = {"speedup", "16", "150", "4000", "1,2,5,10,20,50,100,200"};

    /**
     * Python's side of this chapter, measured now with Debian's python3 (python_pool.py speedup, measured
     * the way this class measures Java): efficiency of a warm fork Pool(2), and its granularity curve with the
     * break-even task size. Null when there is no python3.
     */
    public record PythonRun(double efficiency, double breakEvenMicros, Table granularity) {}

    public static PythonRun python() throws InterruptedException {
        return python(PYTHON_ARGS);
    }

    /** As {@link #python()}, python_pool.py run with {@code args} ({@code speedup}, then its sizes: see {@link #PYTHON_ARGS}). */
    public static PythonRun python(String... args) throws InterruptedException {
        List<String> lines = mproc.tutorial.Python.lines("python_pool.py", args);
        if (lines.isEmpty()) return null;
        IntColumn rows = IntColumn.create("rows_per_task");
        DoubleColumn taskUs = DoubleColumn.create("task_us"), seqMs = DoubleColumn.create("one_process_ms"),
                poolMs = DoubleColumn.create("pool2_ms"), speed = DoubleColumn.create("speed_up");
        double eff = Double.NaN, breakEven = Double.NaN;
        for (String line : lines) {
            String[] f = line.split(",");
            switch (f[0]) {
                case "python_pool_efficiency_2w" -> eff = mproc.tutorial.Python.number(f[1]);
                case "python_break_even_task_us" -> breakEven = mproc.tutorial.Python.number(f[1]);
                case "granularity" -> {
                    rows.append(Integer.parseInt(f[1]));
                    taskUs.append(mproc.tutorial.Python.number(f[2]));
                    seqMs.append(mproc.tutorial.Python.number(f[3]));
                    poolMs.append(mproc.tutorial.Python.number(f[4]));
                    speed.append(mproc.tutorial.Python.number(f[5]));
                }
            }
        }
        if (Double.isNaN(eff)) throw new IllegalStateException("python_pool.py speedup gave no result: " + lines);
        return new PythonRun(eff, breakEven, Table.create("Python: the same total work in smaller and smaller tasks"
                + " (a task = rows of a 20x20 product)", rows, taskUs, seqMs, poolMs, speed));
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
