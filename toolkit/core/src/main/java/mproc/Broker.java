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
    private final Map<Long, Entry> objects = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    /** A file descriptor held in reserve: given up to accept, and refuse, a client while this JVM has no other. */
    private java.nio.channels.FileChannel reserve;

    private Broker() throws IOException {
        path = Ipc.newPath("b");
        server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        server.bind(UnixDomainSocketAddress.of(path));
        reserve = openReserve();
        // what a refusal needs, loaded now: with no descriptor left, no class file can be opened
        Codec.frame(List.of(0L, List.of(REFUSED, "")));
        FrameChannel.class.getName();
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

    /** An object hosted here: its state, and how many client connections named it. */
    private static final class Entry {
        final Object state;
        final java.util.concurrent.atomic.AtomicInteger refs = new java.util.concurrent.atomic.AtomicInteger();
        volatile boolean hostClosed;

        Entry(Object state) {
            this.state = state;
        }
    }

    long register(Object state) {
        long id = ids.incrementAndGet();
        objects.put(id, new Entry(state));
        return id;
    }

    /** Forgets an object (its manager was shut down): requests for it are refused from then on. */
    void unregister(long id) {
        objects.remove(id);
    }

    /**
     * The host's handle of an object was closed: the object is freed once no client connection names it
     * (at once if none does). Requests for it are then refused ("no such object").
     */
    void release(long id) {
        Entry e = objects.get(id);
        if (e == null) return;
        e.hostClosed = true;
        if (e.refs.get() == 0) objects.remove(id, e);
    }

    private void unref(long id) {
        Entry e = objects.get(id);
        if (e != null && e.refs.decrementAndGet() <= 0 && e.hostClosed) objects.remove(id, e);
    }

    /** How many objects this broker hosts (for tests of what is freed). */
    int size() {
        return objects.size();
    }

    private void acceptLoop() {
        while (true) {
            SocketChannel ch = null;
            try {
                ch = server.accept();
                SocketChannel accepted = ch;
                Thread t = new Thread(() -> serve(accepted), "mproc-broker-client");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                if (!server.isOpen()) return;
                // this JVM is out of file descriptors (EMFILE): the client waits in the backlog, and every
                // accept fails at once. The reserve lets one in to be told so; then a pause, not a busy loop.
                if (outOfDescriptors(e)) refuseOne(e);
                pause(20);
            } catch (Throwable e) { // no thread for this client (out of memory): drop it, keep serving the others
                if (ch != null) {
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // dropping it
                    }
                }
            }
        }
    }

    /** Whether {@code e} says this process (EMFILE) or the system (ENFILE) has no file descriptor left. */
    static boolean outOfDescriptors(IOException e) {
        return e.getMessage() != null && e.getMessage().contains("Too many open files");
    }

    private static java.nio.channels.FileChannel openReserve() {
        try {
            return java.nio.channels.FileChannel.open(Path.of("/dev/null"));
        } catch (IOException | RuntimeException e) {
            return null; // no /dev/null (not Unix), or no descriptor now: tried again after the next refusal
        }
    }

    /**
     * Accepts the first waiting client with the reserve's descriptor, refuses it ({@link #refuse}), and takes
     * the reserve back.
     */
    private void refuseOne(IOException why) {
        if (reserve == null) {
            reserve = openReserve();
            return;
        }
        try {
            reserve.close();
        } catch (IOException ignored) {
            // given up all the same
        }
        reserve = null;
        SocketChannel waiting = null;
        try {
            server.configureBlocking(false); // the client that was waiting may have given up: no wait for the next
            try {
                waiting = server.accept();
            } finally {
                server.configureBlocking(true);
            }
        } catch (IOException | RuntimeException ignored) {
            // the accept failed again: the next client is tried after the pause
        }
        if (waiting != null) refuse(waiting, why);
        reserve = openReserve();
    }

    /**
     * Tells a client this JVM cannot serve it, and why (a notice, {@code [0, ["unserved", text]]}: see
     * {@link Link}), on the bare channel (no selector: no descriptor is needed), then closes it.
     */
    private static void refuse(SocketChannel waiting, IOException why) {
        try (SocketChannel ch = waiting) {
            ch.configureBlocking(true);
            String text = "the process that owns this object (pid " + PID + ") refused the connection: it has no file"
                    + " descriptor left (" + why.getMessage() + "); it must close some, or run with a higher limit (ulimit -n)";
            ch.write(java.nio.ByteBuffer.wrap(Codec.frame(List.of(0L, List.of(REFUSED, text)))));
            ch.configureBlocking(false); // what the client sent is read, so that closing does not reset the refusal
            java.nio.ByteBuffer sink = java.nio.ByteBuffer.allocate(1 << 12);
            while (ch.read(sink) > 0) sink.clear();
        } catch (IOException | RuntimeException ignored) {
            // that client gave up
        }
    }

    /** The accept thread's pause. An interrupt is dropped: kept, it would close the server channel at the next accept. */
    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException ignored) {
            // the broker serves for as long as this JVM runs
        }
    }

    /** The notice of a connection the owner could not serve (see {@link #refuse}); not a refused batch's "refused". */
    static final String REFUSED = "unserved";

    /** The owner refused a connection (it had no descriptor for it): what it said, in place of "it has ended". */
    static final class Refused extends IOException {
        private static final long serialVersionUID = 1L;

        Refused(String text) {
            super(text);
        }
    }

    /** What a handle {@code what} says when its owner cannot be reached: refused (why), or probably ended. */
    static String unreachable(String what, IOException e) {
        return e instanceof Refused ? what + ": " + e.getMessage()
                : what + ": the process that owns it has probably ended (" + e.getMessage() + ")";
    }

    /** Connections per client process, and the objects they used that care when that process ends. */
    private final Map<Long, PidState> pids = new java.util.HashMap<>();

    private static final class PidState {
        int connections;
        final Set<Abandonable> touched = new HashSet<>();
    }

    private void hello(Client client, long pid) {
        synchronized (pids) {
            if (client.pid >= 0) return;
            client.pid = pid;
            pids.computeIfAbsent(pid, k -> new PidState()).connections++;
        }
    }

    private void touch(Client client, Abandonable a) {
        if (client.pid < 0) return;
        synchronized (pids) {
            PidState p = pids.get(client.pid);
            if (p != null) p.touched.add(a);
        }
    }

    /** A connection ended: when it was the last of its process, what that process held is given back. */
    private void ended(Client client) {
        if (client.pid < 0) return;
        Set<Abandonable> abandon = null;
        synchronized (pids) {
            PidState p = pids.get(client.pid);
            if (p != null && --p.connections == 0) {
                pids.remove(client.pid);
                abandon = p.touched;
            }
        }
        if (abandon != null) for (Abandonable a : abandon) a.abandon(client.pid, !client.graceful);
    }

    /**
     * One client connection: what it holds is given back when it ends. Frames are {@code [seq, op, id, args...]};
     * the reply is {@code [seq, reply]}; seq 0 asks for no reply (streamed puts, hello, bye, cancel), and a
     * refused streamed put is told at once as {@code [0, ["refused", why]]}. A request that fails in any way,
     * an Error included, gets an "error" reply; a frame that cannot be decoded ends the connection. Neither
     * ends the broker or another client's thread.
     */
    private void serve(SocketChannel raw) {
        Set<LockState> held = new HashSet<>();
        FrameChannel c;
        try {
            c = new FrameChannel(raw);
        } catch (IOException | RuntimeException | LinkageError e) {
            // no descriptors for its selectors: the client is told why (else it would wait for a reply for ever)
            if (e instanceof IOException io && outOfDescriptors(io)) {
                refuse(raw, io);
            } else {
                try {
                    raw.close();
                } catch (IOException ignored) {
                    // dropping it
                }
            }
            return;
        }
        Client client = null;
        try {
            client = new Client(c, held);
            while (true) {
                Object m = c.read(Long.MAX_VALUE);
                if (!(m instanceof List<?> frame) || frame.size() < 2 || !(frame.get(0) instanceof Long seq)
                        || !(frame.get(1) instanceof String op)) {
                    return; // not a request of this protocol: drop the connection
                }
                List<?> req = frame.subList(1, frame.size());
                if (seq == 0) {
                    switch (op) {
                        case "hello": hello(client, ((Number) req.get(1)).longValue()); continue;
                        case "bye": client.graceful = true; client.inflight = null; return;
                        case "cancel": // the client gave up waiting for its last reply: undo what that call took
                            client.graceful = true;
                            client.undoLast();
                            return;
                        default: break;
                    }
                }
                client.undo = null;
                Object reply;
                try {
                    reply = handle(client, req);
                } catch (Throwable e) { // a bad request (or an Error serving it) fails that request only
                    reply = List.of("error", "the owner could not serve " + op + ": " + e);
                }
                if (seq == 0) {
                    if (reply instanceof List<?> r && !r.isEmpty() && ("error".equals(r.get(0)) || "refused".equals(r.get(0)))) {
                        c.write(List.of(0L, List.of("refused", String.valueOf(r.get(r.size() - 1)))));
                    }
                    continue;
                }
                try {
                    c.write(List.of(seq, reply == null ? List.of("ok") : reply)); // a put sent as a call: done
                } catch (IOException e) {
                    client.undoLast(); // the reply did not reach the client
                    throw e;
                }
            }
        } catch (EOFException e) {
            // the client process ended or closed its handle
        } catch (Throwable e) {
            // a broken client (an undecodable frame, an Error while reading it): drop it
        } finally {
            if (client != null) {
                for (LockState l : held) l.releaseAbandoned(client, !client.graceful);
                if (client.inflight != null && !client.graceful) {
                    client.inflightQueue.giveBack(client.inflight); // at-least-once: redelivered to the others
                }
                for (Long id : client.attached) unref(id);
                ended(client);
            }
            c.close();
        }
    }

    /** One connection of a client JVM: what it holds, and (once it said hello) that JVM's pid. */
    static final class Client {
        private final FrameChannel channel;
        private final Set<LockState> held;
        long pid = -1;
        /** It said bye (closed its handle) or cancelled: what it held is given back, but no death is reported. */
        boolean graceful;
        /** What the last call took, given back if the client cancels it (it was interrupted) or the reply fails. */
        Runnable undo;
        /** The items of the last batch handed to this connection by a get: acknowledged by its next get or unget. */
        List<?> inflight;
        QueueState inflightQueue;
        /** The objects this connection named (freed when no handle refers to them: {@link #unref}). */
        final Set<Long> attached = new HashSet<>();

        Client(FrameChannel channel, Set<LockState> held) {
            this.channel = channel;
            this.held = held;
        }

        Set<LockState> held() {
            return held;
        }

        void undoLast() {
            Runnable u = undo;
            undo = null;
            inflight = null;
            if (u != null) u.run();
        }

        /**
         * Whether the client stopped waiting: its end closed, or it sent something while its call is served
         * (only a cancel can come then: a connection carries one call at a time).
         */
        boolean gone() {
            try {
                return channel.peerClosed() || channel.hasMessage();
            } catch (IOException e) {
                return true;
            }
        }
    }

    /** Tests only: called with each request's op in the serving thread before it is handled (to throw an Error there). */
    static volatile java.util.function.Consumer<String> faultHook;

    private Object handle(Client client, List<?> req) {
        String op = (String) req.get(0);
        java.util.function.Consumer<String> hook = faultHook;
        if (hook != null) hook.accept(op);
        long objId = ((Number) req.get(1)).longValue();
        Entry entry = objects.get(objId);
        if (entry == null) return List.of("error", "no such object (" + objId + "): it was closed, or its owner ended");
        Object state = entry.state;
        if (client.attached.add(objId)) entry.refs.incrementAndGet();
        long timeout = req.size() > 2 && req.get(req.size() - 1) instanceof Long l ? l : -1;
        try {
            if (op.startsWith("mg.") || op.startsWith("ml.")) { // a Manager's objects: [op, id, pid, thread id, args...]
                return Managed.handle(op, state, req.subList(4, req.size()));
            }
            if (op.indexOf('.') > 0) { // [kind.op, id, pid, thread id, args...]: the objects that know the caller's thread
                Owner who = new Owner(((Number) req.get(2)).longValue(), ((Number) req.get(3)).longValue());
                if (client.pid < 0) hello(client, who.pid());
                if (state instanceof Abandonable a) touch(client, a);
                return Sync.handle(op, state, who, req.subList(4, req.size()), timeout, client);
            }
            switch (op) {
                case "put": {
                    List<?> batch = (List<?>) req.get(2);
                    try {
                        ((QueueState) state).putAll(batch);
                    } catch (IllegalStateException e) {
                        return List.of("refused", "queue " + objId + " is shut down: a batch of " + batch.size()
                                + " item(s) put through this handle was refused");
                    }
                    return null; // no reply: puts stream
                }
                case "get": {
                    client.inflight = null; // asking again: the last batch was taken
                    int max = ((Number) req.get(2)).intValue();
                    QueueState q = (QueueState) state;
                    Object r = q.get(max, timeout, client);
                    if (r instanceof List<?> l && "items".equals(l.get(0))) {
                        List<?> items = (List<?>) l.get(1);
                        client.inflight = items;
                        client.inflightQueue = q;
                        client.undo = () -> q.giveBack(items);
                    }
                    return r;
                }
                case "shutdown": {
                    ((QueueState) state).shutdown(Boolean.TRUE.equals(req.get(2)));
                    return List.of("ok");
                }
                case "unget": {
                    client.inflight = null;
                    ((QueueState) state).giveBack((List<?>) req.get(2));
                    return List.of("ok");
                }
                case "size": return List.of("ok", (long) ((QueueState) state).size());
                case "putb": {
                    Object item = ((List<?>) req.get(2)).get(0);
                    return List.of(((QueueState) state).put(item, timeout, client) ? "ok" : "full");
                }
                case "taskdone": ((QueueState) state).taskDone(); return List.of("ok");
                case "join": return List.of(((QueueState) state).join(timeout, client) ? "ok" : "timeout");
                case "acquire": {
                    LockState l = (LockState) state;
                    int got = l.acquire(client, timeout);
                    if (got > 0) {
                        client.held().add(l);
                        client.undo = () -> {
                            client.held().remove(l);
                            l.releaseAbandoned(client, false);
                        };
                    }
                    return got == 0 ? List.of("timeout") : List.of("ok", got == 2);
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
                case "attach": return List.of("ok");
                default: return List.of("error", "unknown operation " + op);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of("error", "interrupted");
        } catch (IllegalStateException e) {
            return List.of("error", e.getMessage());
        }
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
        /** Every connection of process {@code pid} ended; {@code died}: without saying bye (it died, or exited holding it). */
        void abandon(long pid, boolean died);
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
        private boolean ownerDied; // its holder's process ended holding it; told to the next acquirer

        /**
         * Owner: a Client, or a token of the host JVM. 0: not acquired (timeout, or the client stopped waiting);
         * 1: acquired; 2: acquired, and the previous holder's process had ended while holding it (POSIX's
         * EOWNERDEAD), told to this acquirer only.
         */
        int acquire(Object who, long timeoutMillis) throws InterruptedException {
            long deadline = deadline(timeoutMillis);
            lock.lockInterruptibly();
            try {
                while (owner != null) {
                    if (who instanceof Client c && c.gone()) return 0;
                    if (!awaitSlice(free, deadline)) return 0;
                }
                owner = who;
                boolean died = ownerDied;
                ownerDied = false;
                return died ? 2 : 1;
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

        /**
         * The connection {@code who} ended holding it: freed for the others. {@code died}: it ended without
         * closing its handle (its process died), which the next acquirer is told.
         */
        void releaseAbandoned(Object who, boolean died) {
            lock.lock();
            try {
                if (owner != who) return;
                owner = null;
                if (died) {
                    abandoned++;
                    ownerDied = true;
                }
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
                        breakIt("a party's process ended (or was interrupted) while waiting at the barrier");
                        return List.of("broken", g.broken);
                    }
                    boolean more;
                    try {
                        more = awaitSlice(trip, deadline);
                    } catch (InterruptedException e) {
                        if (!g.tripped) breakIt("a party was interrupted while waiting at the barrier");
                        throw e;
                    }
                    if (!more) {
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

    /**
     * A client's connection to a broker. One call at a time: {@code [seq, op, id, args...]} and its reply
     * {@code [seq, reply]}, matched by seq, so that no reply can be taken for another call's. A call that is
     * interrupted cancels itself: the link tells the broker (which undoes what that call took: a lock, a
     * semaphore unit, the items of a get) and closes; the handle opens another one.
     */
    static final class Link implements AutoCloseable {
        private final FrameChannel channel;
        private long seq;
        private volatile boolean closed;
        private final java.util.ArrayDeque<List<?>> notices = new java.util.ArrayDeque<>();

        Link(Path broker) throws IOException {
            // an interrupted thread's channel operation closes the channel: the flag is put aside meanwhile
            boolean interrupted = Thread.interrupted();
            try {
                FrameChannel c = null;
                for (int attempt = 0; c == null; attempt++) {
                    SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                    try {
                        ch.connect(UnixDomainSocketAddress.of(broker));
                        c = new FrameChannel(ch);
                        c.write(List.of(0L, "hello", PID));
                    } catch (java.nio.channels.ClosedByInterruptException e) { // an interrupt came meanwhile: keep it for the call
                        interrupted |= Thread.interrupted();
                        c = null;
                        ch.close();
                        if (attempt >= 10) throw e;
                    } catch (IOException e) {
                        IOException why = c == null ? e : refusal(c, e);
                        ch.close();
                        if (why instanceof Refused) throw why;
                        throw new IOException("cannot reach the process that owns this object (" + e.getMessage()
                                + "): it has probably ended", e);
                    }
                }
                channel = c;
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        /**
         * {@code e}, or {@link Refused} if the owner refused this connection: its notice came already, or is
         * waiting on {@code c} (a write can fail first, the owner having closed).
         */
        private IOException refusal(FrameChannel c, IOException e) {
            for (List<?> n : notices) if (isRefusal(n)) return new Refused((String) n.get(1));
            try {
                while (c.hasMessage()) {
                    List<?> n = noticeOf(c.read(Long.MAX_VALUE)); // a whole message is there: no wait
                    if (n == null) continue; // a reply: the call it answers fails anyway
                    if (isRefusal(n)) return new Refused((String) n.get(1));
                    notices.add(n); // a refused batch's notice: still told by notice()
                }
            } catch (IOException | RuntimeException ignored) {
                // nothing more to read: not a refusal
            }
            return e;
        }

        /** The notice in {@code m} if it is one ({@code [0, notice]}), else null. */
        private static List<?> noticeOf(Object m) {
            return m instanceof List<?> f && f.size() == 2 && Long.valueOf(0).equals(f.get(0))
                    && f.get(1) instanceof List<?> n ? n : null;
        }

        private static boolean isRefusal(List<?> n) {
            return n.size() == 2 && REFUSED.equals(n.get(0)) && n.get(1) instanceof String;
        }

        private static List<Object> frame(long seq, List<?> req) {
            List<Object> f = new ArrayList<>(req.size() + 1);
            f.add(seq);
            f.addAll(req);
            return f;
        }

        /** A request with no reply (a batch of puts); a refusal comes back as a notice ({@link #notice()}). */
        void send(List<?> req) throws IOException {
            boolean interrupted = Thread.interrupted(); // else the write would close the channel
            try {
                channel.write(frame(0, req));
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        /** A notice the broker sent without being asked (a refused batch), or null; never waits. */
        List<?> notice() throws IOException {
            boolean interrupted = Thread.interrupted(); // else the read would close the channel
            try {
                if (notices.isEmpty() && channel.hasMessage()) readNotice();
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
            return notices.poll();
        }

        private void readNotice() throws IOException {
            Object m = channel.read(Long.MAX_VALUE);
            List<?> n = noticeOf(m);
            if (n == null) {
                close();
                throw new IOException("the owner sent an unexpected message: " + m);
            }
            notices.add(n);
        }

        /** A call that an interrupt does not end (it is quick): the reply, and the thread stays interrupted. */
        List<?> call(List<?> req) throws IOException {
            try {
                return call(req, false);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }

        /** A call that may wait long: an interrupt cancels it (InterruptedException, the link closed). */
        List<?> callInterruptibly(List<?> req) throws IOException, InterruptedException {
            return call(req, true);
        }

        private List<?> call(List<?> req, boolean interruptible) throws IOException, InterruptedException {
            if (closed) throw new IOException("the connection to the owner is closed");
            // an interrupted thread's channel operation would close the channel: the flag is put aside, and
            // an interrupt while waiting for the reply comes as InterruptedIOException from the read
            boolean interrupted = Thread.interrupted();
            if (interruptible && interrupted) throw new InterruptedException("interrupted before the call");
            long s = ++seq;
            try {
                channel.write(frame(s, req));
            } catch (java.nio.channels.ClosedByInterruptException e) { // interrupted within the write itself
                closed = true;
                if (interrupted) Thread.currentThread().interrupt();
                if (interruptible) throw new InterruptedException("interrupted while sending the call");
                throw e;
            } catch (IOException e) {
                if (interrupted) Thread.currentThread().interrupt();
                throw refusal(channel, e);
            } catch (RuntimeException e) {
                if (interrupted) Thread.currentThread().interrupt();
                throw e;
            }
            try {
                while (true) {
                    Object m;
                    try {
                        m = channel.read(Long.MAX_VALUE);
                    } catch (java.nio.channels.ClosedByInterruptException e) { // interrupted within a read itself
                        closed = true;
                        if (!interruptible) throw e;
                        throw new InterruptedException("interrupted while waiting for the owner's reply");
                    } catch (java.io.InterruptedIOException e) {
                        if (!interruptible) {
                            interrupted = true;
                            continue;
                        }
                        cancel();
                        throw new InterruptedException("interrupted while waiting for the owner's reply");
                    } catch (IOException e) {
                        throw refusal(channel, e);
                    }
                    List<?> n = noticeOf(m);
                    if (n != null) {
                        notices.add(n);
                        continue;
                    }
                    if (m instanceof List<?> f && f.size() == 2 && Long.valueOf(s).equals(f.get(0))
                            && f.get(1) instanceof List<?> reply) {
                        return reply;
                    }
                    close();
                    throw new IOException("a reply out of step with the requests (" + m + "): connection closed");
                }
            } finally {
                if (interrupted) Thread.currentThread().interrupt();
            }
        }

        /** Gives up the call in progress: the broker undoes what it took for it; the link closes. */
        void cancel() {
            if (closed) return;
            boolean interrupted = Thread.interrupted(); // else the write would close the channel before it is sent
            try {
                channel.write(List.of(0L, "cancel"));
            } catch (IOException | RuntimeException ignored) {
                // closing anyway
            }
            closed = true;
            channel.close();
            if (interrupted) Thread.currentThread().interrupt();
        }

        boolean isClosed() {
            return closed;
        }

        /** Says bye (what this connection held is given back, no death reported) and closes. */
        @Override
        public void close() {
            if (closed) return;
            closed = true;
            boolean interrupted = Thread.interrupted(); // else the write would close the channel before it is sent
            try {
                channel.write(List.of(0L, "bye"));
            } catch (IOException | RuntimeException ignored) {
                // the owner is gone
            }
            channel.close();
            if (interrupted) Thread.currentThread().interrupt();
        }
    }
}
