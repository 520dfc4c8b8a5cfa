package mproc;

import java.io.EOFException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The loop of a {@link Pool} worker JVM: receives chunks {@code [id, function class, inputs]} on its pipe,
 * applies the function to each input, sends back {@code [id, "ok", results, busy nanos]} or
 * {@code [id, "error", message]}; ends when the pool closes the pipe.
 */
final class PoolWorker implements Task {
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
                    Fn<Object, Object> f = function((String) req.get(1));
                    List<?> inputs = (List<?>) req.get(2);
                    List<Object> out = new ArrayList<>(inputs.size());
                    for (Object in : inputs) out.add(f.apply(in));
                    c.send(List.of(id, "ok", out, System.nanoTime() - t0));
                } catch (Exception | LinkageError e) {
                    c.send(List.of(id, "error", e.toString()));
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private Fn<Object, Object> function(String ref) throws ReflectiveOperationException {
        Fn<Object, Object> f = functions.get(ref);
        if (f == null) {
            f = Targets.resolve(ref, Fn.class, Thread.currentThread().getContextClassLoader());
            functions.put(ref, f);
        }
        return f;
    }
}
