package mproc;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;

/**
 * Python's {@code multiprocessing.connection.Listener} over TCP: pipes between processes that were not
 * started by one another, or between machines. Every connection is authenticated before anything else is
 * read from it: both sides prove that they have the key, by HMAC-SHA256 challenges (see {@link Client};
 * the protocol is Python's, with its {@code {sha256}} digest). {@link #accept()} returns a {@link
 * Connection} with the pipe's send, recv, poll, sendBytes and recvBytes.
 *
 * <pre>{@code
 * try (Listener l = Listener.create(key)) {          // 127.0.0.1, a free port: l.address()
 *     try (Connection c = l.accept()) { c.send(c.recv()); }
 * }
 * }</pre>
 *
 * <p>Differences from Python: a key is required (Python's {@code authkey=None} accepts anyone); the
 * default address is 127.0.0.1 with a port the system chooses (pass an address to listen elsewhere, such
 * as {@code 0.0.0.0}); a client that fails the handshake makes {@code accept()} throw {@link
 * AuthenticationException}, as Python's does, and the listener goes on serving.
 */
public final class Listener implements AutoCloseable {
    private final ServerSocketChannel server;
    private final byte[] authkey;
    private volatile InetSocketAddress lastAccepted;

    private final Selector selector;
    private final Object acceptLock = new Object();

    private Listener(ServerSocketChannel server, byte[] authkey) throws IOException {
        this.server = server;
        this.authkey = authkey;
        server.configureBlocking(false);
        this.selector = Selector.open();
        server.register(selector, SelectionKey.OP_ACCEPT);
    }

    /** Listens on 127.0.0.1, on a port the system chooses (see {@link #address()}). */
    public static Listener create(byte[] authkey) throws IOException {
        return create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), authkey);
    }

    /** Listens on {@code address} (port 0: any free one). */
    public static Listener create(InetSocketAddress address, byte[] authkey) throws IOException {
        byte[] key = Auth.checkKey(authkey);
        ServerSocketChannel s = ServerSocketChannel.open();
        try {
            s.setOption(StandardSocketOptions.SO_REUSEADDR, true);
            s.bind(address);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        try {
            return new Listener(s, key);
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
    }

    /** Where clients connect: the address and the port bound. */
    public InetSocketAddress address() {
        try {
            return (InetSocketAddress) server.getLocalAddress();
        } catch (IOException e) {
            throw new IllegalStateException("the listener is closed", e);
        }
    }

    /**
     * Waits for a client and authenticates it (this side challenges first, then answers the client's
     * challenge); the connection. AuthenticationException if the client does not have the key, or is not an
     * mproc client (its connection is closed; call accept() again for the next client); an IOException once
     * the listener is closed; InterruptedIOException (the listener stays open) when the thread is interrupted.
     */
    public Connection accept() throws IOException {
        SocketChannel ch = waitForClient();
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            InetSocketAddress from = (InetSocketAddress) ch.getRemoteAddress();
            Auth.deliverChallenge(ch, authkey);
            Auth.answerChallenge(ch, authkey);
            lastAccepted = from;
            return new Connection(new FrameChannel(ch), from.toString());
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (e instanceof AuthenticationException || e instanceof InterruptedIOException || !(e instanceof IOException)) throw e;
            AuthenticationException a = new AuthenticationException("the client's handshake failed: " + e.getMessage());
            a.initCause(e);
            throw a;
        }
    }

    /**
     * The next client's socket. Waits in a selector rather than in a blocking accept, which an interrupt would
     * end by closing the listener: here an interrupt ends the wait (InterruptedIOException, the flag cleared)
     * and the listener goes on.
     */
    private SocketChannel waitForClient() throws IOException {
        synchronized (acceptLock) {
            while (true) {
                SocketChannel ch = server.accept();
                if (ch != null) {
                    ch.configureBlocking(true);
                    return ch;
                }
                if (Thread.interrupted()) throw new InterruptedIOException("interrupted while waiting for a client");
                if (!server.isOpen()) throw new java.nio.channels.AsynchronousCloseException();
                selector.select(200); // woken by a client; the timeout notices a close from another thread
                selector.selectedKeys().clear();
            }
        }
    }

    /** The address of the client accepted last (Python's {@code last_accepted}); null before any. */
    public InetSocketAddress lastAccepted() {
        return lastAccepted;
    }

    /** Stops listening; a waiting {@link #accept()} throws. Connections accepted stay open. */
    @Override
    public void close() throws IOException {
        server.close();
        selector.close();
    }

    @Override
    public String toString() {
        return "<Listener " + (server.isOpen() ? address() : "closed") + ">";
    }
}
