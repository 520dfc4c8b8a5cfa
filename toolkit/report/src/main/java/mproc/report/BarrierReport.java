package mproc.report;

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

/** The barrier chapter's chart: when each of the four workers arrived at the barrier and when it went on. */
public final class BarrierReport {
    private BarrierReport() {}

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
