package mproc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Python's {@code multiprocessing.RLock}: a re-entrant lock, held by one thread of one process. The thread
 * that holds it may acquire it again, and must release it as many times; another thread, in this JVM or
 * another, waits. Releasing it from a thread that does not hold it throws IllegalStateException (Python
 * raises AssertionError). Hosted by the JVM that created it; if the process holding it dies, it is freed,
 * as a {@link Lock} is, and the next acquirer is told ({@link #holderDied()}). An interrupt ends a wait in
 * {@code acquire} with InterruptedException; the lock is then not taken.
 *
 * <table>
 * <caption>Python to Java</caption>
 * <tr><td>{@code RLock()}</td><td>{@link #create()}</td></tr>
 * <tr><td>{@code r.acquire()}, {@code r.acquire(timeout=t)}, {@code r.acquire(block, timeout)}</td>
 *     <td>{@link #acquire()}, {@link #acquire(Duration)}, {@link #acquire(boolean, Duration)}</td></tr>
 * <tr><td>{@code r.release()}</td><td>{@link #release()}</td></tr>
 * <tr><td>{@code with r:}</td><td>{@code try (var held = r.hold())}</td></tr>
 * </table>
 */
public final class RLock implements Shareable {
    private static final String KIND = "mproc-rlock";
    private final Path broker;
    private final long id;
    private final Sync.RLockState local; // non-null in the creating JVM
    private final Remote remote;
    private volatile boolean holderDied;

    private RLock(Path broker, long id, Sync.RLockState local) {
        this.broker = broker;
        this.id = id;
        this.local = local;
        this.remote = local == null ? new Remote(broker, id, "rlock").connect() : null;
    }

    /** A new re-entrant lock, not held, hosted by this JVM. */
    public static RLock create() {
        Broker b = Broker.local();
        Sync.RLockState s = new Sync.RLockState();
        return new RLock(b.path(), b.register(s), s);
    }

    /** The lock an address names, connected to its owner at once. */
    public static RLock attach(String address) {
        String[] f = address.split("\\|");
        if (f.length != 3 || !f[0].equals(KIND)) throw new IllegalArgumentException("not an rlock address: " + address);
        return new RLock(Path.of(f[1]), Long.parseLong(f[2]), null);
    }

    @Override
    public String address() {
        return KIND + "|" + broker + "|" + id;
    }

    /** Takes it (again, if this thread holds it), waiting while another thread holds it. */
    public void acquire() throws InterruptedException {
        if (!acquire(1, -1)) throw new IllegalStateException("rlock not acquired: its owner is gone");
    }

    /** Takes it if this thread holds it or it becomes free within {@code timeout}; false otherwise. */
    public boolean acquire(Duration timeout) throws InterruptedException {
        if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        return acquire(1, timeout.toMillis());
    }

    /** Python's {@code acquire(block, timeout)}: not blocking, takes it only if it can now; timeout null: no limit. */
    public boolean acquire(boolean block, Duration timeout) throws InterruptedException {
        if (!block) return acquire(1, 0);
        if (timeout == null) {
            acquire();
            return true;
        }
        return acquire(timeout);
    }

    boolean acquire(int times, long ms) throws InterruptedException {
        if (local != null) {
            int got = local.acquire(Broker.Owner.current(), times, ms, null);
            if (got > 0) holderDied = got == 2;
            return got > 0;
        }
        List<?> r = remote.callInterruptibly("rl.acquire", (long) times, ms);
        boolean got = (Boolean) r.get(1);
        if (got) holderDied = Boolean.TRUE.equals(r.get(2));
        return got;
    }

    /**
     * Whether the last acquire through this handle that took the lock took it from a holder whose process
     * ended while holding it (killed, or exited without releasing), as POSIX's robust mutexes report
     * EOWNERDEAD: what it protects may be half-updated. Only the first acquirer after that death is told.
     */
    public boolean holderDied() {
        return holderDied;
    }

    /** Gives up one level; the last frees it. IllegalStateException if this thread does not hold it. */
    public void release() {
        if (local != null) local.release(Broker.Owner.current());
        else remote.call("rl.release");
    }

    /** Gives up every level this thread holds and returns how many (a Condition's wait). */
    int releaseAll() {
        if (local != null) return local.releaseAll(Broker.Owner.current());
        return ((Number) remote.call("rl.releaseall").get(1)).intValue();
    }

    /** Whether this thread of this process holds it. */
    boolean isMine() {
        if (local != null) return local.isMine(Broker.Owner.current());
        return (Boolean) remote.call("rl.mine").get(1);
    }

    /** Acquires, and releases when the returned handle is closed (Python's {@code with r:}). */
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
        return "<RLock " + id + (local != null ? " hosted here" : "") + ">";
    }
}
