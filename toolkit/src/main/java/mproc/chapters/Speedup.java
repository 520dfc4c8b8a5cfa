package mproc.chapters;

import java.util.Collections;
import java.util.List;
import mproc.Matrix;
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

    /** Seconds for {@code tasks} x {@code count} multiplies, one after another in this JVM (after a warm-up run). */
    static double sequential(int tasks, long count) {
        for (int i = 0; i < Math.min(tasks, 4); i++) Matrix.work(count);
        long t0 = System.nanoTime();
        for (int i = 0; i < tasks; i++) Matrix.work(count);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Seconds for the same map on a warm pool (the batch runs once before it is timed; pool start not counted). */
    /** Seconds for a timed map on a warm pool; see class doc. */
    public static double pooled(Pool pool, int tasks, long count, int chunk) throws InterruptedException {
        List<Object> inputs = Collections.nCopies(tasks, (Object) count);
        pool.map(Pool.MatrixWork.class, inputs, chunk, null);
        long t0 = System.nanoTime();
        pool.map(Pool.MatrixWork.class, inputs, chunk, null);
        return (System.nanoTime() - t0) / 1e9;
    }

    /** Speed-up over one JVM and efficiency (speed-up / workers), for 1 .. maxWorkers workers. */
    public static Table scaling(int maxWorkers, int tasks, long count) throws InterruptedException {
        if (maxWorkers < 1 || maxWorkers > 16) throw new IllegalArgumentException("workers must be between 1 and 16, got " + maxWorkers);
        double seq = sequential(tasks, count);
        IntColumn w = IntColumn.create("workers");
        DoubleColumn secs = DoubleColumn.create("seconds"), speed = DoubleColumn.create("speed_up"), eff = DoubleColumn.create("efficiency");
        for (int n = 1; n <= maxWorkers; n++) {
            try (Pool pool = new Pool(n)) {
                double s = pooled(pool, tasks, count, Math.max(1, tasks / (4 * n)));
                w.append(n);
                secs.append(round(s, 3));
                speed.append(round(seq / s, 2));
                eff.append(round(seq / s / n, 2));
            }
        }
        return Table.create("speed-up over one JVM (" + tasks + " tasks x " + count + " multiplies, "
                + round(seq, 2) + " s in one JVM)", w, secs, speed, eff);
    }

    /**
     * Pool(2) against one JVM as tasks get smaller: the same total work ({@code total} multiplies) cut into
     * tasks of each size, each task its own message (chunk size 1: no batching hides the cost per task).
     * Columns: multiplies per task, microseconds of work per task, both times, speed-up.
     */
    public static Table granularity(long total, long[] sizes) throws InterruptedException {
        double us = Pools.matmulMicros();
        LongColumn size = LongColumn.create("multiplies_per_task");
        DoubleColumn taskUs = DoubleColumn.create("task_us"), seqMs = DoubleColumn.create("one_jvm_ms"),
                poolMs = DoubleColumn.create("pool2_ms"), speed = DoubleColumn.create("speed_up");
        try (Pool pool = new Pool(2)) {
            for (long s : sizes) {
                int tasks = (int) Math.max(2, total / s);
                double seq = sequential(tasks, s), par = pooled(pool, tasks, s, 1);
                size.append(s);
                taskUs.append(round(s * us, 1));
                seqMs.append(round(seq * 1e3, 2));
                poolMs.append(round(par * 1e3, 2));
                speed.append(round(seq / par, 2));
            }
        }
        return Table.create("granularity: the same work in smaller and smaller tasks", size, taskUs, seqMs, poolMs, speed);
    }

    /** The task size (microseconds of work) where the pool's speed-up crosses 1, interpolated; NaN if it never does. */
    public static double breakEvenMicros(Table g) {
        DoubleColumn us = g.doubleColumn("task_us"), sp = g.doubleColumn("speed_up");
        for (int i = 1; i < g.rowCount(); i++) {
            double a = sp.get(i - 1), b = sp.get(i);
            if ((a - 1) * (b - 1) <= 0 && a != b) {
                double f = (1 - a) / (b - a);
                return round(Math.exp(Math.log(us.get(i - 1)) + f * (Math.log(us.get(i)) - Math.log(us.get(i - 1)))), 1);
            }
        }
        return Double.NaN;
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
        XYChart c = new XYChartBuilder().width(820).height(380).title("Pool(2) speed-up as tasks shrink")
                .xAxisTitle("microseconds of work per task (log)").yAxisTitle("speed-up over one JVM").build();
        c.getStyler().setXAxisLogarithmic(true);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setPlotBackgroundColor(java.awt.Color.WHITE);
        double[] x = g.doubleColumn("task_us").asDoubleArray();
        c.addSeries("Pool(2)", x, g.doubleColumn("speed_up").asDoubleArray());
        double[] one = new double[x.length];
        java.util.Arrays.fill(one, 1.0);
        XYSeries s = c.addSeries("break-even (1.0)", x, one);
        s.setMarker(org.knowm.xchart.style.markers.SeriesMarkers.NONE);
        return c;
    }

    static double round(double v, int digits) {
        double f = Math.pow(10, digits);
        return Math.round(v * f) / f;
    }
}
