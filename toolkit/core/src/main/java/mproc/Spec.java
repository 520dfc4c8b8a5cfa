package mproc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.StringReader;
import java.io.Writer;
import java.lang.reflect.Constructor;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * What the parent tells a worker JVM, on its stdin, as text properties ending with a line {@link #END}: the
 * worker's class, name, daemon flag and target, the task's arguments, a subclass's fields, the parent's
 * pid and where shipped classes are. One writer ({@link #of}, {@link #send}), one reader ({@link #read},
 * {@link #recreate}); CPython's counterpart is the preparation data its spawn bootstrap reads.
 */
final class Spec {
    static final String END = "#mproc-spec-end";

    private Spec() {}

    /** The spec of {@code w}; {@code shipped}: the directory of its shipped classes, or null. */
    static Properties of(Worker w, Path shipped) {
        Properties p = new Properties();
        p.setProperty("class", w.getClass().getName());
        p.setProperty("name", w.name);
        p.setProperty("daemon", Boolean.toString(w.daemon));
        p.setProperty("parent.pid", Long.toString(ProcessHandle.current().pid()));
        p.setProperty("parent.name", Worker.currentName());
        if (w.identity != null) p.setProperty("identity", w.identity);
        // a notebook kernel's workers end with the kernel, even one killed outright (see Children)
        if (Output.mode() == Output.Mode.CALLER) p.setProperty("parent.watch", "true");
        if (w.target != null) p.setProperty("target", w.target);
        p.setProperty("args.count", Integer.toString(w.args.size()));
        for (int i = 0; i < w.args.size(); i++) p.setProperty("args." + i, w.args.get(i));
        if (shipped != null) p.setProperty("classes", shipped.toString());
        Fields.encode(w, p, w.ends);
        return p;
    }

    /** Writes the spec to the child's stdin and closes it. */
    static void send(Properties spec, OutputStream stdin) {
        send(spec, stdin, true);
    }

    /** Writes the spec to the child's stdin, and closes it unless more is to come ({@link StdioLink}). */
    static void send(Properties spec, OutputStream stdin, boolean close) {
        try {
            Writer w = new OutputStreamWriter(stdin, StandardCharsets.UTF_8);
            w.write(text(spec));
            w.flush();
            if (close) stdin.close();
        } catch (IOException e) {
            // the child died before reading its spec; its exit code will say so
        }
    }

    /**
     * The spec as {@link #read} reads it: a {@code key=value} line per property, escaped as {@link
     * Properties#load} expects, then {@link #END}. Not {@link Properties#store}, which dates its output: the
     * date costs a JVM's first spec ~3 ms of loading the time-zone data.
     */
    static String text(Properties spec) {
        StringBuilder sb = new StringBuilder(256);
        for (String k : spec.stringPropertyNames()) {
            escape(sb, k);
            sb.append('=');
            escape(sb, spec.getProperty(k));
            sb.append('\n');
        }
        return sb.append(END).append('\n').toString();
    }

    private static void escape(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\f' -> sb.append("\\f");
                case ' ', '=', ':', '#', '!' -> sb.append('\\').append(c);
                default -> sb.append(c);
            }
        }
    }

    /** The spec sent by the parent; null if stdin ended before anything came. */
    static Properties read(BufferedReader in) throws IOException {
        StringBuilder sb = new StringBuilder();
        String line;
        while ((line = in.readLine()) != null && !line.equals(END)) sb.append(line).append('\n');
        if (line == null && sb.isEmpty()) return null;
        if (line == null) throw new IOException("stdin ended before the spec did");
        Properties p = new Properties();
        p.load(new StringReader(sb.toString()));
        if (p.getProperty("class") == null || p.getProperty("name") == null) {
            throw new IllegalArgumentException("spec lacks class or name");
        }
        return p;
    }

    /** The worker a spec describes, created anew in the child (its class loaded by the context loader). */
    static Worker recreate(Properties spec) throws ReflectiveOperationException {
        Class<?> c = Class.forName(spec.getProperty("class"), true, Thread.currentThread().getContextClassLoader());
        if (!Worker.class.isAssignableFrom(c)) throw new IllegalArgumentException(c + " is not a Worker");
        Constructor<?> ctor = c.getDeclaredConstructor();
        ctor.setAccessible(true);
        Worker w = (Worker) ctor.newInstance();
        w.name = spec.getProperty("name");
        w.daemon = Boolean.parseBoolean(spec.getProperty("daemon"));
        w.identity = spec.getProperty("identity");
        w.parentName = spec.getProperty("parent.name");
        w.parentPid = Long.parseLong(spec.getProperty("parent.pid", "-1"));
        w.target = spec.getProperty("target");
        int n = Integer.parseInt(spec.getProperty("args.count", "0"));
        List<String> a = new ArrayList<>(n);
        for (int i = 0; i < n; i++) a.add(spec.getProperty("args." + i));
        w.args = List.copyOf(a);
        Fields.decode(w, spec);
        return w;
    }
}
