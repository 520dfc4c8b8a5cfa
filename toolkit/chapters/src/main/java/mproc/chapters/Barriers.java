package mproc.chapters;

import mproc.tutorial.*;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import mproc.Barrier;
import mproc.Clock;
import mproc.Lock;
import mproc.tutorial.Matrix;
import mproc.Task;
import mproc.Worker;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Chapter 10, processes_barrier.py: p1 and p2 meet at a Barrier(2) and print under a Lock; p3 and p4 use neither. */
public final class Barriers {
    private Barriers() {}

    static String clock(long nanos) {
        return LocalTime.ofInstant(Instant.ofEpochSecond(0, nanos), ZoneId.systemDefault())
                .truncatedTo(java.time.temporal.ChronoUnit.MICROS).toString();
    }

    /** args: barrier, lock, work. Works, waits at the barrier, prints under the lock. */
    public static class WithBarrier implements Task {
        @Override
        public void run(String... a) throws Exception {
            Barrier synchronizer = Barrier.attach(a[0]);
            Lock serializer = Lock.attach(a[1]);
            Matrix.work(Long.parseLong(a[2]));
            long arrived = Clock.epochNanos();
            synchronizer.await(java.time.Duration.ofMinutes(1));
            long released = Clock.epochNanos();
            try (var held = serializer.hold()) {
                System.out.println("process " + Worker.currentName() + " ----> " + clock(released));
                System.out.println("times " + arrived + " " + released + " " + Clock.epochNanos());
            }
        }
    }

    /** args: work. Works, prints at once. */
    public static class WithoutBarrier implements Task {
        @Override
        public void run(String... a) {
            Matrix.work(Long.parseLong(a[0]));
            long t = Clock.epochNanos();
            System.out.println("process " + Worker.currentName() + " ----> " + clock(t));
            System.out.println("times " + t + " " + t + " " + t);
        }
    }

    /**
     * The four workers; p1 does {@code work} multiplies before it reaches the barrier, p2 none, so p2 waits
     * for p1. One row per worker: when it arrived at the barrier, was released, and printed (ms from the
     * first arrival).
     */
    public static Table run(long work) throws InterruptedException {
        Barrier synchronizer = Barrier.create(2);
        Lock serializer = Lock.create();
        List<Worker> ws = List.of(
                new Worker("p1 - test_with_barrier", WithBarrier.class, synchronizer, serializer, work),
                new Worker("p2 - test_with_barrier", WithBarrier.class, synchronizer, serializer, 0),
                new Worker("p3 - test_without_barrier", WithoutBarrier.class, work),
                new Worker("p4 - test_without_barrier", WithoutBarrier.class, 0));
        for (Worker w : ws) w.start();
        for (Worker w : ws) w.join();
        long[][] t = new long[4][];
        long origin = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            Worker w = ws.get(i);
            if (w.exitCode() != 0) throw new IllegalStateException(w.getName() + " failed: " + w.output());
            String line = w.output().stream().filter(l -> l.startsWith("times ")).findFirst().orElseThrow();
            String[] f = line.split(" ");
            t[i] = new long[] {Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3])};
            origin = Math.min(origin, t[i][0]);
        }
        StringColumn name = StringColumn.create("name");
        DoubleColumn arrived = DoubleColumn.create("arrived_ms"), released = DoubleColumn.create("released_ms"),
                printed = DoubleColumn.create("printed_ms"), waited = DoubleColumn.create("waited_ms");
        for (int i = 0; i < 4; i++) {
            name.append(ws.get(i).getName());
            arrived.append((t[i][0] - origin) / 1e6);
            released.append((t[i][1] - origin) / 1e6);
            printed.append((t[i][2] - origin) / 1e6);
            waited.append((t[i][1] - t[i][0]) / 1e6);
        }
        return Table.create("barrier: arrival and release", name, arrived, released, printed, waited);
    }

    /** Each worker's arrival (circle) and release (diamond), joined by a line: p1 and p2 leave together. */
    public static XYChart chart(Table t) {
        XYChart c = new XYChartBuilder().width(820).height(360).title("arrival at the barrier vs release")
                .xAxisTitle("milliseconds from the first arrival").yAxisTitle("").build();
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setPlotBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setYAxisTicksVisible(false);
        c.getStyler().setMarkerSize(11);
        int n = t.rowCount();
        for (int i = 0; i < n; i++) {
            double y = n - 1 - i;
            XYSeries s = c.addSeries(t.stringColumn("name").get(i), new double[] {t.doubleColumn("arrived_ms").get(i),
                    t.doubleColumn("released_ms").get(i)}, new double[] {y, y});
            s.setMarker(SeriesMarkers.CIRCLE);
        }
        XYSeries pad = c.addSeries(" ", new double[] {0, 0}, new double[] {-0.5, n - 0.5});
        pad.setLineColor(new java.awt.Color(0, 0, 0, 0));
        pad.setMarker(SeriesMarkers.NONE);
        pad.setShowInLegend(false);
        return c;
    }
}
