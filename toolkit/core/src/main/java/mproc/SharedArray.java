package mproc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A fixed-size array of numbers that several JVMs see at once (Python's {@code multiprocessing.Array}):
 * a memory-mapped file in the creating JVM's private directory. Reads and writes of one element are
 * atomic; {@link #add} and {@link #compareAndSet} are atomic read-modify-writes across processes. Anything
 * bigger (a row, a read-then-write) needs a {@link Lock}.
 */
public final class SharedArray implements Shareable {
    private static final VarHandle LONGS = MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final VarHandle DOUBLES = MethodHandles.byteBufferViewVarHandle(double[].class, ByteOrder.nativeOrder());
    private static final long MAX = 1L << 27; // 1 GiB of 8-byte elements
    private final Path file;
    private final int length;
    private final boolean doubles;
    private final MappedByteBuffer buf;

    private SharedArray(Path file, int length, boolean doubles, boolean create) {
        this.file = file;
        this.length = length;
        this.doubles = doubles;
        try (FileChannel ch = create
                ? FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE)
                : FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            buf = ch.map(FileChannel.MapMode.READ_WRITE, 0, 8L * length);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot map shared array " + file + ": " + e.getMessage(), e);
        }
    }

    /** A new array of {@code length} longs, all 0. */
    public static SharedArray ofLongs(int length) {
        return new SharedArray(Ipc.newPath("a"), check(length), false, true);
    }

    /** A new array of {@code length} doubles, all 0.0. */
    public static SharedArray ofDoubles(int length) {
        return new SharedArray(Ipc.newPath("a"), check(length), true, true);
    }

    private static int check(int length) {
        if (length < 1 || length > MAX) throw new IllegalArgumentException("length must be between 1 and " + MAX + ", got " + length);
        return length;
    }

    public static SharedArray attach(String address) {
        String[] f = address.split("\\|");
        if (f.length != 4 || !f[0].equals("mproc-array")) throw new IllegalArgumentException("not a shared array address: " + address);
        return new SharedArray(Path.of(f[1]), Integer.parseInt(f[2]), f[3].equals("d"), false);
    }

    @Override
    public String address() {
        return "mproc-array|" + file + "|" + length + "|" + (doubles ? "d" : "l");
    }

    public int length() {
        return length;
    }

    public boolean holdsDoubles() {
        return doubles;
    }

    private int at(int i) {
        if (i < 0 || i >= length) throw new IndexOutOfBoundsException("index " + i + " of a shared array of " + length);
        return i * 8;
    }

    public long getLong(int i) {
        return doubles ? (long) getDouble(i) : (long) LONGS.getVolatile(buf, at(i));
    }

    public void setLong(int i, long v) {
        if (doubles) setDouble(i, v);
        else LONGS.setVolatile(buf, at(i), v);
    }

    /** Adds atomically; returns the new value. */
    public long add(int i, long delta) {
        if (doubles) return (long) add(i, (double) delta);
        return (long) LONGS.getAndAdd(buf, at(i), delta) + delta;
    }

    public boolean compareAndSet(int i, long expected, long v) {
        return LONGS.compareAndSet(buf, at(i), expected, v);
    }

    public double getDouble(int i) {
        return doubles ? (double) DOUBLES.getVolatile(buf, at(i)) : getLong(i);
    }

    public void setDouble(int i, double v) {
        if (!doubles) setLong(i, (long) v);
        else DOUBLES.setVolatile(buf, at(i), v);
    }

    /** Adds atomically (a compare-and-set loop); returns the new value. */
    public double add(int i, double delta) {
        if (!doubles) return add(i, (long) delta);
        int off = at(i);
        while (true) {
            long bits = (long) LONGS.getVolatile(buf, off);
            double next = Double.longBitsToDouble(bits) + delta;
            if (LONGS.compareAndSet(buf, off, bits, Double.doubleToRawLongBits(next))) return next;
        }
    }

    /** A copy of the whole array as longs. */
    public long[] toLongArray() {
        long[] out = new long[length];
        for (int i = 0; i < length; i++) out[i] = getLong(i);
        return out;
    }

    /** A copy of the whole array as doubles. */
    public double[] toDoubleArray() {
        double[] out = new double[length];
        for (int i = 0; i < length; i++) out[i] = getDouble(i);
        return out;
    }
}
