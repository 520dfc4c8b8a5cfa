package mproc;

/**
 * Python's {@code multiprocessing.Value}: one number that several JVMs see at once, with a lock of its own.
 * The number lives in a memory-mapped file (a one-element {@link SharedArray}); the lock is an {@link RLock}
 * hosted by the creating JVM, as Python's default {@code Value(..., lock=True)} is guarded by an RLock.
 *
 * <table>
 * <caption>Python to Java</caption>
 * <tr><td>{@code Value('q', 0)}, {@code Value('i', 0)}, {@code Value('d', 0.0)}</td>
 *     <td>{@link #ofLong(long)}, {@link #ofInt(int)}, {@link #ofDouble(double)}</td></tr>
 * <tr><td>{@code v.value}, {@code v.value = x}</td><td>{@link #get()}, {@link #getLong()}, {@link #getDouble()};
 *     {@link #set(long)}, {@link #set(double)}</td></tr>
 * <tr><td>{@code v.get_lock()}, {@code with v.get_lock():}</td><td>{@link #getLock()}, {@code try (var held = v.hold())}</td></tr>
 * <tr><td>{@code with v.get_lock(): v.value += d}</td><td>{@link #addAndGet(long)}: atomic without the lock</td></tr>
 * </table>
 *
 * <p>Better than Python: {@link #getAndAdd}, {@link #addAndGet}, {@link #incrementAndGet}, {@link
 * #decrementAndGet} and {@link #compareAndSet} are atomic read-modify-writes across processes (hardware
 * atomics on the shared memory), so {@code v.incrementAndGet()} loses no update where Python's {@code
 * v.value += 1} does. The lock is for compound steps (read one value, write another). An int value wraps
 * at 32 bits, as a C int does; a double is updated with a compare-and-set loop.
 */
public final class Value implements Shareable {
    private static final String KIND = "mproc-value";

    /** What the number is: Python's typecodes 'q' (long), 'i' (int), 'd' (double). */
    private enum Type { LONG, INT, DOUBLE }

    private final Type type;
    private final SharedArray cell;
    private final String lockAddress;
    private volatile RLock lock; // attached on first use in a worker

    private Value(Type type, SharedArray cell, String lockAddress, RLock lock) {
        this.type = type;
        this.cell = cell;
        this.lockAddress = lockAddress;
        this.lock = lock;
    }

    private static Value create(Type type, boolean doubles) {
        RLock l = RLock.create();
        return new Value(type, doubles ? SharedArray.ofDoubles(1) : SharedArray.ofLongs(1), l.address(), l);
    }

    /** A shared long (Python's {@code Value('q', initial)}). */
    public static Value ofLong(long initial) {
        Value v = create(Type.LONG, false);
        v.set(initial);
        return v;
    }

    /** A shared int, wrapping at 32 bits (Python's {@code Value('i', initial)}). */
    public static Value ofInt(int initial) {
        Value v = create(Type.INT, false);
        v.set(initial);
        return v;
    }

    /** A shared double (Python's {@code Value('d', initial)}). */
    public static Value ofDouble(double initial) {
        Value v = create(Type.DOUBLE, true);
        v.set(initial);
        return v;
    }

    /** The value an address names (in a worker: {@code Value.attach(args[0])}). */
    public static Value attach(String address) {
        // mproc-value|type|<array address: 4 fields>|<rlock address: 3 fields>
        String[] f = address.split("\\|");
        if (f.length != 9 || !f[0].equals(KIND)) throw new IllegalArgumentException("not a value address: " + address);
        Type t;
        try {
            t = Type.valueOf(f[1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("not a value address: " + address, e);
        }
        SharedArray a = SharedArray.attach(String.join("|", f[2], f[3], f[4], f[5]));
        return new Value(t, a, String.join("|", f[6], f[7], f[8]), null);
    }

    @Override
    public String address() {
        return KIND + "|" + type + "|" + cell.address() + "|" + lockAddress;
    }

    /** The lock that guards compound steps on this value (Python's {@code get_lock()}): an RLock. */
    public RLock getLock() {
        RLock l = lock;
        if (l != null) return l;
        synchronized (this) {
            if (lock == null) lock = RLock.attach(lockAddress);
            return lock;
        }
    }

    /** Takes the lock until the returned handle is closed: {@code try (var held = v.hold()) { ... }}. */
    public AutoCloseable hold() throws InterruptedException {
        return getLock().hold();
    }

    /** The value, boxed as its type: Long, Integer or Double (Python's {@code value}). */
    public Number get() {
        return switch (type) {
            case LONG -> cell.getLong(0);
            case INT -> (int) cell.getLong(0);
            case DOUBLE -> cell.getDouble(0);
        };
    }

    public long getLong() {
        return type == Type.INT ? (int) cell.getLong(0) : cell.getLong(0);
    }

    public int getInt() {
        return (int) getLong();
    }

    public double getDouble() {
        return type == Type.DOUBLE ? cell.getDouble(0) : getLong();
    }

    public void set(long v) {
        if (type == Type.DOUBLE) cell.setDouble(0, v);
        else cell.setLong(0, type == Type.INT ? (int) v : v);
    }

    /** Sets a double value; a long or int value gets it truncated toward zero (Python refuses a float there). */
    public void set(double v) {
        if (type == Type.DOUBLE) cell.setDouble(0, v);
        else set((long) v);
    }

    /** Adds atomically; returns the value before. */
    public long getAndAdd(long delta) {
        return addAndGet(delta) - delta;
    }

    /** Adds atomically; returns the new value (an int value wraps at 32 bits). */
    public long addAndGet(long delta) {
        switch (type) {
            case LONG: return cell.add(0, delta);
            case DOUBLE: return (long) cell.add(0, (double) delta);
            default:
                while (true) {
                    long cur = cell.getLong(0);
                    long next = (int) (cur + delta);
                    if (cell.compareAndSet(0, cur, next)) return next;
                }
        }
    }

    /** Adds atomically; returns the new value. */
    public double addAndGet(double delta) {
        if (type == Type.DOUBLE) return cell.add(0, delta);
        return addAndGet((long) delta);
    }

    public long incrementAndGet() {
        return addAndGet(1L);
    }

    public long decrementAndGet() {
        return addAndGet(-1L);
    }

    public long getAndIncrement() {
        return getAndAdd(1L);
    }

    /** Sets {@code v} if the value is {@code expected}, atomically; whether it did. */
    public boolean compareAndSet(long expected, long v) {
        if (type == Type.DOUBLE) return compareAndSet((double) expected, (double) v);
        if (type == Type.INT) {
            expected = (int) expected;
            v = (int) v;
        }
        return cell.compareAndSet(0, expected, v);
    }

    /** Sets {@code v} if the value is {@code expected} (compared as bits), atomically; whether it did. */
    public boolean compareAndSet(double expected, double v) {
        if (type != Type.DOUBLE) return compareAndSet((long) expected, (long) v);
        return cell.compareAndSet(0, Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(v));
    }

    @Override
    public String toString() {
        return "<Value " + type.name().toLowerCase() + " " + get() + ">";
    }
}
