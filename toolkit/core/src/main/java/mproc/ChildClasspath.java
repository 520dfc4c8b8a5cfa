package mproc;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * The class path a worker JVM needs. {@code java.class.path} is not enough: in the IJava kernel,
 * {@code %maven} and {@code %classpath} add jars to JShell's class loader without touching it. So the path is
 * gathered from where the toolkit and the task classes were really loaded from (their code sources and the
 * URLs of their class loaders), then {@code java.class.path}, the entries holding the mproc packages first
 * (see {@link #of}). {@code -Dmproc.classpath=...} or the
 * environment variable {@code MPROC_CLASSPATH} replace the result.
 */
final class ChildClasspath {
    private ChildClasspath() {}

    static String of(Class<?>... anchors) {
        String forced = System.getProperty("mproc.classpath");
        if (forced == null || forced.isBlank()) forced = System.getenv("MPROC_CLASSPATH");
        if (forced != null && !forced.isBlank()) return forced;
        // classes of the application's own loader (a program, a script): what they give depends on them and on
        // java.class.path only, so it is worked out once (~0.1 ms of each start() with a script's 40 jars)
        String jcp = System.getProperty("java.class.path", "");
        java.util.List<Class<?>> key = appClasses(anchors);
        if (key != null) {
            Map.Entry<String, String> hit = BY_APP_CLASSES.get(key);
            if (hit != null && hit.getKey().equals(jcp)) return hit.getValue();
        }
        String cp = gather(anchors);
        if (key != null) {
            synchronized (BY_APP_CLASSES) {
                if (BY_APP_CLASSES.size() >= 64) BY_APP_CLASSES.clear();
                BY_APP_CLASSES.put(key, Map.entry(jcp, cp));
            }
        }
        return cp;
    }

    /** Worked out class paths: anchors of the application's loader (or the JDK's) -> java.class.path, result. */
    private static final Map<java.util.List<Class<?>>, Map.Entry<String, String>> BY_APP_CLASSES =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The anchors (nulls left out) if all come from the application's class loader or the JDK's; else null. */
    private static java.util.List<Class<?>> appClasses(Class<?>... anchors) {
        ClassLoader app = ClassLoader.getSystemClassLoader();
        if (app instanceof URLClassLoader) return null; // a custom system loader: its URLs may grow
        java.util.List<Class<?>> key = new java.util.ArrayList<>(anchors.length + 1);
        if (Worker.class.getClassLoader() != app) return null; // scanned too: in a kernel, a loader of JShell's
        key.add(Worker.class);
        for (Class<?> c : anchors) {
            if (c == null) continue;
            ClassLoader l = c.getClassLoader();
            if (l != null && l != app && l != ClassLoader.getPlatformClassLoader()) return null;
            key.add(c);
        }
        return java.util.List.copyOf(key);
    }

    private static String gather(Class<?>... anchors) {

        // where the toolkit and the anchors came from, then their loaders' URLs and java.class.path
        Set<String> sources = new LinkedHashSet<>(), rest = new LinkedHashSet<>(), toolkit = new HashSet<>();
        scan(sources, rest, toolkit, Worker.class);
        for (Class<?> c : anchors) if (c != null) scan(sources, rest, toolkit, c);
        for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
            if (!e.isBlank()) rest.add(e);
        }
        // The child's class loader opens the entries in order, each at its first lookup, until it finds the
        // class: a class of the toolkit's other modules (mproc.tutorial's, say) behind a dozen large jars costs
        // a worker ~20 ms reading their directories. So the entries that hold the mproc package tree come
        // first. The toolkit's jars hold mproc's packages only: the move shadows no class of another entry.
        // (each file once, however spelled: a code source is absolute, java.class.path may be relative)
        Map<String, String> entries = new LinkedHashMap<>(), others = new LinkedHashMap<>(); // absolute -> as given
        for (String e : sources) entries.putIfAbsent(absolute(e), e);
        for (String e : rest) others.putIfAbsent(absolute(e), e);
        others.forEach((abs, e) -> {
            if (toolkit.contains(abs)) entries.putIfAbsent(abs, e);
        });
        others.forEach(entries::putIfAbsent);
        return String.join(File.pathSeparator, entries.values());
    }

    private static void scan(Set<String> sources, Set<String> rest, Set<String> toolkit, Class<?> c) {
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        if (cs != null) addUrl(sources, cs.getLocation());
        for (ClassLoader l = c.getClassLoader(); l != null; l = l.getParent()) {
            if (l instanceof URLClassLoader u) for (URL url : u.getURLs()) addUrl(rest, url);
        }
        toolkit.addAll(toolkitEntries(c.getClassLoader() != null ? c.getClassLoader() : ClassLoader.getSystemClassLoader()));
    }

    /** Per loader: how many URLs its chain had, and the entries (absolute) that hold {@code mproc/}. */
    private record Found(int urls, Set<String> entries) {}

    private static final Map<ClassLoader, Found> FOUND = java.util.Collections.synchronizedMap(new WeakHashMap<>());

    /**
     * The entries of {@code l}'s class path that hold the package tree {@code mproc/}, as absolute paths.
     * Looked up again only when the loader's chain has gained URLs (a kernel's {@code %jars}).
     */
    private static Set<String> toolkitEntries(ClassLoader l) {
        int urls = 0;
        for (ClassLoader p = l; p != null; p = p.getParent()) if (p instanceof URLClassLoader u) urls += u.getURLs().length;
        Found f = FOUND.get(l);
        if (f != null && f.urls() == urls) return f.entries();
        Set<String> found = new HashSet<>();
        try {
            for (Enumeration<URL> e = l.getResources("mproc/"); e.hasMoreElements(); ) addUrl(found, root(e.nextElement()));
        } catch (IOException e) {
            // no reordering then: the class path works all the same
        }
        Set<String> entries = found.stream().map(ChildClasspath::absolute).collect(java.util.stream.Collectors.toUnmodifiableSet());
        FOUND.put(l, new Found(urls, entries));
        return entries;
    }

    /** The class path entry in which the resource {@code mproc/} was found (a jar, or a directory). */
    private static URL root(URL u) {
        String s = u.toString();
        try {
            if (s.startsWith("jar:") && s.endsWith("!/mproc/")) return URI.create(s.substring(4, s.length() - 8)).toURL();
            if (s.endsWith("/mproc/")) return URI.create(s.substring(0, s.length() - 6)).toURL();
        } catch (IllegalArgumentException | java.net.MalformedURLException e) {
            // not a location a child could use
        }
        return null;
    }

    private static String absolute(String entry) {
        try {
            return Path.of(entry).toAbsolutePath().normalize().toString();
        } catch (java.nio.file.InvalidPathException e) {
            return entry;
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
