package mproc.report;

import java.util.List;
import mproc.SharedArray;
import mproc.Worker;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The synchronisation chapter's report: when each worker held a slot of the semaphore (entered, left),
 * from the times the workers wrote into a shared array, and how many held one at once.
 */
public final class SyncReport {
    private SyncReport() {}

    /**
     * One row per worker: milliseconds from {@code released} (when the start event was set) until it entered
     * the semaphore and until it left. {@code times} holds, for worker i, its entry at 2i and its exit at 2i + 1
     * (epoch nanoseconds, as {@code mproc.Clock.epochNanos()} gives them).
     */
    public static Table slots(List<Worker> workers, SharedArray times, long released) {
        StringColumn name = StringColumn.create("worker");
        DoubleColumn entered = DoubleColumn.create("entered_ms"), left = DoubleColumn.create("left_ms"),
                inside = DoubleColumn.create("inside_ms");
        IntColumn others = IntColumn.create("inside_with_it");
        int n = workers.size();
        for (int i = 0; i < n; i++) {
            name.append(workers.get(i).getName());
            entered.append(round((times.getLong(2 * i) - released) / 1e6));
            left.append(round((times.getLong(2 * i + 1) - released) / 1e6));
            inside.append(round((times.getLong(2 * i + 1) - times.getLong(2 * i)) / 1e6));
        }
        for (int i = 0; i < n; i++) others.append(insideAt(times, n, times.getLong(2 * i)));
        return Table.create("who held a slot, and when (ms after the start event)", name, entered, left, inside, others);
    }

    /** The most workers inside at once: the largest {@code inside_with_it} of {@link #slots}. */
    public static int maxInside(Table slots) {
        return (int) slots.intColumn("inside_with_it").max();
    }

    /** How many workers were inside at instant {@code t} (the one entering at t included). */
    private static int insideAt(SharedArray times, int n, long t) {
        int k = 0;
        for (int j = 0; j < n; j++) if (times.getLong(2 * j) <= t && t < times.getLong(2 * j + 1)) k++;
        return k;
    }

    private static double round(double v) {
        return Math.round(v * 10) / 10.0;
    }

    /** Each worker's time inside the semaphore as a bar from entry to exit, one row per worker. */
    public static XYChart slotsChart(Table slots, int permits) {
        XYChart c = new XYChartBuilder().width(820).height(60 + 42 * slots.rowCount())
                .title("Semaphore(" + permits + "): time inside, per worker")
                .xAxisTitle("milliseconds after the start event").yAxisTitle("").build();
        c.getStyler().setYAxisTicksVisible(false);
        c.getStyler().setMarkerSize(8);
        int n = slots.rowCount();
        for (int i = 0; i < n; i++) {
            double y = n - 1 - i;
            XYSeries s = c.addSeries(slots.stringColumn("worker").get(i), new double[] {slots.doubleColumn("entered_ms").get(i),
                    slots.doubleColumn("left_ms").get(i)}, new double[] {y, y});
            s.setMarker(SeriesMarkers.CIRCLE);
            s.setLineWidth(6);
        }
        return c;
    }
}
