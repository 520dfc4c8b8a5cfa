package mproc.cluster;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import mproc.Clock;
import mproc.Fn;
import mproc.FnRef;
import org.apache.ignite.Ignite;
import org.apache.ignite.lang.IgniteClosure;
import org.apache.ignite.resources.IgniteInstanceResource;

/**
 * What travels in a cluster map: a chunk of consecutive inputs (from index {@code first}) and, back, its
 * results with where and when they were computed. Plain fields, so Ignite's binary marshaller writes them
 * field by field (no Java serialization).
 */
public final class Chunk {
    public int first;
    public Object[] values;
    public String node;
    public long pid;
    public long startNanos;   // epoch nanoseconds, comparable across the JVMs of one machine
    public long busyNanos;    // CPU time of the job's thread: jobs share a node's cores, wall time would overcount

    public Chunk() {}

    Chunk(int first, Object[] values) {
        this.first = first;
        this.values = values;
    }

    /**
     * The job every server node runs: applies the {@link Fn} named by a {@link FnRef} (a compiled class, or
     * one defined in a notebook, whose code a local node reads from this machine) to each value of a chunk, in order.
     */
    public static final class Apply implements IgniteClosure<Chunk, Chunk> {
        private static final Map<String, Fn> FNS = new ConcurrentHashMap<>();
        public String fn;
        @IgniteInstanceResource
        private transient Ignite ignite;

        public Apply() {}

        Apply(Class<? extends Fn> fn) {
            this.fn = FnRef.of(fn);
        }

        @Override
        public Chunk apply(Chunk in) {
            Fn f = FNS.computeIfAbsent(fn, Apply::create);
            Chunk out = new Chunk(in.first, new Object[in.values.length]);
            out.node = ignite.name();
            out.pid = ProcessHandle.current().pid();
            out.startNanos = Clock.epochNanos();
            java.lang.management.ThreadMXBean cpu = java.lang.management.ManagementFactory.getThreadMXBean();
            long t0 = cpu.getCurrentThreadCpuTime();
            for (int i = 0; i < in.values.length; i++) {
                try {
                    out.values[i] = f.apply(in.values[i]);
                } catch (Exception e) {
                    throw new IllegalStateException("task " + (in.first + i) + " (input " + in.values[i] + ") failed on "
                            + out.node + ": " + e, e);
                }
            }
            out.busyNanos = cpu.getCurrentThreadCpuTime() - t0;
            return out;
        }

        /**
         * The function {@code ref} names, made only when it is one: a class named here is loaded without being
         * initialised and must implement {@link Fn} before anything of it runs (no static initialiser, no
         * constructor of a class that is not a pool function). Lambdas and notebook-defined functions are
         * made by {@link FnRef#resolve}, which checks what they rebuild.
         */
        static Fn create(String ref) {
            if (ref == null || ref.isEmpty()) throw new IllegalArgumentException("the job names no pool function");
            if (!ref.startsWith("@") && !ref.startsWith("lambda:")) {
                Class<?> c;
                try {
                    c = Class.forName(ref, false, loader());
                } catch (ClassNotFoundException | LinkageError e) {
                    throw new IllegalStateException("the job names a pool function class this node does not have: " + ref
                            + " (" + e + ")", e);
                }
                if (!Fn.class.isAssignableFrom(c)) {
                    throw new IllegalArgumentException("refused: the job names " + c.getName()
                            + ", which is not a pool function (an mproc.Fn); it was not loaded further or created");
                }
            }
            return FnRef.resolve(ref);
        }

        private static ClassLoader loader() {
            ClassLoader l = Thread.currentThread().getContextClassLoader();
            return l != null ? l : Apply.class.getClassLoader();
        }
    }
}
