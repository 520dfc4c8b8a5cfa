package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;

/** Value: a shared number with its lock, changed by real worker JVMs. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(WorkerJvms.class)
class ValueTest {
    static final Duration WAIT = Duration.ofSeconds(60);


    private static void runAll(List<Worker> ws) throws InterruptedException {
        for (Worker w : ws) w.start();
        for (Worker w : ws) {
            assertTrue(w.join(WAIT), w + " did not end");
            assertEquals(0, w.exitCode(), w.output().toString());
        }
    }

    @Test
    void incrementsFromSeveralWorkersLoseNothing() throws Exception {
        Value atomic = Value.ofLong(5), locked = Value.ofInt(0);
        List<Worker> ws = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            ws.add(new Worker(ShareTasks.ValueAdd.class, atomic, 20_000, "atomic"));
            ws.add(new Worker(ShareTasks.ValueAdd.class, locked, 300, "locked"));
        }
        runAll(ws);
        assertEquals(5 + 3 * 20_000L, atomic.getLong());
        assertEquals(Long.class, atomic.get().getClass());
        assertEquals(900, locked.getInt());
        assertEquals(Integer.valueOf(900), locked.get());
        assertEquals("done Integer", ws.get(1).output().get(0));
    }

    @Test
    void helpersBehaveAsTheirNamesSay() throws Exception {
        Value v = Value.ofLong(10);
        assertEquals(10, v.getAndAdd(5));
        assertEquals(16, v.incrementAndGet());
        assertEquals(15, v.decrementAndGet());
        assertEquals(15, v.getAndIncrement());
        assertTrue(v.compareAndSet(16, 100));
        assertFalse(v.compareAndSet(16, 7));
        assertEquals(100, v.getLong());

        Value i = Value.ofInt(Integer.MAX_VALUE);
        assertEquals(Integer.MIN_VALUE, i.incrementAndGet(), "an int wraps as a C int does");

        Value d = Value.ofDouble(1.5);
        assertEquals(2.0, d.addAndGet(0.5));
        d.set(0.25);
        assertEquals(Double.valueOf(0.25), d.get());
        assertTrue(d.compareAndSet(0.25, 3.0));
        assertEquals(3.0, d.getDouble());

        Value a = Value.attach(v.address());
        assertEquals(100, a.getLong());
        a.set(-4);
        assertEquals(-4, v.getLong(), "one number, seen through both handles");
        assertTrue(v.getLock().acquire(Duration.ZERO));
        v.getLock().release();
        assertThrows(IllegalArgumentException.class, () -> Value.attach(SharedArray.ofLongs(1).address()));
    }

    /** A Worker subclass's Value field travels as its address. */
    public static class Adder extends Worker {
        Value total;

        @Override
        public void run() {
            for (int k = 0; k < 1000; k++) total.addAndGet(2);
        }
    }

    @Test
    void aValueFieldTravelsToTheWorker() throws Exception {
        Adder w = new Adder();
        w.total = Value.ofLong(0);
        runAll(List.of(w));
        assertEquals(2000, w.total.getLong());
    }
}
