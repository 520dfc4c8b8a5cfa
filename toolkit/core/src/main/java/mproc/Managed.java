package mproc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The broker-side state of a {@link Manager}'s objects and the requests that reach it ({@code mg.*} for a
 * dict or namespace, {@code ml.*} for a list). Values are kept as their {@link Codec} encoding, as the
 * proxies sent them: the hosting JVM never decodes (nor needs the classes of) what workers store, and two
 * values are equal when their encodings are. Keys are decoded values (strings, numbers, enums, records,
 * lists...; never arrays, which have no value equality). The host's proxies call {@link #handle} directly.
 */
final class Managed {
    private Managed() {}

    static final String INDEX = "IndexOutOfBounds: ";

    /** A reply ["ok", values...] that may hold nulls. */
    private static List<Object> ok(Object... values) {
        List<Object> r = new ArrayList<>(values.length + 1);
        r.add("ok");
        Collections.addAll(r, values);
        return r;
    }

    static Object handle(String op, Object state, List<?> a) {
        try {
            if (state instanceof Shut s && s.isShut()) return List.of("error", "the manager that hosted this "
                    + s.what() + " was shut down");
            if (op.startsWith("mg.")) return dict(op, (DictState) state, a);
            if (op.startsWith("ml.")) return list(op, (ListState) state, a);
            return List.of("error", "unknown operation " + op);
        } catch (IndexOutOfBoundsException e) {
            return List.of("error", INDEX + e.getMessage());
        } catch (RuntimeException e) {
            return List.of("error", String.valueOf(e.getMessage()));
        }
    }

    private static Object dict(String op, DictState d, List<?> a) {
        Map<Object, byte[]> m = d.map;
        synchronized (d) {
            switch (op) {
                case "mg.get": return found(m, a.get(0), m.get(a.get(0)));
                case "mg.has": return ok(m.containsKey(a.get(0)));
                case "mg.put": {
                    boolean had = m.containsKey(a.get(0));
                    return ok(had, m.put(a.get(0), (byte[]) a.get(1)));
                }
                case "mg.putabsent": {
                    if (m.containsKey(a.get(0))) return ok(true, m.get(a.get(0)));
                    m.put(a.get(0), (byte[]) a.get(1));
                    return ok(false, null);
                }
                case "mg.remove": {
                    boolean had = m.containsKey(a.get(0));
                    return ok(had, m.remove(a.get(0)));
                }
                case "mg.removeif": {
                    if (!m.containsKey(a.get(0)) || !Arrays.equals(m.get(a.get(0)), (byte[]) a.get(1))) return ok(false);
                    m.remove(a.get(0));
                    return ok(true);
                }
                case "mg.replace": {
                    if (!m.containsKey(a.get(0))) return ok(false, null);
                    return ok(true, m.put(a.get(0), (byte[]) a.get(1)));
                }
                case "mg.replaceif": {
                    if (!m.containsKey(a.get(0)) || !Arrays.equals(m.get(a.get(0)), (byte[]) a.get(1))) return ok(false);
                    m.put(a.get(0), (byte[]) a.get(2));
                    return ok(true);
                }
                case "mg.hasvalue": {
                    for (byte[] v : m.values()) if (Arrays.equals(v, (byte[]) a.get(0))) return ok(true);
                    return ok(false);
                }
                case "mg.size": return ok((long) m.size());
                case "mg.clear": m.clear(); return ok();
                case "mg.items": return ok(new ArrayList<>(m.keySet()), new ArrayList<>(m.values()));
                case "mg.putall": {
                    List<?> ks = (List<?>) a.get(0), vs = (List<?>) a.get(1);
                    for (int i = 0; i < ks.size(); i++) m.put(ks.get(i), (byte[]) vs.get(i));
                    return ok();
                }
                default: return List.of("error", "unknown operation " + op);
            }
        }
    }

    private static Object found(Map<Object, byte[]> m, Object key, byte[] v) {
        return v != null || m.containsKey(key) ? ok(true, v) : ok(false, null);
    }

