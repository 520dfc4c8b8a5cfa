package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Subclass fields through the real {@link Worker#start()}: what cannot travel is refused there, naming the
 * field and its type, before any JVM starts; what can arrives as it was, null included.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(WorkerJvms.class)
class FieldsRefusalTest {
    /** Fields typed by abstract or unusual number types, and fields that are null in the parent. */
    public static class Numbers extends Worker {
        Number number = 1;
        BigDecimal price = BigDecimal.ONE;
        Object anything = "initialiser";
        String text = "initialiser";
        Integer boxed = 7;
        Number nullNumber = 5L;
        Queue out;

        @Override
        public void run() {
            out.put(java.util.Arrays.asList(number, number == null ? null : number.getClass().getSimpleName(), price,
                    anything, text, boxed, nullNumber));
        }
    }

    /** A field whose type no value that travels fits. */
    public static class Counter extends Worker {
        AtomicLong counter = new AtomicLong();
    }

    private static void assertNotStarted(Worker w) {
        assertEquals(-1, w.pid(), "a JVM was started for a refused worker");
        assertFalse(w.isAlive());
        assertEquals(List.of(), Worker.active());
    }

    @Test
    void aNumberFieldHoldingAnAtomicLongIsRefusedAtStartNamingFieldAndType() throws Exception {
        Numbers w = new Numbers();
        w.number = new AtomicLong(3);
        var e = assertThrows(IllegalArgumentException.class, w::start);
        assertTrue(e.getMessage().startsWith("field Numbers.number of type java.lang.Number cannot travel to a worker JVM"),
                e.getMessage());
        assertTrue(e.getMessage().contains("java.util.concurrent.atomic.AtomicLong") && e.getMessage().contains("transient"),
                e.getMessage());
        assertNotStarted(w);

        // fixed, the same handle starts and its fields arrive
        Queue q = Queue.create();
        w.number = new BigDecimal("2.5");
        w.out = q;
        w.start();
        List<?> got = (List<?>) q.get(Duration.ofSeconds(60));
        assertEquals(new BigDecimal("2.5"), got.get(0));
        assertEquals("BigDecimal", got.get(1));
        w.join();
        assertEquals(0, w.exitCode());
    }

    @Test
    void anAtomicLongFieldIsRefusedAtStartEvenBeforeItsValueIsLookedAt() {
        Counter w = new Counter();
        var e = assertThrows(IllegalArgumentException.class, w::start);
        assertTrue(e.getMessage().startsWith("field Counter.counter of type java.util.concurrent.atomic.AtomicLong"
                + " cannot travel to a worker JVM"), e.getMessage());
        assertNotStarted(w);
        w.counter = null; // null does not make the type one that travels
        assertThrows(IllegalArgumentException.class, w::start);
        assertNotStarted(w);
    }

    @Test
    void numberAndBigDecimalFieldsArriveWithTheirTypesAndNullsAsNull() throws Exception {
        Queue q = Queue.create();
        Numbers w = new Numbers();
        w.number = 12L;
        w.price = new BigDecimal("-0.000000000000000000001");
        w.anything = null;
        w.text = null;
        w.boxed = null;
        w.nullNumber = null;
        w.out = q;
        w.start();
        List<?> got = (List<?>) q.get(Duration.ofSeconds(60));
        assertEquals(java.util.Arrays.asList(12L, "Long", new BigDecimal("-0.000000000000000000001"), null, null, null, null),
                got, "a null field arrives as null, not as its initialiser's value");
        w.join();
        assertEquals(0, w.exitCode());
    }
}
