package mproc.tutorial;

import mproc.*;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class TablesTest {
    @Test
    void htmlEscapesAndBlanksMissingValues() {
        Table t = Table.create("a<b", StringColumn.create("name", "x&y"), DoubleColumn.create("v", Double.NaN));
        assertEquals("<table><caption>a&lt;b</caption><thead><tr><th>name</th><th>v</th></tr></thead>"
                + "<tbody><tr><td>x&amp;y</td><td></td></tr></tbody></table>", Tables.html(t));
    }
}
