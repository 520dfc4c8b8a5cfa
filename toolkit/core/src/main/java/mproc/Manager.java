package mproc;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Python's {@code multiprocessing.Manager()}: shared dicts, lists and namespaces that many workers see
 * and change, through proxies ({@link DictProxy}, a {@link java.util.Map}; {@link ListProxy}, a {@link
 * java.util.List}; {@link Namespace}). A proxy is passed to a worker as an argument or a field, and
 * attached there ({@code DictProxy.attach(args[0])}).
 *
 * <pre>{@code
 * try (Manager m = Manager.start()) {          // Python: with Manager() as m:
 *     DictProxy<String, Long> d = m.dict();
 *     ListProxy<String> l = m.list();
 *     Namespace ns = m.namespace();
 *     new Worker(Task.class, d, l, ns).start().join();
 * }                                            // shut down: the proxies stop working
 * }</pre>
 *
 * <p>Where the objects live: Python starts a server process for its manager, and every proxy call is a
 * request to it. Here the objects are hosted by the {@link Broker} of the JVM that starts the manager, the
 * same one that hosts its queues and locks, so no extra JVM is started (Python's manager costs a process
 * start, here ~free) and the creating JVM reads its own objects without a socket. What Python gains from
 * a separate process, that the objects outlive their creator and can be reached from other machines
 * (BaseManager with an address), is not offered: the objects end with the JVM that started the manager,
 * as Python's manager process is ended with its parent. Values and keys travel through {@link Codec}'s
 * explicit encoding (plain data), never Java serialization, as Python's go through pickle.
 */
public final class Manager implements AutoCloseable {
    private final Broker broker;
    private final List<Long> ids = new ArrayList<>();
    private final List<Managed.Shut> states = new ArrayList<>();
    private boolean shut;

    private Manager(Broker broker) {
        this.broker = broker;
    }

    /** A manager whose objects this JVM hosts (Python's {@code Manager()}, started). */
    public static Manager start() {
        return new Manager(Broker.local());
    }

    private synchronized long host(Managed.Shut state) {
        if (shut) throw new IllegalStateException("the manager was shut down");
        long id = broker.register(state);
        ids.add(id);
        states.add(state);
        return id;
    }

    /** A new, empty shared dict (Python's {@code manager.dict()}). */
    public <K, V> DictProxy<K, V> dict() {
        Managed.DictState s = new Managed.DictState("dict");
        return new DictProxy<>(broker.path(), host(s), s);
    }

    /** A new shared dict holding {@code initial}'s entries (Python's {@code manager.dict(mapping)}). */
    public <K, V> DictProxy<K, V> dict(Map<? extends K, ? extends V> initial) {
        DictProxy<K, V> d = dict();
        d.putAll(initial);
        return d;
    }

    /** A new, empty shared list (Python's {@code manager.list()}). */
    public <E> ListProxy<E> list() {
        Managed.ListState s = new Managed.ListState();
        return new ListProxy<>(broker.path(), host(s), s);
    }

    /** A new shared list holding {@code initial}'s elements (Python's {@code manager.list(sequence)}). */
    public <E> ListProxy<E> list(Collection<? extends E> initial) {
        ListProxy<E> l = list();
        l.addAll(initial);
        return l;
    }

    /** A new, empty namespace (Python's {@code manager.Namespace()}). */
    public Namespace namespace() {
        Managed.DictState s = new Managed.DictState("namespace");
        return new Namespace(broker.path(), host(s), s);
    }

    /**
     * Ends the manager's objects (Python's {@code shutdown()}): every proxy, here and in workers, throws
     * IllegalStateException from then on. Shutting down twice is fine.
     */
    public synchronized void shutdown() {
        if (shut) return;
        shut = true;
        for (Managed.Shut s : states) s.shut();
        for (long id : ids) broker.unregister(id);
        states.clear();
        ids.clear();
    }

    /** {@link #shutdown()}: the end of try-with-resources, Python's {@code with Manager() as m:}. */
    @Override
    public void close() {
        shutdown();
    }
}
