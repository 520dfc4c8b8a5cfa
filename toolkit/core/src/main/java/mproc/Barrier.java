package mproc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BrokenBarrierException;

/**
 * Python's {@code multiprocessing.Barrier(n)}: each of n parties calls {@link #await}; all are released
 * together when the n-th arrives. If a party times out, or its process dies while waiting, the barrier
 * breaks: every waiting party gets BrokenBarrierException (as Python's BrokenBarrierError), and so does
 * anyone arriving later, until {@link #reset()}.
 */
public final class Barrier implements Shareable {
    private final Path broker;
    private final long id;
    private final Broker.BarrierState local;
    private final int parties;
    private Broker.Link link;

    private Barrier(Path broker, long id, int parties, Broker.BarrierState local) {
        this.broker = broker;
        this.id = id;
        this.parties = parties;
        this.local = local;
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
        b.call(null);
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
        else synchronized (this) {
            r = call(List.of("wait", id, ms));
        }
        switch ((String) r.get(0)) {
            case "released": return ((Number) r.get(1)).intValue();
            case "timeout": throw new BrokenBarrierException("timed out after " + ms + " ms waiting at the barrier (" + parties + " parties)");
            case "broken": throw new BrokenBarrierException(String.valueOf(r.get(1)));
            default: throw new IllegalStateException("barrier: " + r);
        }
    }

    /** Makes a broken barrier usable again. */
    public void reset() {
        if (local != null) local.reset();
        else synchronized (this) {
            call(List.of("reset", id));
        }
    }

    /** A request to the owner (null: only connect). */
    private List<?> call(List<?> req) {
        try {
            if (link == null) link = new Broker.Link(broker);
            return req == null ? null : link.call(req);
        } catch (IOException e) {
            throw new UncheckedIOException("barrier: " + e.getMessage(), e);
        }
    }
}
