package mproc;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One end of a {@link Pipe}: framed messages, in order, to and from the other end.
 *
 * <p>The two ends meet through a Unix domain socket in the creating JVM's private directory: the end that
 * is used first listens, the other connects; then they talk directly. Messages sent before the other end
 * has connected are kept and delivered when it does, so {@code a.send(x); b.recv()} works in one thread.
 *
 * <p>Nothing hangs for ever: {@link #recv()} throws {@link EOFException} once the other end has closed
 * or its process has died; if the process that was given the other end ends without ever connecting,
 * waiting fails with a message naming it; and connecting gives up after {@code -Dmproc.connectTimeout}
 * seconds (default 120).
 */
public final class Connection implements Shareable, AutoCloseable {
    private static final long CONNECT_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(Long.getLong("mproc.connectTimeout", 120));
    private final Path path;
    private final char role;
    private volatile FrameChannel channel;
    private ServerSocketChannel listener;
    private final List<Object> early = new ArrayList<>();
    private volatile boolean closed;
    private IOException acceptFailure;

    Connection(Path path, char role) {
        this.path = path;
        this.role = role;
        this.peer = null;
        Ipc.register(this::deliverEarly); // a worker ending delivers what it sent, as a process writing to a pipe
    }

    /** What a TCP connection (from {@link Listener} or {@link Client}) is connected to; null for a pipe end. */
    private final String peer;

    /** A connection already established ({@link Listener}, {@link Client}): it has no address to pass on. */
    Connection(FrameChannel channel, String peer) {
        this.path = null;
        this.role = 'T';
        this.channel = channel;
        this.peer = peer;
    }

    /** The Connection an address names (in a worker: {@code Connection.attach(args[0])}). */
    public static Connection attach(String address) {
        String[] f = address.split("\\|");
        if (f.length != 3 || !f[0].equals("mproc-pipe") || f[2].length() != 1) {
            throw new IllegalArgumentException("not a pipe end address: " + address);
        }
        return new Connection(Path.of(f[1]), f[2].charAt(0));
    }

    /**
     * The text that names this pipe end in another JVM. A TCP connection (from {@link Listener} or {@link
     * Client}) has none: IllegalStateException (the other JVM can connect with a {@link Client} of its own).
     */
    @Override
    public String address() {
        if (path == null) throw new IllegalStateException("a TCP connection (to " + peer + ") cannot be passed to another"
                + " process; let that process connect with a Client of its own");
        return "mproc-pipe|" + path + "|" + role;
    }

    /**
     * Sends one message: plain data (numbers, strings, booleans, chars, BigInteger/BigDecimal, arrays, lists,
     * sets, maps, enums and records of these), which arrives with its type. A value that cannot travel is
     * refused here, with its type and place named.
     */
    public void send(Object msg) {
        if (closed) throw new IllegalStateException("connection is closed");
        try {
            synchronized (this) {
                if (channel == null) {
                    open(System.nanoTime() + CONNECT_TIMEOUT_NANOS, false);
                    if (channel == null) {
                        Codec.check(msg); // refused here, not later when the other end connects
                        early.add(msg); // listening, not connected yet: delivered on connect
                        return;
                    }
                }
            }
            channel.write(msg);
        } catch (IOException e) {
            throw new UncheckedIOException("pipe send failed: " + e.getMessage(), e);
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
        if (closed) throw new IllegalStateException("connection is closed");
        try {
            FrameChannel c = connected(deadline);
            Object m = c.read(deadline);
            if (m == FrameChannel.TIMEOUT) throw new TimeoutException("no message within the timeout");
            return m;
        } catch (EOFException | TimeoutException e) {
            throw e;
        } catch (IOException e) {
            throw new UncheckedIOException("pipe receive failed: " + e.getMessage(), e);
        }
    }

    /**
     * Whether there is something to read: a message is waiting, or arrives within {@code timeout}; or, as
     * in Python, the other end has closed, so that {@link #recv()} would not wait but throw EOFException.
     * Python's {@code poll(timeout)}; {@code poll(Duration.ZERO)} does not wait.
     */
    public boolean poll(Duration timeout) throws InterruptedException {
        if (closed) throw new IllegalStateException("connection is closed");
        long deadline = deadline(timeout);
        try {
            FrameChannel c = connected(deadline);
            while (!c.hasMessage()) {
                if (c.peerClosed()) return true;
                if (System.nanoTime() >= deadline) return false;
                Thread.sleep(0, 200_000);
            }
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (EOFException e) {
            return true; // its holder ended without connecting: recv() throws at once
        } catch (IOException e) {
            return false;
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
     * is not); a {@link java.util.concurrent.Future} (say, {@link Worker#onExit()}) when it is done.
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
        while (true) {
            for (T o : objects) if (isReady(o)) ready.add(o);
            if (!ready.isEmpty() || System.nanoTime() >= deadline) return ready;
            Thread.sleep(0, 500_000);
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

    private volatile boolean spinning = true;

    /**
     * Whether a receive polls for up to 50 us before it sleeps (default: yes). Polling halves a ping-pong's
     * round trip when both ends have a core of their own; a side that mostly waits for long answers while
     * other processes need the cores (a pool's feeder threads) is better off sleeping at once.
     */
    void spinning(boolean on) {
        spinning = on;
        FrameChannel c = channel;
        if (c != null) c.spinning(on);
    }

    private FrameChannel channelFor(java.nio.channels.SocketChannel ch) throws IOException {
        FrameChannel c = new FrameChannel(ch);
        c.spinning(spinning);
        return c;
    }

    /** Waits until the other end is connected. */
    private FrameChannel connected(long deadline) throws IOException, TimeoutException, InterruptedException {
        FrameChannel c = channel;
        if (c != null) return c;
        long connectDeadline = Math.min(deadline, System.nanoTime() + CONNECT_TIMEOUT_NANOS);
        synchronized (this) {
            if (channel == null && listener == null) open(connectDeadline, true);
        }
        while ((c = channel) == null) {
            synchronized (this) {
                if (acceptFailure != null) throw acceptFailure;
            }
            checkPeerGone();
            if (System.nanoTime() >= connectDeadline) {
                if (connectDeadline < deadline) throw new IOException("no process connected to the other end of the pipe within "
                        + TimeUnit.NANOSECONDS.toSeconds(CONNECT_TIMEOUT_NANOS) + " s");
                throw new TimeoutException("the other end of the pipe has not connected yet");
            }
            Thread.sleep(1);
        }
        return c;
    }

    /** Listens if the other end does not yet; else connects. Caller holds the lock. */
    private void open(long deadline, boolean mustConnect) throws IOException {
        if (channel != null || listener != null) return;
        ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
        try {
            s.bind(UnixDomainSocketAddress.of(path));
            listener = s;
            Thread t = new Thread(this::accept, "mproc-pipe-accept");
            t.setDaemon(true);
            t.start();
            return;
        } catch (IOException bound) {
            s.close(); // the other end listens already (or did): connect to it
        }
        while (true) {
            try {
                SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX);
                try {
                    ch.connect(UnixDomainSocketAddress.of(path));
                } catch (IOException e) {
                    ch.close();
                    throw e;
                }
                channel = channelFor(ch);
                return;
            } catch (IOException e) {
                checkPeerGone();
                if (System.nanoTime() >= deadline) throw new IOException("cannot connect to the other end of the pipe: " + e.getMessage());
                try {
                    Thread.sleep(2);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while connecting", ie);
                }
            }
        }
    }

    private void accept() {
        try {
            SocketChannel ch = listener.accept();
            FrameChannel c = channelFor(ch);
            synchronized (this) {
                for (Object m : early) c.write(m);
                early.clear();
                channel = c;
            }
        } catch (IOException e) {
            synchronized (this) {
                if (!closed) acceptFailure = e;
            }
        } finally {
            try {
                listener.close();
                Files.deleteIfExists(path); // one-to-one: nobody else may connect
            } catch (IOException ignored) {
                // best effort
            }
        }
    }

    private void checkPeerGone() throws IOException {
        if (path == null) return;
        Path marker = goneMarker(path, role == 'A' ? 'B' : 'A');
        if (Files.exists(marker)) {
            throw new EOFException("the other end of the pipe never connected: " + Files.readString(marker).strip());
        }
    }

    private static Path goneMarker(Path path, char role) {
        return path.resolveSibling(path.getFileName() + ".gone-" + role);
    }

    /** Called in the parent when a worker that was given this end has ended. */
    void holderEnded(String who) {
        if (channel != null || path == null) return; // connected here: the socket itself reports the end
        try {
            // written under another name, then renamed: a reader never sees the marker without its text
            Path marker = goneMarker(path, role);
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
    private void deliverEarly() {
        boolean pending;
        synchronized (this) {
            pending = channel == null && listener != null && !early.isEmpty();
        }
        if (!pending) return;
        try {
            connected(System.nanoTime() + CONNECT_TIMEOUT_NANOS);
        } catch (IOException | TimeoutException e) {
            // the other end is gone or never came: nothing can be delivered
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Closes this end (after delivering what was sent); the other end's recv() then ends with EOFException. */
    @Override
    public void close() {
        deliverEarly();
        synchronized (this) {
            if (closed) return;
            closed = true;
            if (channel != null) channel.close();
            if (listener != null) {
                try {
                    listener.close();
                    Files.deleteIfExists(path);
                } catch (IOException ignored) {
                    // closing
                }
            }
            // an end closed before connecting: the other end must not wait for it
            if (channel == null) holderEnded("that end was closed");
        }
    }

    @Override
    public String toString() {
        if (path == null) return "<Connection tcp " + peer + (closed ? " closed" : "") + ">";
        return "<Connection " + path.getFileName() + role + (channel != null ? " connected" : "") + (closed ? " closed" : "") + ">";
    }
}
