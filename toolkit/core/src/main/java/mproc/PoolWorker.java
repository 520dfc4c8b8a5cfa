package mproc;

import java.io.EOFException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The loop of a {@link Pool} worker JVM: receives chunks {@code [id, function, inputs]} on its stdin ({@link StdioLink}; the
 * inputs a list the pool encoded into bytes at the call), applies the function to each input, sends back
 * {@code [id, "ok", results, busy nanos]} or {@code [id, "error", text, exception]} (the exception
 * {@link RemoteException#describe described}): whatever the function throws, {@code Error}s included. After
 * answering a {@link VirtualMachineError} other than a {@link StackOverflowError} (an OutOfMemoryError) the worker
 * ends, so that the pool replaces it with a fresh JVM; otherwise it ends when the pool closes its stdin. The pool's initializer comes first, as {@code [-1, "init", initializer,
 * initargs]} (the initargs encoded too), answered {@code [-1, "ok"]} or {@code [-1, "error", text, exception]}.
 * An error answer that ends with {@value #ENDING} is this worker's last: it ends after it.
 *
 * <p>A function is the {@link Targets} text of an {@link Fn}, or, prefixed {@value #CALL}, of a
 * {@link Callable} ({@link ProcessPoolExecutor}'s tasks: the input is ignored), or, prefixed {@value #RUN}, of a
 * serializable {@link Runnable} (the result is null). An initializer is an {@code Fn} of the initargs list, or,
 * prefixed {@value #JOB}, a {@link Job}.
 */
final class PoolWorker implements Task {
    static final String CALL = "call:", RUN = "run:", JOB = "job:";
    static final long INIT = -1;
    /** The fifth element of an error answer after which this worker ends (see {@link #run}). */
    static final String ENDING = "ending";
    private final Map<String, Fn<Object, Object>> functions = new HashMap<>();

    @Override
    public void run(String... args) throws Exception {
        if (!StdioLink.ADDRESS.equals(args[0])) throw new IllegalArgumentException("a pool worker talks over its stdin and stdout");
        try (StdioLink.Child c = StdioLink.child()) {
            while (true) {
                List<?> req;
                try {
                    req = (List<?>) c.recv();
                } catch (EOFException e) {
                    return; // the pool is done with this worker
                }
                long id = (Long) req.get(0);
                long t0 = System.nanoTime();
                try {
                    if (id == INIT) {
                        initialize((String) req.get(2), inputs((byte[]) req.get(3)));
                        c.send(List.of(id, "ok"));
                        continue;
                    }
                    Fn<Object, Object> f = function((String) req.get(1));
                    List<?> inputs = inputs((byte[]) req.get(2));
                    List<Object> out = new ArrayList<>(inputs.size());
                    for (Object in : inputs) out.add(f.apply(in));
                    c.send(List.of(id, "ok", out, System.nanoTime() - t0));
                } catch (Throwable e) {
                    // the function's failure, Errors included (a StackOverflowError, an Error of its own): the
                    // pool's caller gets it; this worker is not dead and goes on
                    // a JVM that ran out of memory (or failed inside) is not to be trusted with more work: having
                    // answered, this one ends (exit code 1) and the pool starts a fresh one; the answer says so
                    // ("ending"), so that a chunk sent ahead is not taken for the one that killed this worker
                    boolean ending = e instanceof VirtualMachineError && !(e instanceof StackOverflowError);
                    c.send(ending ? List.of(id, "error", e.toString(), RemoteException.describe(e), ENDING)
                            : List.of(id, "error", e.toString(), RemoteException.describe(e)));
                    if (ending) throw e;
                }
            }
        }
    }

    /** A chunk's inputs (or the initargs), a list the pool encoded at the call (see {@link Pool}). */
    private static List<?> inputs(byte[] encoded) throws java.io.IOException {
        return (List<?>) Codec.read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(encoded)));
    }

    private static ClassLoader loader() {
        return Thread.currentThread().getContextClassLoader();
    }

    @SuppressWarnings("unchecked")
    private static void initialize(String ref, List<?> initargs) throws Exception {
        if (ref.startsWith(JOB)) {
            Targets.resolve(ref.substring(JOB.length()), Job.class, loader()).run();
        } else {
            Fn<Object, Object> f = Targets.resolve(ref, Fn.class, loader());
            f.apply(new ArrayList<>(initargs));
        }
    }

    @SuppressWarnings("unchecked")
    private Fn<Object, Object> function(String ref) throws ReflectiveOperationException {
        Fn<Object, Object> f = functions.get(ref);
        if (f == null) {
            if (ref.startsWith(CALL)) {
                Callable<Object> k = Targets.resolve(ref.substring(CALL.length()), Callable.class, loader());
                f = ignored -> k.call();
            } else if (ref.startsWith(RUN)) {
                Runnable r = Targets.resolve(ref.substring(RUN.length()), Runnable.class, loader());
                f = ignored -> {
                    r.run();
                    return null;
                };
            } else {
                f = Targets.resolve(ref, Fn.class, loader());
            }
            functions.put(ref, f);
        }
        return f;
    }
}
