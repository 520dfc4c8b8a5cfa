package mproc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Python's {@code multiprocessing.Condition(lock=None)}: a wait queue tied to a {@link Lock} or
 * {@link RLock} (a new RLock by default, as in Python). A process holding the lock waits with
 * {@link #await()}, which releases the lock while it waits and takes it back before returning; another
 * holder of the lock wakes waiters with {@link #signal()}, {@link #signal(int)} or {@link #signalAll()}.
 * The names avoid Object's final {@code wait}, {@code notify} and {@code notifyAll}:
 *
 * <table>
 * <caption>Python to Java</caption>
 * <tr><td>{@code Condition()}, {@code Condition(lock)}</td><td>{@link #create()}, {@link #create(RLock)}, {@link #create(Lock)}</td></tr>
 * <tr><td>{@code c.acquire()}, {@code c.release()}, {@code with c:}</td><td>{@link #acquire()}, {@link #release()}, {@code try (var held = c.hold())}</td></tr>
 * <tr><td>{@code c.wait()}</td><td>{@link #await()}</td></tr>
 * <tr><td>{@code c.wait(timeout)}</td><td>{@link #await(Duration)}: false at the timeout</td></tr>
 * <tr><td>{@code c.wait_for(predicate)}</td><td>{@link #awaitFor(BooleanSupplier)}</td></tr>
 * <tr><td>{@code c.wait_for(predicate, timeout)}</td><td>{@link #awaitFor(BooleanSupplier, Duration)}: the predicate's last value</td></tr>
 * <tr><td>{@code c.notify()}, {@code c.notify(n)}</td><td>{@link #signal()}, {@link #signal(int)}</td></tr>
 * <tr><td>{@code c.notify_all()}</td><td>{@link #signalAll()}</td></tr>
 * </table>
 *
 * <p>The predicate of {@code awaitFor} is an ordinary lambda, evaluated in the waiting process (it does not
 * travel). Waiting or signalling without holding the lock throws IllegalStateException (Python raises
 * AssertionError, or RuntimeError in {@code threading}). A wait on an RLock held several times releases
 * every level and takes them all back, as Python's does. Waiters are woken longest-waiting first. The
 * Condition is hosted by the JVM that created it; its lock may be hosted by any JVM. Differences: a
 * negative timeout is refused (IllegalArgumentException); {@code await()} returns nothing (Python's
 * {@code wait()} always returns True). An interrupt ends a wait with InterruptedException, the lock held
 * again (a signal that reached the interrupted waiter at that moment is not passed on).
 */
public final class Condition implements Shareable {
    private static final String KIND = "mproc-condition";
    private final Path broker;
    private final long id;
    private final Sync.ConditionState local; // non-null in the creating JVM
    private final Remote remote;
    private final Lock lock; // one of lock, rlock
    private final RLock rlock;

    private Condition(Path broker, long id, Sync.ConditionState local, Lock lock, RLock rlock) {
        this.broker = broker;
        this.id = id;
        this.local = local;
        this.lock = lock;
        this.rlock = rlock;
        this.remote = local == null ? new Remote(broker, id, "condition").connect() : null;
    }

    /** A new condition on a new RLock, hosted by this JVM (Python's {@code Condition()}). */
    public static Condition create() {
        return create(RLock.create());
    }

    /** A new condition on {@code lock}, hosted by this JVM. */
    public static Condition create(RLock lock) {
        return create(null, java.util.Objects.requireNonNull(lock, "lock"));
    }

    /** A new condition on {@code lock}, hosted by this JVM. */
    public static Condition create(Lock lock) {
        return create(java.util.Objects.requireNonNull(lock, "lock"), null);
    }

    private static Condition create(Lock lock, RLock rlock) {
        Broker b = Broker.local();
        Sync.ConditionState s = new Sync.ConditionState();
        return new Condition(b.path(), b.register(s), s, lock, rlock);
    }

    /** The condition an address names, with its lock, both connected to their owners at once. */
    public static Condition attach(String address) {
        String[] f = address.split("\\|", 4);
        if (f.length != 4 || !f[0].equals(KIND)) throw new IllegalArgumentException("not a condition address: " + address);
        boolean reentrant = f[3].startsWith("mproc-rlock|");
        return new Condition(Path.of(f[1]), Long.parseLong(f[2]), null,
                reentrant ? null : Lock.attach(f[3]), reentrant ? RLock.attach(f[3]) : null);
    }

    @Override
    public String address() {
        return KIND + "|" + broker + "|" + id + "|" + (lock != null ? lock.address() : rlock.address());
    }

    /** Takes the underlying lock. */
    public void acquire() throws InterruptedException {
        if (lock != null) lock.acquire();
        else rlock.acquire();
    }

    /** Takes the underlying lock if it becomes free within {@code timeout}; false otherwise. */
    public boolean acquire(Duration timeout) throws InterruptedException {
        return lock != null ? lock.acquire(timeout) : rlock.acquire(timeout);
    }

    /** Releases the underlying lock (one level of an RLock). */
    public void release() {
        if (lock != null) lock.release();
        else rlock.release();
    }

    /** Acquires, and releases when the returned handle is closed (Python's {@code with c:}). */
    public AutoCloseable hold() throws InterruptedException {
        return lock != null ? lock.hold() : rlock.hold();
    }

    /** Waits until signalled; the lock must be held, and is held again on return. */
    public void await() throws InterruptedException {
        await(-1);
    }

    /** As {@link #await()}, at most {@code timeout}: true if signalled, false if the timeout came first. */
    public boolean await(Duration timeout) throws InterruptedException {
        if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        return await(timeout.toMillis());
    }

    /** Waits until {@code predicate} is true (evaluated with the lock held, first before any wait); returns true. */
    public boolean awaitFor(BooleanSupplier predicate) throws InterruptedException {
        return awaitFor(predicate, -1);
    }

    /**
     * Python's {@code wait_for(predicate, timeout)}: waits until {@code predicate} is true, re-evaluating it
     * after each wake-up, for at most {@code timeout} in all; returns the predicate's last value (false if
     * the timeout came first).
     */
    public boolean awaitFor(BooleanSupplier predicate, Duration timeout) throws InterruptedException {
        if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        return awaitFor(predicate, timeout.toMillis());
    }

    private boolean awaitFor(BooleanSupplier predicate, long ms) throws InterruptedException {
        long end = ms < 0 ? Long.MAX_VALUE : System.nanoTime() + ms * 1_000_000L;
        boolean result = predicate.getAsBoolean();
        while (!result) {
            long left = -1;
            if (ms >= 0) {
                left = (end - System.nanoTime()) / 1_000_000L;
                if (left <= 0) break;
            }
            await(left);
            result = predicate.getAsBoolean();
        }
        return result;
    }

    private boolean await(long ms) throws InterruptedException {
        if (!isMine()) throw new IllegalStateException("must acquire() the condition's lock before await()");
        long ticket = local != null ? local.enroll(Broker.Owner.current()) : ((Number) remote.call("cv.enroll").get(1)).longValue();
        int levels;
        if (lock != null) {
            lock.release();
            levels = 1;
        } else {
            levels = rlock.releaseAll();
        }
        try {
            if (local != null) return local.await(ticket, ms, null);
            return (Boolean) remote.callInterruptibly("cv.wait", ticket, ms).get(1);
        } finally {
            reacquire(levels);
        }
    }

    /** Takes the lock back, every level, whatever happens meanwhile (an interrupt is kept for the caller). */
    private void reacquire(int levels) {
        boolean interrupted = false;
        while (true) {
            try {
                boolean ok = lock != null ? lock.acquire(Duration.ofDays(365)) : rlock.acquire(levels, -1);
                if (ok) break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** Wakes the longest waiting process (Python's {@code notify()}); the lock must be held. */
    public void signal() {
        signal(1);
    }

    /** Wakes up to {@code n} waiters, longest waiting first (Python's {@code notify(n)}); the lock must be held. */
    public void signal(int n) {
        if (n < 0) throw new IllegalArgumentException("n must not be negative: " + n);
        if (!isMine()) throw new IllegalStateException("cannot notify on un-acquired lock: signal() needs the condition's lock held");
        if (local != null) local.signal(n);
        else remote.call("cv.signal", (long) n);
    }

    /** Wakes every waiter (Python's {@code notify_all()}); the lock must be held. */
    public void signalAll() {
        signal(Integer.MAX_VALUE);
    }

    private boolean isMine() {
        return lock != null ? lock.isMine() : rlock.isMine();
    }

    /** How many wait now (in the hosting JVM only; for tests). */
    int waiters() {
        if (local == null) throw new IllegalStateException("waiters() is known to the hosting JVM only");
        return local.waiters();
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
        return "<Condition " + id + " on " + (lock != null ? "a Lock" : "an RLock") + (local != null ? " hosted here" : "") + ">";
    }
}
