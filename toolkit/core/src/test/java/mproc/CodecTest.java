package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Codec and Fields in one JVM: types kept, refusals explained, hostile input bounded. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CodecTest {
    enum Color { RED, GREEN, BLUE }

    private enum Op {
        PLUS { @Override int apply(int a, int b) { return a + b; } },
        MINUS { @Override int apply(int a, int b) { return a - b; } };

        abstract int apply(int a, int b);
    }

    record Point(int x, int y) {}

    record Polygon(String name, List<Point> corners, Color color, Map<String, Object> tags) {}

    private record Secret(String value, long[] data, Optional<String> none) {
        Secret(String value, long[] data) {
            this(value, data, null);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Secret s && value.equals(s.value) && Arrays.equals(data, s.data) && none == s.none;
        }

        @Override
        public int hashCode() {
            return value.hashCode();
        }
    }

    record Primitives(boolean z, byte b, short s, char c, int i, long l, float f, double d) {}

    record Sorted(TreeMap<String, Integer> map) {}

    record Checked(int positive) {
        Checked {
            if (positive <= 0) throw new IllegalArgumentException("not positive: " + positive);
        }
    }

    /** Not a record: decoding must neither initialise nor instantiate it. */
    static final class Bomb {
        static {
            bombInitialised = true;
        }

        Bomb() {
            bombBuilt = true;
        }
    }

    static volatile boolean bombInitialised, bombBuilt;

    /** An ordinary class: refused. */
    static final class Plain {}

    // ---------------------------------------------------------------- helpers

    static byte[] encode(Object v) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Codec.write(new DataOutputStream(b), v);
        return b.toByteArray();
    }

    static Object decode(byte[] b) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
        Object v = Codec.read(in);
        assertEquals(0, in.available(), "bytes left after the value");
        return v;
    }

    /** The value back from its encoding, equal and of the same class, arrays compared by content. */
    static Object roundTrip(Object v) throws IOException {
        Object back = decode(encode(v));
        if (v == null) {
            assertNull(back);
            return null;
        }
        assertEquals(v.getClass(), back.getClass(), "class of " + v);
        assertTrue(Objects.deepEquals(v, back), () -> "sent " + show(v) + ", got " + show(back));
        return back;
    }

    static String show(Object v) {
        return v instanceof Object[] a ? Arrays.deepToString(a) : v != null && v.getClass().isArray()
                ? Arrays.deepToString(new Object[] {v}) : String.valueOf(v);
    }

    /** A hand-made frame: writes each part (a Byte as a tag, an Integer as an int, a String as str). */
    static byte[] frame(Object... parts) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        for (Object p : parts) {
            if (p instanceof Byte t) out.writeByte(t);
            else if (p instanceof Integer i) out.writeInt(i);
            else if (p instanceof String s) {
                byte[] u = s.getBytes(StandardCharsets.UTF_8);
                out.writeInt(u.length);
                out.write(u);
            } else if (p instanceof byte[] raw) out.write(raw);
            else throw new IllegalArgumentException(String.valueOf(p));
        }
        return b.toByteArray();
    }

    static String refusal(Object v) {
        var e = assertThrows(IllegalArgumentException.class, () -> encode(v));
        var c = assertThrows(IllegalArgumentException.class, () -> Codec.check(v));
        assertEquals(e.getMessage(), c.getMessage(), "check and write give one message");
        return e.getMessage();
    }

    // ---------------------------------------------------------------- round trips

    @Test
    void scalarsKeepTheirExactTypes() throws IOException {
        for (Object v : new Object[] {null, true, false, (byte) -7, Byte.MIN_VALUE, (short) 1234, Short.MIN_VALUE, 42,
                Integer.MIN_VALUE, 1L << 40, Long.MAX_VALUE, 1.5f, -0.0f, Float.NaN, Float.MIN_VALUE, 2.25, -0.0,
                Double.NaN, Double.NEGATIVE_INFINITY, 'é', '\uD800', '\0', "", "héllo, wörld ✓ 𝄞",
                BigInteger.ZERO, BigInteger.valueOf(-1), new BigInteger("-123456789012345678901234567890"),
                BigInteger.TWO.pow(1000), new BigDecimal("-123.4500"), new BigDecimal("1E+5"), BigDecimal.ZERO,
                new BigDecimal(new BigInteger("98765432109876543210"), -7)}) {
            roundTrip(v);
        }
        assertEquals(Float.class, roundTrip(1.5f).getClass());
        assertEquals(Short.class, roundTrip((short) 3).getClass());
        assertEquals(Byte.class, roundTrip((byte) 3).getClass());
        assertEquals(Character.class, roundTrip('x').getClass());
        assertEquals(4, ((BigDecimal) roundTrip(new BigDecimal("1.2300"))).scale(), "scale kept");
        // raw bits: a NaN with a payload comes back bit for bit
        double nan = Double.longBitsToDouble(0x7ff0000000000123L);
        assertEquals(0x7ff0000000000123L, Double.doubleToRawLongBits((Double) decode(encode(nan))));
    }

    @Test
    void oldTagsKeepTheirWireFormat() throws IOException {
        assertArrayEquals(new byte[] {Codec.INT, 0, 0, 1, 0}, encode(256));
        assertArrayEquals(new byte[] {Codec.LONG, 0, 0, 0, 0, 0, 0, 0, 5}, encode(5L));
        assertArrayEquals(frame(Codec.STRING, "hé"), encode("hé"));
        assertArrayEquals(frame(Codec.LIST, 2, Codec.TRUE, Codec.NULL), encode(Arrays.asList(true, null)));
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        new DataOutputStream(b).writeDouble(2.5);
        assertArrayEquals(frame(Codec.DOUBLE, b.toByteArray()), encode(2.5));
        assertArrayEquals(frame(Codec.INTS, 2, 1, -1), encode(new int[] {1, -1}));
    }

    @Test
    void arraysOfEveryKind() throws IOException {
        for (Object v : new Object[] {new byte[] {1, -2, 3}, new int[] {1, -2, Integer.MAX_VALUE},
                new long[] {Long.MIN_VALUE, 0, 7}, new double[] {1.5, -2, Double.NaN}, new boolean[] {true, false, true},
                new char[] {'a', 'é', '\uDFFF'}, new short[] {-1, 300}, new float[] {0.1f, -0f, Float.NaN},
                new String[] {"a", null, "", "ü"}, new String[0], new byte[0], new boolean[0], new float[0],
                new double[0]}) {
            roundTrip(v);
        }
        assertArrayEquals(new String[] {null}, (String[]) roundTrip(new String[] {null}));
    }

    @Test
    void collectionsArriveAsArrayListLinkedHashSetLinkedHashMapInOrder() throws IOException {
        Object list = roundTrip(new ArrayList<>(List.of(1, "two", 3.0f)));
        assertEquals(ArrayList.class, decode(encode(List.of(1, 2))).getClass());
        assertEquals(ArrayList.class, decode(encode(Collections.unmodifiableList(List.of()))).getClass());
        assertEquals(List.of(1, "two", 3.0f), list);
        assertEquals(Float.class, ((List<?>) list).get(2).getClass());

        Set<Object> set = new LinkedHashSet<>(List.of("z", "a", "m", (short) 1));
        set.add(null);
        Object backSet = decode(encode(set));
        assertEquals(LinkedHashSet.class, backSet.getClass());
        assertEquals(new ArrayList<>(set), new ArrayList<>((Set<?>) backSet), "iteration order kept");
        Object fromTree = decode(encode(new TreeSet<>(List.of("b", "c", "a"))));
        assertEquals(LinkedHashSet.class, fromTree.getClass());
        assertEquals(List.of("a", "b", "c"), new ArrayList<>((Set<?>) fromTree));

        Map<Object, Object> map = new LinkedHashMap<>();
        map.put("z", 1);
        map.put(null, List.of(Set.of(), Map.of()));
        map.put(7L, null);
        map.put(Color.RED, new int[] {1});
        map.put(new Point(1, 2), Map.of("in", List.of(new Point(3, 4))));
        Map<?, ?> back = (Map<?, ?>) decode(encode(map));
        assertEquals(LinkedHashMap.class, back.getClass());
        assertEquals(new ArrayList<>(map.keySet()), new ArrayList<>(back.keySet()), "key order kept");
        assertArrayEquals(new int[] {1}, (int[]) back.get(Color.RED));
        assertEquals(Map.of("in", List.of(new Point(3, 4))), back.get(new Point(1, 2)));
        assertEquals(LinkedHashMap.class, decode(encode(new HashMap<>(Map.of(1, 2)))).getClass());

        List<Object> nested = List.of(List.of(List.of(Map.of("k", Set.of(List.of(1L, (byte) 2))))));
        assertEquals(nested, decode(encode(nested)));
    }

    @Test
    void enumsAndRecordsNestedPrivateAndWithBodies() throws IOException {
        roundTrip(Color.GREEN);
        assertSame(Op.MINUS, decode(encode(Op.MINUS)), "a constant with a body");
        assertSame(Color.BLUE, decode(encode(Color.BLUE)));
        roundTrip(new Point(-1, 2));
        Map<String, Object> tags = new LinkedHashMap<>();
        tags.put("closed", true);
        tags.put("weight", new BigDecimal("0.25"));
        Polygon p = new Polygon("tri", List.of(new Point(0, 0), new Point(1, 0), new Point(0, 1)), Color.RED, tags);
        Polygon back = (Polygon) roundTrip(p);
        assertEquals(ArrayList.class, back.corners().getClass());
        assertEquals(Point.class, back.corners().get(1).getClass());
        assertSame(Color.RED, back.color());
        Secret s = (Secret) roundTrip(new Secret("shh", new long[] {1, 2}));
        assertNull(s.none());
        roundTrip(new Primitives(true, (byte) 1, (short) 2, 'c', 3, 4L, 5.5f, 6.5));
        record Local(String name, Op op) {}
        roundTrip(new Local("local", Op.PLUS));
        List<Object> mixed = List.of(new Point(1, 1), Map.of(Color.GREEN, new Local(null, Op.MINUS)));
        assertEquals(mixed, decode(encode(mixed)));
    }

    /** A record with a JShell-like name, in a loader of its own: encoding remembers the loader. */
    @Test
    void aRecordFromAnotherLoaderIsFoundThroughTheRememberedLoader(@TempDir Path dir) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertNotNull(javac, "tests run on a JDK");
        Path src = Files.createDirectories(dir.resolve("src/REPL")).resolve("$JShell$28.java");
        Files.writeString(src, "package REPL; public class $JShell$28 {"
                + " public record Point(int x, java.util.List<String> tags) {}"
                + " public enum Mood { CALM, ANGRY } }");
        Path classes = Files.createDirectories(dir.resolve("classes"));
        assertEquals(0, javac.run(null, null, null, "-d", classes.toString(), src.toString()));
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            Class<?> point = Class.forName("REPL.$JShell$28$Point", true, loader);
            Object value = point.getConstructor(int.class, List.class).newInstance(3, List.of("a"));
            String name = "REPL.$JShell$28$Point";
            byte[] forged = frame(Codec.RECORD, name, 2, Codec.INT, 3, Codec.LIST, 0);
            var unknown = assertThrows(IOException.class, () -> decode(forged), "not yet remembered");
            assertTrue(unknown.getMessage().contains(name), unknown.getMessage());

            Object back = decode(encode(value)); // encoding remembers the loader
            assertSame(point, back.getClass());
            assertEquals(value, back);
            assertEquals(value.getClass(), decode(forged).getClass());
            Class<?> mood = Class.forName("REPL.$JShell$28$Mood", true, loader);
            Object angry = mood.getEnumConstants()[1];
            assertSame(angry, decode(encode(angry)));
        }
    }

    @Test
    void rememberKeepsEachLoaderOnce() throws IOException {
        ClassLoader l = new ClassLoader(getClass().getClassLoader()) {};
        Codec.remember(l);
        Codec.remember(l);
        Codec.remember(null);
        roundTrip(new Point(1, 1)); // still resolves through the first loader that knows it
    }

    // ---------------------------------------------------------------- refusals

    @Test
    void refusalsNameTheTypeAndWhereItSits() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("a", List.of(1, 2, new Thread(() -> {})));
        String msg = refusal(m);
        assertTrue(msg.startsWith("cannot send a java.lang.Thread (in list element 2 of map value for key \"a\") to"
                + " another JVM: send null, booleans, numbers"), msg);

        assertTrue(refusal(new Object()).startsWith("cannot send a java.lang.Object to another JVM"));
        assertTrue(refusal(new AtomicLong(3)).startsWith("cannot send a java.util.concurrent.atomic.AtomicLong to"));
        assertTrue(refusal(new java.util.Date()).startsWith("cannot send a java.util.Date to"));
        assertTrue(refusal(new Object[] {1}).startsWith("cannot send a java.lang.Object[] to"));
        assertTrue(refusal(new int[][] {{1}}).startsWith("cannot send a int[][] to"));
        assertTrue(refusal(Optional.of(1)).startsWith("cannot send a java.util.Optional to"));
        assertTrue(refusal(new StringBuilder("x")).startsWith("cannot send a java.lang.StringBuilder to"));
        assertTrue(refusal(new java.util.ArrayDeque<>(List.of(1))).startsWith("cannot send a java.util.ArrayDeque"));
        Supplier<String> lambda = () -> "x";
        String l = refusal(lambda);
        assertTrue(l.startsWith("cannot send a mproc.CodecTest$$Lambda") && l.contains("lambda"), l);
        assertTrue(refusal(new BigInteger("5") {}).startsWith("cannot send a mproc.CodecTest$"), "a subclass of BigInteger");

        String inSet = refusal(new LinkedHashSet<>(List.of("ok", new Plain())));
        assertTrue(inSet.startsWith("cannot send a mproc.CodecTest$Plain (in set element 1) to"), inSet);
        Map<Object, Object> badKey = new LinkedHashMap<>();
        badKey.put(1, 2);
        badKey.put(new Object(), 3);
        assertTrue(refusal(badKey).startsWith("cannot send a java.lang.Object (in map key 1) to"));
        Map<Object, Object> recordKey = Map.of(new Point(1, 2), new Object());
        String rk = refusal(recordKey);
        assertTrue(rk.contains("(in map value for entry 0 (a mproc.CodecTest$Point key))"), rk);
        String inRecord = refusal(new Polygon("p", List.of(), Color.RED, Map.of("t", List.of(new AtomicLong()))));
        assertTrue(inRecord.startsWith("cannot send a java.util.concurrent.atomic.AtomicLong (in list element 0 of map"
                + " value for key \"t\" of component tags of record mproc.CodecTest$Polygon) to"), inRecord);
        String sorted = refusal(new Sorted(new TreeMap<>(Map.of("a", 1))));
        assertTrue(sorted.startsWith("cannot send a java.util.TreeMap (in component map of record mproc.CodecTest$Sorted)"
                + " to another JVM: it would arrive as a java.util.LinkedHashMap"), sorted);
    }

    @Test
    void checkAndWriteAgree() throws IOException {
        List<Object> self = new ArrayList<>();
        self.add(self);
        Object[] values = {null, 1, 1.5f, "s", new String[] {"a", null}, new boolean[3], List.of(Color.RED),
                new Point(1, 2), Map.of(1, Set.of(2)), new Object(), List.of(new Thread()), self,
                new Sorted(new TreeMap<>()), Map.of("k", Optional.empty()), new Polygon("x", null, null, null),
                new Polygon("x", List.of(new Point(0, 0)), Color.BLUE, Map.of("w", new Object())),
                (Supplier<Integer>) () -> 1, new AtomicLong(), BigDecimal.ONE, new char[] {'x'}, Op.PLUS,
                new Secret("s", new long[0])};
        int good = 0, bad = 0;
        for (Object v : values) {
            String byCheck = null, byWrite = null;
            try {
                Codec.check(v);
            } catch (IllegalArgumentException e) {
                byCheck = e.getMessage();
            }
            try {
                encode(v);
            } catch (IllegalArgumentException e) {
                byWrite = e.getMessage();
            }
            assertEquals(byWrite, byCheck, () -> "check and write disagree on " + show(v));
            if (byCheck == null) {
                good++;
                decode(encode(v));
            } else {
                bad++;
            }
        }
        assertEquals(14, good);
        assertEquals(8, bad);
    }

    @Test
    void nestingIsCappedOnBothSides() throws IOException {
        Object ok = null;
        for (int i = 0; i < Codec.MAX_DEPTH; i++) ok = Collections.singletonList(ok);
        assertNotNull(decode(encode(ok)));
        Object tooDeep = Collections.singletonList(ok);
        String msg = refusal(tooDeep);
        assertTrue(msg.contains("nested at most 64 levels"), msg);

        Object deep = null;
        for (int i = 0; i < 200_000; i++) deep = Collections.singletonList(deep);
        Object finalDeep = deep;
        String m = assertThrows(IllegalArgumentException.class, () -> Codec.check(finalDeep)).getMessage();
        assertTrue(m.contains("nested at most 64 levels") && m.length() < 1000, m);
        assertThrows(IllegalArgumentException.class, () -> encode(finalDeep));
        List<Object> self = new ArrayList<>();
        self.add(Map.of("me", self));
        assertTrue(refusal(self).contains("does it contain itself?"));

        // read: 64 levels decode, 65 and 200k are refused without a StackOverflowError
        assertEquals(ok, decode(nestedFrame(Codec.MAX_DEPTH)));
        for (int n : new int[] {Codec.MAX_DEPTH + 1, 200_000}) {
            byte[] b = nestedFrame(n);
            IOException e = assertThrows(IOException.class, () -> decode(b));
            assertTrue(e.getMessage().contains("nested more than 64 levels"), e.getMessage());
        }
        byte[] records = new byte[0];
        for (int i = 0; i < 100; i++) records = concat(frame(Codec.RECORD, "mproc.CodecTest$Point", 2), records);
        byte[] deepRecords = records;
        assertThrows(IOException.class, () -> decode(deepRecords));
        ByteArrayOutputStream setsAndMaps = new ByteArrayOutputStream();
        for (int i = 0; i < 100_000; i++) setsAndMaps.write(i % 2 == 0 ? frame(Codec.SET, 1) : frame(Codec.MAP, 1, Codec.NULL));
        setsAndMaps.write(Codec.NULL);
        byte[] sets = setsAndMaps.toByteArray();
        String deepMsg = assertThrows(IOException.class, () -> decode(sets)).getMessage();
        assertTrue(deepMsg.contains("nested more than 64 levels"), deepMsg);
    }

    static byte[] nestedFrame(int levels) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(b);
        for (int i = 0; i < levels; i++) {
            out.writeByte(Codec.LIST);
            out.writeInt(1);
        }
        out.writeByte(Codec.NULL);
        return b.toByteArray();
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] c = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, c, a.length, b.length);
        return c;
    }

    // ---------------------------------------------------------------- hostile input

    @Test
    void declaredLengthsAreBoundedByTheBytesThatRemain() throws IOException {
        int huge = 1 << 28;
        byte[][] frames = {
                frame(Codec.LONGS, huge, 0), // 9 bytes declaring 2^28 longs (2 GiB)
                frame(Codec.DOUBLES, huge), frame(Codec.INTS, huge), frame(Codec.BYTES, huge), frame(Codec.STRING, huge),
                frame(Codec.BOOLEANS, huge), frame(Codec.CHARS, huge), frame(Codec.SHORTS, huge),
                frame(Codec.FLOATS, huge), frame(Codec.STRINGS, huge), frame(Codec.LIST, huge),
                frame(Codec.SET, huge), frame(Codec.MAP, huge), frame(Codec.BIG_INTEGER, huge),
                frame(Codec.BIG_DECIMAL, 0, huge), frame(Codec.STRINGS, 1, huge), frame(Codec.LIST, Integer.MAX_VALUE),
                frame(Codec.LIST, -1), frame(Codec.STRINGS, 1, -2), frame(Codec.ENUM, huge),
                frame(Codec.RECORD, huge), frame(Codec.MAP, 1, Codec.NULL), frame(Codec.BIG_INTEGER, 0),
                frame(Codec.BOOLEANS, 1, new byte[] {2}), frame((byte) 99), new byte[0]};
        assertEquals(9, frames[0].length);
        Runtime rt = Runtime.getRuntime();
        assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            for (byte[] f : frames) {
                long before = rt.totalMemory() - rt.freeMemory();
                assertThrows(IOException.class, () -> decode(f), () -> Arrays.toString(f));
                assertTrue(rt.totalMemory() - rt.freeMemory() - before < 64 << 20, "no large allocation");
            }
        });
    }

    @Test
    void everyTruncationAndRandomDamageGivesIOExceptionOnly() throws IOException {
        Map<String, Object> tags = new LinkedHashMap<>();
        tags.put("n", new BigDecimal("1.5"));
        tags.put("s", new String[] {"x", null});
        Object value = List.of(new Polygon("p", List.of(new Point(1, 2)), Color.RED, tags), 1.5f, (short) 2,
                new double[] {1, 2}, Set.of('c'), Op.PLUS, new Primitives(true, (byte) 1, (short) 2, 'c', 3, 4, 5, 6));
        byte[] whole = encode(value);
        for (int n = 0; n < whole.length; n++) {
            byte[] cut = Arrays.copyOf(whole, n);
            IOException e = assertThrows(IOException.class, () -> decode(cut), "cut at " + n);
            // an EOFException would read as "the other end closed" to a pipe's or the broker's reader
            assertFalse(e instanceof java.io.EOFException, "cut at " + n + " gave " + e);
        }
        Random r = new Random(42);
        for (int i = 0; i < 3000; i++) {
            byte[] b = whole.clone();
            for (int k = 0, hits = 1 + r.nextInt(3); k < hits; k++) b[r.nextInt(b.length)] = (byte) r.nextInt(256);
            try {
                Codec.read(new DataInputStream(new ByteArrayInputStream(b)));
            } catch (IOException expected) {
                // refused
            } catch (RuntimeException | Error e) {
                fail("damaged frame " + Arrays.toString(b) + " gave " + e, e);
            }
        }
        assertFalse(bombInitialised);
    }

    @Test
    void aForgedRecordOrEnumTagNeverInstantiatesAnotherClass() throws IOException {
        for (String name : new String[] {"java.lang.Thread", "java.io.File", "mproc.CodecTest$Bomb",
                "mproc.CodecTest$Color", "java.lang.ProcessBuilder", "[Ljava.lang.String;"}) {
            IOException e = assertThrows(IOException.class, () -> decode(frame(Codec.RECORD, name, 1, Codec.STRING, "/tmp/x")));
            assertEquals("corrupt message: " + name + " is not a record", e.getMessage());
        }
        for (String name : new String[] {"java.lang.Thread", "mproc.CodecTest$Bomb", "mproc.CodecTest$Point",
                "mproc.CodecTest$Op$1"}) {
            IOException e = assertThrows(IOException.class, () -> decode(frame(Codec.ENUM, name, "RED")));
            assertEquals("corrupt message: " + name + " is not an enum", e.getMessage());
        }
        assertFalse(bombInitialised, "the class was not even initialised");
        assertFalse(bombBuilt);

        IOException unknown = assertThrows(IOException.class, () -> decode(frame(Codec.RECORD, "no.such.Rec", 0)));
        assertTrue(unknown.getMessage().contains("no.such.Rec"), unknown.getMessage());
        IOException noConstant = assertThrows(IOException.class, () -> decode(frame(Codec.ENUM, "mproc.CodecTest$Color", "PINK")));
        assertTrue(noConstant.getMessage().contains("PINK"), noConstant.getMessage());
        // a real record, but the wrong count or types of components
        assertThrows(IOException.class, () -> decode(frame(Codec.RECORD, "mproc.CodecTest$Point", 1, Codec.INT, 1)));
        IOException type = assertThrows(IOException.class, () -> decode(frame(Codec.RECORD, "mproc.CodecTest$Point", 2,
                Codec.INT, 1, Codec.STRING, "2")));
        assertTrue(type.getMessage().contains("component y"), type.getMessage());
        assertThrows(IOException.class, () -> decode(frame(Codec.RECORD, "mproc.CodecTest$Point", 2, Codec.INT, 1, Codec.NULL)));
        // the canonical constructor's own check still holds
        IOException refused = assertThrows(IOException.class, () -> decode(frame(Codec.RECORD, "mproc.CodecTest$Checked", 1,
                Codec.INT, -5)));
        assertTrue(refused.getMessage().contains("not positive: -5"), refused.getMessage());
        assertEquals(new Checked(5), decode(frame(Codec.RECORD, "mproc.CodecTest$Checked", 1, Codec.INT, 5)));
    }

    // ---------------------------------------------------------------- Worker fields

    public static class Carrier extends Worker {
        Object anything = "initial";
        List<Object> list;
        Map<String, Integer> map;
        Set<Color> colors;
        Polygon polygon;
        Color color = Color.RED;
        Op op;
        BigDecimal price;
        BigInteger big;
        Float ratio;
        float f;
        char initial;
        Character boxedChar;
        short s;
        byte b;
        long l;
        boolean flag;
        String[] names;
        char[] chars;
        boolean[] bits;
        int[] ints;
        double[] doubles;
        String label = "initialiser";
        Integer boxed = 5;
        Number number;
        Comparable<?> comparable;
        Object[] objects;
        Connection end; // null: travels as an empty address
        transient Thread parentOnly = new Thread(() -> {});

        public Carrier() {}
    }

    @Test
    void workerFieldsOfTheNewTypesTravelAndNullOverridesTheInitialiser() {
        Carrier w = new Carrier();
        Map<String, Object> tags = new LinkedHashMap<>();
        tags.put("k", List.of(1L));
        w.anything = Map.of("x", new Point(1, 2));
        w.list = List.of(1, "two", (short) 3);
        w.map = new TreeMap<>(Map.of("b", 2, "a", 1));
        w.colors = Set.of(Color.BLUE);
        w.polygon = new Polygon("sq", List.of(new Point(0, 0)), Color.GREEN, tags);
        w.color = Color.BLUE;
        w.op = Op.MINUS;
        w.price = new BigDecimal("9.99");
        w.big = BigInteger.TEN.pow(30);
        w.ratio = 0.5f;
        w.f = 1.25f;
        w.initial = 'ß';
        w.boxedChar = 'q';
        w.s = -3;
        w.b = 4;
        w.l = 1L << 50;
        w.flag = true;
        w.names = new String[] {"a", null};
        w.chars = new char[] {'x'};
        w.bits = new boolean[] {true, false};
        w.ints = new int[] {1, 2};
        w.doubles = new double[] {0.5};
        w.label = null;
        w.boxed = null;
        w.number = 7.5f;
        w.comparable = "cmp";
        w.objects = new String[] {"o"};
        Properties p = new Properties();
        List<Connection> ends = new ArrayList<>();
        Fields.encode(w, p, ends);
        assertTrue(ends.isEmpty());
        assertFalse(p.stringPropertyNames().stream().anyMatch(k -> k.endsWith("parentOnly")), "transient stays");

        Carrier c = new Carrier();
        Fields.decode(c, p);
        assertEquals(w.anything, c.anything);
        assertEquals(LinkedHashMap.class, c.anything.getClass());
        assertEquals(List.of(1, "two", (short) 3), c.list);
        assertEquals(Short.class, c.list.get(2).getClass());
        assertEquals(List.of("a", "b"), new ArrayList<>(c.map.keySet()));
        assertEquals(Set.of(Color.BLUE), c.colors);
        assertEquals(w.polygon, c.polygon);
        assertSame(Color.BLUE, c.color);
        assertSame(Op.MINUS, c.op);
        assertEquals(new BigDecimal("9.99"), c.price);
        assertEquals(w.big, c.big);
        assertEquals(Float.valueOf(0.5f), c.ratio);
        assertEquals(1.25f, c.f);
        assertEquals('ß', c.initial);
        assertEquals(Character.valueOf('q'), c.boxedChar);
        assertEquals((short) -3, c.s);
        assertEquals((byte) 4, c.b);
        assertEquals(1L << 50, c.l);
        assertTrue(c.flag);
        assertArrayEquals(new String[] {"a", null}, c.names);
        assertArrayEquals(new char[] {'x'}, c.chars);
        assertArrayEquals(new boolean[] {true, false}, c.bits);
        assertArrayEquals(new int[] {1, 2}, c.ints);
        assertArrayEquals(new double[] {0.5}, c.doubles);
        assertNull(c.label, "null overrides the initialiser");
        assertNull(c.boxed, "null overrides the initialiser");
        assertEquals(Float.class, c.number.getClass());
        assertEquals("cmp", c.comparable);
        assertArrayEquals(new Object[] {"o"}, c.objects);
        assertNull(c.end);
        assertNotNull(c.parentOnly, "a transient field keeps the child's initialiser");
    }

    public static class WithThread extends Worker {
        Thread thread;
    }

    public static class WithAtomic extends Worker {
        AtomicLong counter = new AtomicLong();
    }

    public static class WithObject extends Worker {
        Object value = List.of(1, new Object());
    }

    public static class WithTreeMap extends Worker {
        TreeMap<String, Integer> sorted = new TreeMap<>();
    }

    public static class WithList extends Worker {
        ArrayList<Integer> list = new ArrayList<>(); // what a List arrives as: fine
        java.util.LinkedList<Integer> linked;
    }

    public static class WithLambda extends Worker {
        Runnable action = () -> {};
    }

    @Test
    void fieldsThatCannotTravelAreRefusedAtEncodeNamingTheField() {
        String t = encodeRefusal(new WithThread());
        assertTrue(t.startsWith("field WithThread.thread of type java.lang.Thread cannot travel") && t.contains("transient"), t);
        String a = encodeRefusal(new WithAtomic());
        assertTrue(a.startsWith("field WithAtomic.counter of type java.util.concurrent.atomic.AtomicLong cannot travel")
                && a.contains("transient"), a);
        String o = encodeRefusal(new WithObject());
        assertTrue(o.startsWith("field WithObject.value of type java.lang.Object cannot travel to a worker JVM: cannot"
                + " send a java.lang.Object (in list element 1) to another JVM") && o.contains("transient"), o);
        String m = encodeRefusal(new WithTreeMap());
        assertTrue(m.startsWith("field WithTreeMap.sorted of type java.util.TreeMap cannot travel"), m);
        String l = encodeRefusal(new WithList());
        assertTrue(l.startsWith("field WithList.linked of type java.util.LinkedList cannot travel"), l);
        String r = encodeRefusal(new WithLambda());
        assertTrue(r.startsWith("field WithLambda.action of type java.lang.Runnable cannot travel") && r.contains("lambda"), r);
    }

    static String encodeRefusal(Worker w) {
        return assertThrows(IllegalArgumentException.class, () -> Fields.encode(w, new Properties(), new ArrayList<>()))
                .getMessage();
    }

    public static class Typed extends Worker {
        int number = 1;
        String text = "t";
    }

    @Test
    void decodeChecksTheValueFitsTheField() throws IOException {
        Properties p = new Properties();
        p.setProperty("field.mproc.CodecTest$Typed.number", java.util.Base64.getEncoder().encodeToString(encode("nine")));
        var e = assertThrows(IllegalArgumentException.class, () -> Fields.decode(new Typed(), p));
        assertTrue(e.getMessage().contains("Typed.number of type int cannot hold the value sent, a java.lang.String"),
                e.getMessage());
        p.setProperty("field.mproc.CodecTest$Typed.number", java.util.Base64.getEncoder().encodeToString(encode(null)));
        assertThrows(IllegalArgumentException.class, () -> Fields.decode(new Typed(), p), "null into an int");
        p.setProperty("field.mproc.CodecTest$Typed.number", java.util.Base64.getEncoder().encodeToString(encode(9L)));
        assertThrows(IllegalArgumentException.class, () -> Fields.decode(new Typed(), p), "a Long into an int");
        p.setProperty("field.mproc.CodecTest$Typed.number", java.util.Base64.getEncoder().encodeToString(encode(9)));
        p.setProperty("field.mproc.CodecTest$Typed.text", "AA=="); // NULL
        Typed t = new Typed();
        Fields.decode(t, p);
        assertEquals(9, t.number);
        assertNull(t.text);
        p.setProperty("field.mproc.CodecTest$Typed.text", "!!not base64");
        assertThrows(IllegalArgumentException.class, () -> Fields.decode(new Typed(), p));
    }
}
