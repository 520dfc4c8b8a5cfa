package mproc.tutorial;

import java.util.List;
import mproc.Pool;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** Tablesaw tables of what the library reports, and tables as HTML for notebooks (the shared setup's {@code show(table)}). */
public final class Tables {
    private Tables() {}

    /** A pool's work per worker ({@link Pool#stats()}) as a table: worker, pid, tasks, chunks, busy_ms, peak_rss_mb. */
    public static Table poolStats(List<Pool.WorkerStats> stats) {
        StringColumn name = StringColumn.create("worker");
        LongColumn pid = LongColumn.create("pid");
        IntColumn tasks = IntColumn.create("tasks"), chunks = IntColumn.create("chunks");
        DoubleColumn busy = DoubleColumn.create("busy_ms"), rss = DoubleColumn.create("peak_rss_mb");
        for (Pool.WorkerStats s : stats) {
            name.append(s.worker());
            pid.append(s.pid());
            tasks.append(s.tasks());
            chunks.append(s.chunks());
            busy.append(s.busyMs());
            rss.append(s.peakRssMb());
        }
        return Table.create("work per pool worker", name, pid, tasks, chunks, busy, rss);
    }

    /** An HTML table with the table's name as caption; missing values are left blank. */
    public static String html(Table t) {
        StringBuilder sb = new StringBuilder("<table>");
        if (t.name() != null && !t.name().isBlank()) sb.append("<caption>").append(escape(t.name())).append("</caption>");
        sb.append("<thead><tr>");
        for (String c : t.columnNames()) sb.append("<th>").append(escape(c)).append("</th>");
        sb.append("</tr></thead><tbody>");
        for (int r = 0; r < t.rowCount(); r++) {
            sb.append("<tr>");
            for (int c = 0; c < t.columnCount(); c++) {
                var col = t.column(c);
                sb.append("<td>").append(col.isMissing(r) ? "" : escape(col.getString(r))).append("</td>");
            }
            sb.append("</tr>");
        }
        return sb.append("</tbody></table>").toString();
    }

    static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
    }
}
