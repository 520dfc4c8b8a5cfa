package mproc.tutorial;

import mproc.*;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.Objects;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The lifetimes of a group of workers as a Tablesaw table, one row per worker, times in milliseconds
 * from the group's first {@code start()} call.
 *
 * <table>
 *   <caption>columns</caption>
 *   <tr><td>name, pid, daemon, exit_code</td><td>who, and how it ended</td></tr>
 *   <tr><td>requested_ms</td><td>{@code start()} called</td></tr>
 *   <tr><td>ready_ms</td><td>the child JVM's main began: JVM start-up is over</td></tr>
 *   <tr><td>first_output_ms</td><td>its first line arrived in the parent</td></tr>
 *   <tr><td>finished_ms</td><td>the parent saw it exit</td></tr>
 *   <tr><td>startup_ms, run_ms, total_ms</td><td>ready - requested, finished - ready, finished - requested</td></tr>
 * </table>
 */
public final class Lifetimes {
    private Lifetimes() {}

    /** The table for {@code workers}, relative to the earliest {@code start()} among them. */
    public static Table table(String title, Collection<? extends Worker> workers) {
        Instant origin = workers.stream().map(w -> w.lifetime().requested()).filter(Objects::nonNull)
                .min(Comparator.naturalOrder()).orElse(Instant.now());
        return table(title, origin, workers);
    }

    /** The table for {@code workers}, relative to {@code origin}. */
    public static Table table(String title, Instant origin, Collection<? extends Worker> workers) {
        StringColumn name = StringColumn.create("name");
        LongColumn pid = LongColumn.create("pid");
        BooleanColumn daemon = BooleanColumn.create("daemon");
        IntColumn exit = IntColumn.create("exit_code");
        DoubleColumn requested = DoubleColumn.create("requested_ms");
        DoubleColumn ready = DoubleColumn.create("ready_ms");
        DoubleColumn first = DoubleColumn.create("first_output_ms");
        DoubleColumn finished = DoubleColumn.create("finished_ms");
        DoubleColumn startup = DoubleColumn.create("startup_ms");
        DoubleColumn run = DoubleColumn.create("run_ms");
        DoubleColumn total = DoubleColumn.create("total_ms");
        for (Worker w : workers) {
            Lifetime l = w.lifetime();
            name.append(w.getName());
            pid.append(w.pid());
            daemon.append(w.isDaemon());
            if (l.exitCode() == null) exit.appendMissing(); else exit.append(l.exitCode());
            requested.append(ms(origin, l.requested()));
            ready.append(ms(origin, l.ready()));
            first.append(ms(origin, l.firstOutput()));
            finished.append(ms(origin, l.finished()));
            startup.append(ms(l.requested(), l.ready()));
            run.append(ms(l.ready(), l.finished()));
            total.append(ms(l.requested(), l.finished()));
        }
        return Table.create(title, name, pid, daemon, exit, requested, ready, first, finished, startup, run, total);
    }

    /**
     * Appends a row for something that is not a worker (say, the main program itself) running from
     * {@code from} to {@code to}, so it shows on the same timeline.
     */
    public static Table addSpan(Table t, Instant origin, String name, long pid, Instant from, Instant to) {
        Table row = table(t.name(), origin, java.util.List.of());
        row.stringColumn("name").append(name);
        row.longColumn("pid").append(pid);
        row.booleanColumn("daemon").append(false);
        row.intColumn("exit_code").appendMissing();
        row.doubleColumn("requested_ms").append(ms(origin, from));
        row.doubleColumn("ready_ms").append(ms(origin, from));
        row.doubleColumn("first_output_ms").appendMissing();
        row.doubleColumn("finished_ms").append(ms(origin, to));
        row.doubleColumn("startup_ms").append(0);
        row.doubleColumn("run_ms").append(ms(from, to));
        row.doubleColumn("total_ms").append(ms(from, to));
        return t.append(row);
    }

    /** Milliseconds from {@code from} to {@code to}, to 0.1 ms; NaN (missing) when either is unknown. */
    static double ms(Instant from, Instant to) {
        if (from == null || to == null) return Double.NaN; // Tablesaw reads NaN as a missing double
        return Math.round(Duration.between(from, to).toNanos() / 100_000.0) / 10.0;
    }
}
