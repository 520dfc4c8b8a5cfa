package mproc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * A handle's connections to the broker that hosts its object, in a JVM that does not host it. A call
 * takes an idle connection (or opens one) for itself alone, so a call that blocks (an acquire, a wait)
 * does not hold up another thread's call on the same handle, and each reply is its own call's (replies are
 * matched by sequence number). A call that may wait long is ended by an interrupt: InterruptedException
 * within the time the thread takes to wake, the connection cancelled (the owner gives back what that call
 * took) and closed. Requests that name the caller carry {@code [op, id, pid, thread id, args...]}: an
 * RLock is held, and a Condition waited on, by a thread of a process. The connections close when the
 * handle is closed, or when it becomes unreachable (a Cleaner).
 */
final class Remote {
    private static final Cleaner CLEANER = Cleaner.create();
    private final Path broker;
    private final long id;
    private final String what;
    private final ConcurrentLinkedDeque<Broker.Link> idle;
    private final Cleaner.Cleanable cleanable;
    private volatile boolean closed;

    Remote(Path broker, long id, String what) {
        this.broker = broker;
        this.id = id;
        this.what = what;
        ConcurrentLinkedDeque<Broker.Link> links = new ConcurrentLinkedDeque<>();
        this.idle = links;
        this.cleanable = CLEANER.register(this, () -> {
            for (Broker.Link l; (l = links.poll()) != null; ) l.close();
        });
    }

    /** Connects at once: the first call is then fast, and an owner that is gone is reported here. */
    Remote connect() {
        Broker.Link l = take();
        try {
            l.call(List.of("attach", id));
        } catch (IOException e) {
            l.close();
            throw new UncheckedIOException(Broker.unreachable(what, e), e);
        }
        check(give(l));
        return this;
    }

    private List<?> give(Broker.Link l) {
        if (closed || l.isClosed()) l.close();
        else idle.push(l);
        return List.of("ok");
    }

    /** An idle connection, or a new one: the caller's alone until it gives it back ({@link #giveBack}). */
    Broker.Link take() {
        if (closed) throw new IllegalStateException(what + ": this handle is closed");
        Broker.Link l = idle.poll();
        if (l != null) return l;
        try {
            return new Broker.Link(broker);
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": " + e.getMessage(), e);
        }
    }

    void giveBack(Broker.Link l) {
        give(l);
    }

    /** {@code [op, id, pid, thread id, args...]}; the reply, an "error" reply thrown as IllegalStateException. */
    List<?> call(String op, Object... args) {
        return plain(named(op, args));
    }

    /** As {@link #call}, for a call that may wait long: an interrupt ends it. */
    List<?> callInterruptibly(String op, Object... args) throws InterruptedException {
        return plainInterruptibly(named(op, args));
    }

    private List<?> named(String op, Object... args) {
        List<Object> req = new ArrayList<>(4 + args.length);
        Collections.addAll(req, op, id, Broker.PID, Thread.currentThread().threadId());
        Collections.addAll(req, args);
        return req;
    }

    /** A request as it is (no caller named); the reply, an "error" reply thrown as IllegalStateException. */
    List<?> plain(List<?> req) {
        try {
            return run(req, false);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }

    /** As {@link #plain}, for a call that may wait long: an interrupt ends it. */
    List<?> plainInterruptibly(List<?> req) throws InterruptedException {
        return run(req, true);
    }

    private List<?> run(List<?> req, boolean interruptible) throws InterruptedException {
        Broker.Link l = take();
        List<?> r;
        try {
            r = interruptible ? l.callInterruptibly(req) : l.call(req);
        } catch (IOException e) {
            l.close();
            throw new UncheckedIOException(Broker.unreachable(what, e), e);
        } catch (InterruptedException | RuntimeException | Error e) {
            l.cancel();
            throw e;
        }
        give(l);
        return check(r);
    }

    static List<?> check(List<?> r) {
        if ("error".equals(r.get(0))) throw new IllegalStateException(String.valueOf(r.get(1)));
        return r;
    }

    /** Ends this handle's connections (what the owner held for them is given back); idempotent. */
    void close() {
        closed = true;
        cleanable.clean();
    }
}
