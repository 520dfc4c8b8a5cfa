package mproc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Python's {@code multiprocessing.Lock}: mutual exclusion between JVMs (and the threads in them: it is
 * held by a process). Hosted by the JVM that created it; if the process holding it dies, it is freed, and
 * the next process to acquire it is told so ({@link #holderDied()}, as POSIX's robust mutexes report
 * EOWNERDEAD). Threads may share one handle: a thread waiting in {@code acquire} holds up no other
 * thread's call, and an interrupt ends its wait with InterruptedException.
 *
 * <pre>{@code
 * try (var held = lock.hold()) {   // Python: with lock:
 *     ...
 * }
 * }</pre>
 */
public final class Lock implements Shareable, AutoCloseable {
    private final Path broker;
    private final long id;
    private final Broker.LockState local;
    private final Remote remote; // acquires and the other calls, each on a connection of its own
    private final Object holding = new Object(); // guards holder
    private Broker.Link holder; // the connection through which this process holds it (releases go there)
    private volatile boolean holderDied;
    private volatile boolean closed;
    private static final Object HOST = new Object(); // the owner token of the host JVM

    private Lock(Path broker, long id, Broker.LockState local) {
        this.broker = broker;
        this.id = id;
        this.local = local;
        this.remote = local == null ? new Remote(broker, id, "lock") : null;
    }

    public static Lock create() {
        Broker b = Broker.local();
        Broker.LockState s = new Broker.LockState();
        return new Lock(b.path(), b.register(s), s);
    }

    /** The lock an address names, connected to its owner at once (so that the first use is fast). */
    public static Lock attach(String address) {
        String[] f = address.split("\\|");
        if (f.length != 3 || !f[0].equals("mproc-lock")) throw new IllegalArgumentException("not a lock address: " + address);
        Lock l = new Lock(Path.of(f[1]), Long.parseLong(f[2]), null);
        l.remote.connect();
        return l;
    }

    long id() {
        return id;
    }

    @Override
    public String address() {
        return "mproc-lock|" + broker + "|" + id;
    }

    /**
     * Waits until the lock is free and takes it. An interrupt while waiting throws InterruptedException
     * (within a few milliseconds) and the lock is not taken: if the owner granted it at that moment, it is
     * given back.
     */
    public void acquire() throws InterruptedException {
        if (!acquire(-1)) throw new IllegalStateException("lock not acquired: its owner is gone");
    }

    /** Takes the lock if it becomes free within {@code timeout}; false otherwise. */
    public boolean acquire(Duration timeout) throws InterruptedException {
        if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        return acquire(timeout.toMillis());
    }

    private boolean acquire(long ms) throws InterruptedException {
        open();
        if (local != null) {
            int got = local.acquire(HOST, ms);
            if (got > 0) holderDied = got == 2;
            return got > 0;
        }
        Broker.Link l = remote.take();
        List<?> r;
        try {
            r = Remote.check(l.callInterruptibly(List.of("acquire", id, ms)));
        } catch (IOException e) {
            l.close();
            throw new UncheckedIOException(Broker.unreachable("lock", e), e);
        } catch (InterruptedException | RuntimeException e) {
            l.cancel();
            throw e;
        }
        if (!"ok".equals(r.get(0))) {
            remote.giveBack(l);
            return false;
        }
        synchronized (holding) {
            holder = l; // this connection holds it: not given back to the idle ones until the release
        }
        holderDied = Boolean.TRUE.equals(r.get(1));
        return true;
    }

    /**
     * Whether the last acquire through this handle took the lock from a holder whose process ended while
     * holding it (killed, or exited without releasing it), as POSIX's robust mutexes report EOWNERDEAD:
     * what the lock protects may be half-updated. The lock is held all the same; only the first acquirer after
     * that death is told. A holder that closed its handle (or released) is not a death.
     */
    public boolean holderDied() {
        return holderDied;
    }

    /** Releases it; any thread of the process that holds it may (as in Python). */
    public void release() {
        open();
        if (local != null) {
            local.release(HOST);
            return;
        }
        synchronized (holding) {
            Broker.Link h = holder;
            if (h == null) { // not held through this handle: the owner says why it cannot be released
                remote.plain(List.of("release", id));
                return;
            }
            List<?> r;
            try {
                r = h.call(List.of("release", id));
            } catch (IOException e) {
                holder = null;
                h.close();
                throw new UncheckedIOException(Broker.unreachable("lock", e), e);
            }
            Remote.check(r);
            holder = null;
            remote.giveBack(h);
        }
    }

    /** Whether this process holds it (a Condition built on it checks this before a wait or a notify). */
    boolean isMine() {
        if (local != null) return local.ownedBy(HOST);
        synchronized (holding) {
            if (holder == null) return false;
            try {
                return Boolean.TRUE.equals(Remote.check(holder.call(List.of("mine", id))).get(1));
            } catch (IOException e) {
                throw new UncheckedIOException("lock: " + e.getMessage(), e);
            }
        }
    }

    /** Acquires, and releases when the returned handle is closed (try-with-resources). */
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

    private void open() {
        if (closed) throw new IllegalStateException(this + " is closed");
    }

    /**
     * This handle is done: its connections close (a lock held through it is released, and that is not
     * reported as a death); in the host, the lock is freed once no other process's handle refers to it.
     * Idempotent. An unreachable handle's connections are closed the same way.
     */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (local != null) {
            Broker.local().release(id);
            return;
        }
        synchronized (holding) {
            if (holder != null) holder.close();
            holder = null;
        }
        remote.close();
    }

    @Override
    public String toString() {
        return "<Lock " + id + (local != null ? " hosted here" : "") + ">";
    }
}
