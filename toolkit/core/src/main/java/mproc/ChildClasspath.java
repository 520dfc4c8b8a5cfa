package mproc;

import java.io.File;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * The class path a worker JVM needs. {@code java.class.path} is not enough: in the IJava kernel,
 * {@code %maven} and {@code %classpath} add jars to JShell's class loader without touching it. So the path is
 * gathered from where the toolkit and the task classes were really loaded from (their code sources and the
 * URLs of their class loaders), then {@code java.class.path}. {@code -Dmproc.classpath=...} or the
 * environment variable {@code MPROC_CLASSPATH} replace the result.
 */
final class ChildClasspath {
    private ChildClasspath() {}

    static String of(Class<?>... anchors) {
        String forced = System.getProperty("mproc.classpath");
        if (forced == null || forced.isBlank()) forced = System.getenv("MPROC_CLASSPATH");
        if (forced != null && !forced.isBlank()) return forced;

        Set<String> entries = new LinkedHashSet<>();
        add(entries, Worker.class);
        for (Class<?> c : anchors) if (c != null) add(entries, c);
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isBlank()) entries.add(e);
        }
        return String.join(File.pathSeparator, entries);
    }

    private static void add(Set<String> entries, Class<?> c) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        if (cs != null) addUrl(entries, cs.getLocation());
        for (ClassLoader l = c.getClassLoader(); l != null; l = l.getParent()) {
            if (l instanceof URLClassLoader u) for (URL url : u.getURLs()) addUrl(entries, url);
        }
    }

    private static void addUrl(Set<String> entries, URL url) {
        if (url == null || !"file".equals(url.getProtocol())) return;
        try {
            entries.add(Path.of(url.toURI()).toString());
        } catch (URISyntaxException | IllegalArgumentException e) {
            // not a plain file location (JShell's in-memory classes): nothing a child could load
        }
    }
}
