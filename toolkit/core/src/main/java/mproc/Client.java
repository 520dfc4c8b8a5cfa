package mproc;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.SocketChannel;

/**
 * Python's {@code multiprocessing.connection.Client} over TCP: connects to a {@link Listener} and
 * authenticates (the listener challenges first; then this side challenges it, so that each side knows the
 * other has the key) before anything else is read.
 */
public final class Client {
    private Client() {}

    /**
     * A connection to the listener at {@code address}; AuthenticationException if the two keys differ (or
     * no mproc listener is there), IOException if nothing listens.
     */
    public static Connection connect(InetSocketAddress address, byte[] authkey) throws IOException {
        byte[] key = Auth.checkKey(authkey);
        SocketChannel ch = SocketChannel.open(address);
        try {
            ch.setOption(StandardSocketOptions.TCP_NODELAY, true);
            Auth.answerChallenge(ch, key);
            Auth.deliverChallenge(ch, key);
            return new Connection(new FrameChannel(ch), address.toString());
        } catch (IOException | RuntimeException e) {
            ch.close();
            if (e instanceof AuthenticationException || e instanceof java.io.InterruptedIOException
                    || !(e instanceof IOException)) throw e;
            AuthenticationException a = new AuthenticationException("the handshake with " + address + " failed: " + e.getMessage());
            a.initCause(e);
            throw a;
        }
    }

    /** The same, to {@code host} and {@code port}. */
    public static Connection connect(String host, int port, byte[] authkey) throws IOException {
        return connect(new InetSocketAddress(host, port), authkey);
    }
}
