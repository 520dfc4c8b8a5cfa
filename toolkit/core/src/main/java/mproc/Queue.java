package mproc;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * Python's {@code multiprocessing.Queue(maxsize)}: many producers, many consumers, in any JVMs; every item
 * is delivered once while every process lives. If a consumer JVM dies, the items it was handed and had
 * not yet asked past (the batch it fetched ahead, the item it was working on included) go back to the
 * front of the queue for the other consumers: <em>at-least-once</em>, so an item may be delivered twice
 * when its first consumer died with it. If the JVM that owns the queue dies, its items are lost with it:
 * a consumer's {@code get} (and its for-each) then throws {@link OwnerEnded}, which is not an end of
 * stream, and a producer's put fails (at the put, its next call, or at the worker's exit, which then has
 * a non-zero exit code).
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
 * knows of it, else its batch is refused by the owner, which tells the handle at once: its next put, flush,
 * size or join throws IllegalStateException naming the queue and the refused items, and a worker that ends
 * first ends with exit code 1 and that message. Items a consumer JVM already fetched ahead are still
 * delivered to it, even by {@code shutdown(true)}.
 *
 * <p>A handle may be used by many threads at once: puts, gets and the other calls go over connections of
 * their own, so a get that waits holds up no put, no size() and no other queue's batches. A thread
 * interrupted while it waits in {@code get} or a bounded {@code put} gets InterruptedException at once
 * (an item the owner handed over at that moment goes back to the queue; a put may or may not have been made).
 */
public class Queue implements Shareable, Iterable<Object> {
    private static final int BATCH = 256, MAX_PREFETCH = 256;
    static final String KIND = "mproc-queue", JOINABLE = "mproc-joinablequeue";
    private final Path broker;
    private final long id;
    private final int maxsize; // 0: unbounded
    final Broker.QueueState local; // non-null in the creating JVM
    // remote side. Put side, guarded by putLock: the batch, its connection, what the owner refused.
    private final Object putLock = new Object();
    private final Links links = new Links(); // its connections, closed by a Cleaner if the handle becomes unreachable
    private boolean unacked; // batches sent on links.put that no reply has followed yet
    private final List<Object> pending = new ArrayList<>();
    private volatile RuntimeException failure; // a refused batch or a lost owner: thrown by the next put-side call
    // get side, guarded by getLock (interruptible: a thread waiting for it can be interrupted)
    private final java.util.concurrent.locks.ReentrantLock getLock = new java.util.concurrent.locks.ReentrantLock();
    private boolean inflight; // the owner handed links.get a batch that no later get or unget acknowledged
    private final java.util.concurrent.ConcurrentLinkedDeque<Object> fetched = links.fetched;
    private int prefetch = 1;
    private Remote others; // bounded puts, taskDone, join: calls that must wait behind no other
    private boolean registered; // its exit hook is registered
    private volatile boolean closed; // close(): this handle puts and gets no more
    private volatile boolean shutdown; // this handle knows the queue is shut down

    Queue(Path broker, long id, Broker.QueueState local, int maxsize) {
        this.broker = broker;
        this.id = id;
        this.local = local;
        this.maxsize = Math.max(0, maxsize);
        links.id = id;
        if (local == null) CLEANER.register(this, links);
    }

    private static final java.lang.ref.Cleaner CLEANER = java.lang.ref.Cleaner.create();

    /**
     * A remote handle's connections and the items it fetched ahead: when the handle becomes unreachable, the
     * items go back to the queue and the connections close (no death is reported).
     */
    private static final class Links implements Runnable {
        volatile Broker.Link put, get;
        long id;
        final java.util.concurrent.ConcurrentLinkedDeque<Object> fetched = new java.util.concurrent.ConcurrentLinkedDeque<>();

        @Override
        public void run() {
            Broker.Link g = get, p = put;
            try {
                if (g != null && !g.isClosed() && !fetched.isEmpty()) {
                    List<Object> back = new ArrayList<>();
                    for (Object o; (o = fetched.pollFirst()) != null; ) back.add(o == NULL ? null : o);
                    g.call(List.of("unget", id, back));
                }
            } catch (IOException | RuntimeException e) {
                // the owner is gone
            }
            if (g != null) g.close();
            if (p != null) p.close();
        }
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

