package mproc;

import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.lang.ref.Cleaner;
import java.lang.ref.Reference;
import java.net.BindException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One end of a {@link Pipe}: framed messages, in order, to and from the other end.
 *
 * <p>The two ends meet through a Unix domain socket in the creating JVM's private directory: the end that
 * is used first listens, the other connects; then they talk directly. Messages sent before the other end
 * has connected are encoded at once (a value that cannot travel is refused at the {@code send}, and what
 * arrives is the value as it was then) and delivered when the other end connects, so {@code a.send(x);
 * b.recv()} works in one thread.
 *
 * <p>Waiting: {@link #recv()} throws {@link EOFException} once the other end has closed or its process
 * has died. An end whose other end has not connected yet waits for as long as that end may still be used,
 * as a Python pipe does: it fails (EOFException naming why) once the worker that was given the other end
 * has ended without using it, or once the other end was closed (or dropped) unused in a JVM that never
 * handed it on. An end whose address was passed by hand to a process that is not a worker of this JVM is
 * not watched: if that process never uses it, the wait lasts until the timeout given, if any. Connecting
 * to a listening end that refuses (its JVM died) gives up after {@code -Dmproc.connectTimeout} seconds
 * (default 120); so does delivering, after {@link #close()} or at a worker's exit, what was sent before the
 * other end connected. Every wait throws {@link InterruptedException} at once when the thread is
 * interrupted, and the connection stays usable.
 *
 * <p>Resources: {@link #close()} frees the socket and everything this end holds. An end that becomes
 * unreachable without being closed is closed when the garbage collector finds it (after delivering what it
 * sent before the other end connected, as an OS pipe keeps what was written into it). A Connection may be
 * used from several threads: sends are whole messages, each received message goes to one receiver.
 */
public final class Connection implements Shareable, AutoCloseable {
    private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(Long.getLong("mproc.connectTimeout", 120));
    /** How often an end that waits for the other end to connect looks whether that end is gone. */
    private static final long PEER_CHECK_MILLIS = 50;
    private static final Cleaner CLEANER = Cleaner.create(r -> {
        Thread t = new Thread(r, "mproc-pipe-cleaner");
        t.setDaemon(true);
        return t;
    });
    /** Ends with messages not yet delivered: a worker's exit delivers them (one registration for all). */
    private static final Set<End> PENDING = ConcurrentHashMap.newKeySet();

    static {
        Ipc.register(() -> {
            for (End e : PENDING) e.deliverEarly();
        });
    }

    private final End end;
    private final Cleaner.Cleanable cleanable;
    /** What a TCP connection (from {@link Listener} or {@link Client}) is connected to; null for a pipe end. */
    private final String peer;
    private final ReentrantLock readLock = new ReentrantLock();
    /** A message {@link #poll} took to see it, for the next receive (a failure to decode it, rethrown then). */
    private boolean peeked;
    private Object peekedMessage;
    private IOException peekedFailure;

    Connection(Path path, char role) {
        this.end = new End(path, role);
        this.peer = null;
        this.cleanable = CLEANER.register(this, end::release);
    }

    /** A connection already established ({@link Listener}, {@link Client}): it has no address to pass on. */
    Connection(FrameChannel channel, String peer) {
        this.end = new End(null, 'T');
        this.end.channel = channel;
        this.peer = peer;
        this.cleanable = CLEANER.register(this, end::release);
    }

    /** The Connection an address names (in a worker: {@code Connection.attach(args[0])}). */
    public static Connection attach(String address) {
        String[] f = address.split("\\|");
        if (f.length != 3 || !f[0].equals("mproc-pipe") || f[2].length() != 1 || "AB".indexOf(f[2].charAt(0)) < 0) {
            throw new IllegalArgumentException("not a pipe end address: " + address);
        }
        return new Connection(Path.of(f[1]), f[2].charAt(0));
    }

    /**
     * The text that names this pipe end in another JVM. A TCP connection (from {@link Listener} or {@link
     * Client}) has none: IllegalStateException (the other JVM can connect with a {@link Client} of its own).
     * Once its address has been taken, closing (or dropping) this end unused no longer tells the other end
     * that it is gone: the process the address went to may still use it.
     */
    @Override
    public String address() {
        if (end.path == null) throw new IllegalStateException("a TCP connection (to " + peer + ") cannot be passed to another"
                + " process; let that process connect with a Client of its own");
        end.handedOut = true;
        return "mproc-pipe|" + end.path + "|" + end.role;
    }

    /**
     * Sends one message: plain data (numbers, strings, booleans, chars, BigInteger/BigDecimal, arrays, lists,
     * sets, maps, enums and records of these; the rule is {@link Codec}'s), which arrives with its type. The
     * value is encoded here, in the caller's thread: one that cannot travel is refused with an
     * IllegalArgumentException naming its type and place, as is a message over 256 MiB encoded, and nothing
     * is sent (the connection stays usable). IllegalStateException once this end is closed;
     * UncheckedIOException if the other end is gone (or, before it connected, never came).
     */
    public void send(Object msg) {
        if (end.closed) throw new IllegalStateException("connection is closed");
        try {
            FrameChannel c;
            synchronized (end) {
                if (end.channel == null) {
                    if (end.listener == null) end.open(System.nanoTime() + CONNECT_TIMEOUT_NANOS);
                    if (end.channel == null) { // listening, not connected yet: delivered on connect
                        end.early.add(Codec.frame(msg)); // encoded now: refused here, sent as it is now
                        PENDING.add(end);
                        return;
                    }
                }
                c = end.channel;
            }
            c.write(msg);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UncheckedIOException("pipe send failed: interrupted while connecting", new InterruptedIOException());
        } catch (IOException e) {
            throw new UncheckedIOException("pipe send failed: " + e.getMessage(), e);
        } finally {
            Reference.reachabilityFence(this);
        }
    }

    /** The next message; waits for it. EOFException when the other end closed (or its process died). */
    public Object recv() throws EOFException, InterruptedException {
        try {
            return recv(Long.MAX_VALUE);
        } catch (TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    /** The next message, waiting at most {@code timeout}; TimeoutException if none came. */
    public Object recv(Duration timeout) throws EOFException, TimeoutException, InterruptedException {
        return recv(deadline(timeout));
    }

    private Object recv(long deadline) throws EOFException, TimeoutException, InterruptedException {
        if (end.closed) throw new IllegalStateException("connection is closed");
        lock(deadline);
        try {
            if (peeked) {
                peeked = false;
                Object m = peekedMessage;
                IOException f = peekedFailure;
                peekedMessage = null;
                peekedFailure = null;
                if (f != null) throw f;
                return m;
            }
            FrameChannel c = connected(deadline);
            Object m = c.read(deadline);
            if (m == FrameChannel.TIMEOUT) throw new TimeoutException("no message within the timeout");
            return m;
        } catch (InterruptedIOException e) {
            throw interrupted(e);
        } catch (EOFException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("pipe receive failed: " + e.getMessage(), e);
        } finally {
            readLock.unlock();
            Reference.reachabilityFence(this);
        }
    }

    private void lock(long deadline) throws InterruptedException, TimeoutException {
        if (deadline == Long.MAX_VALUE) readLock.lockInterruptibly();
        else if (!readLock.tryLock(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
            throw new TimeoutException("another thread is receiving on this connection");
        }
    }

    private static InterruptedException interrupted(InterruptedIOException e) {
        InterruptedException i = new InterruptedException("interrupted while waiting on the pipe");
        i.initCause(e);
        return i;
    }

    /**
     * Whether there is something to read: a message is waiting, or arrives within {@code timeout}; or, as
     * in Python, the other end has closed, so that {@link #recv()} would not wait but throw EOFException.
     * Python's {@code poll(timeout)}; {@code poll(Duration.ZERO)} does not wait. A message that cannot be
     * decoded counts as something to read: the next receive throws its error.
     */
    public boolean poll(Duration timeout) throws InterruptedException {
        if (end.closed) throw new IllegalStateException("connection is closed");
        long deadline = deadline(timeout);
        try {
            lock(deadline);
        } catch (TimeoutException e) {
            return false;
        }
        try {
            if (peeked) return true;
            FrameChannel c = connected(deadline);
            if (!c.hasMessage()) {
                if (c.peerClosed()) return true;
                if (System.nanoTime() >= deadline) return false;
            }
            try {
                Object m = c.read(deadline);
                if (m == FrameChannel.TIMEOUT) return false;
                peekedMessage = m;
            } catch (InterruptedIOException e) {
                throw e;
            } catch (EOFException e) {
                return true; // recv() throws it again
            } catch (IOException e) {
                peekedFailure = e;
            }
            peeked = true;
            return true;
        } catch (InterruptedIOException e) {
            throw interrupted(e);
        } catch (TimeoutException e) {
            return false;
        } catch (EOFException e) {
            return true; // its holder ended without connecting: recv() throws at once
        } catch (IOException e) {
            return true; // broken: recv() throws
        } finally {
            readLock.unlock();
            Reference.reachabilityFence(this);
        }
    }

    /** Python's {@code poll()}: whether there is something to read now, without waiting. */
    public boolean poll() throws InterruptedException {
        return poll(Duration.ZERO);
    }

    /** Python's {@code send_bytes(buf)}: the bytes as one message. */
    public void sendBytes(byte[] buf) {
        sendBytes(buf, 0, buf.length);
    }

    /** Python's {@code send_bytes(buf, offset, size)}: {@code size} bytes from {@code offset}, as one message. */
    public void sendBytes(byte[] buf, int offset, int size) {
        java.util.Objects.checkFromIndexSize(offset, size, buf.length);
        send(java.util.Arrays.copyOfRange(buf, offset, offset + size));
    }

    /**
     * Python's {@code recv_bytes()}: the next message, which must be bytes ({@link #sendBytes}); a message of
     * another kind is taken and refused with IllegalStateException. EOFException as {@link #recv()}.
     */
    public byte[] recvBytes() throws EOFException, InterruptedException {
        return bytes(recv(), Integer.MAX_VALUE);
    }

    /**
     * Python's {@code recv_bytes(maxlength)}: as {@link #recvBytes()}, refusing (IllegalStateException) a
     * message longer than {@code maxLength}. Unlike Python, the connection stays usable after that.
     */
    public byte[] recvBytes(int maxLength) throws EOFException, InterruptedException {
        if (maxLength < 0) throw new IllegalArgumentException("negative maxLength: " + maxLength);
        return bytes(recv(), maxLength);
    }

    /** As {@link #recvBytes()}, waiting at most {@code timeout}; TimeoutException if nothing came. */
    public byte[] recvBytes(Duration timeout) throws EOFException, TimeoutException, InterruptedException {
        return bytes(recv(timeout), Integer.MAX_VALUE);
    }

    private static byte[] bytes(Object m, int max) {
        if (!(m instanceof byte[] b)) throw new IllegalStateException("the message received is "
                + (m == null ? "null" : "a " + m.getClass().getTypeName()) + ", not bytes: read it with recv()");
        if (b.length > max) throw new IllegalStateException("the message received is " + b.length
                + " bytes, longer than maxLength " + max);
        return b;
    }

    /**
     * Python's {@code multiprocessing.connection.wait}: waits until at least one of {@code objects} is ready,
     * or {@code timeout} (null: no limit) has passed, and returns the ready ones (an empty list at the
     * timeout), in the order given. A {@link Connection} is ready when {@link #poll(Duration) poll} would say
     * so (a message, or the other end closed); a {@link Worker} when it has ended (a worker never started
     * is not); a {@link java.util.concurrent.Future} (say, {@link Worker#onExit()}) when it is done. It looks
     * at them in turn, sleeping a little longer each round up to 1 ms; an interrupt ends the wait at once
     * with InterruptedException.
     */
    public static <T> List<T> wait(java.util.Collection<? extends T> objects, Duration timeout) throws InterruptedException {
        long deadline = timeout == null ? Long.MAX_VALUE : deadline(timeout);
        for (Object o : objects) {
            if (!(o instanceof Connection || o instanceof Worker || o instanceof java.util.concurrent.Future<?>)) {
                throw new IllegalArgumentException("cannot wait for " + (o == null ? "null" : "a " + o.getClass().getTypeName())
                        + ": wait takes connections, workers and futures");
            }
        }
        List<T> ready = new ArrayList<>();
        long pause = 20_000;
        while (true) {
            if (Thread.interrupted()) throw new InterruptedException("interrupted while waiting");
            for (T o : objects) if (isReady(o)) ready.add(o);
            if (!ready.isEmpty()) return ready;
            long left = deadline - System.nanoTime();
            if (left <= 0) return ready;
            long nap = Math.min(pause, left);
            Thread.sleep(nap / 1_000_000, (int) (nap % 1_000_000));
            pause = Math.min(pause * 2, 1_000_000);
        }
    }

    private static boolean isReady(Object o) throws InterruptedException {
        if (o instanceof Connection c) return c.poll(Duration.ZERO);
        if (o instanceof Worker w) return w.process() != null && !w.process().isAlive();
        return ((java.util.concurrent.Future<?>) o).isDone();
    }

    private static long deadline(Duration timeout) {
        long n = timeout.toNanos();
        if (n < 0) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        long now = System.nanoTime();
        return n > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + n;
    }

    /**
     * Whether a receive polls for up to 50 us before it sleeps (default: yes). Polling halves a ping-pong's
     * round trip when both ends have a core of their own; a side that mostly waits for long answers while
     * other processes need the cores (a pool's feeder threads) is better off sleeping at once.
     */
    void spinning(boolean on) {
        end.spinning = on;
        FrameChannel c = end.channel;
        if (c != null) c.spinning(on);
    }

    /** Waits until the other end is connected (listening first if nobody does). */
    private FrameChannel connected(long deadline) throws IOException, TimeoutException, InterruptedException {
        FrameChannel c = end.channel;
        if (c != null) return c;
        synchronized (end) {
            if (end.channel == null && end.listener == null) end.open(Math.min(deadline, System.nanoTime() + CONNECT_TIMEOUT_NANOS));
            while ((c = end.channel) == null) {
                end.checkFailed();
                long left = deadline - System.nanoTime();
                if (deadline != Long.MAX_VALUE && left <= 0) throw new TimeoutException("the other end of the pipe has not connected yet");
                long ms = deadline == Long.MAX_VALUE ? PEER_CHECK_MILLIS : Math.min(PEER_CHECK_MILLIS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                end.wait(ms); // woken when it connects; meanwhile looks whether the other end is gone
            }
        }
        return c;
    }

    /** Called in the parent when a worker that was given this end has ended. */
    void holderEnded(String who) {
        end.markGone(who);
    }

    /**
     * Closes this end; the other end's recv() then ends with EOFException, after the messages sent before.
     * Does not wait: what was sent before the other end connected is delivered when it connects (as an OS
     * pipe keeps what was written into it), and dropped if it has not connected {@code -Dmproc.connectTimeout}
     * seconds later or is gone. A worker's exit waits (as long, at most) for such messages to be delivered.
     */
    @Override
    public void close() {
        cleanable.clean();
    }

    @Override
    public String toString() {
        if (end.path == null) return "<Connection tcp " + peer + (end.closed ? " closed" : "") + ">";
        return "<Connection " + end.path.getFileName() + end.role + (end.channel != null ? " connected" : "")
                + (end.closed ? " closed" : "") + ">";
    }

    /**
     * Everything one end holds, apart from the Connection object, so that the accept thread and the Cleaner
     * can use it without keeping the Connection reachable. Its monitor guards the fields; waiters for the
     * connection wait on it.
     */
    private static final class End {
        final Path path;
        final char role;
        volatile FrameChannel channel;
        ServerSocketChannel listener;
        final List<byte[]> early = new ArrayList<>();
        volatile boolean closed;
        /** Closed (or dropped) while messages sent before the other end connected were still to deliver. */
        boolean closeWhenDelivered;
        long giveUpAt;
        /** Accepted: the accept thread is writing what was sent early (the channel is handed over after). */
        boolean draining;
        volatile boolean handedOut;
        volatile boolean spinning = true;
        IOException failure;

        End(Path path, char role) {
            this.path = path;
            this.role = role;
        }

        /** Listens if the other end does not yet; else connects. Caller holds the lock. */
        void open(long deadline) throws IOException, InterruptedException {
            if (channel != null || listener != null) return;
            if (closed) throw new IOException("this end of the pipe is closed");
            int pathBytes = path.toString().getBytes(StandardCharsets.UTF_8).length;
            if (pathBytes > Ipc.MAX_SOCKET_PATH) { // an attached address may come from another JVM's base
                throw new IOException("the pipe's socket path is " + pathBytes + " bytes, over the " + Ipc.MAX_SOCKET_PATH
                        + " a Unix domain socket"
                        + " allows: " + path + " (set -Dmproc.ipcdir to a shorter directory)");
            }
            ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
            try {
                s.bind(UnixDomainSocketAddress.of(path));
                listener = s;
                Thread t = new Thread(this::accept, "mproc-pipe-accept");
                t.setDaemon(true);
                t.start();
                return;
            } catch (BindException inUse) {
                s.close(); // the other end listens already (or did): connect to it
            } catch (IOException e) {
                s.close();
                throw new IOException("cannot listen at " + path + ": " + e.getMessage(), e);
            }
            while (true) {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    ch.connect(UnixDomainSocketAddress.of(path));
                    FrameChannel c = new FrameChannel(ch);
                    c.spinning(spinning);
                    channel = c;
                    return;
                } catch (IOException e) {
                    ch.close();
                    checkPeerGone();
                    if (System.nanoTime() >= deadline) throw new IOException("cannot connect to the other end of the pipe: " + e.getMessage());
                    Thread.sleep(2);
                }
            }
        }

        /** The accept thread: waits for the other end, writes what was sent early, then hands the channel over. */
        private void accept() {
            ServerSocketChannel s;
            synchronized (this) {
                s = listener;
            }
            SocketChannel ch = null;
            try (Selector sel = Selector.open()) {
                s.configureBlocking(false);
                s.register(sel, SelectionKey.OP_ACCEPT);
                while ((ch = s.accept()) == null) {
                    synchronized (this) {
                        if (closed && !closeWhenDelivered) throw new ClosedChannelException();
                        if (closeWhenDelivered && System.nanoTime() > giveUpAt) {
                            throw new EOFException("closed, and the other end did not connect within "
                                    + TimeUnit.NANOSECONDS.toSeconds(CONNECT_TIMEOUT_NANOS) + " s to take what was sent");
                        }
                    }
                    checkPeerGone();
                    sel.select(200);
                    sel.selectedKeys().clear();
                }
                ch.configureBlocking(true);
                synchronized (this) {
                    draining = true;
                }
                while (true) {
                    List<byte[]> batch;
                    synchronized (this) {
                        if (early.isEmpty()) {
                            FrameChannel c = new FrameChannel(ch);
                            c.spinning(spinning);
                            channel = c;
                            draining = false;
                            PENDING.remove(this);
                            notifyAll();
                            if (closed) c.close(); // closed meanwhile: delivered, now the end
                            break;
                        }
                        batch = new ArrayList<>(early);
                        early.clear();
                    }
                    for (byte[] f : batch) { // outside the lock: a slow reader does not block this end's recv
                        ByteBuffer b = ByteBuffer.wrap(f);
                        while (b.hasRemaining()) ch.write(b);
                    }
                }
            } catch (Throwable e) { // whatever it is, the waiters hear it (and no Error is left unseen)
                if (ch != null) {
                    try {
                        ch.close();
                    } catch (IOException ignored) {
                        // closing
                    }
                }
                synchronized (this) {
                    if (!closed || closeWhenDelivered) failure = e instanceof IOException io ? io : new IOException(e.toString(), e);
                    draining = false;
                    early.clear();
                    PENDING.remove(this);
                    notifyAll();
                }
            } finally {
                try {
                    s.close();
                    Files.deleteIfExists(path); // one-to-one: nobody else may connect
                } catch (IOException ignored) {
                    // best effort
                }
            }
        }

        /** Throws why the connection cannot come: the accept failed, this end was closed, or the other end is gone. */
        void checkFailed() throws IOException {
            if (closed) throw new EOFException("this end of the pipe was closed");
            if (failure != null) {
                if (failure instanceof EOFException) throw new EOFException(failure.getMessage());
                throw new IOException("the pipe could not connect: " + failure.getMessage(), failure);
            }
            checkPeerGone();
        }

        void checkPeerGone() throws IOException {
            if (path == null) return;
            Path marker = goneMarker(role == 'A' ? 'B' : 'A');
            if (Files.exists(marker)) {
                String why;
                try {
                    why = Files.readString(marker).strip();
                } catch (IOException e) {
                    why = "it is gone";
                }
                throw new EOFException("the other end of the pipe never connected: " + why);
            }
        }

        private Path goneMarker(char r) {
            return path.resolveSibling(path.getFileName() + ".gone-" + r);
        }

        /** Tells the other end that this end's holder is gone (if it never connected here). */
        void markGone(String who) {
            if (channel != null || path == null) return; // connected here: the socket itself reports the end
            try {
                // written under another name, then renamed: a reader never sees the marker without its text
                Path marker = goneMarker(role);
                Path tmp = marker.resolveSibling(marker.getFileName() + ".tmp-" + ProcessHandle.current().pid());
                Files.writeString(tmp, who + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, marker, java.nio.file.StandardCopyOption.ATOMIC_MOVE, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (IOException e) {
                // the directory is gone: so is everyone who could wait
            }
        }

        /**
         * Delivers messages sent before the other end connected: waits (bounded) for it to connect. Like an OS
         * pipe, what was sent stays readable after the sender closed or ended.
         */
        void deliverEarly() {
            long deadline = System.nanoTime() + CONNECT_TIMEOUT_NANOS;
            try {
                synchronized (this) {
                    while (channel == null && listener != null && (draining || !early.isEmpty()) && failure == null
                            && (!closed || closeWhenDelivered)) {
                        checkPeerGone();
                        long left = deadline - System.nanoTime();
                        if (left <= 0) return;
                        wait(Math.min(PEER_CHECK_MILLIS, Math.max(1, TimeUnit.NANOSECONDS.toMillis(left))));
                    }
                }
            } catch (IOException e) {
                // the other end is gone: nothing can be delivered
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /**
         * Closes this end: by {@link Connection#close()}, or by the Cleaner once the Connection is unreachable
         * (never waits). What was sent early and not yet delivered is left to the accept thread to deliver.
         */
        void release() {
            synchronized (this) {
                if (closed) return;
                closed = true;
                notifyAll();
                if (channel != null) {
                    channel.close();
                    return;
                }
                if (listener != null && (draining || !early.isEmpty()) && failure == null) {
                    closeWhenDelivered = true; // the accept thread delivers, then closes
                    giveUpAt = System.nanoTime() + CONNECT_TIMEOUT_NANOS;
                    return;
                }
                if (listener != null) {
                    try {
                        listener.close(); // the accept thread ends
                        Files.deleteIfExists(path);
                    } catch (IOException ignored) {
                        // closing
                    }
                }
                // an end closed before connecting: the other end must not wait for it, unless this end's address
                // went to another process, which may still use it. If the other end is gone already, nobody
                // waits: its marker is removed and none is written, so that a pair closed unused leaves no file.
                if (path != null && !handedOut) { // (a copy of this end elsewhere may still read the marker)
                    Path other = goneMarker(role == 'A' ? 'B' : 'A');
                    try {
                        if (Files.deleteIfExists(other)) return;
                    } catch (IOException ignored) {
                        // then write ours anyway
                    }
                }
                if (!handedOut) markGone("that end was closed");
            }
        }
    }
}
