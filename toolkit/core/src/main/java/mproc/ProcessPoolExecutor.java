package mproc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * An {@link ExecutorService} whose tasks run in worker JVMs: Python's
 * {@code concurrent.futures.ProcessPoolExecutor}, in the shape of Java's executors. It runs on a {@link Pool}.
 *
 * <pre>{@code
 * try (ProcessPoolExecutor ex = new ProcessPoolExecutor(4)) {
 *     Future<Long> f = ex.submit(() -> fib(30));                  // a Call lambda: runs in a worker JVM
 *     List<Future<Long>> all = ex.invokeAll(List.of(() -> fib(20), () -> fib(25)));
 *     CompletableFuture<Long> c = CompletableFuture.supplyAsync(ex.remote(() -> fib(31)), ex)
 *             .thenApply(x -> x + 1);                            // thenApply runs here, in this JVM
 * }
 * }</pre>
 *
 * <table>
 *   <caption>Python's names</caption>
 *   <tr><th>Python</th><th>here</th></tr>
 *   <tr><td>{@code ProcessPoolExecutor(max_workers, initializer, initargs, max_tasks_per_child)}</td>
 *       <td>{@link #ProcessPoolExecutor()}, {@link #ProcessPoolExecutor(int)},
 *       {@link #ProcessPoolExecutor(Pool.Builder)}</td></tr>
 *   <tr><td>{@code map(f, it, chunksize)}</td><td>{@link #map(Fn, Iterable, int)}</td></tr>
 *   <tr><td>{@code submit(f, *args)}</td><td>{@link #submit(Call)} ({@code () -> f(args)}),
 *       {@link #submit(Class)} (a task class), {@link #submit(Callable)}, {@link #submit(Runnable)}</td></tr>
 *   <tr><td>{@code wait}, {@code as_completed}</td><td>{@link #invokeAll}, {@link #invokeAny}, and the returned
 *       {@link CompletableFuture}s ({@code allOf}, {@code anyOf})</td></tr>
 *   <tr><td>{@code shutdown(wait=False)}, {@code shutdown(cancel_futures=True)}, {@code with ...:}</td>
 *       <td>{@link #shutdown()} then {@link #awaitTermination}; {@link #shutdownNow()}; {@link #close()}
 *       (waits, as Python's {@code with} does)</td></tr>
 *   <tr><td>{@code BrokenProcessPool}</td><td>{@link BrokenPoolException}</td></tr>
 * </table>
 *
 * <p>What travels: a task must reach another JVM, so it is a {@link Call} (a serializable {@code Callable}), a
 * lambda or method reference whose target type is serializable (e.g. {@code (Runnable & Serializable) () -> ...}),
 * or an object of an ordinary class without fields (it is re-created from its class). A plain {@code Callable} or
 * {@code Runnable} lambda cannot travel: it is refused with a {@link RejectedExecutionException} saying so, at
 * {@code submit}/{@code execute}/{@code invokeAll}. Results travel as plain data.
 *
 * <p>{@code CompletableFuture.supplyAsync(supplier, executor)} wraps the supplier in a JDK task object, which
 * cannot travel; this executor runs such JDK tasks ({@link CompletableFuture.AsynchronousCompletionTask}) in the
 * calling JVM, on a thread of its own. To run the supplier's body in a worker, pass
 * {@link #remote(Call) ex.remote(() -> ...)}: a {@link Supplier} that submits the call and waits for it. A plain
 * supplier given to {@code supplyAsync(..., ex)} would therefore run in this JVM, not in a worker.
 *
 * <p>Deliberately unlike Python: a task whose worker JVM dies runs again on a fresh worker (up to
 * {@link Pool#MAX_TRIES} times in all) instead of breaking the executor at the first death; the executor is
 * broken (every pending future fails with a {@link BrokenPoolException}, and so does every later submit)
 * when worker JVMs die {@link #BROKEN_AFTER_DEATHS} times in a row with no task done in between, when the
 * initializer fails, or when a worker JVM cannot be started (see {@link Pool}). A task's own exception, an
 * {@code Error} included, fails its future with an {@link ExecutionException} whose cause is a
 * {@link RemoteException} (original class name, message and the worker's stack trace); it is never retried.
 */
public final class ProcessPoolExecutor implements ExecutorService {
    /** Worker deaths in a row, with no task done in between, after which the executor is broken. */
    public static final int BROKEN_AFTER_DEATHS = 5;

    private final Pool pool;
    private final ExecutorService local = java.util.concurrent.Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "mproc-executor-local");
        t.setDaemon(true);
        return t;
    });
    private final CompletableFuture<Void> terminated = new CompletableFuture<>();
    private volatile boolean shutdown;

    /** As many worker JVMs as available processors (Python's default {@code max_workers}, bounded by 256). */
    public ProcessPoolExecutor() {
        this(Pool.builder());
    }

    public ProcessPoolExecutor(int maxWorkers) {
        this(Pool.builder().processes(maxWorkers));
    }

    /**
     * With the options of {@code options} ({@link Pool.Builder#initializer(Fn, Object...) initializer},
     * {@link Pool.Builder#maxTasksPerChild max tasks per child}, {@link Pool.Builder#maxTries retries} ...); if
     * it does not set {@link Pool.Builder#brokenAfterDeaths}, {@link #BROKEN_AFTER_DEATHS} applies.
     */
    public ProcessPoolExecutor(Pool.Builder options) {
        if (options.brokenAfterDeaths() == 0) options.brokenAfterDeaths(BROKEN_AFTER_DEATHS);
        this.pool = options.build();
    }

    /** The pool the tasks run on (its pids, stats, restarts). */
    public Pool pool() {
        return pool;
    }

    // ------------------------------------------------------------------ submitting

    /** Runs {@code task} in a worker JVM: Python's {@code submit(f, *args)} as {@code submit(() -> f(args))}. */
    public <T> CompletableFuture<T> submit(Call<T> task) {
        return run(PoolWorker.CALL + ref(task));
    }

    /** Runs a new object of {@code task} (a {@link Callable} class with a no-argument constructor) in a worker JVM. */
    public <T> CompletableFuture<T> submit(Class<? extends Callable<T>> task) {
        return run(PoolWorker.CALL + refOfClass(task));
    }

    /** As {@link #submit(Call)}; {@code task} must be able to travel (see {@link ProcessPoolExecutor}). */
    @Override
    public <T> CompletableFuture<T> submit(Callable<T> task) {
        return run(PoolWorker.CALL + ref(task));
    }

    /** Runs a serializable {@code Runnable} in a worker JVM; the future completes with null. */
    @Override
    public CompletableFuture<?> submit(Runnable task) {
        return run(PoolWorker.RUN + ref(task));
    }

    @Override
    public <T> CompletableFuture<T> submit(Runnable task, T result) {
        return this.<Object>run(PoolWorker.RUN + ref(task)).thenApply(ignored -> result);
    }

    /**
     * A serializable {@code Runnable} runs in a worker JVM; a JDK completion task (what
     * {@code CompletableFuture.supplyAsync(s, executor)} and the {@code ...Async(fn, executor)} stages give)
     * runs on a thread of this JVM (see {@link ProcessPoolExecutor}); any other Runnable cannot travel and is
     * refused.
     */
    @Override
    public void execute(Runnable command) {
        if (command instanceof CompletableFuture.AsynchronousCompletionTask) {
            checkOpen();
            local.execute(command);
            return;
        }
        submit(command);
    }

    /**
     * A {@link Supplier} whose {@code get()} runs {@code task} in a worker JVM and waits for its result: for
     * {@code CompletableFuture.supplyAsync(ex.remote(() -> ...), ex)}. A task's exception reaches the stage as a
     * {@link CompletionException} whose cause is the {@link RemoteException}.
     */
    public <T> Supplier<T> remote(Call<T> task) {
        String ref = PoolWorker.CALL + ref(task);
        return () -> {
            try {
                return this.<T>run(ref).get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new CompletionException(e);
            } catch (ExecutionException e) {
                throw new CompletionException(e.getCause());
            }
        };
    }

    private static String ref(Object task) {
        if (task == null) throw new NullPointerException("task");
        try {
            return Targets.of(task, "executor task");
        } catch (IllegalArgumentException e) {
            throw new RejectedExecutionException("this task cannot travel to a worker JVM: " + e.getMessage()
                    + ". Write it as an mproc.Call lambda (Callable), cast a Runnable lambda to (Runnable & Serializable),"
                    + " or pass a class", e);
        }
    }

    private static String refOfClass(Class<?> task) {
        try {
            return Targets.of(task, "executor task");
        } catch (IllegalArgumentException e) {
            throw new RejectedExecutionException(e.getMessage(), e);
        }
    }

    private void checkOpen() {
        if (shutdown) throw new RejectedExecutionException("the executor is shut down");
        BrokenPoolException b = pool.broken();
        if (b != null) throw new BrokenPoolException(b.getMessage(), b.getCause());
    }

    /** The chunk's future, its single result unwrapped, and a task's exception as the RemoteException itself. */
    @SuppressWarnings("unchecked")
    private <T> CompletableFuture<T> run(String ref) {
        checkOpen();
        Pool.Chunk c;
        try {
            c = pool.submitOne(ref, 0L);
        } catch (IllegalStateException e) {
            throw new RejectedExecutionException(e.getMessage(), e);
        }
        CompletableFuture<T> out = new CompletableFuture<>() {
            @Override
            public boolean cancel(boolean mayInterruptIfRunning) {
                c.result().cancel(false); // not started: never will be; running: finishes, its result unused
                return super.cancel(mayInterruptIfRunning);
            }
        };
        c.result().whenComplete((l, e) -> {
            if (e == null) out.complete((T) l.get(0));
            else out.completeExceptionally(Pool.remoteCause(e));
        });
        return out;
    }

    /**
     * {@code fn} applied to every input in the workers, results in input order as they are needed: Python's
     * {@code executor.map(fn, inputs, chunksize=1)}, except that inputs are taken only a bounded number of chunks
     * ahead of the results consumed (as {@link Pool#imap(Fn, Iterator, int)}) rather than all at once. A task's exception is
     * thrown by the iterator's {@code next()}, an {@link IllegalStateException} with the {@link RemoteException}
     * as its cause.
     */
    public <I, O> java.util.Iterator<O> map(Fn<? super I, ? extends O> fn, Iterable<? extends I> inputs) {
        return map(fn, inputs, 1);
    }

    /** As {@link #map(Fn, Iterable)}, {@code chunksize} inputs per message. */
    public <I, O> java.util.Iterator<O> map(Fn<? super I, ? extends O> fn, Iterable<? extends I> inputs, int chunksize) {
        checkOpen();
        return pool.imap(fn, inputs.iterator(), chunksize);
    }

    // ------------------------------------------------------------------ invoking

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks) throws InterruptedException {
        List<Future<T>> fs = submitAll(tasks);
        for (Future<T> f : fs) {
            try {
                f.get();
            } catch (ExecutionException | CancellationException e) {
                // in the future
            }
        }
        return fs;
    }

    @Override
    public <T> List<Future<T>> invokeAll(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        List<Future<T>> fs = submitAll(tasks);
        for (Future<T> f : fs) {
            try {
                f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (ExecutionException | CancellationException e) {
                // in the future
            } catch (TimeoutException e) {
                for (Future<T> g : fs) g.cancel(true);
                break;
            }
        }
        return fs;
    }

    private <T> List<Future<T>> submitAll(Collection<? extends Callable<T>> tasks) {
        List<String> refs = new ArrayList<>();
        for (Callable<T> t : tasks) refs.add(PoolWorker.CALL + ref(t)); // all refused before any runs
        List<Future<T>> fs = new ArrayList<>();
        for (String r : refs) fs.add(run(r));
        return fs;
    }

    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks) throws InterruptedException, ExecutionException {
        try {
            return invokeAny(tasks, Long.MAX_VALUE, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    /** The result of the first task to succeed; the others are cancelled. All failed: the last failure. */
    @Override
    public <T> T invokeAny(Collection<? extends Callable<T>> tasks, long timeout, TimeUnit unit)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (tasks.isEmpty()) throw new IllegalArgumentException("invokeAny of no tasks");
        long nanos = unit.toNanos(timeout);
        long deadline = nanos >= Long.MAX_VALUE / 2 ? Long.MAX_VALUE : System.nanoTime() + nanos;
        List<Future<T>> fs = submitAll(tasks);
        CompletableFuture<T> first = new CompletableFuture<>();
        java.util.concurrent.atomic.AtomicInteger left = new java.util.concurrent.atomic.AtomicInteger(fs.size());
        for (Future<T> f : fs) {
            ((CompletableFuture<T>) f).whenComplete((v, e) -> {
                if (e == null) first.complete(v);
                else if (left.decrementAndGet() == 0) first.completeExceptionally(e);
            });
        }
        try {
            return deadline == Long.MAX_VALUE ? first.get() : first.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        } finally {
            for (Future<T> f : fs) f.cancel(true);
        }
    }

    // ------------------------------------------------------------------ ending

    /**
     * No new tasks; those submitted still run, then the workers end. Does not wait (Java's contract; Python's
     * {@code shutdown(wait=True)} is this and {@link #awaitTermination}).
     */
    @Override
    public void shutdown() {
        synchronized (this) {
            if (shutdown) return;
            shutdown = true;
        }
        Thread t = new Thread(() -> {
            try {
                pool.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                local.shutdown();
                terminated.complete(null);
            }
        }, "mproc-executor-shutdown");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Ends the worker JVMs at once (Python's {@code shutdown(cancel_futures=True)}, and the running tasks too):
     * tasks not started are cancelled and returned (as Runnables that do nothing but name them), running ones
     * fail with an {@link IllegalStateException} "the pool was terminated".
     */
    @Override
    public List<Runnable> shutdownNow() {
        shutdown = true;
        List<Runnable> notStarted = new ArrayList<>();
        for (Pool.Chunk c : pool.drainWaiting()) {
            c.result().cancel(false);
            String name = "task " + c.id() + " (" + c.fn() + ")";
            notStarted.add(new Runnable() {
                @Override
                public void run() {}

                @Override
                public String toString() {
                    return name;
                }
            });
        }
        try {
            pool.terminate();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            local.shutdownNow();
            terminated.complete(null);
        }
        return notStarted;
    }

    @Override
    public boolean isShutdown() {
        return shutdown;
    }

    @Override
    public boolean isTerminated() {
        return terminated.isDone();
    }

    @Override
    public boolean awaitTermination(long timeout, TimeUnit unit) throws InterruptedException {
        try {
            terminated.get(timeout, unit);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            return true;
        }
    }

    /** {@link #shutdown()}, then waits until every task is done and the workers have ended: Python's {@code with} block. */
    @Override
    public void close() {
        shutdown();
        boolean interrupted = false;
        while (true) {
            try {
                if (awaitTermination(1, TimeUnit.DAYS)) break;
            } catch (InterruptedException e) {
                interrupted = true;
                shutdownNow();
            }
        }
        if (interrupted) Thread.currentThread().interrupt();
    }

    /** As {@link #awaitTermination(long, TimeUnit)}. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        return awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }
}
