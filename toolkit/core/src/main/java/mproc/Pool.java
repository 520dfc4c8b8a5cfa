package mproc;

import java.io.EOFException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * Python's {@code multiprocessing.Pool}: worker JVMs started once and reused for many tasks.
 *
 * <pre>{@code
 * try (Pool pool = new Pool(4)) {
 *     List<Integer> squares = pool.map(x -> x * x, range(100));      // in input order
 *     List<Long> same = pool.map(Square.class, range(100));           // a class, compiled or from a cell
 * }
 * Pool pool = Pool.builder().processes(4).initializer(args -> Db.open((String) args.get(0)), "jdbc:...")
 *         .maxTasksPerChild(100).build();
 * }</pre>
 *
 * <table>
 *   <caption>Python's names</caption>
 *   <tr><th>Python</th><th>here</th></tr>
 *   <tr><td>{@code Pool(processes, initializer, initargs, maxtasksperchild)}</td>
 *       <td>{@link #Pool()}, {@link #Pool(int)}, {@link #builder()}: {@link Builder#processes},
 *       {@link Builder#initializer(Fn, Object...)}, {@link Builder#maxTasksPerChild}; also
 *       {@link Builder#maxTries} (retries after a worker's death) and {@link Builder#brokenAfterDeaths}</td></tr>
 *   <tr><td>{@code map(f, it, chunksize)}, {@code map_async(..., callback, error_callback)}</td>
 *       <td>{@link #map(Fn, List)}, {@link #map(Fn, List, int, IntConsumer)}, {@link #map(Fn, List, Duration)},
 *       {@link #mapAsync(Fn, List)}, {@link #mapAsync(Fn, List, int, Consumer, Consumer)}</td></tr>
 *   <tr><td>{@code starmap(f, [(a, b), ...])}, {@code starmap_async}</td>
 *       <td>{@link #starmap(Fn, List)}, {@link #starmapAsync(Fn, List)}: the function takes its arguments as one
 *       {@code List<Object>}</td></tr>
 *   <tr><td>{@code imap(f, it, chunksize=1)}, {@code imap_unordered}</td>
 *       <td>{@link #imap(Fn, Iterator)}, {@link #imap(Fn, Iterator, int)}, {@link #imapUnordered(Fn, Iterator)},
 *       {@link #imapUnordered(Fn, Iterator, int)}</td></tr>
 *   <tr><td>{@code apply(f, (x,))}, {@code apply_async(f, (x,), callback, error_callback)}</td>
 *       <td>{@link #apply(Fn, Object)}, {@link #apply(Fn, Object, Duration)}, {@link #applyAsync(Fn, Object)},
 *       {@link #applyAsync(Fn, Object, Consumer, Consumer)}</td></tr>
 *   <tr><td>{@code AsyncResult.get(timeout)}</td><td>the {@link CompletableFuture}'s {@code get(timeout, unit)}</td></tr>
 *   <tr><td>{@code close()}, {@code terminate()}, {@code join()}</td>
 *       <td>{@link #close()}, {@link #terminate()}, {@link #join(Duration)}</td></tr>
 * </table>
 *
 * <ul>
 *   <li>{@link #map} returns results in input order; {@link #imap} streams them lazily, in order;
 *       {@link #imapUnordered} streams them as they are done; {@link #applyAsync} runs one input and returns a
 *       future. A chunk size groups inputs per message; {@code map}'s default is Python's, about four chunks
 *       per worker ({@code ceil(n / (4 * processes))}), {@code imap}'s is 1, as in Python.</li>
 *   <li>The function is an {@link Fn}: a lambda, a method reference or a class. Code the worker JVMs cannot
 *       load (a notebook cell's classes) is sent to them, once per definition; a lambda's captured values
 *       travel with it and must be plain data, like the inputs and results.</li>
 *   <li>If a worker JVM dies while running a chunk, the chunk runs again on a fresh worker (up to
 *       {@link Builder#maxTries} times in all, {@link #MAX_TRIES} by default; {@link Builder#failFast()}: not
 *       again); every result arrives exactly once, or the call fails with an error naming the task. (Python's
 *       Pool hangs when a worker dies.) An exception thrown by the function, an {@code Error} included (a
 *       {@code StackOverflowError}, an {@code AssertionError}, an {@code OutOfMemoryError}), is never retried: it
 *       fails the call with an {@link IllegalStateException} naming the task, whose cause is a
 *       {@link RemoteException} with the original class name, message and the worker's stack trace (Python
 *       re-raises the exception, with a {@code RemoteTraceback} as its cause). The worker goes on, except after
 *       an {@code OutOfMemoryError} (or another {@code VirtualMachineError} but a stack overflow): having
 *       answered, it ends, and a fresh worker takes its place.</li>
 *   <li>The inputs are encoded at the call, in the caller's thread: one that cannot travel (not plain data, see
 *       {@link Connection#send}), or a chunk over the size of one message (256 MiB), is refused there with an
 *       {@link IllegalArgumentException} naming the input and its type; no worker is touched. A map refuses
 *       all of its inputs before any runs. What the worker gets is the inputs as they were at the call.</li>
 *   <li>A worker JVM that cannot be started (no {@code java}, a failed fork, this JVM's IPC directory removed)
 *       is tried {@link #START_TRIES} times with a growing pause (about 2 s in all); then the pool is broken:
 *       the work pending fails with a {@link BrokenPoolException} naming the cause, later calls fail with it at
 *       once, and {@link #close()} returns. (A pool whose first workers cannot start fails in its
 *       constructor, leaving none behind.) So is an unexpected {@code Error} in one of the pool's own threads.
 *       When {@link #close()}, {@link #join} or {@link #terminate()} returns, no future of the pool is pending.
 *       A worker JVM that ends before it is ready (a bad command line, a class path without the toolkit) is a
 *       failed start too: after {@link #START_DEATHS} in a row, with the same pauses, the pool is broken, and
 *       the message quotes what the JVM printed. A worker that dies once it is ready is a death like any other
 *       (retried, see above).</li>
 *   <li>An initializer runs once in every worker JVM, before its first task (again in each replacement). If it
 *       throws, the pool is broken: pending and later calls fail with a {@link BrokenPoolException} that names
 *       the worker and has the initializer's {@link RemoteException} as its cause. (Python starts new workers
 *       over and over, each failing the same way, and the call hangs.) A worker that dies in its initializer
 *       is replaced; after {@code maxTries} such deaths in a row the pool is broken too.</li>
 *   <li>{@link #close()} lets the work given so far finish, then ends the workers; {@link #terminate()} ends
 *       them at once. <b>try-with-resources calls {@code close()}</b>: leaving the block waits for the work
 *       given so far. Python's {@code with Pool() as p:} calls {@code terminate()} on leaving, cancelling
 *       outstanding {@code map_async}/{@code apply_async} work; here, call {@link #terminate()} for that.</li>
 *   <li>Callbacks run on one thread of the pool (Python's result-handler thread), one at a time, so they
 *       should return quickly; the future an async call returns completes after its callback has run.</li>
 * </ul>
 */
public final class Pool implements AutoCloseable {
    /** How many times, by default, a chunk is tried when its worker JVM dies under it (the first run and two retries). */
    public static final int MAX_TRIES = 3;
    /** Chunks with less work than this (as last measured) are sent ahead: see {@code Slot.feed} and {@link #mayHold}. */
    static final long AHEAD_BELOW_NANOS = 1_000_000;
    /** About this much work (as last measured) waits for a worker, in at most {@link #MAX_HELD} chunks. */
    static final long AHEAD_WORK_NANOS = 200_000;
    /** The most chunks a worker holds at once: the one it runs and those sent ahead of it. */
    static final int MAX_HELD = 16;

    /**
     * How many chunks a worker may hold (the one it runs and those sent ahead) after an answer that took
     * {@code busy} ns, when it was allowed {@code held}: one after a long chunk; after a short one enough to hold
     * ~{@link #AHEAD_WORK_NANOS} of work (at most {@link #MAX_HELD}), so that the worker finds work waiting even
     * when the parent's threads are slow to get a core (both cores busy with workers). The allowance at most
     * doubles per answer: one short answer among long chunks lets a worker take one more chunk, not fifteen. A
     * chunk sent ahead waits behind the worker's current one even if another worker is idle, so with chunks alike
     * a map's last chunks wait behind at most ~{@link #AHEAD_WORK_NANOS} of work; behind a long chunk, longer.
     */
    static int mayHold(long busy, int held) {
        if (busy >= AHEAD_BELOW_NANOS) return 1;
        int fits = (int) Math.min(MAX_HELD, 1 + AHEAD_WORK_NANOS / Math.max(1, busy));
        return Math.max(1, Math.min(fits, 2 * held));
    }
    /** How many times a worker JVM's start is tried before the pool is broken (backoff 100 ms, 400 ms, 1.6 s). */
    public static final int START_TRIES = 4;
    static final long START_BACKOFF_MILLIS = 100;
    /** How many worker JVMs in a row may end before they are ready (a start that failed) before the pool is broken. */
    public static final int START_DEATHS = 3;
    /** An empty list, encoded. */
    private static final byte[] EMPTY_LIST = emptyList();

    private static byte[] emptyList() {
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        try {
            Codec.write(new java.io.DataOutputStream(b), List.of());
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e); // memory does not fail
        }
        return b.toByteArray();
    }

    private static final Chunk STOP = new Chunk(-1, null, new byte[0], 0, "", null);

    private final int size;
    private final StartMethod method;
    private final String initializer; // Targets text, JOB-prefixed for a Job; null: none
    private final byte[] initargs; // the encoded list, taken when the initializer was given
    private final int maxTasksPerChild, maxTries, brokenAfterDeaths;
    private final BlockingQueue<Chunk> work = new LinkedBlockingQueue<>();
    private final List<Slot> slots = new ArrayList<>();
    private final List<Worker> retired = new ArrayList<>(); // replaced after maxTasksPerChild: still ending
    private final AtomicLong ids = new AtomicLong();
    /** Feeders waiting for work: while one is, no other sends a chunk ahead (the waiting one takes it). */
    private final AtomicInteger waitingFeeders = new AtomicInteger();
    private final AtomicInteger restarts = new AtomicInteger(), retirements = new AtomicInteger(), deathsInARow = new AtomicInteger();
    private final ExecutorService callbacks = Executors.newSingleThreadExecutor(r -> {
        Thread t = new Thread(r, "mproc-pool-callbacks");
        t.setDaemon(true);
        return t;
    });
    private volatile boolean closed, terminated;
    private volatile BrokenPoolException broken;

    /**
     * One unit of work: inputs with the same function (encoded at the call, {@code count} of them, shown in
     * messages as {@code preview}), and where its results go.
     */
    record Chunk(long id, String fn, byte[] inputs, int count, String preview, CompletableFuture<List<Object>> result) {}

    /** Every chunk submitted and not done yet: what {@link #terminate()} and {@link #join} fail if still pending. */
    private final java.util.Set<Chunk> live = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Tests only: runs in a feeder thread before it waits for an answer (to throw an Error there, for real). */
    static volatile Runnable beforeReceiveHook;
    /** Tests only: given how many chunks the worker holds (sent, not answered) after each chunk is sent. */
    static volatile java.util.function.IntConsumer afterSendHook;

    /** A pool with one worker JVM per available processor (Python's {@code Pool()}: {@code os.cpu_count()}). */
    public Pool() {
        this(builder());
    }

    /** A pool of {@code size} worker JVMs (TUNED start). */
    public Pool(int size) {
        this(size, StartMethod.getDefault());
    }

    public Pool(int size, StartMethod method) {
        this(builder().processes(size).startMethod(method));
    }

    private Pool(Builder b) {
        if (b.processes < 1 || b.processes > 256) throw new IllegalArgumentException("pool size must be between 1 and 256, got " + b.processes);
        this.size = b.processes;
        this.method = b.startMethod == null ? StartMethod.getDefault() : b.startMethod;
        this.initializer = b.initializer;
        this.initargs = b.initargs;
        this.maxTasksPerChild = b.maxTasksPerChild;
        this.maxTries = b.maxTries;
        this.brokenAfterDeaths = b.brokenAfterDeaths;
        for (int i = 0; i < size; i++) slots.add(new Slot(i));
        OPEN.add(this);
        try {
            for (Slot s : slots) s.startWithBackoff();
        } catch (RuntimeException | Error e) {
            // none of this pool may outlive the failure: end the workers that did start
            OPEN.remove(this);
            closed = terminated = true;
            for (Slot s : slots) if (s.worker != null) s.worker.kill();
            for (Slot s : slots) if (s.conn != null) s.conn.close();
            callbacks.shutdown();
            throw e;
        }
        for (Slot s : slots) s.feeder.start();
    }

    /** The options of a pool, Python's {@code Pool(...)} keyword arguments: {@code Pool.builder().processes(4).build()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** See {@link #builder()}; every option has Python's default unless it says otherwise. */
    public static final class Builder {
        private int processes = Math.min(256, Runtime.getRuntime().availableProcessors());
        private StartMethod startMethod;
        private String initializer;
        private byte[] initargs = EMPTY_LIST;
        private int maxTasksPerChild, maxTries = MAX_TRIES, brokenAfterDeaths;

        Builder() {}

        /** How many worker JVMs (default: the available processors). */
        public Builder processes(int n) {
            processes = n;
            return this;
        }

        /** How the worker JVMs start (default {@link StartMethod#getDefault()}). */
        public Builder startMethod(StartMethod m) {
            startMethod = m;
            return this;
        }

        /**
         * {@code fn} runs once in every worker JVM before its first task, given {@code initargs} as a list
         * (Python's {@code initializer(*initargs)}); what it returns is ignored. It typically sets static state
         * that the tasks then read. If it throws, the pool is broken (see {@link Pool}). The initargs are
         * encoded here: one that cannot travel is refused with an IllegalArgumentException naming it, and every
         * worker, replacements included, gets them as they were at this call.
         */
        public Builder initializer(Fn<List<Object>, ?> fn, Object... initargs) {
            List<Object> args = java.util.Arrays.asList(initargs.clone());
            for (Object o : args) Targets.shipTypes(o);
            String ref = Targets.of(fn, "pool initializer");
            int limit = FrameChannel.MAX_FRAME - 64 - 3 * ref.length();
            Encoded b = new Encoded(limit);
            try {
                Codec.write(new java.io.DataOutputStream(b), new ArrayList<>(args));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("an initarg cannot travel to a worker JVM: " + e.getMessage(), e);
            } catch (UncheckedTooLarge e) {
                throw new IllegalArgumentException("the initargs are too large to travel to a worker JVM: more than "
                        + limit + " bytes encoded, the limit for one message", e);
            } catch (java.io.IOException e) {
                throw new IllegalStateException("cannot encode the initargs: " + e, e); // memory does not fail
            }
            this.initializer = ref;
            this.initargs = b.toByteArray(); // as they are now: every worker, replacements too, gets the same
            return this;
        }

        /** As {@link #initializer(Fn, Object...)}, with no initargs: a lambda that captures what it needs. */
        public Builder initializer(Job job) {
            this.initializer = PoolWorker.JOB + Targets.of(job, "pool initializer");
            this.initargs = EMPTY_LIST;
            return this;
        }

        /**
         * A worker JVM is replaced by a fresh one after {@code n} tasks (Python's {@code maxtasksperchild}; a
         * task is a chunk, as in Python: one input for {@code apply}, {@code chunksize} inputs for {@code map}).
         * 0 (the default): never.
         */
        public Builder maxTasksPerChild(int n) {
            if (n < 0) throw new IllegalArgumentException("maxTasksPerChild must be >= 0, got " + n);
            maxTasksPerChild = n;
            return this;
        }

        /**
         * How many times a chunk is tried, in all, when the worker JVM running it dies (killed, out of memory,
         * {@code System.exit}): default {@link #MAX_TRIES}; 1 fails the chunk at the first death. A task's own
         * exception is never retried.
         */
        public Builder maxTries(int n) {
            if (n < 1 || n > 100) throw new IllegalArgumentException("maxTries must be between 1 and 100, got " + n);
            maxTries = n;
            return this;
        }

        /** {@code maxTries(1)}: a chunk whose worker dies fails at once (the worker is still replaced). */
        public Builder failFast() {
            return maxTries(1);
        }

        /**
         * The pool is broken (see {@link BrokenPoolException}) when worker JVMs die {@code n} times in a row,
         * with no task answered in between. 0 (the Pool's default): never; {@link ProcessPoolExecutor}'s default
         * is {@link ProcessPoolExecutor#BROKEN_AFTER_DEATHS}.
         */
        public Builder brokenAfterDeaths(int n) {
            if (n < 0) throw new IllegalArgumentException("brokenAfterDeaths must be >= 0, got " + n);
            brokenAfterDeaths = n;
            return this;
        }

        int brokenAfterDeaths() {
            return brokenAfterDeaths;
        }

        public Pool build() {
            return new Pool(this);
        }
    }

    private static final java.util.Set<Pool> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Terminates every pool of this JVM that is not closed yet (a notebook cell was stopped). */
    static void terminateAll() {
        for (Pool p : List.copyOf(OPEN)) {
            try {
                p.terminate();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    public int size() {
        return size;
    }

    // ------------------------------------------------------------------ map

    /** {@code fn} applied to every input, results in input order. Python's {@code pool.map}. */
    public <I, O> List<O> map(Fn<? super I, ? extends O> fn, List<? extends I> inputs) throws InterruptedException {
        return map(fn, inputs, defaultChunk(inputs.size()), null);
    }

    /**
     * {@code fn}, a class with a no-argument constructor, applied to every input, results in input order. The
     * inputs' type is checked in the worker (a class names its function, it does not type it here).
     */
    public <O> List<O> map(Class<? extends Fn<?, ? extends O>> fn, List<?> inputs) throws InterruptedException {
        return map(fn, inputs, defaultChunk(inputs.size()), null);
    }

    /** As {@link #map(Fn, List, int, IntConsumer)}, the function given by its class. */
    public <O> List<O> map(Class<? extends Fn<?, ? extends O>> fn, List<?> inputs, int chunksize,
                              IntConsumer progress) throws InterruptedException {
        return untimed(Targets.of(fn, "pool function"), inputs, chunksize, progress);
    }

    /**
     * As {@link #map(Fn, List)} with {@code chunksize} inputs per message. {@code progress} (may be null)
     * is told how many inputs are done, from the calling thread: every {@link #PROGRESS_MILLIS} ms while
     * the map runs, and once at the end. The calling thread sleeps until the map is done (or fails, or it is
     * time to report progress), not once per chunk: like Python's {@code map}, which waits for one event.
     * The first chunk to fail fails the call at once.
     */
    public <I, O> List<O> map(Fn<? super I, ? extends O> fn, List<? extends I> inputs, int chunksize, IntConsumer progress)
            throws InterruptedException {
        return untimed(Targets.of(fn, "pool function"), inputs, chunksize, progress);
    }

    /**
     * As {@link #map(Fn, List)}, waiting at most {@code timeout} (Python's {@code map_async(...).get(timeout)}).
     * On timeout the chunks not yet sent to a worker are dropped; those running, or sent ahead to a worker (a few
     * short ones, see {@link #mayHold}), finish there, their results unused.
     */
    public <I, O> List<O> map(Fn<? super I, ? extends O> fn, List<? extends I> inputs, Duration timeout)
            throws InterruptedException, TimeoutException {
        return mapRef(Targets.of(fn, "pool function"), inputs, defaultChunk(inputs.size()), null, deadline(timeout));
    }

    /**
     * {@code fn} applied to every argument list, results in input order: Python's {@code starmap}, where
     * {@code f(*args)} becomes {@code fn.apply(args)}. Each input is a {@link List} or an array of the
     * arguments (an array travels as a list); e.g.
     * {@code pool.starmap(a -> (Integer) a.get(0) + (Integer) a.get(1), List.of(List.of(1, 2), List.of(3, 4)))}.
     */
    public <O> List<O> starmap(Fn<? super List<Object>, ? extends O> fn, List<?> inputs) throws InterruptedException {
        return untimed(Targets.of(fn, "pool function"), starred(inputs), defaultChunk(inputs.size()), null);
    }

    /** As {@link #starmap(Fn, List)} with {@code chunksize} inputs per message. */
    public <O> List<O> starmap(Fn<? super List<Object>, ? extends O> fn, List<?> inputs, int chunksize) throws InterruptedException {
        return untimed(Targets.of(fn, "pool function"), starred(inputs), chunksize, null);
    }

    /** As {@link #starmap(Fn, List)}, the function given by its class (an {@code Fn} of a list). */
    public <O> List<O> starmap(Class<? extends Fn<?, ? extends O>> fn, List<?> inputs) throws InterruptedException {
        return untimed(Targets.of(fn, "pool function"), starred(inputs), defaultChunk(inputs.size()), null);
    }

    /** {@link #starmap(Fn, List)} without waiting: Python's {@code starmap_async}. */
    public <O> CompletableFuture<List<O>> starmapAsync(Fn<? super List<Object>, ? extends O> fn, List<?> inputs) {
        return mapAsyncRef(Targets.of(fn, "pool function"), starred(inputs), defaultChunk(inputs.size()), null, null);
    }

    private static List<List<Object>> starred(List<?> inputs) {
        List<List<Object>> out = new ArrayList<>(inputs.size());
        for (Object in : inputs) {
            if (in instanceof List<?> l) {
                out.add(new ArrayList<>(l));
            } else if (in != null && in.getClass().isArray()) {
                int n = java.lang.reflect.Array.getLength(in);
                List<Object> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) l.add(java.lang.reflect.Array.get(in, i));
                out.add(l);
            } else {
                throw new IllegalArgumentException("a starmap input must be a list or an array of the arguments, got "
                        + (in == null ? "null" : in.getClass().getName()));
            }
        }
        return out;
    }

    /** {@code fn} applied to every input, without waiting: Python's {@code map_async}. The future holds the results in input order. */
    public <I, O> CompletableFuture<List<O>> mapAsync(Fn<? super I, ? extends O> fn, List<? extends I> inputs) {
        return mapAsyncRef(Targets.of(fn, "pool function"), inputs, defaultChunk(inputs.size()), null, null);
    }

    /** As {@link #mapAsync(Fn, List)}, the function given by its class. */
    public <O> CompletableFuture<List<O>> mapAsync(Class<? extends Fn<?, ? extends O>> fn, List<?> inputs) {
        return mapAsyncRef(Targets.of(fn, "pool function"), inputs, defaultChunk(inputs.size()), null, null);
    }

    /**
     * As {@link #mapAsync(Fn, List)} with {@code chunksize} inputs per message, and Python's callbacks (either
     * may be null): {@code callback} gets the result list, {@code errorCallback} the failure (a task's
     * {@link RemoteException}, or what else failed the call). See {@link Pool} on the callbacks' thread.
     */
    public <I, O> CompletableFuture<List<O>> mapAsync(Fn<? super I, ? extends O> fn, List<? extends I> inputs, int chunksize,
            Consumer<? super List<O>> callback, Consumer<? super Throwable> errorCallback) {
        return mapAsyncRef(Targets.of(fn, "pool function"), inputs, chunksize, callback, errorCallback);
    }

    private <O> CompletableFuture<List<O>> mapAsyncRef(String fn, List<?> inputs, int chunksize,
            Consumer<? super List<O>> callback, Consumer<? super Throwable> errorCallback) {
        Batch<O> b = batch(fn, inputs, chunksize, new AtomicInteger());
        return withCallbacks(b.all(), callback, errorCallback);
    }

    /** The chunks of one map, and a future of all their results in input order. */
    private record Batch<O>(List<Chunk> chunks, CompletableFuture<List<O>> all) {}

    @SuppressWarnings("unchecked")
    private <O> Batch<O> batch(String fn, List<?> inputs, int chunksize, AtomicInteger done) {
        checkChunk(chunksize);
        checkOpen();
        List<Chunk> chunks = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i += chunksize) { // every input encoded before any is queued
            chunks.add(prepare(fn, inputs.subList(i, Math.min(inputs.size(), i + chunksize)), i));
        }
        for (Chunk c : chunks) enqueue(c);
        CompletableFuture<List<O>> all = new CompletableFuture<>();
        AtomicInteger left = new AtomicInteger(chunks.size());
        if (chunks.isEmpty()) all.complete(new ArrayList<>());
        for (Chunk c : chunks) {
            c.result().whenComplete((out, e) -> {
                if (e != null) {
                    all.completeExceptionally(e);
                    return;
                }
                done.addAndGet(out.size());
                if (left.decrementAndGet() == 0) {
                    List<Object> results = new ArrayList<>(inputs.size());
                    for (Chunk k : chunks) results.addAll(k.result().join());
                    all.complete((List<O>) results);
                }
            });
        }
        return new Batch<>(chunks, all);
    }

    private <O> List<O> untimed(String fn, List<?> inputs, int chunksize, IntConsumer progress) throws InterruptedException {
        try {
            return mapRef(fn, inputs, chunksize, progress, Long.MAX_VALUE);
        } catch (TimeoutException e) {
            throw new AssertionError(e); // no deadline
        }
    }

    private <O> List<O> mapRef(String fn, List<?> inputs, int chunksize, IntConsumer progress, long deadline)
            throws InterruptedException, TimeoutException {
        AtomicInteger done = new AtomicInteger();
        Batch<O> b = batch(fn, inputs, chunksize, done);
        while (true) {
            long wait = PROGRESS_MILLIS;
            if (deadline != Long.MAX_VALUE) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    for (Chunk c : b.chunks()) c.result().cancel(false);
                    throw new TimeoutException("the map of " + inputs.size() + " inputs was not done in time ("
                            + done.get() + " done)");
                }
                wait = Math.max(1, Math.min(wait, TimeUnit.NANOSECONDS.toMillis(left)));
            }
            try {
                List<O> out = b.all().get(wait, TimeUnit.MILLISECONDS);
                if (progress != null) progress.accept(out.size());
                return out;
            } catch (TimeoutException e) {
                if (progress != null) progress.accept(done.get());
            } catch (InterruptedException e) {
                throw Children.interrupted(e);
            } catch (ExecutionException e) {
                throw failure(e);
            }
        }
    }

    private static long deadline(Duration timeout) {
        long now = System.nanoTime(), n = timeout.toNanos();
        if (n < 0) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        return n > Long.MAX_VALUE - now - 1 ? Long.MAX_VALUE - 1 : now + n;
    }

    /** How often {@link #map(Class, List, int, IntConsumer)} reports progress. */
    public static final long PROGRESS_MILLIS = 100;

    // ------------------------------------------------------------------ imap

    /** As {@link #imap(Fn, Iterator, int)} with one input per message (Python's default). */
    public <I, O> Iterator<O> imap(Fn<? super I, ? extends O> fn, Iterator<? extends I> inputs) {
        return imap(fn, inputs, 1);
    }

    /**
     * {@code fn} applied to the inputs lazily: inputs are taken from the iterator only as results are
     * consumed (at most one chunk more per worker than the workers may hold: 2 per worker for long chunks, up to
     * 17 for short ones), and results come in input order.
     */
    public <I, O> Iterator<O> imap(Fn<? super I, ? extends O> fn, Iterator<? extends I> inputs, int chunksize) {
        return imapRef(Targets.of(fn, "pool function"), inputs, chunksize, false);
    }

    /** As {@link #imap(Fn, Iterator, int)}, the function given by its class. */
    public <O> Iterator<O> imap(Class<? extends Fn<?, ? extends O>> fn, Iterator<?> inputs, int chunksize) {
        return imapRef(Targets.of(fn, "pool function"), inputs, chunksize, false);
    }

    /** As {@link #imapUnordered(Fn, Iterator, int)} with one input per message (Python's default). */
    public <I, O> Iterator<O> imapUnordered(Fn<? super I, ? extends O> fn, Iterator<? extends I> inputs) {
        return imapUnordered(fn, inputs, 1);
    }

    /**
     * As {@link #imap(Fn, Iterator, int)}, but results come as they are done: Python's {@code imap_unordered}.
     * A chunk's results come together, in their order.
     */
    public <I, O> Iterator<O> imapUnordered(Fn<? super I, ? extends O> fn, Iterator<? extends I> inputs, int chunksize) {
        return imapRef(Targets.of(fn, "pool function"), inputs, chunksize, true);
    }

    /** As {@link #imapUnordered(Fn, Iterator, int)}, the function given by its class. */
    public <O> Iterator<O> imapUnordered(Class<? extends Fn<?, ? extends O>> fn, Iterator<?> inputs, int chunksize) {
        return imapRef(Targets.of(fn, "pool function"), inputs, chunksize, true);
    }

    /**
     * How many chunks an {@code imap} keeps submitted and not yet handed to its consumer: per worker, what it may
     * hold now ({@link #mayHold}) and one more. Short chunks keep the workers busy (with a fixed 2 per worker an imap
     * of trivial tasks took ~2.6-3.0 us per task here, with 17 ~0.7-1.1 us); long ones are taken as lazily as
     * before. A bound either way: inputs are taken only as results are consumed.
     */
    int imapWindow() {
        int w = 0;
        for (Slot s : slots) w += s.held + 1;
        return w;
    }

    private <O> Iterator<O> imapRef(String fn, Iterator<?> inputs, int chunksize, boolean unordered) {
        checkChunk(chunksize);
        return new Iterator<>() {
            private final java.util.ArrayDeque<Chunk> inFlight = new java.util.ArrayDeque<>();
            private final BlockingQueue<Chunk> finished = new LinkedBlockingQueue<>();
            private Iterator<O> current = java.util.Collections.emptyIterator();

            private void fill() {
                while (inFlight.size() < imapWindow() && inputs.hasNext()) {
                    List<Object> batch = new ArrayList<>(chunksize);
                    while (batch.size() < chunksize && inputs.hasNext()) batch.add(inputs.next());
                    Chunk c = submit(fn, batch);
                    inFlight.add(c);
                    if (unordered) c.result().whenComplete((v, e) -> finished.add(c));
                }
            }

            @Override
            public boolean hasNext() {
                while (!current.hasNext()) {
                    fill();
                    if (inFlight.isEmpty()) return false;
                    try {
                        Chunk c;
                        if (unordered) {
                            c = finished.take();
                            inFlight.remove(c);
                        } else {
                            c = inFlight.poll();
                        }
                        @SuppressWarnings("unchecked")
                        Iterator<O> it = (Iterator<O>) await(c).iterator();
                        current = it;
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        throw new IllegalStateException("interrupted", e);
                    }
                    fill();
                }
                return true;
            }

            @Override
            public O next() {
                if (!hasNext()) throw new NoSuchElementException();
                return current.next();
            }
        };
    }

    // ------------------------------------------------------------------ apply

    /** {@code fn} applied to one input in a worker, waiting for the result: Python's {@code apply}. */
    public <I, O> O apply(Fn<? super I, ? extends O> fn, I input) throws InterruptedException {
        return await(applyRef(Targets.of(fn, "pool function"), input));
    }

    /** As {@link #apply(Fn, Object)}, the function given by its class. */
    public <O> O apply(Class<? extends Fn<?, ? extends O>> fn, Object input) throws InterruptedException {
        return await(applyRef(Targets.of(fn, "pool function"), input));
    }

    /**
     * As {@link #apply(Fn, Object)}, waiting at most {@code timeout}; if it has not been sent to a worker by then, it
     * never runs (one sent ahead still runs there, its result unused).
     */
    public <I, O> O apply(Fn<? super I, ? extends O> fn, I input, Duration timeout) throws InterruptedException, TimeoutException {
        long deadline = deadline(timeout);
        Chunk c = submit(Targets.of(fn, "pool function"), java.util.Collections.singletonList(input));
        try {
            @SuppressWarnings("unchecked")
            O out = (O) c.result().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS).get(0);
            return out;
        } catch (TimeoutException e) {
            c.result().cancel(false);
            throw new TimeoutException("task " + c.id() + " was not done within " + timeout);
        } catch (InterruptedException e) {
            throw Children.interrupted(e);
        } catch (ExecutionException e) {
            throw failure(e);
        }
    }

    /** {@code fn} applied to one input, in a worker; the future completes with its result. Python's {@code apply_async}. */
    public <I, O> CompletableFuture<O> applyAsync(Fn<? super I, ? extends O> fn, I input) {
        return applyRef(Targets.of(fn, "pool function"), input);
    }

    /** As {@link #applyAsync(Fn, Object)}, the function given by its class. */
    public <O> CompletableFuture<O> applyAsync(Class<? extends Fn<?, ? extends O>> fn, Object input) {
        return applyRef(Targets.of(fn, "pool function"), input);
    }

    /**
     * As {@link #applyAsync(Fn, Object)}, with Python's callbacks (either may be null): {@code callback} gets the
     * result, {@code errorCallback} the failure: for an exception of the task, its {@link RemoteException}
     * (original class name, message, the worker's stack trace). The future completes after the callback ran.
     */
    public <I, O> CompletableFuture<O> applyAsync(Fn<? super I, ? extends O> fn, I input, Consumer<? super O> callback,
            Consumer<? super Throwable> errorCallback) {
        return withCallbacks(applyRef(Targets.of(fn, "pool function"), input), callback, errorCallback);
    }

    @SuppressWarnings("unchecked")
    private <O> CompletableFuture<O> applyRef(String fn, Object input) {
        return submit(fn, java.util.Collections.singletonList(input)).result().thenApply(l -> (O) l.get(0));
    }

    /** For {@link ProcessPoolExecutor}: {@code ref} applied to {@code input}; the future is the chunk's. */
    Chunk submitOne(String ref, Object input) {
        return submit(ref, java.util.Collections.singletonList(input));
    }

    private <T> CompletableFuture<T> withCallbacks(CompletableFuture<T> f, Consumer<? super T> callback,
            Consumer<? super Throwable> errorCallback) {
        if (callback == null && errorCallback == null) return f;
        CompletableFuture<T> out = new CompletableFuture<>();
        f.whenCompleteAsync((v, e) -> {
            try {
                if (e == null) {
                    if (callback != null) callback.accept(v);
                } else if (errorCallback != null) {
                    errorCallback.accept(remoteCause(e));
                }
            } catch (RuntimeException | Error x) {
                System.err.println("mproc: a pool callback threw " + x); // the result still reaches the future
                x.printStackTrace();
            } finally {
                if (e == null) out.complete(v);
                else out.completeExceptionally(e instanceof java.util.concurrent.CompletionException && e.getCause() != null ? e.getCause() : e);
            }
        }, this::runCallback);
        return out;
    }

    /** On the callbacks' thread; here, once the pool has ended (a late completion), so that the future still completes. */
    private void runCallback(Runnable r) {
        try {
            callbacks.execute(r);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            r.run();
        }
    }

    /**
     * The task's {@link RemoteException} inside {@code e}, or {@code e} (unwrapped) when it is something else (a
     * broken pool stays a {@link BrokenPoolException}, even when its cause is the initializer's exception).
     */
    static Throwable remoteCause(Throwable e) {
        if (e instanceof java.util.concurrent.CompletionException && e.getCause() != null) e = e.getCause();
        if (e instanceof ExecutionException && e.getCause() != null) e = e.getCause();
        if (!(e instanceof BrokenPoolException) && e.getCause() instanceof RemoteException r) return r;
        return e;
    }

    private Chunk submit(String fn, List<?> inputs) {
        checkOpen();
        Chunk c = prepare(fn, inputs, 0);
        enqueue(c);
        return c;
    }

    private void checkOpen() {
        if (closed) throw new IllegalStateException("the pool is closed");
        BrokenPoolException b = broken;
        if (b != null) throw new BrokenPoolException(b.getMessage(), b.getCause());
    }

    /**
     * The chunk of these inputs, encoded here, in the caller's thread: an input that cannot travel, or a
     * chunk over the size of one message, is refused now with an IllegalArgumentException naming it, never
     * later in a feeder thread, where it would look like the worker's death. The bytes are what the worker
     * gets, so changing an input after the call changes nothing. {@code first}: the index of the first input
     * in the caller's list, for messages.
     */
    private Chunk prepare(String fn, List<?> inputs, int first) {
        for (int i = 0; i < inputs.size(); i++) {
            Object o = inputs.get(i);
            if (o == null) throw new IllegalArgumentException("a pool input must not be null (input " + (first + i) + ")");
            Targets.shipTypes(o);
        }
        int limit = FrameChannel.MAX_FRAME - 64 - 3 * fn.length(); // the message also holds the id and the function
        Encoded b = new Encoded(limit);
        try {
            Codec.write(new java.io.DataOutputStream(b), new ArrayList<>(inputs));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a pool input cannot travel to a worker JVM (" + inputName(inputs, first)
                    + "): " + e.getMessage(), e);
        } catch (UncheckedTooLarge e) {
            throw new IllegalArgumentException("too large to travel to a worker JVM: the pool " + inputName(inputs, first)
                    + " take more than " + limit + " bytes encoded, the limit for one task message; pass smaller inputs,"
                    + " or fewer per chunk (a smaller chunksize)", e);
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot encode the pool inputs: " + e, e); // memory does not fail
        }
        byte[] bytes = b.toByteArray();
        return new Chunk(ids.incrementAndGet(), fn, bytes, inputs.size(), preview(inputs), new CompletableFuture<>());
    }

    /** Bytes in memory, refusing to grow past {@code limit}: a chunk over the limit fails before it is all copied. */
    private static final class Encoded extends java.io.ByteArrayOutputStream {
        private final int limit;

        Encoded(int limit) {
            super(256);
            this.limit = limit;
        }

        @Override
        public synchronized void write(int b) {
            if (count >= limit) throw new UncheckedTooLarge();
            super.write(b);
        }

        @Override
        public synchronized void write(byte[] b, int off, int len) {
            if (len > limit - count) throw new UncheckedTooLarge();
            super.write(b, off, len);
        }
    }

    /** What {@link Encoded} throws through the encoder (ByteArrayOutputStream's writes declare no IOException). */
    private static final class UncheckedTooLarge extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UncheckedTooLarge() {
            super(null, null, false, false);
        }
    }

    private static String inputName(List<?> inputs, int first) {
        if (inputs.size() == 1) return "input " + first + ", a " + inputs.get(0).getClass().getTypeName() + ",";
        return "inputs " + first + " to " + (first + inputs.size() - 1);
    }

    private void enqueue(Chunk c) {
        live.add(c);
        c.result().whenComplete((v, e) -> live.remove(c));
        RuntimeException refused = null;
        synchronized (work) { // against terminate() and breakPool() draining the queue at this moment
            if (terminated) refused = new IllegalStateException("the pool was terminated");
            else if (broken != null) refused = broken;
            else work.add(c);
        }
        if (refused != null) c.result().completeExceptionally(refused); // outside the lock: callbacks may run here
    }

    private List<Object> await(Chunk c) throws InterruptedException {
        return await(c.result());
    }

    private static <T> T await(CompletableFuture<T> f) throws InterruptedException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            throw Children.interrupted(e);
        } catch (ExecutionException e) {
            throw failure(e);
        }
    }

    private static RuntimeException failure(ExecutionException e) {
        Throwable cause = e.getCause();
        if (cause instanceof RuntimeException r) return r;
        return new IllegalStateException(cause.getMessage(), cause);
    }

    private int defaultChunk(int n) {
        // Python's rule: chunksize, extra = divmod(n, 4 * processes); if extra: chunksize += 1 (at least 1 here)
        return Math.max(1, (int) Math.ceil(n / (4.0 * size)));
    }

    private static void checkChunk(int chunksize) {
        if (chunksize < 1 || chunksize > 1_000_000) throw new IllegalArgumentException("chunksize must be between 1 and 1000000, got " + chunksize);
    }

    /** Whether the pool is broken (see {@link BrokenPoolException}); the exception, or null. */
    public BrokenPoolException broken() {
        return broken;
    }

    /** Makes the pool broken: the work waiting fails with {@code b}, and so does every later call. */
    private void breakPool(BrokenPoolException b) {
        synchronized (work) {
            if (broken != null) return;
            broken = b;
        }
        List<Chunk> waiting = new ArrayList<>();
        synchronized (work) {
            work.drainTo(waiting);
        }
        int stops = 0;
        for (Chunk c : waiting) {
            if (c == STOP) stops++;
            else c.result().completeExceptionally(b);
        }
        for (int i = 0; i < stops; i++) work.add(STOP);
    }

    /**
     * For {@link ProcessPoolExecutor#shutdownNow()}: the chunks no worker has started, those still queued taken
     * out, those sent ahead to a worker left in place (listed only).
     */
    List<Chunk> drainWaiting() {
        List<Chunk> waiting = new ArrayList<>(), out = new ArrayList<>();
        work.drainTo(waiting);
        for (Chunk c : waiting) {
            if (c == STOP) work.add(STOP);
            else out.add(c);
        }
        // and those sent ahead, waiting in a worker's stdin behind the one it runs (left in place: the feeder
        // matches the worker's answers to them, and the pool is ended next)
        for (Slot s : slots) {
            java.util.Iterator<Chunk> it = s.sent.iterator();
            if (it.hasNext()) it.next();
            while (it.hasNext()) out.add(it.next());
        }
        return out;
    }

    // ------------------------------------------------------------------ workers

    /** A place in the pool: its current worker JVM and the thread that feeds it. */
    private final class Slot {
        final int index;
        final Thread feeder;
        volatile Worker worker;
        volatile StdioLink.Parent conn;
        volatile int tasks, chunks;
        volatile long busyNanos;
        /** How many chunks this slot's worker may hold now ({@link #mayHold}); read by {@link #imapWindow} too. */
        volatile int held = 1;
        /** Chunks sent to the current worker and not answered yet, oldest first (read by terminate() too). */
        final java.util.concurrent.ConcurrentLinkedDeque<Chunk> sent = new java.util.concurrent.ConcurrentLinkedDeque<>();
        int sentToChild; // chunks sent to the current worker (for maxTasksPerChild)
        boolean initPending; // the current worker's answer to the initializer has not come yet
        boolean ending; // the current worker said its last answer was its last (it ends: PoolWorker.ENDING)
        int initDeaths; // workers that died in the initializer, in a row
        int startDeaths; // workers that ended before their JVM was ready, in a row

        Slot(int index) {
            this.index = index;
            feeder = new Thread(this::feed, "mproc-pool-" + index);
            feeder.setDaemon(true);
        }

        String workerName() {
            return "PoolWorker-" + (index + 1);
        }

        /**
         * Starts this slot's worker JVM, trying {@link #START_TRIES} times with a growing pause in between (a
         * fork can fail for a moment); throws the last failure, naming the worker, if every try failed.
         */
        void startWithBackoff() {
            RuntimeException last = null;
            for (int i = 0; i < START_TRIES; i++) {
                if (terminated) throw new IllegalStateException("the pool was terminated");
                if (i > 0) {
                    try {
                        Thread.sleep(START_BACKOFF_MILLIS << (2 * (i - 1)));
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        break;
                    }
                }
                try {
                    startWorker();
                    return;
                } catch (RuntimeException e) {
                    last = e;
                }
            }
            if (last == null) last = new IllegalStateException("interrupted while starting " + workerName());
            throw new IllegalStateException("cannot start the pool's worker JVM " + workerName() + " (" + START_TRIES
                    + " tries): " + last.getMessage(), last);
        }

        void startWorker() {
            // the worker talks over its own stdin and stdout (no socket to set up on either side)
            Worker w = new Worker(workerName(), PoolWorker.class, StdioLink.ADDRESS).setDaemon(true).setStartMethod(method)
                    .overStdio();
            try {
                w.start();
            } catch (RuntimeException | Error e) {
                try {
                    w.kill(); // started before it failed (its spec could not be written): not left behind
                } catch (RuntimeException ignored) {
                    // not started at all
                }
                throw e;
            }
            conn = w.link();
            worker = w;
            sentToChild = 0;
            ending = false;
            if (initializer != null) {
                initPending = true;
                try {
                    conn.send(java.util.Arrays.asList(PoolWorker.INIT, "init", initializer, initargs));
                } catch (java.io.UncheckedIOException | IllegalStateException e) {
                    // the worker died at once: awaitInit sees it
                }
            }
        }

        /**
         * Sends chunks to this slot's worker and completes them as its answers come back (in the order sent).
         * While chunks are short (under {@link #AHEAD_BELOW_NANOS} of work), more chunks ({@link #mayHold}) are sent
         * before the answer to the oldest is in, so the worker finds its next chunk waiting instead of idling for
         * a round trip, unless another worker is waiting for work; long chunks are sent one at a time, so that
         * none waits behind another worker's while a third worker is idle. A fresh worker's answer to the initializer is awaited before anything else;
         * a worker that has been sent {@code maxTasksPerChild} chunks is replaced once it has answered them.
         *
         * <p>Whatever happens, no chunk this feeder took is left pending: anything unexpected thrown here (an
         * {@code Error}, a replacement worker that cannot be started) breaks the pool with a
         * {@link BrokenPoolException} naming it, and when the feeder ends, what it had sent fails.
         */
        void feed() {
            boolean stopping = false;
            java.util.Map<Chunk, Integer> tries = new java.util.IdentityHashMap<>();
            try {
                while (true) {
                    try {
                        if (initPending && broken == null && !terminated) {
                            awaitInit(tries);
                            continue;
                        }
                        if (sent.isEmpty()) {
                            if (stopping) {
                                conn.close();
                                return;
                            }
                            if (maxTasksPerChild > 0 && sentToChild >= maxTasksPerChild && broken == null) {
                                retire();
                                continue;
                            }
                            Chunk c;
                            waitingFeeders.incrementAndGet();
                            try {
                                c = work.take();
                            } finally {
                                waitingFeeders.decrementAndGet();
                            }
                            if (c == STOP) {
                                stopping = true;
                                continue;
                            }
                            // work after an idle spell may not be like the last (another map, other inputs): one
                            // ahead at most until its first answer is measured
                            held = Math.min(held, 2);
                            sendOrRetry(c, tries);
                            if (sent.isEmpty()) continue;
                        }
                        while (!stopping && sent.size() < held && waitingFeeders.get() == 0 && !initPending
                                && (maxTasksPerChild == 0 || sentToChild < maxTasksPerChild)) {
                            Chunk c = work.poll();
                            if (c == null) break;
                            if (c == STOP) stopping = true;
                            else sendOrRetry(c, tries);
                        }
                        if (sent.isEmpty()) continue;
                        // a worker replaced just now (it died as a chunk was sent) answers its initializer first
                        if (initPending && broken == null && !terminated) continue;
                        held = mayHold(receive(tries), held);
                    } catch (InterruptedException e) {
                        return; // terminate(): the finally fails what was sent
                    } catch (RuntimeException | Error e) {
                        failed(e, tries);
                    }
                }
            } finally {
                Throwable why = terminated ? new IllegalStateException("the pool was terminated") : broken != null ? broken
                        : new IllegalStateException("the pool's feeder thread " + feeder.getName() + " ended");
                Chunk c;
                while ((c = sent.poll()) != null) c.result().completeExceptionally(why);
            }
        }

        /**
         * Something unexpected was thrown in this feeder (an Error, a failed start of a replacement worker):
         * the conversation with the worker cannot be trusted, so the pool is broken, naming it; the feeder goes
         * on only to fail the work it takes and to end when the pool closes.
         */
        private void failed(Throwable e, java.util.Map<Chunk, Integer> tries) {
            if (terminated) { // ending anyway: what was sent fails as terminated (in feed's finally)
                tries.clear();
                return;
            }
            if (e instanceof VirtualMachineError && !(e instanceof StackOverflowError) && !(e instanceof OutOfMemoryError)) {
                // an InternalError or UnknownError: the pool is broken all the same, but say so on stderr too
                e.printStackTrace();
            }
            String msg = e instanceof IllegalStateException && e.getMessage() != null && e.getMessage().startsWith("cannot start")
                    ? e.getMessage() + "; the pool cannot run work"
                    : "the pool's feeder thread " + feeder.getName() + " failed: " + e + "; the pool cannot run work";
            breakPool(new BrokenPoolException(msg, e));
            Chunk c;
            while ((c = sent.poll()) != null) c.result().completeExceptionally(broken);
            tries.clear();
            initPending = false;
            try {
                conn.close();
            } catch (RuntimeException ignored) {
                // closing what failed
            }
            try {
                if (worker != null) worker.kill();
            } catch (RuntimeException ignored) {
                // a worker closed already
            }
        }

        /** The fresh worker's answer to the initializer: on failure the pool is broken. */
        private void awaitInit(java.util.Map<Chunk, Integer> tries) throws InterruptedException {
            List<?> r;
            try {
                r = (List<?>) conn.recv();
            } catch (EOFException | java.io.UncheckedIOException e) {
                if (!diedAtStart(worker) && ++initDeaths >= maxTries) { // (a start that failed: see workerDied)
                    initPending = false;
                    breakPool(new BrokenPoolException("the pool's workers died in the initializer " + initDeaths
                            + " times in a row, last " + worker.getName() + " (pid " + worker.pid() + ", exit code "
                            + exitCodeSoon(worker) + ")", null));
                }
                workerDied(tries);
                return;
            }
            initPending = false;
            initDeaths = 0;
            deathsInARow.set(0);
            startDeaths = 0;
            if (!"ok".equals(r.get(1))) {
                RemoteException cause = r.size() > 3 ? RemoteException.of((List<?>) r.get(3)) : null;
                breakPool(new BrokenPoolException("the pool's initializer failed in " + worker.getName() + " (pid "
                        + worker.pid() + "): " + r.get(2) + "; the pool cannot run work", cause));
                Chunk c;
                while ((c = sent.poll()) != null) c.result().completeExceptionally(broken);
            }
        }

        /** Sends {@code c}; if the worker has died, replaces it and sends again what it had (see {@link #workerDied}). */
        private void sendOrRetry(Chunk c, java.util.Map<Chunk, Integer> tries) {
            if (c.result().isDone()) { // cancelled (a timeout) before it started
                tries.remove(c);
                return;
            }
            if (terminated) {
                c.result().completeExceptionally(new IllegalStateException("the pool was terminated"));
                return;
            }
            BrokenPoolException b = broken;
            if (b != null) {
                c.result().completeExceptionally(b);
                return;
            }
            sent.add(c);
            sentToChild++;
            try {
                conn.send(List.of(c.id(), c.fn(), c.inputs()));
                java.util.function.IntConsumer hook = afterSendHook;
                if (hook != null) hook.accept(sent.size());
            } catch (java.io.UncheckedIOException | IllegalStateException e) {
                // the write failed (the worker is gone), or the connection was closed: never the value itself,
                // which was encoded at the call, so this is the worker's death
                workerDied(tries);
            }
        }

        /** The answer to the oldest chunk sent: completes it; returns its busy nanos (MAX_VALUE if none came). */
        private long receive(java.util.Map<Chunk, Integer> tries) throws InterruptedException {
            Runnable hook = beforeReceiveHook;
            if (hook != null) hook.run();
            List<?> r;
            try {
                r = (List<?>) conn.recv();
            } catch (EOFException | java.io.UncheckedIOException e) {
                if (Thread.currentThread().isInterrupted() || e.getCause() instanceof java.io.InterruptedIOException) {
                    throw new InterruptedException("interrupted while waiting for " + worker.getName());
                }
                workerDied(tries);
                return Long.MAX_VALUE;
            }
            deathsInARow.set(0);
            startDeaths = 0;
            Chunk c = sent.poll(); // never null: feed() receives only with a chunk sent
            tries.remove(c);
            if (((Number) r.get(0)).longValue() != c.id()) { // cannot happen either: a worker answers in order
                c.result().completeExceptionally(new IllegalStateException("pool worker " + worker.getName()
                        + " answered chunk " + r.get(0) + " in place of " + c.id()));
                return Long.MAX_VALUE;
            }
            if ("ok".equals(r.get(1))) {
                @SuppressWarnings("unchecked")
                List<Object> out = (List<Object>) r.get(2);
                long busy = (Long) r.get(3);
                tasks += out.size();
                chunks++;
                busyNanos += busy;
                c.result().complete(out);
                return busy;
            }
            RemoteException cause = r.size() > 3 ? RemoteException.of((List<?>) r.get(3)) : null;
            if (r.size() > 4 && PoolWorker.ENDING.equals(r.get(4))) ending = true;
            c.result().completeExceptionally(new IllegalStateException("task " + c.id() + " (inputs "
                    + c.preview() + ") failed in " + worker.getName() + ": " + r.get(2), cause));
            return Long.MAX_VALUE;
        }

        /**
         * The worker JVM died with the chunks in {@code sent}: each runs again on a fresh worker, unless it has
         * now been tried {@code maxTries} times (then it fails, naming the task and the worker). The try counts
         * against the oldest chunk only, the one the worker was running: a chunk sent ahead had not started.
         * A worker that said it ends (after an OutOfMemoryError: {@link PoolWorker#ENDING}) was running none. When workers
         * have died {@code brokenAfterDeaths} times in a row, the pool is broken instead. A fresh worker that
         * cannot be started (after {@link #START_TRIES} tries) breaks the pool: thrown on to {@link #failed}.
         */
        private void workerDied(java.util.Map<Chunk, Integer> tries) {
            String why = conn.failure(); // its link broke (the worker may still run): it is ended, then replaced
            if (why != null) worker.kill();
            String who = worker.getName() + " (pid " + worker.pid() + ", exit code " + exitCodeSoon(worker) + ")"
                    + (why == null ? "" : ": " + why);
            int row = deathsInARow.incrementAndGet();
            if (brokenAfterDeaths > 0 && row >= brokenAfterDeaths && !terminated) {
                breakPool(new BrokenPoolException("the pool's worker JVMs died " + row + " times in a row, last " + who
                        + "; the pool cannot run work", null));
            }
            if (diedAtStart(worker)) {
                who += lastLines(worker);
                if (++startDeaths >= START_DEATHS && !terminated) {
                    breakPool(new BrokenPoolException("the pool's worker JVMs end before they start: " + startDeaths
                            + " in a row, last " + who + "; the pool cannot run work", null));
                } else if (!terminated) {
                    pause(START_BACKOFF_MILLIS << (2 * (startDeaths - 1))); // as for a start that failed
                }
            } else {
                startDeaths = 0;
            }
            List<Chunk> again = new ArrayList<>();
            Chunk c;
            boolean running = !ending; // a worker that said it ends was running none of them
            while ((c = sent.poll()) != null) {
                // the worker answers in order: the oldest chunk is the one it was running; one sent ahead had
                // not started, and goes again without a try counted against it
                int n = running ? tries.merge(c, 1, Integer::sum) : tries.getOrDefault(c, 0);
                running = false;
                if (terminated) {
                    c.result().completeExceptionally(new IllegalStateException("the pool was terminated"));
                } else if (broken != null) {
                    c.result().completeExceptionally(broken);
                } else if (n >= maxTries) {
                    c.result().completeExceptionally(new IllegalStateException("task " + c.id() + " (inputs "
                            + c.preview() + ") failed: its worker died " + n + " times, last " + who));
                } else {
                    again.add(c);
                }
                if (terminated || broken != null || n >= maxTries) tries.remove(c);
            }
            if (terminated) return;
            if (broken != null) {
                conn.close();
                worker.kill();
                initPending = false;
                return;
            }
            try {
                replace();
            } catch (RuntimeException | Error e) {
                for (Chunk k : again) sent.add(k); // failed with the pool's BrokenPoolException by failed()
                throw e;
            }
            for (Chunk k : again) sendOrRetry(k, tries);
        }

        /**
         * Whether {@code w} ended before its JVM read its spec (it never became ready: a bad command line, a
         * class path without the toolkit, a JVM that cannot reserve its heap): its start failed.
         */
        private boolean diedAtStart(Worker w) {
            if (w.isAlive()) return false;
            try {
                w.drainOutput(1_000); // the relay has passed on the "ready" report, if there was one
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return w.lifetime().ready() == null;
        }

        private void pause(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt(); // terminate(): the next wait ends the feeder
            }
        }

        private void replace() {
            conn.close();
            worker.kill();
            restarts.incrementAndGet();
            startWithBackoff();
        }

        /** maxTasksPerChild reached (every chunk sent answered): the worker ends on its own, a fresh one takes over. */
        private void retire() {
            conn.close(); // the worker sees the end of its stdin and exits
            synchronized (retired) {
                retired.removeIf(w -> !w.isAlive());
                retired.add(worker);
            }
            retirements.incrementAndGet();
            startWithBackoff();
        }
    }

    /** The exit code of a worker that is ending, waiting briefly for it (null if it is still running). */
    private static Integer exitCodeSoon(Worker w) {
        try {
            w.join(Duration.ofMillis(500));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return w.exitCode();
    }

    /** The worker's last lines of output (what the JVM said when it could not start), for a message. */
    private static String lastLines(Worker w) {
        List<String> out = w.output();
        if (out.isEmpty()) return "";
        String s = String.join(" | ", out.subList(Math.max(0, out.size() - 3), out.size()));
        return ", which said: " + (s.length() > 400 ? s.substring(0, 397) + "..." : s);
    }

    private static String preview(List<?> inputs) {
        String s = inputs.toString();
        return s.length() > 60 ? s.substring(0, 57) + "...]" : s;
    }

    /** The workers' pids (the current ones). */
    public List<Long> pids() {
        return slots.stream().map(s -> s.worker.pid()).toList();
    }

    /** How many workers were replaced because they died. */
    public int restarts() {
        return restarts.get();
    }

    /** How many workers were replaced because they had done {@link Builder#maxTasksPerChild} tasks. */
    public int retirements() {
        return retirements.get();
    }

    /** Starts counting tasks, chunks and busy time from zero (after a warm-up, say). */
    public void resetStats() {
        for (Slot s : slots) {
            s.tasks = 0;
            s.chunks = 0;
            s.busyNanos = 0;
        }
    }

    /**
     * What one worker has done: its name, pid, tasks and chunks done, busy time inside the function (ms) and
     * peak resident memory so far (MB; NaN where /proc cannot tell).
     */
    public record WorkerStats(String worker, long pid, int tasks, int chunks, double busyMs, double peakRssMb) {}

    /** Per worker, in pool order: see {@link WorkerStats}. */
    public List<WorkerStats> stats() {
        List<WorkerStats> out = new ArrayList<>(slots.size());
        for (Slot s : slots) {
            out.add(new WorkerStats(s.worker.getName(), s.worker.pid(), s.tasks, s.chunks,
                    Math.round(s.busyNanos / 1e5) / 10.0, Procs.peakRssMb(s.worker.pid())));
        }
        return out;
    }

    // ------------------------------------------------------------------ ending

    /**
     * Lets the work given so far finish, then ends the workers and waits for them (Python's {@code close()}
     * then {@code join()}). This is what try-with-resources calls: unlike Python's {@code with Pool()}, which
     * terminates, leaving the block waits for outstanding work.
     */
    @Override
    public void close() throws InterruptedException {
        if (closed && !terminated) return;
        closed = true;
        OPEN.remove(this);
        if (terminated) return;
        for (int i = 0; i < size; i++) work.add(STOP);
        join(Duration.ofMinutes(10));
    }

    /**
     * Waits for the workers to end (after {@link #close()}); terminates them if they take longer than {@code timeout}
     * (then the work still running fails, as in {@link #terminate()}). When it returns, no task of this pool is
     * pending: each has its result or its failure.
     */
    public void join(Duration timeout) throws InterruptedException {
        if (!closed) throw new IllegalStateException("join() before close(), as in Python");
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Slot s : slots) s.feeder.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        if (slots.stream().anyMatch(s -> s.feeder.isAlive())) {
            terminate(); // out of time with work still running
            return;
        }
        List<Worker> all = new ArrayList<>();
        for (Slot s : slots) if (s.worker != null) all.add(s.worker);
        synchronized (retired) {
            all.addAll(retired);
        }
        for (Worker w : all) {
            if (!w.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) w.kill();
            w.join();
        }
        failLeftovers(new IllegalStateException("the pool was closed before this task was answered"));
        callbacks.shutdown();
    }

    /** Ends the workers at once; pending work fails. When it returns, no task of this pool is pending. */
    public void terminate() throws InterruptedException {
        synchronized (work) {
            terminated = true;
            closed = true;
        }
        OPEN.remove(this);
        Chunk c;
        while ((c = work.poll()) != null) if (c != STOP) c.result().completeExceptionally(new IllegalStateException("the pool was terminated"));
        List<Worker> old;
        synchronized (retired) {
            old = new ArrayList<>(retired);
        }
        for (Slot s : slots) {
            s.feeder.interrupt();
            if (s.worker != null) s.worker.kill();
        }
        for (Worker w : old) w.kill();
        for (Slot s : slots) s.feeder.join(10_000); // a feeder replacing its worker right now has started the new one
        for (Slot s : slots) {
            if (s.worker != null) {
                s.worker.kill();
                s.worker.join();
            }
            if (s.conn != null) s.conn.close();
        }
        for (Worker w : old) w.join();
        failLeftovers(new IllegalStateException("the pool was terminated"));
        callbacks.shutdown();
    }

    /** Fails every task not answered yet (what a feeder that could not end in time still held). */
    private void failLeftovers(Throwable why) {
        for (Slot s : slots) {
            Chunk c;
            while ((c = s.sent.poll()) != null) c.result().completeExceptionally(why);
        }
        for (Chunk c : List.copyOf(live)) c.result().completeExceptionally(why);
    }

    /** 0, 1, ..., n-1 as a list (Python's {@code range(n)}). */
    public static List<Integer> range(int n) {
        if (n < 0) throw new IllegalArgumentException("range(n) needs n >= 0, got " + n);
        List<Integer> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) l.add(i);
        return l;
    }

    /** x squared (Python's chapter: {@code pool.map(square, range(100))}). */
    public static final class Square implements Fn<Number, Long> {
        @Override
        public Long apply(Number x) {
            long v = x.longValue();
            return v * v;
        }
    }
}
