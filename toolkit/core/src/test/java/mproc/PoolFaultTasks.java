package mproc;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/** Worker tasks for {@link PoolFaultsTest}: faults that must not hit the test JVM itself. */
public final class PoolFaultTasks {
    private PoolFaultTasks() {}

    /** Set by a pool initializer in a worker JVM, read by its tasks. */
    static volatile String seen;

    /**
     * Starts a pool, removes this JVM's IPC directory, SIGKILLs the pool's worker and maps again: prints
     * "result <list>" if the map succeeded within 60 s ("broken: <message>" if it failed with a
     * BrokenPoolException), then "terminated".
     */
    public static class RemoveIpcDir implements Task {
        @Override
        public void run(String... a) throws Exception {
            Pool pool = new Pool(1);
            try {
                System.out.println("squares " + pool.map(Pool.Square.class, List.of(1, 2)));
                Ipc.delete(Ipc.dir());
                System.out.println("removed " + Ipc.dir() + " " + java.nio.file.Files.exists(Ipc.dir()));
                ProcessHandle h = ProcessHandle.of(pool.pids().get(0)).orElseThrow();
                h.destroyForcibly();
                h.onExit().get(30, TimeUnit.SECONDS);
                try {
                    System.out.println("result " + pool.mapAsync(Pool.Square.class, List.of(3)).get(60, TimeUnit.SECONDS));
                } catch (ExecutionException e) {
                    System.out.println((e.getCause() instanceof BrokenPoolException ? "broken: " : "other: ") + e.getCause().getMessage());
                }
            } finally {
                pool.terminate();
                System.out.println("terminated");
            }
        }
    }
}
