package mproc;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Properties;

/**
 * Carries the fields of a {@link Worker} subclass to its child JVM as text, one property per field. A field
 * may hold anything {@link Codec} carries (numbers, strings, arrays, lists, sets, maps, enums, records...,
 * and null), encoded with it and written as Base64; it arrives with its type. A field declared with an IPC
 * type (Pipe end, queues, locks, semaphores, events, conditions, barriers, SharedArray, Value, a Manager's
 * DictProxy, ListProxy or Namespace) travels as the
 * object's address and is attached again in the child. Anything else is refused at {@code start()} with a message naming the field (mark it
 * {@code transient} to keep it in the parent only). No Java serialization is involved.
 */
final class Fields {
    private static final String PREFIX = "field.";
    /** The text of a null IPC field (an address is never empty). */
    private static final String NO_ADDRESS = "";

    private Fields() {}

    static void encode(Worker w, Properties p, java.util.List<Connection> ends) {
        for (Field f : fields(w.getClass())) {
            Object v = get(f, w);
            if (Shareable.class.isAssignableFrom(f.getType())) {
                if (v instanceof Connection c) ends.add(c);
                p.setProperty(key(f), v == null ? NO_ADDRESS : ((Shareable) v).address());
            } else {
                p.setProperty(key(f), toText(f, v));
            }
        }
    }

    static void decode(Worker w, Properties p) {
        for (Field f : fields(w.getClass())) {
            String text = p.getProperty(key(f));
            if (text == null) continue; // not sent: the field keeps what the constructor gave it
            Class<?> t = f.getType();
            Object v = Shareable.class.isAssignableFrom(t) ? (text.equals(NO_ADDRESS) ? null : attach(t, text)) : fromText(f, text);
            if (v == null ? t.isPrimitive() : !Codec.box(t).isInstance(v)) {
                throw new IllegalArgumentException(describe(f) + " cannot hold the value sent, "
                        + (v == null ? "null" : "a " + v.getClass().getTypeName()));
            }
            try {
                f.set(w, v);
            } catch (IllegalAccessException e) {
                throw new IllegalStateException("cannot set field " + f, e);
            }
        }
    }

    private static String key(Field f) {
        return PREFIX + f.getDeclaringClass().getName() + "." + f.getName();
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
        boolean ok = Shareable.class.isAssignableFrom(t) ? t != Shareable.class : Codec.canHold(t);
        if (!ok) {
            throw new IllegalArgumentException(describe(f) + " cannot travel to a worker JVM: "
                    + (t == Shareable.class ? "declare it with its IPC type (Connection, Queue, Lock, Event,"
                    + " Semaphore, Condition, Barrier, SharedArray, Value, DictProxy...)" : "no value it can hold does; "
                    + Codec.WHAT_TRAVELS + ", or IPC objects (Pipe end, queues, locks, semaphores, events, conditions,"
                    + " barriers, SharedArray, Value, Manager proxies)") + "; or mark it transient to keep it in the parent only");
        }
    }

    private static String describe(Field f) {
        return "field " + f.getDeclaringClass().getSimpleName() + "." + f.getName() + " of type "
                + f.getType().getTypeName();
    }

    private static Object get(Field f, Object o) {
        try {
            return f.get(o);
        } catch (IllegalAccessException e) {
            throw new IllegalStateException("cannot read field " + f, e);
        }
    }

    /** The value in Codec's encoding, as Base64; refused (naming the field) if it cannot travel. */
    private static String toText(Field f, Object v) {
        String transientHint = "; mark the field transient to keep it in the parent only";
        if (v instanceof Shareable) {
            throw new IllegalArgumentException(describe(f) + " holds a " + v.getClass().getSimpleName()
                    + ": an IPC object travels in a field declared with its own type (e.g. " + v.getClass().getSimpleName()
                    + "), as its address" + transientHint);
        }
        Class<?> arrives = Codec.arrives(v);
        if (arrives != null && !Codec.box(f.getType()).isAssignableFrom(arrives)) {
            throw new IllegalArgumentException(describe(f) + " holds a " + v.getClass().getTypeName() + ", which would"
                    + " arrive as a " + arrives.getTypeName() + " that the field cannot hold; declare it as "
                    + (v instanceof List<?> ? "List" : v instanceof java.util.Set<?> ? "Set" : "Map") + transientHint);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            Codec.write(new DataOutputStream(bytes), v);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe(f) + " cannot travel to a worker JVM: " + e.getMessage()
                    + transientHint, e);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return Base64.getEncoder().encodeToString(bytes.toByteArray());
    }

    private static Object fromText(Field f, String text) {
        try {
            byte[] b = Base64.getDecoder().decode(text);
            DataInputStream in = new DataInputStream(new ByteArrayInputStream(b));
            Object v = Codec.read(in);
            if (in.available() != 0) throw new IOException("corrupt value: " + in.available() + " bytes left over");
            return v;
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("cannot decode " + describe(f) + ": " + e.getMessage(), e);
        }
    }

    /**
     * The IPC object of type {@code t} at {@code address}, through {@code t}'s static {@code attach(String)}: how a
     * worker turns a field's or a lambda capture's address back into the object.
     */
    static Object attach(Class<?> t, String address) {
        try {
            return t.getMethod("attach", String.class).invoke(null, address);
        } catch (java.lang.reflect.InvocationTargetException e) {
            throw new IllegalArgumentException("cannot attach " + t.getSimpleName() + " " + address + ": " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("cannot attach " + t.getSimpleName() + " " + address, e);
        }
    }
}
