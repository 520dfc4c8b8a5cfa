package mproc;

import java.nio.file.Path;

/**
 * Python's {@code multiprocessing.BoundedSemaphore(value)}: a {@link Semaphore} that cannot be released
 * above its initial value. Such a release throws IllegalStateException (where Python raises ValueError,
 * "semaphore or lock released too many times") and leaves the value as it was. As with a Semaphore, a
 * process that did not acquire it may release it, as long as the bound holds.
 */
public final class BoundedSemaphore extends Semaphore {
    BoundedSemaphore(Path broker, long id, Sync.SemaphoreState local) {
        super(broker, id, local);
    }

    /** A new bounded semaphore holding 1, hosted by this JVM (Python's {@code BoundedSemaphore()}). */
    public static BoundedSemaphore create() {
        return create(1);
    }

    /** A new bounded semaphore holding {@code value}, and never more, hosted by this JVM. */
    public static BoundedSemaphore create(int value) {
        Sync.SemaphoreState s = state(value, true);
        Broker b = Broker.local();
        return new BoundedSemaphore(b.path(), b.register(s), s);
    }

    /** The bounded semaphore an address names, connected to its owner at once. */
    public static BoundedSemaphore attach(String address) {
        if (Semaphore.attach(address) instanceof BoundedSemaphore b) return b;
        throw new IllegalArgumentException("not a bounded semaphore address: " + address);
    }

    @Override
    String kind() {
        return "mproc-boundedsemaphore";
    }
}
