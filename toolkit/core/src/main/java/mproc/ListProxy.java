package mproc;

import java.nio.file.Path;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.RandomAccess;

/**
 * A list hosted by a {@link Manager} (Python's {@code manager.list()}, a ListProxy), as a {@link
 * java.util.List} that every process holding it sees and changes. Each call is one request to the hosting
 * JVM (each of {@code add}, {@code remove(int)}, {@code set} is atomic there); elements travel through
 * {@link Codec}'s encoding, so {@code get} returns a copy, and elements are compared by their encoding
 * ({@code indexOf}, {@code contains}, {@code remove(Object)}). {@link #iterator()} walks a snapshot taken in
 * one request ({@link #copy()}); it cannot remove.
 */
public final class ListProxy<E> extends AbstractList<E> implements RandomAccess, Shareable {
    private static final String KIND = "mproc-list";
    private final Path broker;
    private final long id;
    private final Managed.Calls calls;

    ListProxy(Path broker, long id, Managed.ListState local) {
        this.broker = broker;
        this.id = id;
        this.calls = new Managed.Calls(local, local == null ? new Remote(broker, id, "manager list").connect() : null, "list");
    }

    /** The list an address names (in a worker: {@code ListProxy.attach(args[0])}). */
    public static <E> ListProxy<E> attach(String address) {
        String[] f = address.split("\\|");
        if (f.length != 3 || !f[0].equals(KIND)) throw new IllegalArgumentException("not a manager list address: " + address);
        return new ListProxy<>(Path.of(f[1]), Long.parseLong(f[2]), null);
    }

    @Override
    public String address() {
        return KIND + "|" + broker + "|" + id;
    }

    @SuppressWarnings("unchecked")
    private E element(Object bytes) {
        return (E) Managed.decode(bytes);
    }

    @Override
    public E get(int index) {
        return element(calls.call("ml.get", index).get(1));
    }

    @Override
    public E set(int index, E element) {
        return element(calls.call("ml.set", index, Managed.encode(element)).get(1));
    }

    @Override
    public boolean add(E e) {
        calls.call("ml.add", (Object) Managed.encode(e));
        return true;
    }

    @Override
    public void add(int index, E element) {
        calls.call("ml.insert", index, Managed.encode(element));
    }

    @Override
    public E remove(int index) {
        return element(calls.call("ml.removeat", index).get(1));
    }

    @Override
    public boolean remove(Object o) {
        return (Boolean) calls.call("ml.removeval", (Object) Managed.encode(o)).get(1);
    }

    @Override
    public int indexOf(Object o) {
        return ((Number) calls.call("ml.indexof", (Object) Managed.encode(o)).get(1)).intValue();
    }

    @Override
    public int lastIndexOf(Object o) {
        return ((Number) calls.call("ml.lastindexof", (Object) Managed.encode(o)).get(1)).intValue();
    }

    @Override
    public boolean contains(Object o) {
        return indexOf(o) >= 0;
    }

    @Override
    public int size() {
        return ((Number) calls.call("ml.size").get(1)).intValue();
    }

    @Override
    public void clear() {
        calls.call("ml.clear");
    }

    /** All of them in one request (Python's {@code extend}). */
    @Override
    public boolean addAll(Collection<? extends E> c) {
        calls.call("ml.addall", encodeAll(c));
        return !c.isEmpty();
    }

    @Override
    public boolean addAll(int index, Collection<? extends E> c) {
        calls.call("ml.addall", encodeAll(c), index);
        return !c.isEmpty();
    }

    private static List<Object> encodeAll(Collection<?> c) {
        List<Object> out = new ArrayList<>(c.size());
        for (Object o : c) out.add(Managed.encode(o));
        return out;
    }

    /** A copy of the whole list in one request (Python's {@code list(proxy)} or {@code proxy[:]}). */
    public List<E> copy() {
        List<E> out = new ArrayList<>();
        for (Object b : (List<?>) calls.call("ml.all").get(1)) out.add(element(b));
        return out;
    }

    @Override
    public Iterator<E> iterator() {
        return Collections.unmodifiableList(copy()).iterator();
    }

    @Override
    public boolean equals(Object o) {
        return o == this || (o instanceof List<?> l && copy().equals(o instanceof ListProxy<?> p ? p.copy() : l));
    }

    @Override
    public int hashCode() {
        return copy().hashCode();
    }

    @Override
    public String toString() {
        return copy().toString();
    }
}
