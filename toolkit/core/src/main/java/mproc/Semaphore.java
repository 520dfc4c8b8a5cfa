package mproc;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Python's {@code multiprocessing.Semaphore(value)}: a counter that {@link #acquire()} takes one from,
 * waiting while it is zero, and {@link #release()} adds one to. It has no owner: as in Python, a process
 * (or thread) that never acquired it may release it. Hosted by the JVM that created it; a worker gets it
 * as an argument or a field and calls {@code Semaphore.attach(address)}.
 *
 * <table>
 * <caption>Python to Java</caption>
 * <tr><td>{@code Semaphore(value=1)}</td><td>{@link #create(int)}, {@link #create()}</td></tr>
 * <tr><td>{@code s.acquire()}</td><td>{@link #acquire()}</td></tr>
 * <tr><td>{@code s.acquire(timeout=t)}</td><td>{@link #acquire(Duration)}: false at the timeout</td></tr>
 * <tr><td>{@code s.acquire(block, timeout)}</td><td>{@link #acquire(boolean, Duration)} (timeout null: none)</td></tr>
 * <tr><td>{@code s.release()}</td><td>{@link #release()}</td></tr>
 * <tr><td>{@code s.get_value()}</td><td>{@link #getValue()}</td></tr>
 * <tr><td>{@code with s:}</td><td>{@code try (var held = s.hold())}</td></tr>
 * </table>
 *
 * <p>Differences: a negative initial value or timeout is refused with IllegalArgumentException (Python's
 * ValueError for the value); a process that dies holding units does not give them back (neither does
 * Python's: a semaphore does not know who acquired it). An interrupt ends a wait in {@code acquire} with
 * InterruptedException and takes nothing (a unit granted at that moment is given back).
 */
public class Semaphore implements Shareable {
    private static final String KIND = "mproc-semaphore", BOUNDED = "mproc-boundedsemaphore";
    private final Path broker;
    private final long id;
    private final Sync.SemaphoreState local; // non-null in the creating JVM
    private final Remote remote;

    Semaphore(Path broker, long id, Sync.SemaphoreState local) {
        this.broker = broker;
        this.id = id;
        this.local = local;
        this.remote = local == null ? new Remote(broker, id, kind()).connect() : null;
    }

    /** A new semaphore holding 1, hosted by this JVM (Python's {@code Semaphore()}). */
    public static Semaphore create() {
        return create(1);
    }

    /** A new semaphore holding {@code value}, hosted by this JVM. */
    public static Semaphore create(int value) {
        Sync.SemaphoreState s = state(value, false);
        Broker b = Broker.local();
        return new Semaphore(b.path(), b.register(s), s);
    }

    static Sync.SemaphoreState state(int value, boolean bounded) {
        if (value < 0) throw new IllegalArgumentException("semaphore initial value must be >= 0, got " + value);
        return new Sync.SemaphoreState(value, bounded);
    }

    /** The semaphore an address names, connected to its owner at once; a BoundedSemaphore if it names one. */
    public static Semaphore attach(String address) {
        String[] f = address.split("\\|");
        if (f.length != 3 || !(f[0].equals(KIND) || f[0].equals(BOUNDED))) {
            throw new IllegalArgumentException("not a semaphore address: " + address);
        }
        Path p = Path.of(f[1]);
        long id = Long.parseLong(f[2]);
        return f[0].equals(BOUNDED) ? new BoundedSemaphore(p, id, null) : new Semaphore(p, id, null);
    }

    String kind() {
        return KIND;
    }

    @Override
    public String address() {
        return kind() + "|" + broker + "|" + id;
    }

    /** Takes one, waiting while there is none (Python's {@code acquire()}). */
    public void acquire() throws InterruptedException {
        if (!acquire(-1)) throw new IllegalStateException("semaphore not acquired: its owner is gone");
    }

    /** Takes one if one is or becomes there within {@code timeout}; false otherwise. */
    public boolean acquire(Duration timeout) throws InterruptedException {
        if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        return acquire(timeout.toMillis());
    }

    /**
     * Python's {@code acquire(block, timeout)}: with {@code block} false, takes one only if there is one now
     * (the timeout is ignored, as in Python); with {@code block} true, waits at most {@code timeout} (null: no limit).
     */
    public boolean acquire(boolean block, Duration timeout) throws InterruptedException {
        if (!block) return acquire(0);
        if (timeout == null) {
            acquire();
            return true;
        }
        return acquire(timeout);
    }

    private boolean acquire(long ms) throws InterruptedException {
        if (local != null) return local.acquire(ms, null);
        return (Boolean) remote.callInterruptibly("sem.acquire", ms).get(1);
    }

    /**
     * Adds one, waking a waiter. Any process may release, whether or not it acquired. A
     * {@link BoundedSemaphore} refuses to go above its initial value: IllegalStateException (Python's ValueError).
     */
    public void release() {
        if (local != null) local.release();
        else remote.call("sem.release");
    }

    /** How many it holds now (Python's {@code get_value()}). */
    public int getValue() {
        return local != null ? local.value() : ((Number) remote.call("sem.value").get(1)).intValue();
    }

    /** Acquires, and releases when the returned handle is closed (Python's {@code with s:}). */
    public AutoCloseable hold() throws InterruptedException {
        acquire();
        return new AutoCloseable() {
            private boolean open = true;

            @Override
            public void close() {
                if (open) release();
                open = false;
            }
        };
    }

    /**
     * This handle is done: its connections to the owner close (what it held through them is given back, and
     * that is not reported as a death); in the owner, the object is freed once no other process's handle
     * refers to it (a later attach or call is refused: "no such object"). A handle that becomes unreachable
     * closes its connections the same way.
     */
    public void close() {
        if (local != null) Broker.local().release(id);
        else remote.close();
    }

    @Override
    public String toString() {
        return "<" + getClass().getSimpleName() + " " + id + (local != null ? " hosted here" : "") + ">";
    }
}
