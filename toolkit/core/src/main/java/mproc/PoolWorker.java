package mproc;

import java.io.EOFException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The loop of a {@link Pool} worker JVM: receives chunks {@code [id, function, inputs]} on its pipe,
 * applies the function to each input, sends back {@code [id, "ok", results, busy nanos]} or
 * {@code [id, "error", text, exception]} (the exception {@link RemoteException#describe described});
 * ends when the pool closes the pipe. The pool's initializer comes first, as {@code [-1, "init", initializer,
 * initargs]}, answered {@code [-1, "ok"]} or {@code [-1, "error", text, exception]}.
 *
 * <p>A function is the {@link Targets} text of an {@link Fn}, or, prefixed {@value #CALL}, of a
 * {@link Callable} ({@link ProcessPoolExecutor}'s tasks: the input is ignored), or, prefixed {@value #RUN}, of a
 * serializable {@link Runnable} (the result is null). An initializer is an {@code Fn} of the initargs list, or,
 * prefixed {@value #JOB}, a {@link Job}.
 */
final class PoolWorker implements Task {
    static final String CALL = "call:", RUN = "run:", JOB = "job:";
    static final long INIT = -1;
    private final Map<String, Fn<Object, Object>> functions = new HashMap<>();

    @Override
    public void run(String... args) throws Exception {
        try (Connection c = Connection.attach(args[0])) {
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
                        initialize((String) req.get(2), (List<?>) req.get(3));
                        c.send(List.of(id, "ok"));
                        continue;
                    }
                    Fn<Object, Object> f = function((String) req.get(1));
                    List<?> inputs = (List<?>) req.get(2);
                    List<Object> out = new ArrayList<>(inputs.size());
                    for (Object in : inputs) out.add(f.apply(in));
                    c.send(List.of(id, "ok", out, System.nanoTime() - t0));
                } catch (Exception | LinkageError | AssertionError | StackOverflowError e) {
                    c.send(List.of(id, "error", e.toString(), RemoteException.describe(e)));
                }
            }
        }
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
