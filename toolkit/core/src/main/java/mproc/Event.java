package mproc;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Python's {@code multiprocessing.Event}: a flag that any process can {@link #set()} and {@link #clear()};
 * {@link #await()} waits until it is set. Hosted by the JVM that created it; a worker gets it as an
 * argument or a field and calls {@code Event.attach(address)}.
 *
 * <table>
 * <caption>Python to Java</caption>
 * <tr><td>{@code e.set()}, {@code e.clear()}, {@code e.is_set()}</td><td>{@link #set()}, {@link #clear()}, {@link #isSet()}</td></tr>
 * <tr><td>{@code e.wait()}</td><td>{@link #await()} (named so as not to clash with {@link Object#wait()})</td></tr>
 * <tr><td>{@code e.wait(timeout)}</td><td>{@link #await(Duration)}, also spelled {@link #waitFor(Duration)}: the flag, so false at the timeout</td></tr>
 * </table>
 *
 * <p>Differences: a negative timeout is refused (IllegalArgumentException) rather than taken as zero;
 * {@code await()} returns nothing (Python's {@code wait()} without a timeout always returns True). An
 * interrupt ends a wait with InterruptedException.
 */
public final class Event implements Shareable {
    private static final String KIND = "mproc-event";
    private final Path broker;
    private final long id;
    private final Sync.EventState local; // non-null in the creating JVM
    private final Remote remote;

    private Event(Path broker, long id, Sync.EventState local) {
        this.broker = broker;
        this.id = id;
        this.local = local;
        this.remote = local == null ? new Remote(broker, id, "event").connect() : null;
    }

    /** A new event, not set, hosted by this JVM. */
    public static Event create() {
        Broker b = Broker.local();
        Sync.EventState s = new Sync.EventState();
        return new Event(b.path(), b.register(s), s);
    }

    /** The event an address names (in a worker: {@code Event.attach(args[0])}), connected to its owner at once. */
    public static Event attach(String address) {
        String[] f = address.split("\\|");
        if (f.length != 3 || !f[0].equals(KIND)) throw new IllegalArgumentException("not an event address: " + address);
        return new Event(Path.of(f[1]), Long.parseLong(f[2]), null);
    }

    @Override
    public String address() {
        return KIND + "|" + broker + "|" + id;
    }

    /** Sets the flag and wakes every process waiting for it (Python's {@code set()}). */
    public void set() {
        if (local != null) local.set();
        else remote.call("ev.set");
    }

    /** Clears the flag: later waits block until it is set again (Python's {@code clear()}). */
    public void clear() {
        if (local != null) local.clear();
        else remote.call("ev.clear");
    }

    /** Python's {@code is_set()}. */
    public boolean isSet() {
        return local != null ? local.isSet() : (Boolean) remote.call("ev.isset").get(1);
    }

    /** Waits until the flag is set (Python's {@code wait()}). */
    public void await() throws InterruptedException {
        await(-1);
    }

    /** Waits until the flag is set, at most {@code timeout}; returns the flag, false at the timeout (Python's {@code wait(timeout)}). */
    public boolean await(Duration timeout) throws InterruptedException {
        if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        return await(timeout.toMillis());
    }

    /** The same as {@link #await(Duration)}. */
    public boolean waitFor(Duration timeout) throws InterruptedException {
        return await(timeout);
    }

    private boolean await(long ms) throws InterruptedException {
        if (local != null) return local.await(ms, null);
        return (Boolean) remote.callInterruptibly("ev.wait", ms).get(1);
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
        return "<Event " + id + (local != null ? " hosted here" : "") + ">";
    }
}
