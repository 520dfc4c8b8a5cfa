package mproc;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;

/**
 * Carries the fields of a {@link Worker} subclass to its child JVM as text, one property per field.
 * Only plain values travel: primitives and their boxes, String, enums, and arrays of int, long, double and
 * String. Anything else is refused at {@code start()} with a message naming the field (mark it
 * {@code transient} to keep it in the parent only). No Java serialization is involved.
 */
final class Fields {
    private static final String PREFIX = "field.";

    private Fields() {}

    static void encode(Worker w, Properties p, java.util.List<Connection> ends) {
        for (Field f : fields(w.getClass())) {
            Object v = get(f, w);
            String key = PREFIX + f.getDeclaringClass().getName() + "." + f.getName();
            if (v == null) continue;
            if (v instanceof Connection c) ends.add(c);
            p.setProperty(key, toText(f, v));
        }
    }

    static void decode(Worker w, Properties p) {
        for (Field f : fields(w.getClass())) {
            String key = PREFIX + f.getDeclaringClass().getName() + "." + f.getName();
            String text = p.getProperty(key);
            if (text == null) continue;
            try {
                f.set(w, fromText(f.getType(), text));
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot set field " + f, e);
            }
        }
    }

    /** Instance fields declared by subclasses of Worker (Worker's own state travels separately). */
    private static List<Field> fields(Class<?> c) {
        List<Field> out = new ArrayList<>();
        for (Class<?> k = c; k != null && k != Worker.class; k = k.getSuperclass()) {
            for (Field f : k.getDeclaredFields()) {
                int m = f.getModifiers();
                if (Modifier.isStatic(m) || Modifier.isTransient(m) || f.isSynthetic()) continue;
                checkType(f);
                f.setAccessible(true);
                out.add(f);
            }
        }
        return out;
    }

    private static void checkType(Field f) {
        Class<?> t = f.getType();
        boolean ok = t.isPrimitive() || t == String.class || t.isEnum() || Number.class.isAssignableFrom(t)
                || Shareable.class.isAssignableFrom(t) && t != Shareable.class
                || t == Boolean.class || t == Character.class
                || t == int[].class || t == long[].class || t == double[].class || t == String[].class;
        if (!ok) {
            throw new IllegalArgumentException("field " + f.getDeclaringClass().getSimpleName() + "." + f.getName()
                    + " of type " + t.getSimpleName() + " cannot travel to a worker JVM; use a primitive, String,"
                    + " enum, an array of int/long/double/String or an IPC object (Pipe end, Queue, Lock, Barrier,"
                    + " SharedArray), or mark it transient");
        }
    }

    private static Object get(Field f, Object o) {
        try {
            return f.get(o);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read field " + f, e);
        }
    }

    private static String toText(Field f, Object v) {
        if (v instanceof int[] a) return join(Arrays.stream(a).mapToObj(String::valueOf).toList());
        if (v instanceof long[] a) return join(Arrays.stream(a).mapToObj(String::valueOf).toList());
        if (v instanceof double[] a) return join(Arrays.stream(a).mapToObj(String::valueOf).toList());
        if (v instanceof String[] a) return join(Arrays.asList(a));
        if (v instanceof Enum<?> e) return e.name();
        if (v instanceof Shareable sh) return sh.address();
        return String.valueOf(v);
    }

    /** Length-prefixed elements: "3:abc5:hello"; safe for any string content. */
    private static String join(List<String> items) {
        StringBuilder sb = new StringBuilder();
        for (String s : items) sb.append(s.length()).append(':').append(s);
        return sb.toString();
    }

    private static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            int colon = text.indexOf(':', i);
            int len = Integer.parseInt(text.substring(i, colon));
            out.add(text.substring(colon + 1, colon + 1 + len));
            i = colon + 1 + len;
        }
        return out;
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Object fromText(Class<?> t, String s) {
        if (t == String.class) return s;
        if (t == int.class || t == Integer.class) return Integer.valueOf(s);
        if (t == long.class || t == Long.class) return Long.valueOf(s);
        if (t == double.class || t == Double.class) return Double.valueOf(s);
        if (t == float.class || t == Float.class) return Float.valueOf(s);
        if (t == short.class || t == Short.class) return Short.valueOf(s);
        if (t == byte.class || t == Byte.class) return Byte.valueOf(s);
        if (t == boolean.class || t == Boolean.class) return Boolean.valueOf(s);
        if (t == char.class || t == Character.class) return s.charAt(0);
        if (t.isEnum()) return Enum.valueOf((Class) t, s);
        if (Shareable.class.isAssignableFrom(t)) {
            try {
                return t.getMethod("attach", String.class).invoke(null, s);
            } catch (ReflectiveOperationException e) {
                throw new IllegalArgumentException("cannot attach " + t.getSimpleName() + " " + s, e);
            }
        }
        List<String> items = split(s);
        if (t == int[].class) return items.stream().mapToInt(Integer::parseInt).toArray();
        if (t == long[].class) return items.stream().mapToLong(Long::parseLong).toArray();
        if (t == double[].class) return items.stream().mapToDouble(Double::parseDouble).toArray();
        if (t == String[].class) return items.toArray(String[]::new);
        throw new IllegalArgumentException("unsupported field type " + t);
    }
}
