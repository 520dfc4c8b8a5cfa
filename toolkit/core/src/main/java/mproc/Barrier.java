package mproc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;

/**
 * Python's {@code multiprocessing.Barrier(n)}: each of n parties calls {@link #await}; all are released
 * together when the n-th arrives. If a party times out, or its process dies while waiting, or someone
 * calls {@link #abort()}, the barrier breaks: every waiting party gets BrokenBarrierException (as Python's
 * BrokenBarrierError), and so does anyone arriving later, until {@link #reset()}. {@code reset()} also
 * breaks the parties waiting at that moment (they get BrokenBarrierException), then the barrier starts
 * afresh. An interrupt of a thread waiting in {@code await} throws InterruptedException at once and breaks
 * the barrier for the others (as Java's CyclicBarrier; the owner sees it within ~50 ms).
 *
 * <table>
 * <caption>Python to Java</caption>
 * <tr><td>{@code Barrier(parties)}</td><td>{@link #create(int)}</td></tr>
 * <tr><td>{@code b.wait()}, {@code b.wait(timeout)}</td><td>{@link #await()}, {@link #await(Duration)}: the arrival index</td></tr>
 * <tr><td>{@code b.reset()}, {@code b.abort()}</td><td>{@link #reset()}, {@link #abort()}</td></tr>
 * <tr><td>{@code b.parties}, {@code b.n_waiting}, {@code b.broken}</td><td>{@link #parties()}, {@link #nWaiting()}, {@link #isBroken()}</td></tr>
 * </table>
 *
 * <p>Differences: no {@code action} and no default {@code timeout} argument; the index returned is the
 * order of arrival (Python's too, though it documents only that it is unique).
 */
public final class Barrier implements Shareable {
    private final Path broker;
    private final long id;
    private final Broker.BarrierState local;
    private final int parties;
    private final Remote remote; // each call on a connection of its own: a waiting await holds up no other call

    private Barrier(Path broker, long id, int parties, Broker.BarrierState local) {
        this.broker = broker;
        this.id = id;
        this.parties = parties;
        this.local = local;
        this.remote = local == null ? new Remote(broker, id, "barrier") : null;
    }

    public static Barrier create(int parties) {
        if (parties < 1 || parties > 10_000) throw new IllegalArgumentException("parties must be between 1 and 10000, got " + parties);
        Broker b = Broker.local();
        Broker.BarrierState s = new Broker.BarrierState(parties);
        return new Barrier(b.path(), b.register(s), parties, s);
    }

    /** The barrier an address names, connected to its owner at once (so that the first use is fast). */
    public static Barrier attach(String address) {
        String[] f = address.split("\\|");
        if (f.length != 4 || !f[0].equals("mproc-barrier")) throw new IllegalArgumentException("not a barrier address: " + address);
        Barrier b = new Barrier(Path.of(f[1]), Long.parseLong(f[2]), Integer.parseInt(f[3]), null);
        b.remote.connect();
        return b;
    }

    @Override
    public String address() {
        return "mproc-barrier|" + broker + "|" + id + "|" + parties;
    }

    public int parties() {
        return parties;
    }

    /** Waits for all parties; returns this party's arrival index, 0 .. parties-1. */
    public int await() throws BrokenBarrierException, InterruptedException {
        return await(-1);
    }

    /** As {@link #await()}, breaking the barrier if not released within {@code timeout}. */
    public int await(Duration timeout) throws BrokenBarrierException, InterruptedException {
        if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        return await(timeout.toMillis());
    }

    private int await(long ms) throws BrokenBarrierException, InterruptedException {
        List<?> r;
        if (local != null) r = (List<?>) local.await(ms, null);
        else r = remote.plainInterruptibly(List.of("wait", id, ms)); // an interrupt breaks the barrier, as in Java
        switch ((String) r.get(0)) {
            case "released": return ((Number) r.get(1)).intValue();
            case "timeout": throw new BrokenBarrierException("timed out after " + ms + " ms waiting at the barrier (" + parties + " parties)");
            case "broken": throw new BrokenBarrierException(String.valueOf(r.get(1)));
            default: throw new IllegalStateException("barrier: " + r);
        }
    }

    /**
     * Back to the empty, unbroken state (Python's {@code reset()}): the parties waiting now get
     * BrokenBarrierException; a broken barrier is usable again.
     */
    public void reset() {
        if (local != null) local.reset();
        else remote.plain(List.of("reset", id));
    }

    /** Breaks the barrier (Python's {@code abort()}): waiting and later parties get BrokenBarrierException until {@link #reset()}. */
    public void abort() {
        if (local != null) local.abort();
        else remote.plain(List.of("abort", id));
    }

    /** Whether the barrier is broken (Python's {@code broken}). */
    public boolean isBroken() {
        if (local != null) return local.isBroken();
        return (Boolean) state().get(1);
    }

    /** How many parties wait at the barrier now (Python's {@code n_waiting}). */
    public int nWaiting() {
        if (local != null) return local.nWaiting();
        return ((Number) state().get(2)).intValue();
    }

    private List<?> state() {
        return remote.plain(List.of("bstate", id));
    }

    /** This handle is done: its connections close; in the host, the barrier is freed once no other handle refers to it. */
    public void close() {
        if (local != null) Broker.local().release(id);
        else remote.close();
    }
}
