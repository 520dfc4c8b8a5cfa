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
 * <p>"No more items" is {@link #close()}: once the queue is closed and empty, {@link #get()} throws
 * EOFException and iteration ends. Close it when every producer is done (for example after joining them);
 * unlike "stop when the queue looks empty", this cannot stop a consumer before a slow producer started.
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
     * and leaves the thread interrupted.
     */
    public void put(Object item) {
        if (maxsize > 0) {
            Codec.check(item);
            try {
                putBounded(item, -1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for room in the queue", e);
            }
            return;
        }
        Codec.check(item);
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
        List<?> r = others().plain(List.of("putb", id, java.util.Collections.singletonList(item), ms));
        return "ok".equals(r.get(0));
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
            link().call(List.of("size", id));
            unacked = false;
        } catch (IOException e) {
            throw new UncheckedIOException("queue: " + e.getMessage(), e);
        }
    }

    synchronized Remote others() {
        if (others == null) others = new Remote(broker, id, "queue");
        return others;
    }

    /** The next item, waiting for one; EOFException when the queue is closed and empty. */
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
     * waits at most {@code timeout} (null: no limit). {@link Empty} if none; EOFException when closed and empty.
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
                List<?> items = unwrap(reply, timeoutMillis);
                if (maxsize > 0) prefetch = 1; // taking ahead would make room that nobody took: one at a time
                else if (items.size() == prefetch) prefetch = Math.min(MAX_PREFETCH, prefetch * 2);
                else prefetch = Math.max(1, items.size());
                fetched.addAll(items.subList(1, items.size()));
                return items.get(0);
            } catch (IOException e) {
                if (e instanceof EOFException) throw new EOFException("the process that owns the queue has ended");
                throw new UncheckedIOException("queue get failed: " + e.getMessage(), e);
            }
        }
    }

    private static List<?> unwrap(List<?> r, long timeoutMillis) throws EOFException, Empty {
        switch ((String) r.get(0)) {
            case "items": return (List<?>) r.get(1);
            case "closed": throw new EOFException("the queue is closed and empty");
            case "timeout": throw new Empty(timeoutMillis == 0 ? "the queue is empty" : "no item within " + timeoutMillis + " ms");
            default: throw new IllegalStateException("queue: " + r);
        }
    }

    /** No more items will be put: consumers get what is left, then EOFException. */
    public void close() {
        if (local != null) {
            local.close();
            return;
        }
        synchronized (this) {
            flush();
            try {
                link().call(List.of("close", id));
            } catch (IOException e) {
                throw new UncheckedIOException("queue close failed: " + e.getMessage(), e);
            }
        }
    }

    /** Items waiting in the queue (approximate while others put and get, as in Python). */
    public int size() {
        if (local != null) return local.size();
        synchronized (this) {
            flush();
            try {
                int n = ((Number) link().call(List.of("size", id)).get(1)).intValue() + fetched.size();
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
            flush();
            giveBack();
        } finally {
            if (link != null) link.close();
            if (others != null) others.close();
        }
    }

    /** Every item until the queue is closed and empty. */
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
                    flush();
                    giveBack();
                } catch (RuntimeException ignored) {
                    // the owner is gone: nothing to flush to
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
                + (local != null ? " hosted here" : "") + ">";
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
