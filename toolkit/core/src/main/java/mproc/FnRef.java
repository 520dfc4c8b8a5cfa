package mproc;

/**
 * A {@link Fn} as text that another JVM of this machine turns back into the function: for engines other
 * than {@link Pool} that run a pool function in JVMs of their own (the Ignite cluster of the scaling-out
 * chapter sends this text in its jobs).
 *
 * <p>{@link #of} accepts what {@code Pool.map} accepts: a class with a no-argument constructor, compiled or
 * defined in a notebook cell, a lambda or a method reference. As for a Pool, code the other JVM cannot load
 * from its class path (a notebook's classes) is written to this JVM's private IPC directory, which
 * {@link #resolve} reads: so a function defined in a notebook reaches JVMs of the same user on the same
 * machine only. The function's code travels, not its state.
 */
public final class FnRef {
    private FnRef() {}

    /** The text naming {@code fn}: a class, checked to be one another JVM can create. */
    public static String of(Class<? extends Fn> fn) {
        if (fn == null) throw new IllegalArgumentException("no function class given");
        return Targets.of(fn, "pool function");
    }

    /** The text naming {@code fn}: a lambda, a method reference, or an object of a class without state. */
    public static String of(Fn<?, ?> fn) {
        if (fn == null) throw new IllegalArgumentException("no function given");
        return Targets.of(fn, "pool function");
    }

    /**
     * In the JVM that runs it: the function {@code ref} names. Throws {@link IllegalStateException} naming the
     * function when it cannot be made here (its class is missing, or its code was written on another machine).
     */
    @SuppressWarnings("unchecked")
    public static Fn<Object, Object> resolve(String ref) {
        if (ref == null || ref.isEmpty()) throw new IllegalArgumentException("no function reference given");
        String dir = Targets.shippedDir(ref);
        if (dir != null && !java.nio.file.Files.isDirectory(java.nio.file.Path.of(dir))) {
            throw new IllegalStateException("the function " + name(ref) + " was defined in a notebook or script of"
                    + " another JVM; its code is on that machine only (" + dir + " is not here)");
        }
        try {
            return Targets.resolve(ref, Fn.class, Thread.currentThread().getContextClassLoader() != null
                    ? Thread.currentThread().getContextClassLoader() : FnRef.class.getClassLoader());
        } catch (ReflectiveOperationException | LinkageError | RuntimeException e) {
            throw new IllegalStateException("cannot create the function " + name(ref) + " in this JVM: " + e, e);
        }
    }

    private static String name(String ref) {
        String bare = Targets.bare(ref);
        return bare.startsWith(Targets.LAMBDA) ? "(a lambda)" : bare;
    }
}