    /**
     * The JVM that owns the queue (the one that created it) has ended, and the items it held with it: thrown
     * by a get, a put or another call through a handle in another JVM. Not an end of stream: a for-each over
     * the queue throws it too.
     */
    public static final class OwnerEnded extends IllegalStateException {
        public OwnerEnded(String message, Throwable cause) {
            super(message, cause);
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
        q.getLock.lock();
        try {
            Remote.check(q.getLink().call(List.of("attach", id))); // at once: the first get is then fast, a gone owner is reported here
        } catch (IOException e) {
            throw new UncheckedIOException("queue: " + e.getMessage(), e);
        } finally {
            q.getLock.unlock();
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

    private OwnerEnded ownerEnded(IOException e) {
        return new OwnerEnded("the process that owns queue " + id + " has ended (" + e.getMessage()
                + "): the items it held are lost", e);
    }

    /**
     * Adds an item: a number, string, boolean, array of numbers or a list of these. A bounded queue waits
     * while it is full (Python's {@code put(x)}); an interrupt while waiting throws IllegalStateException
     * and leaves the thread interrupted. IllegalStateException if this handle is {@link #close() closed} or
     * the queue is {@link #shutdown() shut down} (Python's ValueError and ShutDown), or if the owner refused
     * an earlier batch of this handle; {@link OwnerEnded} if the owner has ended.
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
        synchronized (putLock) {
            first = pending.isEmpty();
            if (first) readNotices(); // once a batch: what the owner said of the last one
            throwFailure();
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
            r = others().plainInterruptibly(List.of("putb", id, java.util.Collections.singletonList(item), ms));
        } catch (UncheckedIOException e) {
            throw new OwnerEnded("the process that owns queue " + id + " has ended: the item was not put", e);
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

    /** What the owner told the put connection (a refused batch): kept, to be thrown by the next put-side call. */
    private void readNotices() {
        if (links.put == null) return;
        try {
            for (List<?> n; (n = links.put.notice()) != null; ) {
                shutdown |= String.valueOf(n.get(n.size() - 1)).contains("shut down");
                String m = String.valueOf(n.get(n.size() - 1));
                failure = new IllegalStateException(m.startsWith("queue " + id) ? m : "queue " + id + ": " + m);
            }
        } catch (IOException e) {
            failure = ownerEnded(e);
        }
    }

    /** A refusal is thrown once (the handle then knows the queue is shut down); a lost owner every time. */
    private void throwFailure() {
        RuntimeException f = failure;
        if (f == null) return;
        if (!(f instanceof OwnerEnded)) failure = null;
        throw f;
    }

    /**
     * Sends the items put but not yet sent. IllegalStateException if the owner refused a batch of this
     * handle (the queue was shut down); {@link OwnerEnded} if the owner has ended (the items are lost).
     */
    public void flush() {
        send(true);
    }

    /** Sends the batch; report: throw what the owner refused (the Flusher thread only keeps it for the next call). */
    private void send(boolean report) {
        if (local != null) return;
        synchronized (putLock) {
            readNotices();
            if (report) throwFailure();
            if (pending.isEmpty()) return;
            List<Object> batch = new ArrayList<>(pending);
            pending.clear();
            try {
                putLink().send(List.of("put", id, batch));
                unacked = true;
            } catch (IOException e) {
                failure = new OwnerEnded("the process that owns queue " + id + " has ended (" + e.getMessage() + "): "
                        + batch.size() + " item(s) put through this handle are lost", e);
            } catch (IllegalArgumentException e) {
                failure = new IllegalStateException("queue " + id + ": a batch of " + batch.size() + " item(s) was refused: "
                        + e.getMessage(), e);
            }
            if (report) throwFailure();
        }
    }

    /** Flushes, and waits until the owner has taken in every batch sent (a call on another connection comes after them). */
    void flushAndSettle() {
        if (local != null) return;
        synchronized (putLock) {
            flush();
            if (!unacked) return;
            try {
                Remote.check(putLink().call(List.of("size", id)));
                unacked = false;
            } catch (IOException e) {
                failure = new OwnerEnded("the process that owns queue " + id + " has ended (" + e.getMessage()
                        + "): items put through this handle may be lost", e);
            }
            readNotices();
            throwFailure();
        }
    }

    synchronized Remote others() {
        if (others == null) others = new Remote(broker, id, "queue");
        return others;
    }

    /**
     * The next item, waiting for one; {@link ShutDown} (an EOFException) when the queue is shut down and empty;
     * {@link OwnerEnded} (not an EOFException) when the JVM that owns it has ended. IllegalStateException if
     * this handle is closed. An interrupt while waiting throws InterruptedException at once.
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
        getLock.lockInterruptibly();
        try {
            Object ahead = fetched.pollFirst();
            if (ahead != null) return ahead == NULL ? null : ahead;
            boolean put;
            synchronized (putLock) {
                put = unacked || !pending.isEmpty();
            }
            if (put) flushAndSettle(); // this handle's own puts are in the queue before it asks
            List<?> reply;
            try {
                reply = getLink().callInterruptibly(List.of("get", id, (long) prefetch, timeoutMillis));
            } catch (InterruptedException e) {
                links.get = null; // cancelled: the owner gives back what it handed over meanwhile
                inflight = false;
                throw e;
            } catch (IOException e) {
                closeGetLink();
                throw ownerEnded(e);
            }
            inflight = false;
            Remote.check(reply);
            if ("shutdown".equals(reply.get(0))) shutdown = true;
            List<?> items = unwrap(reply, timeoutMillis);
            inflight = true;
            if (maxsize > 0) prefetch = 1; // taking ahead would make room that nobody took: one at a time
            else if (items.size() == prefetch) prefetch = Math.min(MAX_PREFETCH, prefetch * 2);
            else prefetch = Math.max(1, items.size());
            for (Object o : items.subList(1, items.size())) fetched.addLast(o == null ? NULL : o);
            return items.get(0);
        } finally {
            getLock.unlock();
        }
    }

    private static final Object NULL = new Object(); // a null item fetched ahead (the deque holds no nulls)

    private void closeGetLink() {
        if (links.get != null) links.get.close();
        links.get = null;
        inflight = false;
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
     * off. Idempotent. To end the queue for everyone, {@link #shutdown()}. In the owner, a queue that is
     * shut down and whose owner's handle is closed is freed once no other process's handle refers to it.
     */
    public void close() {
        if (local != null) {
            if (closed) return;
            closed = true;
            if (shutdown) Broker.local().release(id);
            return;
        }
        if (closed) return;
        try {
            flush();
            giveBack();
        } finally {
            closed = true;
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
            if (closed) Broker.local().release(id);
            return;
        }
        synchronized (putLock) {
            try {
                flush();
            } catch (IllegalStateException e) {
                if (e instanceof OwnerEnded) throw e; // a refusal: the queue is shut down already
            }
            try {
                Remote.check(putLink().call(List.of("shutdown", id, immediate)));
                unacked = false;
            } catch (IOException e) {
                throw ownerEnded(e);
            }
        }
    }

    /** Items waiting in the queue (approximate while others put and get, as in Python). */
    public int size() {
        if (local != null) return local.size();
        synchronized (putLock) {
            flush();
            try {
                int n = ((Number) Remote.check(putLink().call(List.of("size", id))).get(1)).intValue() + fetched.size();
                unacked = false;
                readNotices();
                throwFailure();
                return n;
            } catch (IOException e) {
                throw failure = ownerEnded(e);
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
    void release() {
        if (local != null) {
            closed = true;
            return;
        }
        try {
            if (!closed) {
                flush();
                giveBack();
            }
        } finally {
            closed = true;
            synchronized (putLock) {
                if (links.put != null) links.put.close();
            }
            getLock.lock();
            try {
                closeGetLink();
            } finally {
                getLock.unlock();
            }
            if (others != null) others.close();
        }
    }

    /**
     * Every item until the queue is {@link #shutdown() shut down} and empty: the loop then ends normally.
     * If the owner JVM ended, {@link OwnerEnded} is thrown (it is no end of stream); an interrupt while
     * waiting throws IllegalStateException and leaves the thread interrupted. IllegalStateException if this
     * handle is closed.
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
                    throw new IllegalStateException("interrupted while waiting for the next item of queue " + id, e);
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

    private void register() {
        synchronized (putLock) {
            if (registered) return;
            registered = true;
        }
        Ipc.register(new ExitFlush(new java.lang.ref.WeakReference<>(this), id));
    }

    /** At a worker's exit: sends what the handle batched and gives back what it fetched; holds the handle weakly. */
    private static final class ExitFlush implements Ipc.Flushable {
        private final java.lang.ref.WeakReference<Queue> queue;
        private final long id;
        private boolean reported;

        ExitFlush(java.lang.ref.WeakReference<Queue> queue, long id) {
            this.queue = queue;
            this.id = id;
        }

        @Override
        public boolean gone() {
            Queue q = queue.get();
            return q == null || q.closed;
        }

        @Override
        public void flushQuietly() {
            Queue q = queue.get();
            if (q == null || q.closed || reported) return;
            try {
                q.flushAndSettle(); // settled: a refusal (shut down) or a lost owner is heard before the worker ends
                q.giveBack();
            } catch (RuntimeException e) {
                reported = true; // thrown once: the worker ends with exit code 1 and this message
                String m = String.valueOf(e.getMessage());
                throw new IllegalStateException(m.contains("queue " + id) ? m : "queue " + id + ": " + m, e);
            }
        }
    }

    private Broker.Link putLink() throws IOException {
        if (links.put == null || links.put.isClosed()) {
            links.put = new Broker.Link(broker);
            register();
        }
        return links.put;
    }

    private Broker.Link getLink() throws IOException {
        if (links.get == null || links.get.isClosed()) {
            links.get = new Broker.Link(broker);
            inflight = false;
            register();
        }
        return links.get;
    }

    /**
     * Items this handle fetched ahead (gets ask for a batch) but nobody took: back to the queue, first and in
     * order, when the worker ends, so a consumer that stops early (at a sentinel, say) loses none of them.
     * Also tells the owner the last batch was taken (else it would hand it to the others again).
     */
    private void giveBack() {
        getLock.lock();
        try {
            if (links.get == null || (!inflight && fetched.isEmpty())) return;
            List<Object> back = new ArrayList<>();
            for (Object o; (o = fetched.pollFirst()) != null; ) back.add(o == NULL ? null : o);
            try {
                Remote.check(links.get.call(List.of("unget", id, back)));
                inflight = false;
            } catch (IOException e) {
                closeGetLink();
                throw new OwnerEnded("the process that owns queue " + id + " has ended: cannot give back " + back.size()
                        + " item(s): " + e.getMessage(), e);
            }
        } finally {
            getLock.unlock();
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
                            q.send(false);
                        } catch (Throwable e) {
                            // kept in the queue's failure: its next put, flush or size throws it
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
