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
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntConsumer;

/**
 * Python's {@code multiprocessing.Pool}: worker JVMs started once and reused for many tasks.
 *
 * <pre>{@code
 * try (Pool pool = new Pool(4)) {
 *     List<Integer> squares = pool.map(x -> x * x, range(100));      // in input order
 *     List<Long> same = pool.map(Square.class, range(100));           // a class, compiled or from a cell
 * }
 * }</pre>
 *
 * <ul>
 *   <li>{@link #map} returns results in input order; {@link #imap} streams them lazily, in order;
 *       {@link #applyAsync} runs one input and returns a future. A chunk size groups inputs per message.</li>
 *   <li>The function is an {@link Fn}: a lambda, a method reference or a class. Code the worker JVMs cannot
 *       load (a notebook cell's classes) is sent to them, once per definition; a lambda's captured values
 *       travel with it and must be plain data, like the inputs and results.</li>
 *   <li>If a worker JVM dies while running a chunk, the chunk runs again on a fresh worker (up to
 *       {@link #MAX_TRIES} times); every result arrives exactly once, or the call fails with an error naming
 *       the task. An exception thrown by the function fails the call with its message (Python re-raises it).</li>
 *   <li>{@link #close()} (also try-with-resources) lets the work given so far finish, then ends the workers;
 *       {@link #terminate()} ends them at once.</li>
 * </ul>
 */
public final class Pool implements AutoCloseable {
    public static final int MAX_TRIES = 3;
    /** Chunks with less work than this (as last measured) are sent one ahead: see {@code Slot.feed}. */
    static final long AHEAD_BELOW_NANOS = 1_000_000;
    private static final Chunk STOP = new Chunk(-1, null, List.of(), null);

    private final int size;
    private final StartMethod method;
    private final BlockingQueue<Chunk> work = new LinkedBlockingQueue<>();
    private final List<Slot> slots = new ArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger restarts = new AtomicInteger();
    private volatile boolean closed, terminated;

    /** One unit of work: inputs with the same function, and where its results go. */
    record Chunk(long id, String fn, List<?> inputs, CompletableFuture<List<Object>> result) {}

    /** A pool of {@code size} worker JVMs (TUNED start). */
    public Pool(int size) {
        this(size, StartMethod.getDefault());
    }

    public Pool(int size, StartMethod method) {
        if (size < 1 || size > 256) throw new IllegalArgumentException("pool size must be between 1 and 256, got " + size);
        this.size = size;
        this.method = method;
        for (int i = 0; i < size; i++) slots.add(new Slot(i));
        OPEN.add(this);
        for (Slot s : slots) s.startWorker();
        for (Slot s : slots) s.feeder.start();
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

    // ------------------------------------------------------------------ submitting

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
        return mapRef(Targets.of(fn, "pool function"), inputs, chunksize, progress);
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
        return mapRef(Targets.of(fn, "pool function"), inputs, chunksize, progress);
    }

