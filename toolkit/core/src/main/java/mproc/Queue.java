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
 * Python's {@code multiprocessing.Queue}: many producers, many consumers, in any JVMs; every item is
 * delivered exactly once (unless the consumer it was handed to dies before using it).
 *
 * <p>The items live in the JVM that created the queue. Other JVMs batch what they put (sent when 256 items
 * are waiting, or within half a millisecond, and always before the worker ends) and fetch items ahead in
 * batches; each {@code put} and {@code get} is still one item, in order per producer.
 *
 * <p>"No more items" is {@link #close()}: once the queue is closed and empty, {@link #get()} throws
 * EOFException and iteration ends. Close it when every producer is done (for example after joining them);
 * unlike "stop when the queue looks empty", this cannot stop a consumer before a slow producer started.
 */
public final class Queue implements Shareable, Iterable<Object> {
    private static final int BATCH = 256, MAX_PREFETCH = 256;
    private final Path broker;
    private final long id;
    private final Broker.QueueState local; // non-null in the creating JVM
    // remote side
    private Broker.Link link;
    private final List<Object> pending = new ArrayList<>();
    private final ArrayDeque<Object> fetched = new ArrayDeque<>();
    private int prefetch = 1;

    private Queue(Path broker, long id, Broker.QueueState local) {
        this.broker = broker;
        this.id = id;
        this.local = local;
    }

    /** A new, empty queue hosted by this JVM. */
    public static Queue create() {
        Broker b = Broker.local();
        Broker.QueueState s = new Broker.QueueState();
        return new Queue(b.path(), b.register(s), s);
    }

    /** The queue an address names (in a worker: {@code Queue.attach(args[0])}). */
    public static Queue attach(String address) {
        String[] f = address.split("\\|");
        if (f.length != 3 || !f[0].equals("mproc-queue")) throw new IllegalArgumentException("not a queue address: " + address);
        Queue q = new Queue(Path.of(f[1]), Long.parseLong(f[2]), null);
        try {
            q.link(); // connect at once: the first put or get is then fast, and a gone owner is reported here
        } catch (IOException e) {
            throw new UncheckedIOException("queue: " + e.getMessage(), e);
        }
        return q;
    }

    @Override
    public String address() {
        return "mproc-queue|" + broker + "|" + id;
    }

    /** Adds an item: a number, string, boolean, array of numbers or a list of these. */
    public void put(Object item) {
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

    /** Sends the items put but not yet sent. */
    public synchronized void flush() {
        if (local != null || pending.isEmpty()) return;
        try {
            link().send(List.of("put", id, new ArrayList<>(pending)));
            pending.clear();
        } catch (IOException e) {
            throw new UncheckedIOException("queue put failed: " + e.getMessage(), e);
        }
    }

    /** The next item, waiting for one; EOFException when the queue is closed and empty. */
    public Object get() throws EOFException, InterruptedException {
        try {
            return get(-1);
        } catch (TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    /** The next item, waiting at most {@code timeout}: TimeoutException if none (Python's queue.Empty). */
    public Object get(Duration timeout) throws EOFException, TimeoutException, InterruptedException {
        long ms = timeout.toMillis();
        if (ms < 0) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        return get(ms);
    }

    private Object get(long timeoutMillis) throws EOFException, TimeoutException, InterruptedException {
        if (local != null) {
            List<?> r = (List<?>) local.get(1, timeoutMillis, null);
            return unwrap(r, timeoutMillis).get(0);
        }
        synchronized (this) {
            if (!fetched.isEmpty()) return fetched.pollFirst();
            flush();
            try {
                List<?> items = unwrap(link().call(List.of("get", id, (long) prefetch, timeoutMillis)), timeoutMillis);
                if (items.size() == prefetch) prefetch = Math.min(MAX_PREFETCH, prefetch * 2);
                else prefetch = Math.max(1, items.size());
                fetched.addAll(items.subList(1, items.size()));
                return items.get(0);
            } catch (IOException e) {
                if (e instanceof EOFException) throw new EOFException("the process that owns the queue has ended");
                throw new UncheckedIOException("queue get failed: " + e.getMessage(), e);
            }
        }
    }

    private static List<?> unwrap(List<?> r, long timeoutMillis) throws EOFException, TimeoutException {
        switch ((String) r.get(0)) {
            case "items": return (List<?>) r.get(1);
            case "closed": throw new EOFException("the queue is closed and empty");
            case "timeout": throw new TimeoutException("no item within " + timeoutMillis + " ms");
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
                return ((Number) link().call(List.of("size", id)).get(1)).intValue() + fetched.size();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
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
        return "<Queue " + id + (local != null ? " hosted here" : "") + ">";
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
