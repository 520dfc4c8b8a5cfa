package mproc;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Hosts the state of the Queues, Locks and Barriers created in this JVM (and, in {@link Sync}, of the
 * Events, Semaphores, RLocks and Conditions; in {@link Managed}, a {@link Manager}'s dicts, lists and
 * namespaces) and serves other JVMs over one Unix domain socket in the
 * private directory, a thread per client connection. The host JVM itself uses the state directly.
 * Requests are lists: {@code [op, id, args...]}, or {@code [kind.op, id, pid, thread id, args...]} for
 * the objects that need to know the calling thread.
 *
 * <p>A client connection that ends (its process died) releases the locks it held, breaks the barrier
 * it was waiting at, withdraws its condition waits, and loses nothing from queues it was not yet served
 * from.
 */
final class Broker {
    private static volatile Broker local;
    private final Path path;
    private final ServerSocketChannel server;
    private final Map<Long, Object> objects = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();

    private Broker() throws IOException {
        path = Ipc.newPath("b");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        Thread t = new Thread(this::acceptLoop, "mproc-broker");
        t.setDaemon(true);
        t.start();
    }

    static Broker local() {
        Broker b = local;
        if (b != null) return b;
        synchronized (Broker.class) {
            if (local == null) {
                try {
                    local = new Broker();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot start the IPC broker: " + e.getMessage(), e);
                }
            }
            return local;
        }
    }

    Path path() {
        return path;
    }

    long register(Object state) {
        long id = ids.incrementAndGet();
        objects.put(id, state);
        return id;
    }

    /** Forgets an object (its manager was shut down): requests for it are refused from then on. */
    void unregister(long id) {
        objects.remove(id);
    }

