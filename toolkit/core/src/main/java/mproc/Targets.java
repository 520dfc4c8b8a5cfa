package mproc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a worker runs, as text: a class name (the worker creates the class with its no-argument
 * constructor), or {@code lambda:} and the {@link Lambdas description} of a lambda or method reference;
 * either after {@code @<directory>|} when its code was {@link Classes#ship shipped} there (a notebook's
 * classes). Making the text also ships the code a worker JVM cannot load by itself.
 */
final class Targets {
    static final String LAMBDA = "lambda:";

    private Targets() {}

    /** The text that names {@code fn} (a lambda, a method reference or an object of a plain class) in a worker. */
    static String of(Object fn, String what) {
        Map<String, Object> d = Lambdas.describe(fn);
        if (d == null) {
            Class<?> c = fn.getClass();
            for (Class<?> k = c; k != null && k != Object.class; k = k.getSuperclass()) {
                for (Field f : k.getDeclaredFields()) {
                    if (!Modifier.isStatic(f.getModifiers()) && !Modifier.isTransient(f.getModifiers()) && !f.isSynthetic()) {
                        throw new IllegalArgumentException("the " + what + " object of class " + c.getName() + " has a field, "
                                + f.getName() + ", whose value would not reach the worker JVM (it creates its own object"
                                + " from the class): pass a lambda that captures the value, or the class itself");
                    }
                }
            }
            return of(c, what);
        }
        ClassLoader loader = fn.getClass().getClassLoader();
        java.nio.file.Path dir = null;
        for (String key : List.of(Lambdas.IMPL_CLASS, Lambdas.CAPTURING_CLASS)) {
            String name = ((String) d.get(key)).replace('/', '.');
            try {
                java.nio.file.Path shipped = Classes.ship(Class.forName(name, false, loader));
                if (dir == null) dir = shipped;
            } catch (ClassNotFoundException e) {
                // a class the lambda's own loader cannot name: nothing this JVM could ship
            }
        }
        for (Object v : (List<?>) d.get(Lambdas.CAPTURED_ARGS)) shipTypes(v);
        List<Object> flat = new ArrayList<>();
        for (Map.Entry<String, Object> e : d.entrySet()) {
            flat.add(e.getKey());
            flat.add(e.getValue());
        }
        return at(dir) + LAMBDA + Base64.getEncoder().encodeToString(encode(flat));
    }

    private static String at(java.nio.file.Path dir) {
        return dir == null ? "" : "@" + dir + "|";
    }

    /** The directory of shipped classes {@code ref} names, or null. */
    static String shippedDir(String ref) {
        return ref.startsWith("@") ? ref.substring(1, ref.indexOf('|')) : null;
    }

    /** {@code ref} without its directory of shipped classes. */
    static String bare(String ref) {
        return ref.startsWith("@") ? ref.substring(ref.indexOf('|') + 1) : ref;
    }

    /** The text that names class {@code c}, checked to be one a worker JVM can create. */
    static String of(Class<?> c, String what) {
        if (c.isHidden() || c.isAnonymousClass() || c.isLocalClass()) {
            throw new IllegalArgumentException("the " + what + " class " + c.getName() + " is anonymous or local:"
                    + " a worker JVM cannot create it by name. Use a lambda, or a top-level or static nested class");
        }
        if (c.isMemberClass() && !Modifier.isStatic(c.getModifiers())) {
            throw new IllegalArgumentException("the " + what + " class " + c.getName() + " must be a static nested class"
                    + " (an inner class needs an enclosing object the worker JVM does not have)");
        }
        if (Modifier.isAbstract(c.getModifiers())) throw new IllegalArgumentException("the " + what + " class " + c.getName() + " is abstract");
        try {
            c.getDeclaredConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalArgumentException("the " + what + " class " + c.getName() + " needs a no-argument constructor:"
                    + " the worker JVM creates it with that");
        }
        return at(Classes.ship(c)) + c.getName();
    }

    /** Ships the classes of records and enums inside {@code v} that a worker JVM could not load. */
    static void shipTypes(Object v) {
        if (v == null) return;
        Class<?> c = v.getClass();
        if (c.isEnum() || c.isRecord() || c.getEnclosingClass() != null && c.getEnclosingClass().isEnum()) {
            Classes.ship(c.isEnum() || c.isRecord() ? c : c.getEnclosingClass());
            if (c.isRecord()) {
                for (var rc : c.getRecordComponents()) {
                    try {
                        var m = rc.getAccessor();
                        m.setAccessible(true);
                        shipTypes(m.invoke(v));
                    } catch (ReflectiveOperationException | RuntimeException e) {
                        // the encoder names the component that cannot travel
                    }
                }
            }
        } else if (v instanceof Iterable<?> it) {
            for (Object o : it) shipTypes(o);
        } else if (v instanceof Map<?, ?> m) {
            for (Map.Entry<?, ?> e : m.entrySet()) {
                shipTypes(e.getKey());
                shipTypes(e.getValue());
            }
        }
    }

    /**
     * In a worker JVM: the object {@code ref} names, as an {@code iface}, loaded with {@code loader}, or with
     * the loader of the shipped classes the ref names.
     */
    static <T> T resolve(String ref, Class<T> iface, ClassLoader loader) throws ReflectiveOperationException {
        String dir = shippedDir(ref);
        if (dir != null) loader = Classes.loader(dir);
        ref = bare(ref);
        if (ref.startsWith(LAMBDA)) {
            List<?> flat = (List<?>) decode(Base64.getDecoder().decode(ref.substring(LAMBDA.length())));
            Map<String, Object> d = new LinkedHashMap<>();
            for (int i = 0; i + 1 < flat.size(); i += 2) d.put((String) flat.get(i), flat.get(i + 1));
            return Lambdas.rebuild(d, iface, loader);
        }
        Class<?> c = Class.forName(ref, false, loader); // not initialised (no static code runs) before the check
        if (!iface.isAssignableFrom(c)) throw new IllegalArgumentException(c.getName() + " is not a " + iface.getSimpleName());
        Constructor<?> k = c.getDeclaredConstructor();
        k.setAccessible(true);
        return iface.cast(k.newInstance());
    }

    private static byte[] encode(Object v) {
        try {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            Codec.write(new DataOutputStream(b), v);
            return b.toByteArray();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object decode(byte[] bytes) {
        try {
            return Codec.read(new DataInputStream(new ByteArrayInputStream(bytes)));
        } catch (IOException e) {
            throw new IllegalArgumentException("malformed lambda description: " + e.getMessage(), e);
        }
    }
}
