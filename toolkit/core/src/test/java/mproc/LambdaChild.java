package mproc;

import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The other JVM of {@link LambdasTest#rebuiltInAnotherJvm}: reads from stdin, in {@link Codec}'s encoding, a
 * list of cases, each a list {@code [input, description as alternating keys and values]}; rebuilds each as a
 * {@link LambdasTest.SFn}, applies it to the input and prints one line per case ({@code ok <class> <value>}
 * or {@code threw <class>: <message>}), then {@code pid <pid>}.
 */
public final class LambdaChild {
    private LambdaChild() {}

    /** A public serializable functional interface, for {@link LambdaSource} in another class loader. */
    public interface Fn extends java.io.Serializable {
        Object apply(Object x) throws Exception;
    }

    @SuppressWarnings("unchecked")
    public static void main(String[] args) throws IOException {
        List<?> cases = (List<?>) Codec.read(new DataInputStream(new BufferedInputStream(System.in)));
        StringBuilder out = new StringBuilder();
        for (Object c : cases) {
            List<?> pair = (List<?>) c;
            LambdasTest.SFn<Object, Object> f = Lambdas.rebuild(unflatten((List<?>) pair.get(1)), LambdasTest.SFn.class,
                    LambdaChild.class.getClassLoader());
            try {
                Object r = f.apply(pair.get(0));
                out.append("ok ").append(r == null ? "null" : r.getClass().getName()).append(' ').append(r).append('\n');
            } catch (Exception e) {
                out.append("threw ").append(e.getClass().getName()).append(": ").append(e.getMessage()).append('\n');
            }
        }
        out.append("pid ").append(ProcessHandle.current().pid()).append('\n');
        System.out.print(out);
        System.out.flush();
    }

    /** A description as Codec can send it (it has no maps): keys and values alternating. */
    static List<Object> flatten(Map<String, ?> description) {
        List<Object> l = new ArrayList<>();
        description.forEach((k, v) -> { l.add(k); l.add(v); });
        return l;
    }

    static Map<String, Object> unflatten(List<?> l) {
        Map<String, Object> d = new LinkedHashMap<>();
        for (int i = 0; i + 1 < l.size(); i += 2) d.put((String) l.get(i), l.get(i + 1));
        return d;
    }

    static byte[] encode(Object v) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(b)) {
            Codec.write(out, v);
        }
        return b.toByteArray();
    }

    static Object decode(byte[] bytes) throws IOException {
        return Codec.read(new DataInputStream(new ByteArrayInputStream(bytes)));
    }
}
