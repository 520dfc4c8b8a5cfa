package mproc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * A handle's connections to the broker that hosts its object, in a JVM that does not host it. A call
 * takes an idle connection (or opens one), so a call that blocks (an acquire, a wait) does not hold up
 * another thread's call on the same handle. Requests that name the caller carry {@code [op, id, pid,
 * thread id, args...]}: an RLock is held, and a Condition waited on, by a thread of a process.
 */
final class Remote {
    private final Path broker;
    private final long id;
    private final String what;
    private final ConcurrentLinkedDeque<Broker.Link> idle = new ConcurrentLinkedDeque<>();

    Remote(Path broker, long id, String what) {
        this.broker = broker;
        this.id = id;
        this.what = what;
    }

    /** Connects at once: the first call is then fast, and an owner that is gone is reported here. */
    Remote connect() {
        idle.push(open());
        return this;
    }

    private Broker.Link open() {
        try {
            return new Broker.Link(broker);
        } catch (IOException e) {
            throw new UncheckedIOException(what + ": " + e.getMessage(), e);
        }
    }

    /** {@code [op, id, pid, thread id, args...]}; the reply, an "error" reply thrown as IllegalStateException. */
    List<?> call(String op, Object... args) {
        List<Object> req = new ArrayList<>(4 + args.length);
        Collections.addAll(req, op, id, Broker.PID, Thread.currentThread().threadId());
        Collections.addAll(req, args);
        return plain(req);
    }

    /** A request as it is (no caller named); the reply, an "error" reply thrown as IllegalStateException. */
    List<?> plain(List<?> req) {
        Broker.Link l = idle.poll();
        if (l == null) l = open();
        List<?> r;
        try {
            r = l.call(req);
        } catch (IOException e) {
            l.close();
            throw new UncheckedIOException(what + ": the process that owns it has probably ended (" + e.getMessage() + ")", e);
        }
        idle.push(l);
        return check(r);
    }

    static List<?> check(List<?> r) {
        if ("error".equals(r.get(0))) throw new IllegalStateException(String.valueOf(r.get(1)));
        return r;
    }

    /** Ends this handle's connections (what the owner held for them is given back). */
    void close() {
        for (Broker.Link l; (l = idle.poll()) != null; ) l.close();
    }
}