    @SuppressWarnings("unchecked")
    private <O> List<O> mapRef(String fn, List<?> inputs, int chunksize, IntConsumer progress) throws InterruptedException {
        checkChunk(chunksize);
        List<Chunk> chunks = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i += chunksize) {
            chunks.add(submit(fn, inputs.subList(i, Math.min(inputs.size(), i + chunksize))));
        }
        CompletableFuture<Void> all = new CompletableFuture<>();
        AtomicInteger left = new AtomicInteger(chunks.size()), done = new AtomicInteger();
        if (chunks.isEmpty()) all.complete(null);
        for (Chunk c : chunks) {
            c.result().whenComplete((out, e) -> {
                if (e != null) {
                    all.completeExceptionally(e);
                    return;
                }
                done.addAndGet(out.size());
                if (left.decrementAndGet() == 0) all.complete(null);
            });
        }
        while (true) {
            try {
                all.get(PROGRESS_MILLIS, java.util.concurrent.TimeUnit.MILLISECONDS);
                break;
            } catch (java.util.concurrent.TimeoutException e) {
                if (progress != null) progress.accept(done.get());
            } catch (InterruptedException e) {
                throw Children.interrupted(e);
            } catch (ExecutionException e) {
                throw failure(e);
            }
        }
        List<Object> out = new ArrayList<>(inputs.size());
        for (Chunk c : chunks) out.addAll(c.result().join());
        if (progress != null) progress.accept(out.size());
        return (List<O>) out;
    }

    /** How often {@link #map(Class, List, int, IntConsumer)} reports progress. */
    public static final long PROGRESS_MILLIS = 100;

    /**
     * {@code fn} applied to the inputs lazily: inputs are taken from the iterator only as results are
     * consumed (at most {@code 2 * size} chunks ahead), and results come in input order.
     */
    public <I, O> Iterator<O> imap(Fn<? super I, ? extends O> fn, Iterator<? extends I> inputs, int chunksize) {
        return imapRef(Targets.of(fn, "pool function"), inputs, chunksize);
    }

    /** As {@link #imap(Fn, Iterator, int)}, the function given by its class. */
    public <O> Iterator<O> imap(Class<? extends Fn<?, ? extends O>> fn, Iterator<?> inputs, int chunksize) {
        return imapRef(Targets.of(fn, "pool function"), inputs, chunksize);
    }

    private <O> Iterator<O> imapRef(String fn, Iterator<?> inputs, int chunksize) {
        checkChunk(chunksize);
        return new Iterator<>() {
            private final java.util.ArrayDeque<Chunk> inFlight = new java.util.ArrayDeque<>();
            private Iterator<O> current = java.util.Collections.emptyIterator();

            private void fill() {
                while (inFlight.size() < 2 * size && inputs.hasNext()) {
                    List<Object> batch = new ArrayList<>(chunksize);
                    while (batch.size() < chunksize && inputs.hasNext()) batch.add(inputs.next());
                    inFlight.add(submit(fn, batch));
                }
            }

            @Override
            public boolean hasNext() {
                while (!current.hasNext()) {
                    fill();
                    Chunk c = inFlight.poll();
                    if (c == null) return false;
                    try {
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

    /** {@code fn} applied to one input, in a worker; the future completes with its result. Python's {@code apply_async}. */
    public <I, O> CompletableFuture<O> applyAsync(Fn<? super I, ? extends O> fn, I input) {
        return applyRef(Targets.of(fn, "pool function"), input);
    }

    /** As {@link #applyAsync(Fn, Object)}, the function given by its class. */
    public <O> CompletableFuture<O> applyAsync(Class<? extends Fn<?, ? extends O>> fn, Object input) {
        return applyRef(Targets.of(fn, "pool function"), input);
    }

    @SuppressWarnings("unchecked")
    private <O> CompletableFuture<O> applyRef(String fn, Object input) {
        return submit(fn, java.util.Collections.singletonList(input)).result().thenApply(l -> (O) l.get(0));
    }

    private Chunk submit(String fn, List<?> inputs) {
        if (closed) throw new IllegalStateException("the pool is closed");
        for (Object o : inputs) {
            Codec.check(o);
            Targets.shipTypes(o);
        }
        Chunk c = new Chunk(ids.incrementAndGet(), fn, List.copyOf(nullSafe(inputs)), new CompletableFuture<>());
        work.add(c);
        return c;
    }

    private static List<?> nullSafe(List<?> l) {
        for (Object o : l) if (o == null) throw new IllegalArgumentException("a pool input must not be null");
        return l;
    }

    private List<Object> await(Chunk c) throws InterruptedException {
        try {
            return c.result().get();
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
        // Python's rule: about four chunks per worker
        return Math.max(1, (int) Math.ceil(n / (4.0 * size)));
    }

    private static void checkChunk(int chunksize) {
        if (chunksize < 1 || chunksize > 1_000_000) throw new IllegalArgumentException("chunksize must be between 1 and 1000000, got " + chunksize);
    }

    // ------------------------------------------------------------------ workers

    /** A place in the pool: its current worker JVM and the thread that feeds it. */
    private final class Slot {
        final int index;
        final Thread feeder;
        volatile Worker worker;
        volatile Connection conn;
        volatile int tasks, chunks;
        volatile long busyNanos;

        Slot(int index) {
            this.index = index;
            feeder = new Thread(this::feed, "mproc-pool-" + index);
            feeder.setDaemon(true);
        }

        void startWorker() {
            Pipe p = Pipe.create();
            Worker w = new Worker("PoolWorker-" + (index + 1), PoolWorker.class, p.end2()).setDaemon(true).setStartMethod(method);
            w.start();
            conn = p.end1();
            conn.spinning(false); // the feeder waits for work being done: the cores are the workers'
            worker = w;
        }

        /**
         * Sends chunks to this slot's worker and completes them as its answers come back (in the order sent).
         * While chunks are short (under {@link #AHEAD_BELOW_NANOS} of work), one more chunk is sent before
         * the answer to the last one is in, so the worker finds its next chunk waiting instead of idling for
         * a round trip; long chunks are sent one at a time, so that none waits behind another worker's while
         * a third worker is idle.
         */
        void feed() {
            java.util.ArrayDeque<Chunk> sent = new java.util.ArrayDeque<>();
            java.util.Map<Chunk, Integer> tries = new java.util.IdentityHashMap<>();
            boolean stopping = false;
            long lastBusy = Long.MAX_VALUE; // work in the last chunk, as the worker measured it
            while (true) {
                try {
                    if (sent.isEmpty()) {
                        if (stopping) {
                            conn.close();
                            return;
                        }
                        Chunk c = work.take();
                        if (c == STOP) {
                            stopping = true;
                            continue;
                        }
                        sendOrRetry(c, sent, tries);
                        if (sent.isEmpty()) continue;
                    }
                    if (!stopping && sent.size() < 2 && lastBusy < AHEAD_BELOW_NANOS) {
                        Chunk c = work.poll();
                        if (c == STOP) stopping = true;
                        else if (c != null) sendOrRetry(c, sent, tries);
                        if (sent.isEmpty()) continue;
                    }
                    lastBusy = receive(sent, tries);
                } catch (InterruptedException e) {
                    for (Chunk c : sent) c.result().completeExceptionally(e);
                    return;
                }
            }
        }

        /** Sends {@code c}; if the worker has died, replaces it and sends again what it had (see {@link #workerDied}). */
        private void sendOrRetry(Chunk c, java.util.ArrayDeque<Chunk> sent, java.util.Map<Chunk, Integer> tries) {
            if (terminated) {
                c.result().completeExceptionally(new IllegalStateException("the pool was terminated"));
                return;
            }
            sent.add(c);
            try {
                conn.send(List.of(c.id(), c.fn(), c.inputs()));
            } catch (RuntimeException e) {
                workerDied(sent, tries);
            }
        }

        /** The answer to the oldest chunk sent: completes it; returns its busy nanos (MAX_VALUE if none came). */
        private long receive(java.util.ArrayDeque<Chunk> sent, java.util.Map<Chunk, Integer> tries) throws InterruptedException {
            List<?> r;
            try {
                r = (List<?>) conn.recv();
            } catch (EOFException | RuntimeException e) {
                workerDied(sent, tries);
                return Long.MAX_VALUE;
            }
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
            c.result().completeExceptionally(new IllegalStateException("task " + c.id() + " (inputs "
                    + preview(c.inputs()) + ") failed in " + worker.getName() + ": " + r.get(2)));
            return Long.MAX_VALUE;
        }

        /**
         * The worker JVM died with the chunks in {@code sent}: each runs again on a fresh worker, unless it has
         * now been tried {@link #MAX_TRIES} times (then it fails, naming the task and the worker).
         */
        private void workerDied(java.util.ArrayDeque<Chunk> sent, java.util.Map<Chunk, Integer> tries) {
            String who = worker.getName() + " (pid " + worker.pid() + ")";
            List<Chunk> again = new ArrayList<>();
            for (Chunk c : sent) {
                int n = tries.merge(c, 1, Integer::sum);
                if (terminated) {
                    c.result().completeExceptionally(new IllegalStateException("the pool was terminated"));
                } else if (n >= MAX_TRIES) {
                    c.result().completeExceptionally(new IllegalStateException("task " + c.id() + " (inputs "
                            + preview(c.inputs()) + ") failed: its worker died " + n + " times, last " + who));
                } else {
                    again.add(c);
                }
                if (terminated || n >= MAX_TRIES) tries.remove(c);
            }
            sent.clear();
            if (terminated) return;
            replace();
            for (Chunk c : again) sendOrRetry(c, sent, tries);
        }

        private void replace() {
            conn.close();
            worker.kill();
            restarts.incrementAndGet();
            startWorker();
        }
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

    /** Lets the work given so far finish, then ends the workers and waits for them. */
    @Override
    public void close() throws InterruptedException {
        if (closed && !terminated) return;
        closed = true;
        OPEN.remove(this);
        if (terminated) return;
        for (int i = 0; i < size; i++) work.add(STOP);
        join(Duration.ofMinutes(10));
    }

    /** Waits for the workers to end (after {@link #close()}); terminates them if they take longer than {@code timeout}. */
    public void join(Duration timeout) throws InterruptedException {
        if (!closed) throw new IllegalStateException("join() before close(), as in Python");
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Slot s : slots) s.feeder.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        for (Slot s : slots) {
            if (!s.worker.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) s.worker.kill();
            s.worker.join();
        }
    }

    /** Ends the workers at once; pending work fails. */
    public void terminate() throws InterruptedException {
        terminated = true;
        closed = true;
        OPEN.remove(this);
        Chunk c;
        while ((c = work.poll()) != null) if (c != STOP) c.result().completeExceptionally(new IllegalStateException("the pool was terminated"));
        for (Slot s : slots) {
            s.feeder.interrupt();
            s.worker.kill();
        }
        for (Slot s : slots) {
            s.worker.join();
            s.conn.close();
        }
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
