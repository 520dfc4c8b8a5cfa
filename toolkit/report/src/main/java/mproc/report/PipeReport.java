package mproc.report;

import mproc.tutorial.*;
import java.io.EOFException;
import java.util.ArrayList;
import java.util.List;
import mproc.Clock;
import mproc.Connection;
import mproc.tutorial.Matrix;
import mproc.Pipe;
import mproc.Task;
import mproc.Worker;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.Table;

/**
 * The pipe chapter's measuring harness: the chapter's chain (producer -> squarer -> reader, two pipes) carrying
 * timed matrices, one row per message; its summary and chart. The chapter's own producer and squarer are in
 * its notebook and script.
 */
public final class PipeReport {
    private PipeReport() {}

    /** The harness's producer: sends n seeded matrices, each with the time it was sent, then closes its end. args: out end, n, pace in microseconds. */
    public static class MatrixProducer implements Task {
        @Override
        public void run(String... a) {
            try (Connection out = Connection.attach(a[0])) {
                int n = Integer.parseInt(a[1]);
                long pace = Long.parseLong(a[2]) * 1000;
                for (int i = 0; i < n; i++) {
                    out.send(List.of((long) i, Clock.epochNanos(), Matrix.entries(Matrix.SIZE, i)));
                    if (pace > 0) java.util.concurrent.locks.LockSupport.parkNanos(pace);
                }
            }
        }
    }

    /** The harness's squarer: squares each matrix it receives, with the times it arrived and left, until end of stream. */
    public static class MatrixSquarer implements Task {
        @Override
        public void run(String... a) throws Exception {
            try (Connection in = Connection.attach(a[0]); Connection out = Connection.attach(a[1])) {
                while (true) {
                    List<?> m;
                    try {
                        m = (List<?>) in.recv();
                    } catch (EOFException e) {
                        return; // the producer closed its end: close ours, which ends the reader's loop
                    }
                    long arrived = Clock.epochNanos();
                    int[] x = (int[]) m.get(2);
                    long[] sq = Matrix.multiplyRows(x, x, Matrix.SIZE, 0, Matrix.SIZE);
                    out.send(List.of(m.get(0), m.get(1), arrived, Clock.epochNanos(), sq));
                }
            }
        }
    }

    /**
     * The same chain carrying n matrices of the matrix task: each is squared on the way. One row per
     * message: microseconds from the producer's send to the squarer, squaring, on to main, and in all.
     * Checks every product against one computed here.
     */
    public static Table matrices(int n) throws Exception {
        return matrices(n, 200);
    }

    /**
     * {@link #matrices(int)} with the producer sending one message every {@code paceMicros} (0: as fast as
     * it can, and then the latencies measure mostly the time messages wait behind each other).
     */
    public static Table matrices(int n, long paceMicros) throws Exception {
        if (n < 1 || n > 1_000_000) throw new IllegalArgumentException("messages must be between 1 and 1000000, got " + n);
        if (paceMicros < 0 || paceMicros > 1_000_000) throw new IllegalArgumentException("pace must be 0..1000000 us, got " + paceMicros);
        Pipe first = Pipe.create(), second = Pipe.create();
        Worker producer = new Worker("producer", MatrixProducer.class, first.end1(), n, paceMicros).start();
        Worker squarer = new Worker("squarer", MatrixSquarer.class, first.end2(), second.end1()).start();
        IntColumn msg = IntColumn.create("message");
        DoubleColumn toSquarer = DoubleColumn.create("to_squarer_us"), square = DoubleColumn.create("square_us"),
                toMain = DoubleColumn.create("to_main_us"), total = DoubleColumn.create("total_us");
        try {
            while (true) {
                List<?> m = (List<?>) second.end2().recv();
                long received = Clock.epochNanos();
                int i = ((Long) m.get(0)).intValue();
                long sent = (Long) m.get(1), arrived = (Long) m.get(2), forwarded = (Long) m.get(3);
                int[] x = Matrix.entries(Matrix.SIZE, i);
                if (!java.util.Arrays.equals((long[]) m.get(4), Matrix.multiplyRows(x, x, Matrix.SIZE, 0, Matrix.SIZE))) {
                    throw new IllegalStateException("message " + i + ": wrong product");
                }
                msg.append(i);
                toSquarer.append((arrived - sent) / 1e3);
                square.append((forwarded - arrived) / 1e3);
                toMain.append((received - forwarded) / 1e3);
                total.append((received - sent) / 1e3);
            }
        } catch (EOFException e) {
            // all delivered
        }
        producer.join();
        squarer.join();
        return Table.create("matrices through producer -> squarer -> main", msg, toSquarer, square, toMain, total);
    }

    /** Median and 90th percentile of each stage, in microseconds. */
    public static Table summary(Table t) {
        tech.tablesaw.api.StringColumn stage = tech.tablesaw.api.StringColumn.create("stage");
        DoubleColumn median = DoubleColumn.create("median_us"), p90 = DoubleColumn.create("p90_us");
        for (String c : List.of("to_squarer_us", "square_us", "to_main_us", "total_us")) {
            stage.append(c.replace("_us", ""));
            median.append(Math.round(t.doubleColumn(c).median() * 10) / 10.0);
            p90.append(Math.round(t.doubleColumn(c).percentile(90) * 10) / 10.0);
        }
        return Table.create("latency per message, microseconds", stage, median, p90);
    }

    /** Per-message latency (log scale): total, and the two hops. */
    public static XYChart latencyChart(Table t) {
        XYChart c = new XYChartBuilder().width(820).height(400).title("latency per message")
                .xAxisTitle("message").yAxisTitle("microseconds (log)").build();
        c.getStyler().setYAxisLogarithmic(true);
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setPlotBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setMarkerSize(3);
        double[] x = t.intColumn("message").asDoubleArray();
        for (String col : List.of("total_us", "to_squarer_us", "to_main_us")) {
            double[] y = t.doubleColumn(col).asDoubleArray();
            for (int i = 0; i < y.length; i++) y[i] = Math.max(0.1, y[i]);
            XYSeries s = c.addSeries(col, x, y);
            s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        }
        return c;
    }
}