    private void acceptLoop() {
        while (true) {
            try {
                SocketChannel ch = server.accept();
                Thread t = new Thread(() -> serve(ch), "mproc-broker-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    /** One client connection: what it holds is given back when it ends. */
    private void serve(SocketChannel raw) {
        Set<LockState> held = new HashSet<>();
        FrameChannel c = null;
        Client client = null;
        try {
            c = new FrameChannel(raw);
            client = new Client(c, held);
            while (true) {
                List<?> req = (List<?>) c.read(Long.MAX_VALUE);
                Object reply = handle(client, req);
                if (reply != null) c.write(reply);
            }
        } catch (EOFException e) {
            // the client process ended or closed its handle
        } catch (IOException | RuntimeException e) {
            // a broken client: drop it
        } finally {
            for (LockState l : held) l.releaseAbandoned();
            if (client != null && client.pid >= 0) for (Abandonable a : client.touched) a.abandon(client.pid);
            if (c != null) c.close();
        }
    }

    /** One connection of a client JVM: what it holds, and (once a request said it) that JVM's pid. */
    static final class Client {
        private final FrameChannel channel;
        private final Set<LockState> held;
        /** The objects this connection used that care when a process ends (RLocks held, condition waiters). */
        final Set<Abandonable> touched = new HashSet<>();
        long pid = -1;
        /** Items of streamed put batches a shut-down queue refused: told to the handle at its next get or size. */
        long refused;

        Client(FrameChannel channel, Set<LockState> held) {
            this.channel = channel;
            this.held = held;
        }

        Set<LockState> held() {
            return held;
        }

        boolean gone() {
            try {
                return channel.peerClosed();
            } catch (IOException e) {
                return true;
            }
        }
    }

    private Object handle(Client client, List<?> req) {
        String op = (String) req.get(0);
        Object state = objects.get(((Number) req.get(1)).longValue());
        if (state == null) return List.of("error", "no such object");
        long timeout = req.size() > 2 && req.get(req.size() - 1) instanceof Long l ? l : -1;
        try {
            if (op.startsWith("mg.") || op.startsWith("ml.")) { // a Manager's objects: [op, id, pid, thread id, args...]
                return Managed.handle(op, state, req.subList(4, req.size()));
            }
            if (op.indexOf('.') > 0) { // [kind.op, id, pid, thread id, args...]: the objects that know the caller's thread
                Owner who = new Owner(((Number) req.get(2)).longValue(), ((Number) req.get(3)).longValue());
                client.pid = who.pid();
                if (state instanceof Abandonable a) client.touched.add(a);
                return Sync.handle(op, state, who, req.subList(4, req.size()), timeout, client);
            }
            switch (op) {
                case "put": {
                    List<?> batch = (List<?>) req.get(2);
                    try {
                        ((QueueState) state).putAll(batch);
                    } catch (IllegalStateException e) {
                        client.refused += batch.size(); // shut down: the handle hears it in its next reply
                    }
                    return null; // no reply: puts stream
                }
                case "get": {
                    if (client.refused > 0) return refusal(client);
                    int max = ((Number) req.get(2)).intValue();
                    Object r = ((QueueState) state).get(max, timeout, client);
                    return r;
                }
                case "shutdown": {
                    ((QueueState) state).shutdown(Boolean.TRUE.equals(req.get(2)));
                    return List.of("ok");
                }
                case "unget": {
                    ((QueueState) state).giveBack((List<?>) req.get(2));
                    return List.of("ok");
                }
                case "size": {
                    if (client.refused > 0) return refusal(client);
                    return List.of("ok", (long) ((QueueState) state).size());
                }
                case "putb": {
                    Object item = ((List<?>) req.get(2)).get(0);
                    return List.of(((QueueState) state).put(item, timeout, client) ? "ok" : "full");
                }
                case "taskdone": ((QueueState) state).taskDone(); return List.of("ok");
                case "join": return List.of(((QueueState) state).join(timeout, client) ? "ok" : "timeout");
                case "acquire": {
                    LockState l = (LockState) state;
                    boolean ok = l.acquire(client, timeout);
                    if (ok) client.held().add(l);
                    return List.of(ok ? "ok" : "timeout");
                }
                case "release": {
                    LockState l = (LockState) state;
                    l.release(client);
                    client.held().remove(l);
                    return List.of("ok");
                }
                case "mine": return List.of("ok", ((LockState) state).ownedBy(client));
                case "wait": return ((BarrierState) state).await(timeout, client);
                case "reset": ((BarrierState) state).reset(); return List.of("ok");
                case "abort": ((BarrierState) state).abort(); return List.of("ok");
                case "bstate": {
                    BarrierState b = (BarrierState) state;
                    return List.of("ok", b.isBroken(), (long) b.nWaiting());
                }
                default: return List.of("error", "unknown operation " + op);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of("error", "interrupted");
        } catch (IllegalStateException e) {
            return List.of("error", e.getMessage());
        }
    }

    /** ["refused", message]: items this connection put were refused (the queue was shut down); told once. */
    private static List<?> refusal(Client client) {
        long n = client.refused;
        client.refused = 0;
        return List.of("refused", "the queue is shut down: " + n + " item(s) put through this handle were refused");
    }

    // ------------------------------------------------------------------ the objects' state

    /** A thread of a process: who holds an RLock, who waits on a Condition. */
    record Owner(long pid, long thread) {
        static Owner current() {
            return new Owner(PID, Thread.currentThread().threadId());
        }
    }

    static final long PID = ProcessHandle.current().pid();

    /** State that gives back what a process held when one of its connections ends (it died). */
    interface Abandonable {
        void abandon(long pid);
    }

    /** Waits on a condition in slices, so that a waiting client that dies is noticed. */
    static boolean awaitSlice(Condition c, long deadline) throws InterruptedException {
        long left = deadline - System.nanoTime();
        if (left <= 0) return false;
        c.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        return true;
    }

    static long deadline(long timeoutMillis) {
        return timeoutMillis < 0 ? Long.MAX_VALUE : System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    }

    /** A queue's items; maxsize 0: unbounded. Also Python's JoinableQueue count of unfinished tasks. */
    static final class QueueState {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition notEmpty = lock.newCondition(), notFull = lock.newCondition(), allDone = lock.newCondition();
        private final ArrayDeque<Object> items = new ArrayDeque<>();
        private final int maxsize;
        private boolean shutdown; // Python 3.13's queue.Queue.shutdown(): no more puts from anyone
        private boolean dropped; // shutdown(immediate=True): items given back later are dropped too
        private long unfinished; // items put and not yet marked done (Python's JoinableQueue)

        private static final Object NULL_ITEM = new Object(); // ArrayDeque holds no nulls

        QueueState() {
            this(0);
        }

        QueueState(int maxsize) {
            this.maxsize = Math.max(0, maxsize);
        }

        /** The items of an unbounded queue's batch (a bounded queue's puts wait for room: {@link #put}). */
        void putAll(List<?> batch) {
            lock.lock();
            try {
                if (shutdown) throw new IllegalStateException("put on a queue that is shut down");
                for (Object o : batch) items.addLast(o == null ? NULL_ITEM : o);
                unfinished += batch.size();
                notEmpty.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** One item, waiting while the queue is full; false if there was no room within the timeout. */
        boolean put(Object item, long timeoutMillis, Client client) throws InterruptedException {
            long deadline = deadline(timeoutMillis);
            lock.lock();
            try {
                while (true) {
                    if (shutdown) throw new IllegalStateException("put on a queue that is shut down");
                    if (maxsize == 0 || items.size() < maxsize) break;
                    if (client != null && client.gone()) return false;
                    if (!awaitSlice(notFull, deadline)) return false;
                }
                items.addLast(item == null ? NULL_ITEM : item);
                unfinished++;
                notEmpty.signalAll();
                return true;
            } finally {
                lock.unlock();
            }
        }

        /**
         * Items a consumer fetched ahead and did not take (it ended or closed its handle): first again, in their
         * order; also after a shutdown (they are what is left), but dropped after shutdown(immediate).
         */
        void giveBack(List<?> batch) {
            lock.lock();
            try {
                if (dropped) {
                    unfinished = Math.max(0, unfinished - batch.size());
                    if (unfinished == 0) allDone.signalAll();
                    return;
                }
                for (int i = batch.size() - 1; i >= 0; i--) items.addFirst(batch.get(i) == null ? NULL_ITEM : batch.get(i));
                notEmpty.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Up to max items: ["items", list] | ["timeout"] | ["shutdown"] (shut down and empty). Client null: the host itself. */
        Object get(int max, long timeoutMillis, Client client) throws InterruptedException {
            long deadline = deadline(timeoutMillis);
            lock.lock();
            try {
                while (items.isEmpty()) {
                    if (shutdown) return List.of("shutdown");
                    if (client != null && client.gone()) return List.of("timeout");
                    if (!awaitSlice(notEmpty, deadline)) return List.of("timeout");
                }
                int n = Math.min(Math.max(1, max), items.size());
                List<Object> out = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    Object o = items.pollFirst();
                    out.add(o == NULL_ITEM ? null : o);
                }
                notFull.signalAll();
                return List.of("items", out);
            } finally {
                lock.unlock();
            }
        }

        /**
         * Python 3.13's {@code shutdown(immediate)}: puts fail from now on, waiting puts and (once it is empty)
         * gets are woken. Immediate: the items left are dropped, each counted done, and joins are woken.
         */
        void shutdown(boolean immediate) {
            lock.lock();
            try {
                shutdown = true;
                if (immediate) {
                    dropped = true;
                    unfinished = Math.max(0, unfinished - items.size());
                    items.clear();
                    allDone.signalAll();
                }
                notEmpty.signalAll();
                notFull.signalAll();
            } finally {
                lock.unlock();
            }
        }

        int size() {
            lock.lock();
            try {
                return items.size();
            } finally {
                lock.unlock();
            }
        }

        /** One task is done (Python's task_done); refused when no task is unfinished, as Python's ValueError. */
        void taskDone() {
            lock.lock();
            try {
                if (unfinished <= 0) throw new IllegalStateException("taskDone() called too many times"
                        + " (more often than items were put)");
                if (--unfinished == 0) allDone.signalAll();
            } finally {
                lock.unlock();
            }
        }

        /** Waits until every item put has been marked done; false if the timeout came (or the client left) first. */
        boolean join(long timeoutMillis, Client client) throws InterruptedException {
            long deadline = deadline(timeoutMillis);
            lock.lock();
            try {
                while (unfinished > 0) {
                    if (client != null && client.gone()) return false;
                    if (!awaitSlice(allDone, deadline)) return false;
                }
                return true;
            } finally {
                lock.unlock();
            }
        }
    }

    static final class LockState {
        private final ReentrantLock lock = new ReentrantLock(true);
        private final Condition free = lock.newCondition();
        private Object owner;
        private long abandoned;

        /** Owner: a Client, or a thread of the host JVM. */
        boolean acquire(Object who, long timeoutMillis) throws InterruptedException {
            long deadline = deadline(timeoutMillis);
            lock.lock();
            try {
                while (owner != null) {
                    if (who instanceof Client c && c.gone()) return false;
                    if (!awaitSlice(free, deadline)) return false;
                }
                owner = who;
                return true;
            } finally {
                lock.unlock();
            }
        }

        void release(Object who) {
            lock.lock();
            try {
                if (owner == null) throw new IllegalStateException("release of an unlocked Lock");
                if (owner != who) throw new IllegalStateException("release of a Lock held by another process");
                owner = null;
                free.signal();
            } finally {
                lock.unlock();
            }
        }

        boolean ownedBy(Object who) {
            lock.lock();
            try {
                return owner == who;
            } finally {
                lock.unlock();
            }
        }

        /** Its holder's process ended while holding it: free it for the others. */
        void releaseAbandoned() {
            lock.lock();
            try {
                owner = null;
                abandoned++;
                free.signal();
            } finally {
                lock.unlock();
            }
        }

        long abandoned() {
            return abandoned;
        }
    }

    /**
     * Python's barrier: parties wait in generations. A generation ends tripped (all arrived: released) or
     * broken (a timeout, a dead party, abort() or reset()); a broken barrier stays broken until reset().
     */
    static final class BarrierState {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition trip = lock.newCondition();
        private final int parties;
        private int waiting;
        private Generation gen = new Generation();

        private static final class Generation {
            boolean tripped;
            String broken;
        }

        BarrierState(int parties) {
            this.parties = parties;
        }

        /** ["released", arrival index] | ["broken", why] | ["timeout"]. A timeout breaks the barrier, as in Python. */
        Object await(long timeoutMillis, Client client) throws InterruptedException {
            long deadline = deadline(timeoutMillis);
            lock.lock();
            try {
                Generation g = gen;
                if (g.broken != null) return List.of("broken", g.broken);
                int index = waiting++;
                if (waiting == parties) {
                    g.tripped = true;
                    waiting = 0;
                    gen = new Generation();
                    trip.signalAll();
                    return List.of("released", (long) index);
                }
                while (!g.tripped && g.broken == null) {
                    if (client != null && client.gone()) {
                        breakIt("a party's process ended while waiting at the barrier");
                        return List.of("broken", g.broken);
                    }
                    if (!awaitSlice(trip, deadline)) {
                        breakIt("a party timed out waiting at the barrier");
                        return List.of("timeout");
                    }
                }
                return g.tripped ? List.of("released", (long) index) : List.of("broken", g.broken);
            } finally {
                lock.unlock();
            }
        }

        private void breakIt(String why) {
            if (gen.broken == null) gen.broken = why;
            waiting = 0;
            trip.signalAll();
        }

        /** Breaks the parties waiting now (Python: they get BrokenBarrierError), then starts afresh, unbroken. */
        void reset() {
            lock.lock();
            try {
                if (waiting > 0) breakIt("the barrier was reset while parties were waiting");
                waiting = 0;
                gen = new Generation();
            } finally {
                lock.unlock();
            }
        }

        void abort() {
            lock.lock();
            try {
                breakIt("the barrier was aborted");
            } finally {
                lock.unlock();
            }
        }

        boolean isBroken() {
            lock.lock();
            try {
                return gen.broken != null;
            } finally {
                lock.unlock();
            }
        }

        int nWaiting() {
            lock.lock();
            try {
                return waiting;
            } finally {
                lock.unlock();
            }
        }

        int parties() {
            return parties;
        }
    }

    /** A client's connection to a broker, one per object handle and JVM. */
    static final class Link implements AutoCloseable {
        private final FrameChannel channel;

        Link(Path broker) throws IOException {
            SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                ch.connect(UnixDomainSocketAddress.of(broker));
            } catch (IOException e) {
                ch.close();
                throw new IOException("cannot reach the process that owns this object (" + e.getMessage()
                        + "): it has probably ended", e);
            }
            channel = new FrameChannel(ch);
        }

        void send(List<?> req) throws IOException {
            channel.write(req);
        }

        List<?> call(List<?> req) throws IOException {
            channel.write(req);
            Object r = channel.read(Long.MAX_VALUE);
            return (List<?>) r;
        }

        @Override
        public void close() {
            channel.close();
        }
    }
}
