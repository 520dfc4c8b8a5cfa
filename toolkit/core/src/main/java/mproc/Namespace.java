package mproc;

import java.nio.file.Path;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Collectors;

/**
 * A namespace hosted by a {@link Manager} (Python's {@code manager.Namespace()}): named values that every
 * process holding it sees. Python's {@code ns.x = 1} and {@code ns.x} are {@link #set(String, Object)} and
 * {@link #get(String)}; {@code del ns.x} is {@link #delete(String)}; {@code hasattr(ns, 'x')} is {@link
 * #has(String)}. Values travel through {@link Codec}'s encoding, so {@code get} returns a copy: as in
 * Python, {@code ns.get("list").add(1)} changes nothing stored; set the value again.
 */
public final class Namespace implements Shareable {
    private static final String KIND = "mproc-ns";
    private final Path broker;
    private final long id;
    private final Managed.Calls calls;

    Namespace(Path broker, long id, Managed.DictState local) {
        this.broker = broker;
        this.id = id;
        this.calls = new Managed.Calls(local, local == null ? new Remote(broker, id, "manager namespace").connect() : null, "namespace");
    }

    /** The namespace an address names (in a worker: {@code Namespace.attach(args[0])}). */
    public static Namespace attach(String address) {
        String[] f = address.split("\\|");
        if (f.length != 3 || !f[0].equals(KIND)) throw new IllegalArgumentException("not a namespace address: " + address);
        return new Namespace(Path.of(f[1]), Long.parseLong(f[2]), null);
    }

    @Override
    public String address() {
        return KIND + "|" + broker + "|" + id;
    }

    private static String check(String name) {
        if (name == null || name.isEmpty()) throw new IllegalArgumentException("a namespace name must not be empty");
        return name;
    }

    /** The value named {@code name}; NoSuchElementException if there is none (Python's AttributeError). */
    @SuppressWarnings("unchecked")
    public <T> T get(String name) {
        var r = calls.call("mg.get", check(name));
        if (!(Boolean) r.get(1)) throw new NoSuchElementException("'Namespace' object has no attribute '" + name + "'");
        return (T) Managed.decode(r.get(2));
    }

    /** The value named {@code name}, or {@code otherwise} (Python's {@code getattr(ns, name, otherwise)}). */
    @SuppressWarnings("unchecked")
    public <T> T get(String name, T otherwise) {
        var r = calls.call("mg.get", check(name));
        return (Boolean) r.get(1) ? (T) Managed.decode(r.get(2)) : otherwise;
    }

    public Namespace set(String name, Object value) {
        calls.call("mg.put", check(name), Managed.encode(value));
        return this;
    }

    public boolean has(String name) {
        return (Boolean) calls.call("mg.has", check(name)).get(1);
    }

    /** Removes the value named {@code name}; NoSuchElementException if there is none. */
    public void delete(String name) {
        if (!(Boolean) calls.call("mg.remove", check(name)).get(1)) {
            throw new NoSuchElementException("'Namespace' object has no attribute '" + name + "'");
        }
    }

    /** A copy of every name and value, in the order first set. */
    public Map<String, Object> toMap() {
        var r = calls.call("mg.items");
        java.util.List<?> ks = (java.util.List<?>) r.get(1), vs = (java.util.List<?>) r.get(2);
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < ks.size(); i++) out.put((String) ks.get(i), Managed.decode(vs.get(i)));
        return out;
    }

    /** As Python prints it: {@code Namespace(a=1, b='x')}. */
    @Override
    public String toString() {
        return toMap().entrySet().stream().map(e -> e.getKey() + "=" + (e.getValue() instanceof String s ? "'" + s + "'" : e.getValue()))
                .collect(Collectors.joining(", ", "Namespace(", ")"));
    }
}
