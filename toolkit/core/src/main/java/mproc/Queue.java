package mproc;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Python's {@code multiprocessing.Queue(maxsize)}: many producers, many consumers, in any JVMs; every item
 * is delivered exactly once (unless the consumer it was handed to dies before using it).
 *
 * <table>
 * <caption>Python to Java</caption>
 * <tr><td>{@code Queue()}, {@code Queue(maxsize)}</td><td>{@link #create()}, {@link #create(int)} (0 or less: unbounded)</td></tr>
 * <tr><td>{@code q.put(x)}, {@code q.put(x, timeout=t)}, {@code q.put(x, block, timeout)}</td>
 *     <td>{@link #put(Object)}, {@link #put(Object, Duration)}, {@link #put(Object, boolean, Duration)}</td></tr>
 * <tr><td>{@code q.put_nowait(x)}</td><td>{@link #putNowait(Object)}</td></tr>
 * <tr><td>{@code q.get()}, {@code q.get(timeout=t)}, {@code q.get(block, timeout)}</td>
 *     <td>{@link #get()}, {@link #get(Duration)}, {@link #get(boolean, Duration)}</td></tr>
 * <tr><td>{@code q.get_nowait()}</td><td>{@link #getNowait()}</td></tr>
 * <tr><td>{@code queue.Full}, {@code queue.Empty}</td><td>{@link Full}, {@link Empty} (both TimeoutExceptions)</td></tr>
 * <tr><td>{@code q.qsize()}, {@code q.empty()}, {@code q.full()}</td><td>{@link #qsize()}, {@link #empty()}, {@link #full()}</td></tr>
 * </table>
 *
 * <p>A bounded queue's {@code put} waits while {@code maxsize} items are in the queue, until a consumer in
 * any JVM takes one; {@code putNowait} and a timed put throw {@link Full} instead. Python's
 * {@code qsize()}, {@code empty()} and {@code full()} are approximate while others put and get; so are these.
 *
 * <p>The items live in the JVM that created the queue. Other JVMs batch what they put (sent when 256 items
 * are waiting, or within half a millisecond, and always before the worker ends) and fetch items ahead in
 * batches; each {@code put} and {@code get} is still one item, in order per producer.
 *
 * <p>"No more items", as in Python 3.13, has two forms:
 * <table>
 * <caption>Closing a handle, shutting the queue down</caption>
 * <tr><td>{@code multiprocessing.Queue.close()}</td><td>{@link #close()}: <em>this handle</em> (this process)
 *     puts no more. What it batched is sent, what it fetched ahead is given back; a put or get through it then
 *     throws IllegalStateException (Python: ValueError). Every other handle, the owner's too, goes on
 *     putting and getting; consumers are not cut off. Every process may close its own handle.</td></tr>
 * <tr><td>{@code queue.Queue.shutdown()} (3.13)</td><td>{@link #shutdown()}: the queue ends <em>for everyone</em>.
 *     Puts through any handle fail (IllegalStateException); consumers get what is left, then
 *     {@link ShutDown} once it is empty, and {@code for (Object x : q)} ends.</td></tr>
 * <tr><td>{@code queue.Queue.shutdown(immediate=True)}</td><td>{@link #shutdown(boolean) shutdown(true)}: the
 *     same, and the items left are dropped (a JoinableQueue counts each one done).</td></tr>
 * <tr><td>{@code queue.ShutDown}</td><td>{@link ShutDown}, an EOFException (so code that catches
 *     EOFException, as for a closed pipe, still stops)</td></tr>
 * </table>
 * Shut the queue down when every producer is done (for example after joining them); unlike "stop when
 * the queue looks empty", this cannot stop a consumer before a slow producer started.
 *
 * <p>A put in another JVM is batched, so a put after the shutdown fails there at once if the handle already
 * knows of it, else its batch is refused by the owner and the handle hears it at its next get, size or
 * join (IllegalStateException naming the refused items; a worker that ends first reports them on stderr).
 * Items a consumer JVM already fetched ahead are still delivered to it, even by {@code shutdown(true)}.
 */
public class Queue implements Shareable, Iterable<Object> {
    private static final int BATCH = 256, MAX_PREFETCH = 256;
    static final String KIND = "mproc-queue", JOINABLE = "mproc-joinablequeue";
    private final Path broker;
    private final long id;
    private final int maxsize; // 0: unbounded
    final Broker.QueueState local; // non-null in the creating JVM
    // remote side
    private Broker.Link link;
    private boolean unacked; // batches sent on link that no reply has followed yet
    private Remote others; // bounded puts, taskDone, join: calls that must not wait behind a get on link
    private final List<Object> pending = new ArrayList<>();
    private final ArrayDeque<Object> fetched = new ArrayDeque<>();
    private int prefetch = 1;
    private volatile boolean closed; // close(): this handle puts and gets no more
    private volatile boolean shutdown; // this handle knows the queue is shut down

    Queue(Path broker, long id, Broker.QueueState local, int maxsize) {
        this.broker = broker;
        this.id = id;
        this.local = local;
        this.maxsize = Math.max(0, maxsize);
    }

    /** Python's {@code queue.Full}: no room in a bounded queue (at once, or within the timeout). */
    public static final class Full extends TimeoutException {
        public Full(String message) {
            super(message);
        }
    }

    /** Python's {@code queue.Empty}: no item (at once, or within the timeout). */
    public static final class Empty extends TimeoutException {
        public Empty(String message) {
            super(message);
        }
    }

    /**
     * Python 3.13's {@code queue.ShutDown}: {@link #get()} on a queue that is {@link #shutdown() shut down}
     * and empty. An EOFException, so code that stops at EOFException (as at the end of a pipe) keeps working.
     */
    public static final class ShutDown extends EOFException {
        public ShutDown(String message) {
            super(message);
        }
    }

    /** A new, empty, unbounded queue hosted by this JVM. */
    public static Queue create() {
        return create(0);
    }

    /** A new, empty queue hosted by this JVM that holds at most {@code maxsize} items (0 or less: no limit, as in Python). */
    public static Queue create(int maxsize) {
        Broker b = Broker.local();
        Broker.QueueState s = new Broker.QueueState(maxsize);
        return new Queue(b.path(), b.register(s), s, maxsize);
    }

    /** The queue an address names (in a worker: {@code Queue.attach(args[0])}); a JoinableQueue if it names one. */
    public static Queue attach(String address) {
        String[] f = address.split("\\|");
        if (f.length < 3 || f.length > 4 || !(f[0].equals(KIND) || f[0].equals(JOINABLE))) {
            throw new IllegalArgumentException("not a queue address: " + address);
        }
        Path p = Path.of(f[1]);
        long id = Long.parseLong(f[2]);
        int maxsize = f.length == 4 ? Integer.parseInt(f[3]) : 0;
        Queue q = f[0].equals(JOINABLE) ? new JoinableQueue(p, id, null, maxsize) : new Queue(p, id, null, maxsize);
        try {
            q.link(); // connect at once: the first put or get is then fast, and a gone owner is reported here
        } catch (IOException e) {
            throw new UncheckedIOException("queue: " + e.getMessage(), e);
        }
        return q;
    }

    String kind() {
        return KIND;
    }

    @Override
    public String address() {
        return kind() + "|" + broker + "|" + id + (maxsize > 0 ? "|" + maxsize : "");
    }

    Path brokerPath() {
        return broker;
    }

    long id() {
        return id;
    }

    /** The most items it holds; 0: no limit. */
    public int maxsize() {
        return maxsize;
    }

    /**
     * Adds an item: a number, string, boolean, array of numbers or a list of these. A bounded queue waits
     * while it is full (Python's {@code put(x)}); an interrupt while waiting throws IllegalStateException
     * and leaves the thread interrupted. IllegalStateException if this handle is {@link #close() closed} or
     * the queue is {@link #shutdown() shut down} (Python's ValueError and ShutDown).
     */
    public void put(Object item) {
        Codec.check(item);
        checkPut();
        if (maxsize > 0) {
            try {
                putBounded(item, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for room in the queue", e);
            }
            return;
        }
        if (local != null) {
            local.putAll(java.util.Collections.singletonList(item));
            return;
        }
        boolean first;
        synchronized (this) {
            first = pending.isEmpty();
            pending.add(item);
            if (pending.size() >= BATCH) {
                flush();
                return;
            }
        }
        if (first) Flusher.wake(this);
    }

    /** As {@link #put(Object)}, waiting at most {@code timeout} for room: {@link Full} if there was none. */
    public void put(Object item, Duration timeout) throws Full, InterruptedException {
        if (timeout.isNegative()) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        put(item, true, timeout);
    }

    /**
     * Python's {@code put(x, block, timeout)}: not blocking, adds the item only if there is room now; blocking,
     * waits at most {@code timeout} (null: no limit). {@link Full} if there was no room.
     */
    public void put(Object item, boolean block, Duration timeout) throws Full, InterruptedException {
        Codec.check(item);
        checkPut();
        if (maxsize == 0) {
            put(item);
            return;
        }
        long ms = !block ? 0 : timeout == null ? -1 : timeout.toMillis();
        if (!putBounded(item, ms)) throw new Full("the queue is full (" + maxsize + " items)"
                + (ms > 0 ? ": no room within " + ms + " ms" : ""));
    }

    /** Python's {@code put_nowait(x)}: adds the item if there is room now, else {@link Full}. */
    public void putNowait(Object item) throws Full {
        try {
            put(item, false, null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Full("interrupted before the item was put");
        }
    }

    private boolean putBounded(Object item, long ms) throws InterruptedException {
        if (local != null) return local.put(item, ms, null);
        List<?> r;
        try {
            r = others().plain(List.of("putb", id, java.util.Collections.singletonList(item), ms));
        } catch (IllegalStateException e) {
            if (String.valueOf(e.getMessage()).contains("shut down")) shutdown = true;
            throw e;
        }
        return "ok".equals(r.get(0));
    }

    private void checkPut() {
        open();
        if (shutdown) throw new IllegalStateException("put on " + this + ": the queue is shut down");
    }

    private void open() {
        if (closed) throw new IllegalStateException(this + " is closed: this handle puts and gets no more");
    }

    /** A reply that says items this handle put were refused (the queue was shut down): thrown. */
    private List<?> told(List<?> r) {
        if ("refused".equals(r.get(0))) {
            shutdown = true;
            throw new IllegalStateException("queue " + id + ": " + r.get(1));
        }
        return r;
    }

    /** Sends the items put but not yet sent. */
    public synchronized void flush() {
        if (local != null || pending.isEmpty()) return;
        try {
            link().send(List.of("put", id, new ArrayList<>(pending)));
            pending.clear();
            unacked = true;
        } catch (IOException e) {
            throw new UncheckedIOException("queue put failed: " + e.getMessage(), e);
        }
    }

    /** Flushes, and waits until the owner has taken in every batch sent (a call on another connection comes after them). */
    synchronized void flushAndSettle() {
        if (local != null) return;
        flush();
        if (!unacked) return;
        try {
            told(link().call(List.of("size", id)));
            unacked = false;
        } catch (IOException e) {
            throw new UncheckedIOException("queue: " + e.getMessage(), e);
        }
    }

    synchronized Remote others() {
        if (others == null) others = new Remote(broker, id, "queue");
        return others;
    }

    /**
     * The next item, waiting for one; {@link ShutDown} (an EOFException) when the queue is shut down and empty,
     * EOFException when the JVM that owns it has ended. IllegalStateException if this handle is closed.
     */
    public Object get() throws EOFException, InterruptedException {
        try {
            return get(-1);
        } catch (TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    /** The next item, waiting at most {@code timeout}: {@link Empty} (a TimeoutException) if none came. */
    public Object get(Duration timeout) throws EOFException, Empty, InterruptedException {
        long ms = timeout.toMillis();
        if (ms < 0) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        return get(ms);
    }

    /**
     * Python's {@code get(block, timeout)}: not blocking, the next item only if there is one now; blocking,
     * waits at most {@code timeout} (null: no limit). {@link Empty} if none; {@link ShutDown} when shut down and empty.
     */
    public Object get(boolean block, Duration timeout) throws EOFException, Empty, InterruptedException {
        if (!block) return get(0);
        if (timeout == null) return get();
        return get(timeout);
    }

    /** Python's {@code get_nowait()}: the next item if there is one now, else {@link Empty}. */
    public Object getNowait() throws EOFException, Empty {
        try {
            return get(0);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Empty("interrupted before an item was taken");
        }
    }

    private Object get(long timeoutMillis) throws EOFException, Empty, InterruptedException {
        open();
        if (local != null) {
            List<?> r = (List<?>) local.get(1, timeoutMillis, null);
            return unwrap(r, timeoutMillis).get(0);
        }
        synchronized (this) {
            if (!fetched.isEmpty()) return fetched.pollFirst();
            flush();
            try {
                List<?> reply = link().call(List.of("get", id, (long) prefetch, timeoutMillis));
                unacked = false;
                told(reply);
                if ("shutdown".equals(reply.get(0))) shutdown = true;
                List<?> items = unwrap(reply, timeoutMillis);
                if (maxsize > 0) prefetch = 1; // taking ahead would make room that nobody took: one at a time
                else if (items.size() == prefetch) prefetch = Math.min(MAX_PREFETCH, prefetch * 2);
                else prefetch = Math.max(1, items.size());
                fetched.addAll(items.subList(1, items.size()));
                return items.get(0);
            } catch (IOException e) {
                if (e instanceof EOFException && !(e instanceof ShutDown)) throw new EOFException("the process that owns the queue has ended");
                if (e instanceof ShutDown sd) throw sd;
                throw new UncheckedIOException("queue get failed: " + e.getMessage(), e);
            }
        }
    }

    private static List<?> unwrap(List<?> r, long timeoutMillis) throws EOFException, Empty {
        switch ((String) r.get(0)) {
            case "items": return (List<?>) r.get(1);
            case "shutdown": throw new ShutDown("the queue is shut down and empty");
            case "timeout": throw new Empty(timeoutMillis == 0 ? "the queue is empty" : "no item within " + timeoutMillis + " ms");
            default: throw new IllegalStateException("queue: " + r);
        }
    }

    /**
     * Python's {@code multiprocessing.Queue.close()}: this handle (this process) puts no more. What it batched
     * is sent and what it fetched ahead is given back to the queue (first, in order) for the other consumers;
     * a put or get through this handle then throws IllegalStateException (Python: ValueError). The queue
     * itself goes on: other handles, in this JVM and others, still put and get, and consumers are not cut
     * off. Idempotent. To end the queue for everyone, {@link #shutdown()}.
     */
    public void close() {
        if (local != null) {
            closed = true;
            return;
        }
        synchronized (this) {
            if (closed) return;
            try {
                flush();
                giveBack();
            } finally {
                closed = true;
            }
        }
    }

    /** Whether this handle is closed ({@link #close()}); the queue may still be open for other handles. */
    public boolean isClosed() {
        return closed;
    }

    /** {@link #shutdown(boolean) shutdown(false)}: Python 3.13's {@code q.shutdown()}. */
    public void shutdown() {
        shutdown(false);
    }

    /**
     * Python 3.13's {@code queue.Queue.shutdown(immediate)}: the queue ends for everyone. Puts through any
     * handle, in any JVM, then fail with IllegalStateException (waiting puts too); consumers get what is
     * left, then {@link ShutDown} once it is empty, and iteration ends. Immediate: the items left in the
     * queue are dropped (and, for a JoinableQueue, counted done, so {@code join()} does not wait for them);
     * items a consumer JVM already fetched ahead still reach it. This handle's own batched puts are sent
     * first. Works through a closed handle too; idempotent.
     */
    public void shutdown(boolean immediate) {
        shutdown = true;
        if (local != null) {
            local.shutdown(immediate);
            return;
        }
        synchronized (this) {
            try {
                flush();
                told(link().call(List.of("shutdown", id, immediate)));
                unacked = false;
            } catch (IOException e) {
                throw new UncheckedIOException("queue shutdown failed: " + e.getMessage(), e);
            }
        }
    }

    /** Items waiting in the queue (approximate while others put and get, as in Python). */
    public int size() {
        if (local != null) return local.size();
        synchronized (this) {
            flush();
            try {
                int n = ((Number) told(link().call(List.of("size", id))).get(1)).intValue() + fetched.size();
                unacked = false;
                return n;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    /** Python's {@code qsize()}: the same as {@link #size()}. */
    public int qsize() {
        return size();
    }

    /** Python's {@code empty()}: whether no item is waiting (approximate, as in Python). */
    public boolean empty() {
        return size() == 0;
    }

    /** Python's {@code full()}: whether a bounded queue holds maxsize items (approximate, as in Python); never for an unbounded one. */
    public boolean full() {
        return maxsize > 0 && size() >= maxsize;
    }

    /** This handle is done: what it buffered is sent, what it fetched ahead is given back, its connections close. */
    synchronized void release() {
        if (local != null) return;
        try {
            if (!closed) {
                flush();
                giveBack();
            }
        } finally {
            closed = true;
            if (link != null) link.close();
            if (others != null) others.close();
        }
    }

    /**
     * Every item until the queue is {@link #shutdown() shut down} and empty (or its owner JVM ended): the
     * loop then ends normally. IllegalStateException if this handle is closed.
     */
    @Override
    public Iterator<Object> iterator() {
        return new Iterator<>() {
            private Object next;
            private boolean ready, done;

            @Override
            public boolean hasNext() {
                if (done) return false;
                if (ready) return true;
                try {
                    next = get();
                    ready = true;
                    return true;
                } catch (EOFException e) {
                    done = true;
                    return false;
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    done = true;
                    return false;
                }
            }

            @Override
            public Object next() {
                if (!hasNext()) throw new NoSuchElementException();
                ready = false;
                return next;
            }
        };
    }

    private Broker.Link link() throws IOException {
        if (link == null) {
            link = new Broker.Link(broker);
            Ipc.register(() -> {
                try {
                    if (closed) return;
                    flushAndSettle(); // settled: a refusal (shut down) is heard before the worker ends
                    giveBack();
                } catch (UncheckedIOException ignored) {
                    // the owner is gone: nothing to flush to
                } catch (IllegalStateException e) {
                    System.err.println("mproc: " + e.getMessage());
                }
            });
        }
        return link;
    }

    /**
     * Items this handle fetched ahead (gets ask for a batch) but nobody took: back to the queue, first and in
     * order, when the worker ends, so a consumer that stops early (at a sentinel, say) loses none of them.
     */
    private synchronized void giveBack() {
        if (fetched.isEmpty() || link == null) return;
        try {
            link.call(List.of("unget", id, new java.util.ArrayList<>(fetched)));
            fetched.clear();
        } catch (IOException e) {
            throw new UncheckedIOException("queue: cannot give back " + fetched.size() + " item(s): " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "<" + getClass().getSimpleName() + " " + id + (maxsize > 0 ? " maxsize " + maxsize : "")
                + (local != null ? " hosted here" : "") + (closed ? " closed" : "") + ">";
    }

    /** Sends the batches of remote queues within half a millisecond of their first item. */
    private static final class Flusher {
        private static final java.util.Set<Queue> dirty = java.util.concurrent.ConcurrentHashMap.newKeySet();
        private static final Thread thread = start();

        static void wake(Queue q) {
            dirty.add(q);
            LockSupport.unpark(thread);
        }

        private static Thread start() {
            Thread t = new Thread(() -> {
                while (true) {
                    if (dirty.isEmpty()) LockSupport.park();
                    LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(500));
                    for (Queue q : dirty) {
                        dirty.remove(q);
                        try {
                            q.flush();
                        } catch (RuntimeException e) {
                            // reported to the next put/get of that queue
                        }
                    }
                }
            }, "mproc-queue-flusher");
            t.setDaemon(true);
            t.start();
            return t;
        }
    }
}
