package mproc;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.RecordComponent;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The explicit encoding of everything sent between JVMs: a tag byte, then the value. Only plain data
 * travels, and it keeps its type: null, Boolean, Byte, Short, Integer, Long, Float, Double, Character,
 * String, BigInteger, BigDecimal; arrays of boolean, byte, char, short, int, long, float, double and
 * String; lists (arriving as ArrayList), sets (LinkedHashSet) and maps (LinkedHashMap), in their
 * iteration order; enums (by class and constant name) and records (by class and components, rebuilt
 * through the canonical constructor), nested up to {@value #MAX_DEPTH} levels. Anything else is refused
 * with a message naming its type and where it sits; there is no Java serialization.
 *
 * <p>Wire format (big-endian; "len" is a 4-byte count, "str" is a len and that many UTF-8 bytes):
 * <pre>
 *  0 NULL   1 TRUE   2 FALSE   3 INT i32   4 LONG i64   5 DOUBLE f64   6 STRING str
 *  7 BYTES len u8*   8 INTS len i32*   9 LONGS len i64*   10 DOUBLES len f64*   11 LIST len value*
 * 12 BYTE i8   13 SHORT i16   14 FLOAT f32   15 CHAR u16   16 BIG_INTEGER len bytes (two's complement)
 * 17 BIG_DECIMAL scale:i32 len bytes (unscaled)   18 BOOLEANS len u8*   19 CHARS len u16*
 * 20 SHORTS len i16*   21 FLOATS len f32*   22 STRINGS len (i32 -1 for null | str body)*
 * 23 SET len value*   24 MAP len (key value)*   25 ENUM class:str constant:str
 * 26 RECORD class:str count:i32 value*
 * </pre>
 * Floats and doubles travel as their raw bits.
 *
 * <p>Decoding is bounded by its input: {@link #read} takes {@code in.available()} as the bytes left of the
 * message (callers decode from a byte array), so a declared length that the message cannot hold is
 * refused before anything is allocated. A decoded enum or record class is looked up by name ({@link
 * #remember}) and refused unless it really is an enum or a record, before it is initialised: decoding
 * never instantiates any other class.
 */
final class Codec {
    static final byte NULL = 0, TRUE = 1, FALSE = 2, INT = 3, LONG = 4, DOUBLE = 5, STRING = 6,
            BYTES = 7, INTS = 8, LONGS = 9, DOUBLES = 10, LIST = 11,
            BYTE = 12, SHORT = 13, FLOAT = 14, CHAR = 15, BIG_INTEGER = 16, BIG_DECIMAL = 17,
            BOOLEANS = 18, CHARS = 19, SHORTS = 20, FLOATS = 21, STRINGS = 22,
            SET = 23, MAP = 24, ENUM = 25, RECORD = 26;
    /** The most elements (or bytes) one length may declare. */
    static final int MAX_LENGTH = 256 << 20;
    /** How many lists, sets, maps and records may be nested in one another. */
    static final int MAX_DEPTH = 64;

    static final String WHAT_TRAVELS = "send null, booleans, numbers (Byte, Short, Integer, Long, Float, Double,"
            + " BigInteger, BigDecimal), characters, strings, arrays of boolean/byte/char/short/int/long/float/double"
            + "/String, and lists, sets, maps, enums and records of these";

    /** The classes values arrive as (besides enums and records), for {@link #canHold}. */
    private static final List<Class<?>> ARRIVING = List.of(Boolean.class, Byte.class, Short.class, Integer.class,
            Long.class, Float.class, Double.class, Character.class, String.class, BigInteger.class, BigDecimal.class,
            boolean[].class, byte[].class, char[].class, short[].class, int[].class, long[].class, float[].class,
            double[].class, String[].class, ArrayList.class, LinkedHashSet.class, LinkedHashMap.class, Enum.class,
            Record.class);

    private Codec() {}

    // ---------------------------------------------------------------- writing

    /** Encodes {@code v}; IllegalArgumentException (before or part way through) if it cannot travel. */
    static void write(DataOutputStream out, Object v) throws IOException {
        walk(java.util.Objects.requireNonNull(out, "out"), v, 0);
    }

    /**
     * Refuses, at once, a value that could not be sent: the very walk {@link #write} makes, without the bytes,
     * so that what passes here cannot fail in write.
     */
    static void check(Object v) {
        try {
            walk(new Discard(), v, 0);
        } catch (IOException e) {
            throw new IllegalStateException("nowhere to write, yet " + e, e); // the null stream never fails
        }
    }

    /**
     * One whole frame, as {@link FrameChannel} sends it (a 4-byte length, then the value), encoded now, in one
     * walk: what is sent later is this snapshot, whatever happens to {@code v} meanwhile. IllegalArgumentException
     * if {@code v} cannot travel, or if it is over {@link FrameChannel#MAX_FRAME} bytes (found before an array
     * over the limit is copied, and without making more than the limit's bytes).
     */
    static byte[] frame(Object v) {
        Capped b = new Capped();
        Framing out = new Framing(b);
        try {
            out.writeInt(0);
            walk(out, v, 0);
        } catch (IOException e) {
            throw new IllegalStateException("cannot write to memory: " + e, e);
        }
        byte[] f = b.toByteArray();
        int len = f.length - 4;
        f[0] = (byte) (len >>> 24);
        f[1] = (byte) (len >>> 16);
        f[2] = (byte) (len >>> 8);
        f[3] = (byte) len;
        return f;
    }

    /** Bytes in memory, refusing to grow past one frame. */
    private static final class Capped extends java.io.ByteArrayOutputStream {
        static final long MAX = 4L + FrameChannel.MAX_FRAME;

        Capped() {
            super(64);
        }

        void room(long n) {
            if (count + n > MAX) {
                throw new IllegalArgumentException("a message of over " + FrameChannel.MAX_FRAME + " bytes is over the limit of "
                        + FrameChannel.MAX_FRAME + " bytes per message; send it in parts");
            }
        }

        @Override
        public synchronized void write(int b) {
            room(1);
            super.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            room(len);
            super.write(b, off, len);
        }
    }

    private static final class Framing extends DataOutputStream {
        final Capped capped;

        Framing(Capped capped) {
            super(capped);
            this.capped = capped;
        }
    }

    /** Before an array's contents: refuses at once what cannot fit in a frame (see {@link #frame}). */
    private static void room(DataOutputStream out, long bytes) {
        if (out instanceof Framing f) f.capped.room(bytes);
    }

    /** Encodes to a null stream: lengths and types are checked, array contents skipped. */
    private static final class Discard extends DataOutputStream {
        Discard() {
            super(OutputStream.nullOutputStream());
        }
    }

    private static void walk(DataOutputStream out, Object v, int depth) throws IOException {
        boolean bytes = !(out instanceof Discard);
        if (v == null) out.writeByte(NULL);
        else if (v instanceof String s) { out.writeByte(STRING); string(out, s); }
        else if (v instanceof Integer i) { out.writeByte(INT); out.writeInt(i); }
        else if (v instanceof Long l) { out.writeByte(LONG); out.writeLong(l); }
        else if (v instanceof Double d) { out.writeByte(DOUBLE); out.writeLong(Double.doubleToRawLongBits(d)); }
        else if (v instanceof Boolean b) out.writeByte(b ? TRUE : FALSE);
        else if (v instanceof Float f) { out.writeByte(FLOAT); out.writeInt(Float.floatToRawIntBits(f)); }
        else if (v instanceof Short s) { out.writeByte(SHORT); out.writeShort(s); }
        else if (v instanceof Byte b) { out.writeByte(BYTE); out.writeByte(b); }
        else if (v instanceof Character c) { out.writeByte(CHAR); out.writeChar(c); }
        else if (v.getClass() == BigInteger.class) { out.writeByte(BIG_INTEGER); bigInteger(out, (BigInteger) v); }
        else if (v.getClass() == BigDecimal.class) {
            BigDecimal d = (BigDecimal) v;
            out.writeByte(BIG_DECIMAL);
            out.writeInt(d.scale());
            bigInteger(out, d.unscaledValue());
        }
        else if (v instanceof byte[] a) { out.writeByte(BYTES); length(out, a.length, v); room(out, a.length); if (bytes) out.write(a); }
        else if (v instanceof int[] a) { out.writeByte(INTS); length(out, a.length, v); room(out, 4L * a.length); if (bytes) for (int x : a) out.writeInt(x); }
        else if (v instanceof long[] a) { out.writeByte(LONGS); length(out, a.length, v); room(out, 8L * a.length); if (bytes) for (long x : a) out.writeLong(x); }
        else if (v instanceof double[] a) {
            out.writeByte(DOUBLES); length(out, a.length, v); room(out, 8L * a.length);
            if (bytes) for (double x : a) out.writeLong(Double.doubleToRawLongBits(x));
        }
        else if (v instanceof boolean[] a) { out.writeByte(BOOLEANS); length(out, a.length, v); room(out, a.length); if (bytes) for (boolean x : a) out.writeByte(x ? 1 : 0); }
        else if (v instanceof char[] a) { out.writeByte(CHARS); length(out, a.length, v); room(out, 2L * a.length); if (bytes) for (char x : a) out.writeChar(x); }
        else if (v instanceof short[] a) { out.writeByte(SHORTS); length(out, a.length, v); room(out, 2L * a.length); if (bytes) for (short x : a) out.writeShort(x); }
        else if (v instanceof float[] a) {
            out.writeByte(FLOATS); length(out, a.length, v); room(out, 4L * a.length);
            if (bytes) for (float x : a) out.writeInt(Float.floatToRawIntBits(x));
        }
        else if (v instanceof String[] a) {
            out.writeByte(STRINGS);
            length(out, a.length, v);
            for (String s : a) {
                if (s == null) out.writeInt(-1);
                else string(out, s);
            }
        }
        else if (v instanceof Enum<?> e) {
            Class<?> c = e.getDeclaringClass();
            remember(c.getClassLoader());
            out.writeByte(ENUM);
            string(out, c.getName());
            string(out, e.name());
        }
        else if (v instanceof Record r) record(out, r, depth);
        else if (v instanceof List<?> l) {
            nest(v, depth);
            Object[] items = l.toArray(); // one consistent count, even for a list another thread changes
            out.writeByte(LIST);
            length(out, items.length, v);
            for (int i = 0; i < items.length; i++) {
                try {
                    walk(out, items[i], depth + 1);
                } catch (Refused x) {
                    throw x.in("list element " + i);
                }
            }
        }
        else if (v instanceof Set<?> s) {
            nest(v, depth);
            Object[] items = s.toArray();
            out.writeByte(SET);
            length(out, items.length, v);
            for (int i = 0; i < items.length; i++) {
                try {
                    walk(out, items[i], depth + 1);
                } catch (Refused x) {
                    throw x.in("set element " + i);
                }
            }
        }
        else if (v instanceof Map<?, ?> m) {
            nest(v, depth);
            Object[] entries = m.entrySet().toArray();
            out.writeByte(MAP);
            length(out, entries.length, v);
            for (int i = 0; i < entries.length; i++) {
                Map.Entry<?, ?> e = (Map.Entry<?, ?>) entries[i];
                Object key = e.getKey();
                try {
                    walk(out, key, depth + 1);
                } catch (Refused x) {
                    throw x.in("map key " + i);
                }
                try {
                    walk(out, e.getValue(), depth + 1);
                } catch (Refused x) {
                    throw x.in("map value for " + describeKey(key, i));
                }
            }
        }
        else if (v.getClass().isHidden()) {
            throw new Refused(v, "a lambda (or another hidden class) has no name another JVM could load; "
                    + WHAT_TRAVELS);
        }
        else throw new Refused(v, WHAT_TRAVELS);
    }

    private static void record(DataOutputStream out, Record r, int depth) throws IOException {
        nest(r, depth);
        Class<?> c = r.getClass();
        if (c.isHidden()) throw new Refused(r, "its class is hidden: no other JVM could load it by name");
        Shape shape = SHAPES.get(c);
        if (shape.problem != null) throw new Refused(r, shape.problem);
        remember(c.getClassLoader());
        out.writeByte(RECORD);
        string(out, c.getName());
        out.writeInt(shape.names.length);
        for (int i = 0; i < shape.names.length; i++) {
            String where = "component " + shape.names[i] + " of record " + c.getName();
            Object value;
            try {
                value = shape.accessors[i].invoke(r);
            } catch (InvocationTargetException e) {
                throw (Refused) new Refused(r, "its accessor " + shape.names[i] + "() threw " + e.getCause())
                        .initCause(e.getCause());
            } catch (IllegalAccessException e) {
                throw new Refused(r, "its component " + shape.names[i] + " cannot be read: " + e.getMessage());
            }
            Class<?> arrives = arrives(value);
            if (arrives != null && !shape.boxed[i].isAssignableFrom(arrives)) {
                throw new Refused(value, "it would arrive as a " + arrives.getName() + ", which the component's type "
                        + shape.types[i].getTypeName() + " cannot hold").in(where);
            }
            try {
                walk(out, value, depth + 1);
            } catch (Refused x) {
                throw x.in(where);
            }
        }
    }

    private static void nest(Object v, int depth) {
        if (depth >= MAX_DEPTH) {
            throw new Refused(v, "values may be nested at most " + MAX_DEPTH + " levels deep (does it contain itself?)");
        }
    }

    private static void length(DataOutputStream out, int n, Object v) throws IOException {
        if (n > MAX_LENGTH) throw new Refused(v, "its length " + n + " is over " + MAX_LENGTH + ", the most one value carries");
        out.writeInt(n);
    }

    private static void string(DataOutputStream out, String s) throws IOException {
        if (out instanceof Discard && s.length() <= MAX_LENGTH / 3) return; // fits: at most 3 UTF-8 bytes a char
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        if (b.length > MAX_LENGTH) throw new Refused(s, "it is " + b.length + " bytes in UTF-8, over " + MAX_LENGTH
                + ", the most one value carries");
        out.writeInt(b.length);
        out.write(b);
    }

    private static void bigInteger(DataOutputStream out, BigInteger b) throws IOException {
        byte[] a = b.toByteArray();
        length(out, a.length, b);
        out.write(a);
    }

    private static String describeKey(Object key, int i) {
        String text;
        if (key instanceof String s) text = '"' + s + '"';
        else if (key instanceof Character c) text = "'" + c + "'";
        else if (key == null || key instanceof Number || key instanceof Boolean || key instanceof Enum<?>) text = String.valueOf(key);
        else return "entry " + i + " (a " + key.getClass().getTypeName() + " key)";
        return "key " + (text.length() > 40 ? text.substring(0, 37) + "..." : text);
    }

    /**
     * The class {@code v} has once decoded (null for null): its own, but ArrayList for a list, LinkedHashSet
     * for a set and LinkedHashMap for a map. Meaningful for values that can travel.
     */
    static Class<?> arrives(Object v) {
        if (v == null) return null;
        if (v instanceof Enum<?> || v instanceof Record) return v.getClass();
        if (v instanceof List<?>) return ArrayList.class;
        if (v instanceof Set<?>) return LinkedHashSet.class;
        if (v instanceof Map<?, ?>) return LinkedHashMap.class;
        return v.getClass();
    }

    /** Whether a variable of type {@code t} can hold some value that travels (so it is worth trying). */
    static boolean canHold(Class<?> t) {
        if (t.isPrimitive() || t.isInterface() || t.isEnum() || t.isRecord()) return true;
        for (Class<?> k : ARRIVING) if (t.isAssignableFrom(k)) return true;
        return false;
    }

    /** An IllegalArgumentException that collects where the refused value sits as it travels up the walk. */
    private static final class Refused extends IllegalArgumentException {
        private final String type, reason;
        private final List<String> where = new ArrayList<>(4);

        Refused(Object v, String reason) {
            super(reason);
            this.type = v.getClass().getTypeName();
            this.reason = reason;
        }

        Refused in(String place) {
            where.add(place);
            return this;
        }

        @Override
        public String getMessage() {
            StringBuilder sb = new StringBuilder("cannot send a ").append(type);
            if (!where.isEmpty()) {
                List<String> shown = where;
                if (where.size() > 6) { // a value nested too deep: its innermost and outermost places
                    shown = new ArrayList<>(where.subList(0, 3));
                    shown.add("... (" + (where.size() - 5) + " more)");
                    shown.addAll(where.subList(where.size() - 2, where.size()));
                }
                sb.append(" (in ").append(String.join(" of ", shown)).append(')');
            }
            return sb.append(" to another JVM: ").append(reason).toString();
        }
    }

    // ---------------------------------------------------------------- records and class lookup

    /** What encoding and decoding a record class need, found once per class. */
    private static final class Shape {
        final String[] names;
        final Class<?>[] types, boxed;
        final Method[] accessors;
        final Constructor<?> canonical;
        final String problem; // why the class cannot travel, or null

        Shape(Class<?> c) {
            RecordComponent[] rc = c.getRecordComponents();
            int n = rc.length;
            names = new String[n];
            types = new Class<?>[n];
            boxed = new Class<?>[n];
            accessors = new Method[n];
            Constructor<?> ctor = null;
            String why = null;
            try {
                for (int i = 0; i < n; i++) {
                    names[i] = rc[i].getName();
                    types[i] = rc[i].getType();
                    boxed[i] = box(types[i]);
                    accessors[i] = rc[i].getAccessor();
                    accessors[i].setAccessible(true);
                }
                ctor = c.getDeclaredConstructor(types);
                ctor.setAccessible(true);
            } catch (NoSuchMethodException | RuntimeException e) { // InaccessibleObjectException, SecurityException
                why = "record " + c.getName() + " cannot be taken apart and rebuilt here: " + e;
            }
            canonical = ctor;
            problem = why;
        }
    }

    private static final ClassValue<Shape> SHAPES = new ClassValue<>() {
        @Override
        protected Shape computeValue(Class<?> c) {
            return new Shape(c);
        }
    };

    static Class<?> box(Class<?> t) {
        if (!t.isPrimitive()) return t;
        if (t == int.class) return Integer.class;
        if (t == long.class) return Long.class;
        if (t == double.class) return Double.class;
        if (t == boolean.class) return Boolean.class;
        if (t == float.class) return Float.class;
        if (t == short.class) return Short.class;
        if (t == byte.class) return Byte.class;
        if (t == char.class) return Character.class;
        return Void.class;
    }

    private static final CopyOnWriteArrayList<ClassLoader> LOADERS = new CopyOnWriteArrayList<>();

    /**
     * Adds a class loader that decoding tries first when it looks up an enum or record class by name (once;
     * the bootstrap loader, null, is always there). Encoding a record or enum remembers its loader, so that
     * a value of a class from, say, a JShell session decodes again in this JVM (e.g. in the Broker's threads).
     * Remembered loaders are kept for the life of the JVM.
     */
    static void remember(ClassLoader l) {
        if (l == null || !LOADERS.isEmpty() && LOADERS.get(0) == l) return;
        // the newest first: two notebook sessions of one JVM may both have a class of that name
        synchronized (LOADERS) {
            LOADERS.remove(l);
            LOADERS.add(0, l);
        }
    }

    /** Loads (without initialising) a class by name: remembered loaders, the context loader, Codec's loader. */
    private static Class<?> resolve(String name) throws IOException {
        for (ClassLoader l : LOADERS) {
            Class<?> c = tryLoad(name, l);
            if (c != null) return c;
        }
        ClassLoader context = Thread.currentThread().getContextClassLoader();
        if (context != null) {
            Class<?> c = tryLoad(name, context);
            if (c != null) return c;
        }
        Class<?> c = tryLoad(name, Codec.class.getClassLoader());
        if (c != null) return c;
        throw new IOException("message names class " + name + ", which this JVM cannot load (is it on the worker's"
                + " class path?)");
    }

    private static Class<?> tryLoad(String name, ClassLoader l) {
        try {
            return Class.forName(name, false, l);
        } catch (ClassNotFoundException | LinkageError e) {
            return null;
        }
    }

    // ---------------------------------------------------------------- reading

    /**
     * Decodes one value. {@code in.available()} must be the bytes left of the message (a stream over a byte
     * array): lengths beyond it are refused as corrupt, and so is a message that ends inside a value
     * (an IOException, never an EOFException, which callers take for the end of the stream).
     */
    static Object read(DataInputStream in) throws IOException {
        try {
            return read(in, 0);
        } catch (java.io.EOFException e) {
            // not the end of the stream: the message ended inside a value (an EOFException would say "closed")
            throw new IOException("corrupt message: it ends inside a value", e);
        }
    }

    /**
     * The one value of a frame's payload ({@code len} bytes of {@code b} from {@code off}): as {@link
     * #read(DataInputStream)}, and bytes left after the value make the frame corrupt too.
     */
    static Object decode(byte[] b, int off, int len) throws IOException {
        DataInputStream d = new DataInputStream(new java.io.ByteArrayInputStream(b, off, len));
        Object v = read(d);
        if (d.available() > 0) throw new IOException("corrupt frame: " + d.available() + " bytes after its value");
        return v;
    }

    private static Object read(DataInputStream in, int depth) throws IOException {
        byte tag = in.readByte();
        switch (tag) {
            case NULL: return null;
            case TRUE: return Boolean.TRUE;
            case FALSE: return Boolean.FALSE;
            case INT: return in.readInt();
            case LONG: return in.readLong();
            case DOUBLE: return Double.longBitsToDouble(in.readLong());
            case STRING: return string(in);
            case BYTE: return in.readByte();
            case SHORT: return in.readShort();
            case FLOAT: return Float.intBitsToFloat(in.readInt());
            case CHAR: return in.readChar();
            case BIG_INTEGER: return bigInteger(in);
            case BIG_DECIMAL: { int scale = in.readInt(); return new BigDecimal(bigInteger(in), scale); }
            case BYTES: { byte[] b = new byte[length(in, 1)]; in.readFully(b); return b; }
            case INTS: { int[] a = new int[length(in, 4)]; for (int i = 0; i < a.length; i++) a[i] = in.readInt(); return a; }
            case LONGS: { long[] a = new long[length(in, 8)]; for (int i = 0; i < a.length; i++) a[i] = in.readLong(); return a; }
            case DOUBLES: {
                double[] a = new double[length(in, 8)];
                for (int i = 0; i < a.length; i++) a[i] = Double.longBitsToDouble(in.readLong());
                return a;
            }
            case BOOLEANS: {
                boolean[] a = new boolean[length(in, 1)];
                for (int i = 0; i < a.length; i++) {
                    byte b = in.readByte();
                    if (b != 0 && b != 1) throw new IOException("corrupt message: boolean " + b);
                    a[i] = b == 1;
                }
                return a;
            }
            case CHARS: { char[] a = new char[length(in, 2)]; for (int i = 0; i < a.length; i++) a[i] = in.readChar(); return a; }
            case SHORTS: { short[] a = new short[length(in, 2)]; for (int i = 0; i < a.length; i++) a[i] = in.readShort(); return a; }
            case FLOATS: {
                float[] a = new float[length(in, 4)];
                for (int i = 0; i < a.length; i++) a[i] = Float.intBitsToFloat(in.readInt());
                return a;
            }
            case STRINGS: {
                String[] a = new String[length(in, 4)];
                for (int i = 0; i < a.length; i++) {
                    int n = in.readInt();
                    if (n != -1) a[i] = string(in, n);
                }
                return a;
            }
            case LIST: {
                checkDepth(depth);
                int n = length(in, 1);
                List<Object> l = new ArrayList<>(Math.min(n, 1 << 16));
                for (int i = 0; i < n; i++) l.add(read(in, depth + 1));
                return l;
            }
            case SET: {
                checkDepth(depth);
                int n = length(in, 1);
                Set<Object> s = LinkedHashSet.newLinkedHashSet(Math.min(n, 1 << 16));
                for (int i = 0; i < n; i++) s.add(read(in, depth + 1));
                return s;
            }
            case MAP: {
                checkDepth(depth);
                int n = length(in, 2);
                Map<Object, Object> m = LinkedHashMap.newLinkedHashMap(Math.min(n, 1 << 16));
                for (int i = 0; i < n; i++) {
                    Object k = read(in, depth + 1);
                    m.put(k, read(in, depth + 1));
                }
                return m;
            }
            case ENUM: return readEnum(in);
            case RECORD: checkDepth(depth); return readRecord(in, depth);
            default: throw new IOException("corrupt message: unknown tag " + tag);
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object readEnum(DataInputStream in) throws IOException {
        String name = string(in);
        String constant = string(in);
        Class<?> c = resolve(name);
        if (!c.isEnum()) throw new IOException("corrupt message: " + name + " is not an enum");
        try {
            return Enum.valueOf((Class) c, constant);
        } catch (IllegalArgumentException e) {
            throw new IOException("message names " + name + "." + constant + ", which this JVM's " + name
                    + " does not have");
        }
    }

    private static Object readRecord(DataInputStream in, int depth) throws IOException {
        String name = string(in);
        Class<?> c = resolve(name);
        // refused before anything about c runs: loading did not initialise it, and only a record is rebuilt
        if (!c.isRecord()) throw new IOException("corrupt message: " + name + " is not a record");
        Shape shape = SHAPES.get(c);
        if (shape.problem != null) throw new IOException(shape.problem);
        int n = in.readInt();
        if (n != shape.names.length) {
            throw new IOException("message gives record " + name + " " + n + " components; this JVM's has "
                    + shape.names.length);
        }
        Object[] args = new Object[n];
        for (int i = 0; i < n; i++) {
            Object v = read(in, depth + 1);
            if (v == null ? shape.types[i].isPrimitive() : !shape.boxed[i].isInstance(v)) {
                throw new IOException("corrupt message: component " + shape.names[i] + " of record " + name + " is "
                        + (v == null ? "null" : "a " + v.getClass().getTypeName()) + ", not "
                        + shape.types[i].getTypeName());
            }
            args[i] = v;
        }
        try {
            return shape.canonical.newInstance(args);
        } catch (InvocationTargetException e) {
            throw new IOException("record " + name + " refused the values sent: " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException | IllegalArgumentException e) {
            throw new IOException("cannot rebuild record " + name + ": " + e, e);
        }
    }

    private static void checkDepth(int depth) throws IOException {
        if (depth >= MAX_DEPTH) throw new IOException("corrupt message: nested more than " + MAX_DEPTH + " levels deep");
    }

    /** A declared count of items of at least {@code unit} bytes each, checked against the bytes left. */
    private static int length(DataInputStream in, int unit) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_LENGTH) throw new IOException("corrupt message: length " + n);
        int left = in.available();
        if ((long) n * unit > left) {
            throw new IOException("corrupt message: length " + n + " needs " + (long) n * unit + " bytes, "
                    + left + " are left");
        }
        return n;
    }

    private static String string(DataInputStream in) throws IOException {
        return string(in, in.readInt());
    }

    private static String string(DataInputStream in, int n) throws IOException {
        if (n < 0 || n > MAX_LENGTH || n > in.available()) throw new IOException("corrupt message: string length " + n);
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static BigInteger bigInteger(DataInputStream in) throws IOException {
        byte[] b = new byte[length(in, 1)];
        if (b.length == 0) throw new IOException("corrupt message: a big integer of no bytes");
        in.readFully(b);
        return new BigInteger(b);
    }
}