    private static Object list(String op, ListState l, List<?> a) {
        List<byte[]> x = l.items;
        synchronized (l) {
            switch (op) {
                case "ml.get": return ok(x.get(index(a.get(0))));
                case "ml.set": return ok(x.set(index(a.get(0)), (byte[]) a.get(1)));
                case "ml.add": x.add((byte[]) a.get(0)); return ok();
                case "ml.insert": x.add(index(a.get(0)), (byte[]) a.get(1)); return ok();
                case "ml.removeat": return ok(x.remove(index(a.get(0))));
                case "ml.removeval": {
                    int i = indexOf(x, (byte[]) a.get(0));
                    if (i >= 0) x.remove(i);
                    return ok(i >= 0);
                }
                case "ml.indexof": return ok((long) indexOf(x, (byte[]) a.get(0)));
                case "ml.lastindexof": {
                    for (int i = x.size() - 1; i >= 0; i--) if (Arrays.equals(x.get(i), (byte[]) a.get(0))) return ok((long) i);
                    return ok(-1L);
                }
                case "ml.size": return ok((long) x.size());
                case "ml.clear": x.clear(); return ok();
                case "ml.all": return ok(new ArrayList<>(x));
                case "ml.addall": {
                    int at = a.size() > 1 ? index(a.get(1)) : x.size();
                    List<byte[]> add = new ArrayList<>();
                    for (Object o : (List<?>) a.get(0)) add.add((byte[]) o);
                    x.addAll(at, add);
                    return ok();
                }
                default: return List.of("error", "unknown operation " + op);
            }
        }
    }

    private static int index(Object o) {
        return ((Number) o).intValue();
    }

    private static int indexOf(List<byte[]> x, byte[] v) {
        for (int i = 0; i < x.size(); i++) if (Arrays.equals(x.get(i), v)) return i;
        return -1;
    }

    /** State that its manager's shutdown ends: requests are refused from then on. */
    abstract static class Shut {
        private volatile boolean shut;

        void shut() {
            shut = true;
        }

        boolean isShut() {
            return shut;
        }

        abstract String what();
    }

    static final class DictState extends Shut {
        final Map<Object, byte[]> map = new LinkedHashMap<>();
        private final String what;

        DictState(String what) {
            this.what = what;
        }

        @Override
        String what() {
            return what;
        }
    }

    static final class ListState extends Shut {
        final List<byte[]> items = new ArrayList<>();

        @Override
        String what() {
            return "list";
        }
    }

    // ------------------------------------------------------------------ the proxies' side

    /** A value in Codec's encoding; IllegalArgumentException if it cannot travel. */
    static byte[] encode(Object v) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try {
            Codec.write(new DataOutputStream(b), v);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return b.toByteArray();
    }

    static Object decode(Object bytes) {
        if (bytes == null) return null;
        try {
            return Codec.read(new DataInputStream(new ByteArrayInputStream((byte[]) bytes)));
        } catch (IOException e) {
            throw new IllegalStateException("a stored value cannot be decoded here: " + e.getMessage(), e);
        }
    }

    /** A key as the host stores it: a copy through the encoding (as a worker's key arrives); arrays refused. */
    static Object key(Object k) {
        if (k != null && k.getClass().isArray()) throw new IllegalArgumentException("an array cannot be a key (arrays"
                + " have no value equality; use a List or a String)");
        return decode(encode(k));
    }

    /** Sends a request: to the local state directly, or through the broker. */
    static final class Calls {
        private final Object local;
        private final Remote remote;
        private final String what;

        Calls(Object local, Remote remote, String what) {
            this.local = local;
            this.remote = remote;
            this.what = what;
        }

        List<?> call(String op, Object... args) {
            List<?> r;
            if (local != null) {
                List<Object> a = new ArrayList<>(args.length);
                Collections.addAll(a, args);
                r = (List<?>) handle(op, local, a);
            } else {
                try {
                    return remote.call(op, args);
                } catch (IllegalStateException e) {
                    throw translate(e.getMessage(), e);
                }
            }
            if ("error".equals(r.get(0))) throw translate(String.valueOf(r.get(1)), null);
            return r;
        }

        private RuntimeException translate(String msg, RuntimeException cause) {
            if (msg.startsWith(INDEX)) return new IndexOutOfBoundsException(msg.substring(INDEX.length()));
            if (msg.startsWith("no such object")) msg = "the manager that hosted this " + what + " was shut down";
            IllegalStateException e = new IllegalStateException(msg);
            if (cause != null) e.initCause(cause);
            return e;
        }
    }
}
