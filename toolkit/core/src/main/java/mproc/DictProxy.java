package mproc;

import java.nio.file.Path;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentMap;

/**
 * A dict hosted by a {@link Manager} (Python's {@code manager.dict()}, a DictProxy), as a {@link
 * java.util.Map} that every process holding it sees and changes. Each call is one request to the hosting
 * JVM; keys and values travel through {@link Codec}'s encoding (plain data: what {@link Connection#send}
 * takes), so what {@code get} returns is a copy: changing it changes nothing stored, as with Python's proxy.
 *
 * <p>It is a {@link ConcurrentMap}: {@link #putIfAbsent}, {@link #replace(Object, Object, Object)} and
 * {@code remove(key, value)} are atomic in the host, so {@code merge}, {@code compute} and {@code
 * computeIfAbsent} (ConcurrentMap's retry loops over them) are atomic across processes too, e.g. {@code
 * counts.merge(word, 1L, Long::sum)}; Python's {@code d[k] += 1} is not. Values are compared by their
 * encoding. {@link #entrySet()}, {@link #keySet()} and {@link #values()} are snapshots (Python's {@code
 * items()}, {@code keys()}, {@code values()} return lists too), not live views; {@link #copy()} is Python's
 * {@code copy()}. Keys may not be arrays; a null value reads as absent to merge and compute.
 */
public final class DictProxy<K, V> extends AbstractMap<K, V> implements ConcurrentMap<K, V>, Shareable {
    private static final String KIND = "mproc-dict";
    private final Path broker;
    private final long id;
    private final Managed.Calls calls;

    DictProxy(Path broker, long id, Managed.DictState local) {
        this.broker = broker;
        this.id = id;
        this.calls = new Managed.Calls(local, local == null ? new Remote(broker, id, "manager dict").connect() : null, "dict");
    }

    /** The dict an address names (in a worker: {@code DictProxy.attach(args[0])}). */
    public static <K, V> DictProxy<K, V> attach(String address) {
        String[] f = address.split("\\|");
        if (f.length != 3 || !f[0].equals(KIND)) throw new IllegalArgumentException("not a manager dict address: " + address);
        return new DictProxy<>(Path.of(f[1]), Long.parseLong(f[2]), null);
    }

    @Override
    public String address() {
        return KIND + "|" + broker + "|" + id;
    }

    @SuppressWarnings("unchecked")
    private V value(Object bytes) {
        return (V) Managed.decode(bytes);
    }

    @Override
    public V get(Object key) {
        return value(calls.call("mg.get", Managed.key(key)).get(2));
    }

    @Override
    public boolean containsKey(Object key) {
        return (Boolean) calls.call("mg.has", Managed.key(key)).get(1);
    }

    @Override
    public boolean containsValue(Object value) {
        return (Boolean) calls.call("mg.hasvalue", (Object) Managed.encode(value)).get(1);
    }

    @Override
    public V put(K key, V value) {
        return value(calls.call("mg.put", Managed.key(key), Managed.encode(value)).get(2));
    }

    @Override
    public V putIfAbsent(K key, V value) {
        return value(calls.call("mg.putabsent", Managed.key(key), Managed.encode(value)).get(2));
    }

    @Override
    public V remove(Object key) {
        return value(calls.call("mg.remove", Managed.key(key)).get(2));
    }

    @Override
    public boolean remove(Object key, Object value) {
        return (Boolean) calls.call("mg.removeif", Managed.key(key), Managed.encode(value)).get(1);
    }

    @Override
    public V replace(K key, V value) {
        return value(calls.call("mg.replace", Managed.key(key), Managed.encode(value)).get(2));
    }

    @Override
    public boolean replace(K key, V oldValue, V newValue) {
        return (Boolean) calls.call("mg.replaceif", Managed.key(key), Managed.encode(oldValue), Managed.encode(newValue)).get(1);
    }

    @Override
    public int size() {
        return ((Number) calls.call("mg.size").get(1)).intValue();
    }

    @Override
    public boolean isEmpty() {
        return size() == 0;
    }

    @Override
    public void clear() {
        calls.call("mg.clear");
    }

    /** All the entries in one request. */
    @Override
    public void putAll(Map<? extends K, ? extends V> m) {
        List<Object> ks = new ArrayList<>(m.size()), vs = new ArrayList<>(m.size());
        for (Map.Entry<? extends K, ? extends V> e : m.entrySet()) {
            ks.add(Managed.key(e.getKey()));
            vs.add(Managed.encode(e.getValue()));
        }
        calls.call("mg.putall", ks, vs);
    }

    /** A copy of the whole dict, in insertion order, in one request (Python's {@code copy()}). */
    @SuppressWarnings("unchecked")
    public Map<K, V> copy() {
        List<?> r = calls.call("mg.items");
        List<?> ks = (List<?>) r.get(1), vs = (List<?>) r.get(2);
        Map<K, V> out = new LinkedHashMap<>();
        for (int i = 0; i < ks.size(); i++) out.put((K) ks.get(i), value(vs.get(i)));
        return out;
    }

    /** A snapshot of the entries (not a live view: changing it is refused). */
    @Override
    public Set<Map.Entry<K, V>> entrySet() {
        return Collections.unmodifiableMap(copy()).entrySet();
    }

    @Override
    public String toString() {
        return copy().toString();
    }
}
