package mproc;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The explicit encoding of everything sent between JVMs: a tag byte, then the value. Only plain data
 * travels: null, booleans, whole numbers (int, long), doubles, strings, byte/int/long/double arrays and
 * lists of these. Anything else is refused with a message; there is no Java serialization.
 */
final class Codec {
    private static final byte NULL = 0, TRUE = 1, FALSE = 2, INT = 3, LONG = 4, DOUBLE = 5, STRING = 6,
            BYTES = 7, INTS = 8, LONGS = 9, DOUBLES = 10, LIST = 11;
    private static final int MAX_LENGTH = 256 << 20;

    private Codec() {}

    static void write(DataOutputStream out, Object v) throws IOException {
        if (v == null) out.writeByte(NULL);
        else if (v instanceof Boolean b) out.writeByte(b ? TRUE : FALSE);
        else if (v instanceof Integer i) { out.writeByte(INT); out.writeInt(i); }
        else if (v instanceof Long l) { out.writeByte(LONG); out.writeLong(l); }
        else if (v instanceof Short || v instanceof Byte) { out.writeByte(INT); out.writeInt(((Number) v).intValue()); }
        else if (v instanceof Double d) { out.writeByte(DOUBLE); out.writeDouble(d); }
        else if (v instanceof Float f) { out.writeByte(DOUBLE); out.writeDouble(f); }
        else if (v instanceof String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            out.writeByte(STRING); out.writeInt(b.length); out.write(b);
        } else if (v instanceof byte[] a) { out.writeByte(BYTES); out.writeInt(a.length); out.write(a); }
        else if (v instanceof int[] a) { out.writeByte(INTS); out.writeInt(a.length); for (int x : a) out.writeInt(x); }
        else if (v instanceof long[] a) { out.writeByte(LONGS); out.writeInt(a.length); for (long x : a) out.writeLong(x); }
        else if (v instanceof double[] a) { out.writeByte(DOUBLES); out.writeInt(a.length); for (double x : a) out.writeDouble(x); }
        else if (v instanceof List<?> l) { out.writeByte(LIST); out.writeInt(l.size()); for (Object o : l) write(out, o); }
        else throw new IllegalArgumentException("cannot send a " + v.getClass().getName() + " to another JVM: send numbers,"
                    + " strings, booleans, byte/int/long/double arrays or lists of these");
    }

    /** Refuses, at once, a value that could not be sent. */
    static void check(Object v) {
        if (v == null || v instanceof Boolean || v instanceof Number && !(v instanceof java.math.BigInteger
                || v instanceof java.math.BigDecimal || v instanceof java.util.concurrent.atomic.AtomicLong
                || v instanceof java.util.concurrent.atomic.AtomicInteger) || v instanceof String
                || v instanceof byte[] || v instanceof int[] || v instanceof long[] || v instanceof double[]) return;
        if (v instanceof List<?> l) {
            for (Object o : l) check(o);
            return;
        }
        throw new IllegalArgumentException("cannot send a " + v.getClass().getName() + " to another JVM: send numbers,"
                + " strings, booleans, byte/int/long/double arrays or lists of these");
    }

    static Object read(DataInputStream in) throws IOException {
        byte tag = in.readByte();
        switch (tag) {
            case NULL: return null;
            case TRUE: return Boolean.TRUE;
            case FALSE: return Boolean.FALSE;
            case INT: return in.readInt();
            case LONG: return in.readLong();
            case DOUBLE: return in.readDouble();
            case STRING: { byte[] b = new byte[length(in)]; in.readFully(b); return new String(b, StandardCharsets.UTF_8); }
            case BYTES: { byte[] b = new byte[length(in)]; in.readFully(b); return b; }
            case INTS: { int[] a = new int[length(in)]; for (int i = 0; i < a.length; i++) a[i] = in.readInt(); return a; }
            case LONGS: { long[] a = new long[length(in)]; for (int i = 0; i < a.length; i++) a[i] = in.readLong(); return a; }
            case DOUBLES: { double[] a = new double[length(in)]; for (int i = 0; i < a.length; i++) a[i] = in.readDouble(); return a; }
            case LIST: {
                int n = length(in);
                List<Object> l = new ArrayList<>(Math.min(n, 1 << 16));
                for (int i = 0; i < n; i++) l.add(read(in));
                return l;
            }
            default: throw new IOException("corrupt message: unknown tag " + tag);
        }
    }

    private static int length(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n < 0 || n > MAX_LENGTH) throw new IOException("corrupt message: length " + n);
        return n;
    }
}
