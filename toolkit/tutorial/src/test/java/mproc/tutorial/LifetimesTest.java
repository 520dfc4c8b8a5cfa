package mproc.tutorial;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Instant;
import java.util.List;
import mproc.Lifetime;
import mproc.Tasks;
import mproc.Worker;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

/** The lifetimes table of real workers (the chapters' first table). */
class LifetimesTest {
    @Test
    void lifetimesAreRecordedInOrder() throws Exception {
        Worker w = new Worker(MatrixTask.class, 1000).start();
        w.join();
        Lifetime l = w.lifetime();
        for (Instant i : new Instant[] {l.requested(), l.spawned(), l.ready(), l.firstOutput(), l.finished()}) assertNotNull(i, l.toString());
        assertFalse(l.ready().isBefore(l.requested()), l.toString());
        assertFalse(l.firstOutput().isBefore(l.ready()), l.toString());
        assertFalse(l.finished().isBefore(l.firstOutput()), l.toString());
        assertEquals(0, l.exitCode());

        Table t = Lifetimes.table("one", List.of(w));
        assertEquals(1, t.rowCount());
        assertEquals(w.getName(), t.stringColumn("name").get(0));
        assertEquals(0.0, t.doubleColumn("requested_ms").getDouble(0));
        double startup = t.doubleColumn("startup_ms").getDouble(0);
        assertTrue(startup > 5 && startup < 5_000, "JVM start-up " + startup + " ms");
        assertEquals(t.doubleColumn("total_ms").getDouble(0),
                startup + t.doubleColumn("run_ms").getDouble(0), 0.25);
    }

    @Test
    void workersStartedTogetherOverlap() throws Exception {
        Worker a = new Worker(Tasks.Sleep.class, 1), b = new Worker(Tasks.Sleep.class, 1);
        a.start();
        b.start();
        a.join();
        b.join();
        Table t = Lifetimes.table("two", List.of(a, b));
        // b started before a finished: they ran at the same time
        assertTrue(t.doubleColumn("requested_ms").getDouble(1) < t.doubleColumn("finished_ms").getDouble(0));
    }
}
