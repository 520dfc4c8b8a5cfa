package mproc;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.CodeSource;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Sends worker JVMs the code they cannot load themselves: classes defined in a notebook cell (JShell's
 * package {@code REPL}), which exist only in the kernel's memory. Their bytes, served as resources by
 * JShell's class loader, are written once per definition (a redefined class has a new name) to the
 * directory {@code classes/} of this JVM's private IPC directory, with every REPL class they refer to
 * (their nest host, helper classes and records of other cells, transitively, found in their constant
 * pools), one directory per class loader (two notebook sessions in one JVM may both have a
 * {@code REPL.$JShell$8}). A worker JVM loads them through a class loader over that directory
 * ({@link #loader}), so a pool worker started earlier finds a class written later.
 *
 * <p>As with Python's spawn start method, a worker gets the code, not the notebook's live state: static
 * fields (and the notebook's variables, which are static fields of JShell's wrapper classes) have their
 * initial values there.
 */
final class Classes {
    /** JShell's package for cell-defined classes, as it appears in class files. */
    private static final Pattern REPL_NAME = Pattern.compile("REPL/[A-Za-z0-9_$]+");
    /** "<dir>|<class name>": the REPL classes its class file names, once it is written there. */
    private static final java.util.Map<String, Set<String>> REFS = new ConcurrentHashMap<>();
    private static final Set<String> NOT_A_CLASS = Set.of("");
    private static final java.util.Map<ClassLoader, Path> DIRS = new java.util.WeakHashMap<>();

    private Classes() {}

    /** Whether a worker JVM could not load {@code c} from its class path. */
    static boolean needsShipping(Class<?> c) {
        if (c == null || c.isPrimitive() || c.isArray() || c.getClassLoader() == null) return false;
        if (c.getName().startsWith("REPL.")) return true;
        CodeSource cs = c.getProtectionDomain().getCodeSource();
        return (cs == null || cs.getLocation() == null) && !c.isHidden()
                && c.getClassLoader() != ClassLoader.getPlatformClassLoader()
                && c.getClassLoader().getResource(resource(c.getName())) != null;
    }

    /** The directory the classes of {@code loader} are shipped to (created on first use). */
    private static Path dir(ClassLoader loader) {
        synchronized (DIRS) {
            return DIRS.computeIfAbsent(loader, l -> {
                Path d = Ipc.dir().resolve("classes-" + (DIRS.size() + 1));
                try {
                    return Files.createDirectories(d);
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot create " + d + ": " + e.getMessage(), e);
                }
            });
        }
    }

    /**
     * Makes {@code c} (and what it needs) loadable by this JVM's workers: the directory a worker loads it
     * from, or null for a class on the workers' class path (nothing to ship).
     */
    static Path ship(Class<?> c) {
        if (!needsShipping(c)) return null;
        ClassLoader loader = c.getClassLoader();
        Path dir = dir(loader);
        Codec.remember(loader); // records and enums of this loader come back as themselves
        closure(c, dir);
        return dir;
    }

    /**
     * The shipped classes {@code c} needs, itself included: the REPL classes it refers to, transitively.
     * Each is read and written once (per directory); later calls walk the references kept then.
     */
    static Set<String> shipped(Class<?> c) {
        Path dir = ship(c);
        return dir == null ? Set.of() : closure(c, dir);
    }

    private static Set<String> closure(Class<?> c, Path dir) {
        ClassLoader loader = c.getClassLoader();
        Deque<String> todo = new ArrayDeque<>();
        todo.add(c.getName());
        Set<String> seen = new LinkedHashSet<>(), classes = new LinkedHashSet<>();
        while (!todo.isEmpty()) {
            String name = todo.poll();
            if (!seen.add(name)) continue;
            Set<String> refs = REFS.computeIfAbsent(dir + "|" + name, k -> {
                byte[] bytes = bytes(loader, name);
                if (bytes == null) return NOT_A_CLASS; // a name that is no class: nothing to ship
                Set<String> r = new LinkedHashSet<>();
                for (String internal : replNames(bytes)) r.add(internal.replace('/', '.'));
                write(dir, name, bytes);
                return r;
            });
            if (refs == NOT_A_CLASS) continue;
            classes.add(name);
            todo.addAll(refs);
        }
        return classes;
    }

    private static byte[] bytes(ClassLoader loader, String name) {
        try (InputStream in = loader.getResourceAsStream(resource(name))) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the class file of " + name + ": " + e.getMessage(), e);
        }
    }

    private static void write(Path dir, String name, byte[] bytes) {
        Path f = dir.resolve(resource(name));
        try {
            Files.createDirectories(f.getParent());
            Path tmp = Files.createTempFile(f.getParent(), ".class-", ".tmp");
            Files.write(tmp, bytes);
            // atomically: a worker that looks for the class meanwhile sees no file or the whole file
            Files.move(tmp, f, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the class " + name + " for worker JVMs: " + e.getMessage(), e);
        }
    }

    private static String resource(String name) {
        return name.replace('.', '/') + ".class";
    }

    /** The REPL classes a class file names (class references, descriptors and signatures are all UTF-8 constants). */
    static Set<String> replNames(byte[] classFile) {
        Set<String> out = new LinkedHashSet<>();
        for (String s : utf8Constants(classFile)) {
            Matcher m = REPL_NAME.matcher(s);
            while (m.find()) out.add(m.group());
        }
        return out;
    }

    /** The UTF-8 entries of a class file's constant pool (JVMS 4.4). */
    static java.util.List<String> utf8Constants(byte[] b) {
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(b);
        if (in.getInt() != 0xCAFEBABE) throw new IllegalArgumentException("not a class file");
        in.getShort(); // minor
        in.getShort(); // major
        int count = Short.toUnsignedInt(in.getShort());
        java.util.List<String> out = new java.util.ArrayList<>();
        for (int i = 1; i < count; i++) {
            int tag = Byte.toUnsignedInt(in.get());
            switch (tag) {
                case 1 -> {
                    int len = Short.toUnsignedInt(in.getShort());
                    byte[] s = new byte[len];
                    in.get(s);
                    // modified UTF-8; class names are plain ASCII in practice
                    out.add(new String(s, java.nio.charset.StandardCharsets.UTF_8));
                }
                case 3, 4 -> in.position(in.position() + 4);
                case 5, 6 -> {
                    in.position(in.position() + 8);
                    i++; // takes two entries
                }
                case 7, 8, 16, 19, 20 -> in.position(in.position() + 2);
                case 9, 10, 11, 12, 17, 18 -> in.position(in.position() + 4);
                case 15 -> in.position(in.position() + 3);
                default -> throw new IllegalArgumentException("class file: unknown constant tag " + tag);
            }
        }
        return out;
    }

    private static final java.util.Map<String, ClassLoader> LOADERS = new ConcurrentHashMap<>();

    /**
     * In a worker JVM: a class loader over a directory of shipped classes (one per directory; it finds classes
     * written there later). Its records and enums decode as themselves.
     */
    static ClassLoader loader(String shipped) {
        return LOADERS.computeIfAbsent(shipped, d -> {
            try {
                // a directory URL ends with '/' (else it is taken for a jar), whether or not it exists yet
                Path dir = Path.of(d).toAbsolutePath();
                String uri = dir.toUri().toString();
                java.net.URL url = java.net.URI.create(uri.endsWith("/") ? uri : uri + "/").toURL();
                ClassLoader l = new Shipped(url, dir);
                Codec.remember(l);
                return l;
            } catch (java.net.MalformedURLException e) {
                throw new IllegalArgumentException("bad class directory " + d, e);
            }
        });
    }

    /**
     * Shipped classes first, then the class path. A class in the directory came from a notebook cell and is on
     * no class path, so looking there first finds the same class; asking the class path first opened and
     * searched every jar of it (~20 ms with a notebook's 32 jars) before each worker's first cell class.
     */
    private static final class Shipped extends java.net.URLClassLoader {
        static {
            registerAsParallelCapable();
        }

        private final Path dir;

        Shipped(java.net.URL url, Path dir) {
            super("mproc-shipped", new java.net.URL[] {url}, ClassLoader.getSystemClassLoader());
            this.dir = dir;
        }

        @Override
        protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
            synchronized (getClassLoadingLock(name)) {
                Class<?> c = findLoadedClass(name);
                if (c == null && !name.startsWith("java.") && Files.isRegularFile(dir.resolve(name.replace('.', '/') + ".class"))) {
                    c = findClass(name);
                }
                if (c == null) return super.loadClass(name, resolve);
                if (resolve) resolveClass(c);
                return c;
            }
        }
    }
}
