package mproc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Python's {@code multiprocessing.Lock}: mutual exclusion between JVMs (and the threads in them: it is
 * held by a process). Hosted by the JVM that created it; if the process holding it dies, it is freed.
 *
 * <pre>{@code
 * try (var held = lock.hold()) {   // Python: with lock:
 *     ...
 * }
 * }</pre>
 */
public final class Lock implements Shareable {
    private final Path broker;
    private final long id;
    private final Broker.LockState local;
    private Broker.Link link;
    private static final Object HOST = new Object(); // the owner token of the host JVM

    private Lock(Path broker, long id, Broker.LockState local) {
        this.broker = broker;
        this.id = id;
        this.local = local;
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
        l.call(null);
        return l;
    }

    @Override
    public String address() {
        return "mproc-lock|" + broker + "|" + id;
    }

    /** Waits until the lock is free and takes it. */
    public void acquire() throws InterruptedException {
        if (!acquire(-1)) throw new IllegalStateException("lock not acquired");
    }

    /** Takes the lock if it becomes free within {@code timeout}; false otherwise. */
    public boolean acquire(Duration timeout) throws InterruptedException {
        if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        return acquire(timeout.toMillis());
    }

    private boolean acquire(long ms) throws InterruptedException {
        if (local != null) return local.acquire(HOST, ms);
        synchronized (this) {
            List<?> r = call(List.of("acquire", id, ms));
            return "ok".equals(r.get(0));
        }
    }

    public void release() {
        if (local != null) {
            local.release(HOST);
            return;
        }
        synchronized (this) {
            List<?> r = call(List.of("release", id));
            if (!"ok".equals(r.get(0))) throw new IllegalStateException(String.valueOf(r.get(1)));
        }
    }

    /** Whether this process holds it (a Condition built on it checks this before a wait or a notify). */
    boolean isMine() {
        if (local != null) return local.ownedBy(HOST);
        synchronized (this) {
            return Boolean.TRUE.equals(call(List.of("mine", id)).get(1));
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

    /** A request to the owner (null: only connect). */
    private List<?> call(List<?> req) {
        try {
            if (link == null) link = new Broker.Link(broker);
            return req == null ? null : link.call(req);
        } catch (IOException e) {
            throw new UncheckedIOException("lock: " + e.getMessage(), e);
        }
    }
}
