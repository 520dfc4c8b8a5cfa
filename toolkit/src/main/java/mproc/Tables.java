package mproc;

import tech.tablesaw.api.Table;

/** Tablesaw tables as HTML, for notebooks (the shared setup's {@code show(table)} displays them). */
public final class Tables {
    private Tables() {}

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
