package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;

/** Manager: a dict, a list and a namespace seen and changed by several worker JVMs. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(WorkerJvms.class)
class ManagerTest {
    static final Duration WAIT = Duration.ofSeconds(60);


    private static void endedWell(Worker w) throws InterruptedException {
        assertTrue(w.join(WAIT), w + " did not end");
        assertEquals(0, w.exitCode(), w.output().toString());
    }

    @Test
    void severalWorkersSeeAndChangeOneDictListAndNamespace() throws Exception {
        try (Manager m = Manager.start()) {
            DictProxy<String, Object> d = m.dict();
            ListProxy<String> l = m.list(List.of("first"));
            Namespace ns = m.namespace();
            d.put("main", List.of(1L, "two"));
            d.put("point", new ShareTasks.Point(3, 4));
            ns.set("config", "fast");
            List<Worker> ws = new ArrayList<>();
            for (int k = 0; k < 3; k++) ws.add(new Worker(ShareTasks.ManagerWork.class, d, l, ns, k, 40).start());
            for (Worker w : ws) endedWell(w);
            assertEquals(120L, d.get("hits"), "merge is atomic across processes: no lost update");
            for (int k = 0; k < 3; k++) assertEquals(ws.get(k).pid(), d.get("w" + k));
            List<String> keys = List.copyOf(d.keySet());
            assertEquals(List.of("main", "point", "hits"), keys.subList(0, 3), "insertion order, as Python's dict");
            assertEquals(java.util.Set.of("w0", "w1", "w2"), java.util.Set.copyOf(keys.subList(3, keys.size())));
            assertEquals(121, l.size());
            assertEquals("first", l.get(0));
            for (int k = 0; k < 3; k++) {
                List<String> mine = new ArrayList<>();
                for (String s : l) if (s.startsWith("w" + k + "-")) mine.add(s);
                assertEquals(40, mine.size());
                for (int i = 0; i < 40; i++) assertEquals("w" + k + "-" + i, mine.get(i), "each worker's adds keep their order");
                assertEquals(List.of("main [1, two] Point[x=3, y=4]", "config fast none"), ws.get(k).output());
                assertEquals(Boolean.TRUE, ns.get("seen" + k));
            }
            assertTrue(ns.toString().startsWith("Namespace(config='fast', seen"), ns.toString());
        }
    }

    @Test
    void proxiesBehaveAsMapsAndListsWithCopiedValues() throws Exception {
        try (Manager m = Manager.start()) {
            DictProxy<Object, Object> d = m.dict(Map.of("a", 1));
            List<Object> v = new ArrayList<>(List.of(1L));
            d.put(List.of("k", 2), v);
            v.add(2L);
            assertEquals(List.of(1L), d.get(List.of("k", 2)), "stored as it was when put: a copy, as Python's proxy");
            @SuppressWarnings("unchecked")
            List<Object> got = (List<Object>) d.get(List.of("k", 2));
            got.add(3L);
            assertEquals(List.of(1L), d.get(List.of("k", 2)), "what get returns is a copy too");
            assertNull(d.putIfAbsent("b", 2));
            assertEquals(2, d.putIfAbsent("b", 3));
            assertTrue(d.replace("b", 2, 5));
            assertFalse(d.replace("b", 2, 6));
            assertFalse(d.remove("b", 6));
            assertEquals(5, d.remove("b"));
            assertNull(d.remove("b"));
            d.put("n", null);
            assertTrue(d.containsKey("n"));
            assertNull(d.get("n"));
            assertTrue(d.containsValue(1));
            assertEquals(3, d.size());
            assertEquals(3, d.copy().size());
            assertThrows(UnsupportedOperationException.class, () -> d.entrySet().clear(), "a snapshot, not a view");
            assertThrows(IllegalArgumentException.class, () -> d.put(new int[] {1}, 1));
            assertThrows(IllegalArgumentException.class, () -> d.put("x", new Object()));
            d.clear();
            assertTrue(d.isEmpty());

            ListProxy<Object> l = m.list();
            l.addAll(List.of(1, 2, 3));
            l.add(0, "zero");
            assertEquals(List.of("zero", 1, 2, 3), l);
            assertEquals(2, l.set(2, 20));
            assertEquals(1, l.remove(1));
            assertTrue(l.remove((Object) 3));
            assertEquals(List.of("zero", 20), l.copy());
            assertEquals(1, l.indexOf(20));
            assertTrue(l.contains("zero"));
            assertThrows(IndexOutOfBoundsException.class, () -> l.get(5));
            assertEquals(List.of("zero", 20), l.subList(0, 2));

            Namespace ns = m.namespace();
            ns.set("x", 1).set("y", "why");
            assertEquals(Integer.valueOf(1), ns.get("x"));
            assertTrue(ns.has("y"));
            ns.delete("y");
            assertFalse(ns.has("y"));
            assertThrows(NoSuchElementException.class, () -> ns.get("y"));
            assertThrows(NoSuchElementException.class, () -> ns.delete("y"));
            assertEquals("Namespace(x=1)", ns.toString());
        }
    }

    /** A Worker subclass with a dict field: it travels as its address. */
    public static class Counter extends Worker {
        DictProxy<String, Long> counts;

        @Override
        public void run() {
            for (int i = 0; i < 25; i++) counts.merge("n", 1L, Long::sum);
        }
    }

    @Test
    void aDictFieldTravelsAndShutdownEndsEveryProxy() throws Exception {
        Manager m = Manager.start();
        DictProxy<String, Long> d = m.dict();
        Counter a = new Counter(), b = new Counter();
        a.counts = d;
        b.counts = d;
        a.start();
        b.start();
        endedWell(a);
        endedWell(b);
        assertEquals(50L, d.get("n"));
        m.shutdown();
        m.close();
        var e = assertThrows(IllegalStateException.class, d::size);
        assertTrue(e.getMessage().contains("shut down"), e.getMessage());
        assertThrows(IllegalStateException.class, m::dict);
        Worker w = new Worker(ShareTasks.UseDict.class, d).start();
        endedWell(w);
        assertEquals(List.of("error the manager that hosted this dict was shut down"), w.output());
    }
}
