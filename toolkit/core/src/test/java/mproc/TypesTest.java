package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Data keeps its type across worker JVMs: through a pipe, a queue, a pool, and a subclass's fields; what cannot travel is refused at the call. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TypesTest {
    public enum Colour { RED, GREEN }

    public record Reading(String sensor, double value, Colour colour, List<Integer> samples) {}

    /** Echoes every message it receives, until the pipe closes. */
    public static final class Echo extends Worker {
        Connection conn;

        @Override
        public void run() throws Exception {
            try (Connection c = conn) {
                while (true) c.send(c.recv());
            } catch (java.io.EOFException e) {
                // the parent is done
            }
        }
    }

    /** A worker whose fields are of the new kinds: they arrive with their values and types. */
    public static final class Fields extends Worker {
        Reading reading;
        Map<String, List<Colour>> byName;
        BigDecimal price;
        Float ratio;
        char grade;
        String[] tags;
        Object nothing = "set in the constructor";
        Queue out;

        @Override
        public void run() {
            out.put(List.of(reading, byName, price, ratio, grade, List.of(tags), String.valueOf(nothing)));
        }
    }

    @AfterEach
    void noWorkerLeft() throws Exception {
        Leftovers.endAndCheck(h -> Leftovers.running(h.pid()));
    }

    static List<Object> values() {
        Map<String, Object> map = new LinkedHashMap<>();
        map.put("b", 2);
        map.put("a", List.of(1L, "x"));
        LinkedHashSet<Object> set = new LinkedHashSet<>(List.of("z", 3, 'c'));
        List<Object> v = new ArrayList<>(List.of((byte) 1, (short) 2, 3, 4L, 1.5f, 2.5, 'q', "text", true,
                new BigInteger("123456789012345678901234567890"), new BigDecimal("-1.000000000000000000001"),
                map, set, Colour.GREEN, new Reading("t1", 21.5, Colour.RED, List.of(1, 2, 3)),
                List.of(List.of(List.of())), new String[] {"a", null, "c"}, new char[] {'h', 'i'}, new byte[] {1, 2}));
        v.add(null);
        return v;
    }

    static void assertSame(List<Object> sent, List<?> got) {
        assertEquals(sent.size(), got.size());
        for (int i = 0; i < sent.size(); i++) {
            Object a = sent.get(i), b = got.get(i);
            if (a == null) {
                assertNull(b);
                continue;
            }
            assertEquals(a.getClass().isArray() ? a.getClass() : canonical(a.getClass()), canonical(b.getClass()), "type of " + a);
            if (a instanceof Object[] x) assertArrayEquals(x, (Object[]) b);
            else if (a instanceof char[] x) assertArrayEquals(x, (char[]) b);
            else if (a instanceof byte[] x) assertArrayEquals(x, (byte[]) b);
            else assertEquals(a, b);
        }
    }

    /** Lists, sets and maps arrive as ArrayList, LinkedHashSet and LinkedHashMap. */
    static Class<?> canonical(Class<?> c) {
        if (List.class.isAssignableFrom(c)) return List.class;
        if (java.util.Set.class.isAssignableFrom(c)) return java.util.Set.class;
        if (Map.class.isAssignableFrom(c)) return Map.class;
        return c;
    }

    static long cube(long x) {
        return x * x * x;
    }

    @Test
    void everyKindOfValueMakesTheRoundTripThroughAWorkerJvm() throws Exception {
        Pipe p = Pipe.create();
        Echo e = new Echo();
        e.conn = p.end2();
        e.start();
        List<Object> sent = values();
        try (Connection c = p.end1()) {
            for (Object v : sent) c.send(v);
            List<Object> got = new ArrayList<>();
            for (int i = 0; i < sent.size(); i++) got.add(c.recv());
            assertSame(sent, got);
        }
        e.join();
        assertEquals(0, e.exitCode());
    }

    @Test
    void aPoolKeepsTypesBothWays() throws Exception {
        try (Pool pool = new Pool(1)) {
            List<Object> sent = values();
            sent.remove(sent.size() - 1); // a pool input must not be null
            List<Object> got = pool.map((Fn<Object, Object>) x -> x, sent);
            assertSame(sent, got);
            List<Float> halves = pool.map(x -> x / 2f, List.of(1, 3));
            assertEquals(List.of(0.5f, 1.5f), halves);
            assertEquals(Float.class, halves.get(0).getClass());
            assertEquals(42, pool.applyAsync((Integer x) -> x * 6, 7).get(60, TimeUnit.SECONDS));
            assertEquals(List.of(8L, 27L), pool.map(TypesTest::cube, List.of(2L, 3L)), "a method reference");
        }
    }

    @Test
    void subclassFieldsOfEveryKindTravelANullFieldToo() throws Exception {
        Queue q = Queue.create();
        Fields f = new Fields();
        f.reading = new Reading("r", 1.25, Colour.GREEN, List.of(7));
        f.byName = new LinkedHashMap<>(Map.of("k", List.of(Colour.RED, Colour.GREEN)));
        f.price = new BigDecimal("9.99");
        f.ratio = 0.25f;
        f.grade = 'A';
        f.tags = new String[] {"x", "y"};
        f.nothing = null;
        f.out = q;
        f.start();
        assertEquals(List.of(f.reading, f.byName, f.price, 0.25f, 'A', List.of("x", "y"), "null"), q.get(java.time.Duration.ofSeconds(60)));
        f.join();
        assertEquals(0, f.exitCode());
    }

    @Test
    void whatCannotTravelIsRefusedAtTheCallNamingItsType() throws Exception {
        Pipe p = Pipe.create();
        var e = assertThrows(IllegalArgumentException.class, () -> p.end1().send(List.of(1, new Thread())));
        assertTrue(e.getMessage().contains("java.lang.Thread") && e.getMessage().contains("list element 1"), e.getMessage());
        Queue q = Queue.create();
        e = assertThrows(IllegalArgumentException.class, () -> q.put(Map.of("k", new java.util.concurrent.atomic.AtomicLong())));
        assertTrue(e.getMessage().contains("AtomicLong"), e.getMessage());
        Thread t = new Thread();
        e = assertThrows(IllegalArgumentException.class, () -> new Worker(() -> System.out.println(t)));
        assertTrue(e.getMessage().contains("java.lang.Thread") && e.getMessage().contains("capture"), e.getMessage());
        try (Pool pool = new Pool(1)) {
            e = assertThrows(IllegalArgumentException.class, () -> pool.map((Fn<Object, Object>) x -> x, List.of(new Object())));
            assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> pool.map(x -> t.getName() + x, List.of(1)));
            assertEquals(List.of(2), pool.map(x -> x + 1, List.of(1)), "the pool still works after the refusals");
        }
        p.end1().close();
        p.end2().close();
    }
}
