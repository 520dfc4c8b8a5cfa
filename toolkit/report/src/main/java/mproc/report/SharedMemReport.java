package mproc.report;

import mproc.tutorial.*;
import java.util.ArrayList;
import java.util.List;
import mproc.tutorial.Matrix;
import mproc.Queue;
import mproc.SharedArray;
import mproc.Task;
import mproc.Worker;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The shared-memory chapter's report: the row of one way of getting C = A B back (shared array or queue), the
 * product computed in this JVM for the check, and the table. The chapter's matrices are seeded with
 * {@link #SEED_A} and {@link #SEED_B}.
 */
public final class SharedMemReport {
    private SharedMemReport() {}

    /** The seeds of the chapter's A and B ({@code Matrix.entries(n, seed)}). */
    public static final long SEED_A = 1, SEED_B = 2;

    /** One way of getting C back: its time and what travelled through sockets. */
    public record Result(String method, int workers, double ms, long ipcBytes, long checksum) {}

    /** The same product in this JVM, for the check. */
    public static long checksumHere(int n) {
        long s = 0;
        for (long v : Matrix.multiplyRows(Matrix.entries(n, SEED_A), Matrix.entries(n, SEED_B), n, 0, n)) s += v;
        return s;
    }

    public static Table table(List<Result> rs, long expected) {
        StringColumn m = StringColumn.create("method");
        IntColumn w = IntColumn.create("workers");
        DoubleColumn ms = DoubleColumn.create("ms");
        LongColumn bytes = LongColumn.create("bytes_through_ipc");
        StringColumn ok = StringColumn.create("checksum");
        for (Result r : rs) {
            m.append(r.method());
            w.append(r.workers());
            ms.append(Math.round(r.ms() * 10) / 10.0);
            bytes.append(r.ipcBytes());
            ok.append(r.checksum() == expected ? "correct" : "WRONG " + r.checksum());
        }
        return Table.create("C = A B, by blocks of rows", m, w, ms, bytes, ok);
    }
}
