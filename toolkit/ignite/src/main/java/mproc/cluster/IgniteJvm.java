package mproc.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM options Apache Ignite 2.x needs on JDK 17+: it reaches into JDK internals (direct buffers, NIO
 * selectors, JMX), so every JVM that runs an Ignite node, server or client, must open these packages to
 * the class path. The list is Ignite's own (its {@code bin/include/jvmdefaults.sh} for Java 15+) and lives
 * in one file, {@code mproc/cluster/ignite.jvmopts}, a java launcher argument file: {@link Cluster} passes
 * it to the node JVMs and checks that the calling JVM has it; the tests' JVM reads the file with
 * {@code @}; the Jupyter kernel spec is written from {@code main}'s output.
 */
public final class IgniteJvm {
    private IgniteJvm() {}

    static final List<String> OPENS = read();

    private static List<String> read() {
        try (InputStream in = IgniteJvm.class.getResourceAsStream("ignite.jvmopts")) {
            if (in == null) throw new IllegalStateException("mproc/cluster/ignite.jvmopts is missing from the class path");
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().map(String::trim)
                    .filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The options every Ignite JVM needs on this JDK (plus quiet Unsafe access on JDK 23+). */
    public static List<String> options() {
        List<String> o = new ArrayList<>(OPENS);
        if (Runtime.version().feature() >= 23) o.add("--sun-misc-unsafe-memory-access=allow");
        return o;
    }

    /** The {@code --add-opens} options this JVM lacks (empty: it can host an Ignite node). */
    public static List<String> missing() {
        Module unnamed = IgniteJvm.class.getModule();
        List<String> missing = new ArrayList<>();
        for (String o : OPENS) {
            String[] mp = o.substring(o.indexOf('=') + 1, o.lastIndexOf('=')).split("/");
            boolean open = ModuleLayer.boot().findModule(mp[0]).map(m -> m.isOpen(mp[1], unnamed)).orElse(true);
            if (!open) missing.add(o);
        }
        return missing;
    }

    /** Prints the options, one per line (for kernel specs and launch scripts). */
    public static void main(String[] args) {
        options().forEach(System.out::println);
    }
}
