package mproc;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The handshake of {@link Listener} and {@link Client}, before any message is read: Python's
 * {@code deliver_challenge} and {@code answer_challenge}, each side in turn. The challenger sends
 * {@code #CHALLENGE#{sha256}} and 40 random bytes; the other side answers {@code {sha256}} and the
 * HMAC-SHA256, under the key, of what followed {@code #CHALLENGE#}; the challenger replies
 * {@code #WELCOME#} or {@code #FAILURE#}. Frames here are a 4-byte length and at most {@value #MAX} bytes,
 * so a stranger cannot make this side allocate or decode anything; each read gives up after
 * {@code -Dmproc.authTimeout} seconds (default 20), and an interrupt ends it with InterruptedIOException.
 */
final class Auth {
    static final int MAX = 256;
    private static final long TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(Long.getLong("mproc.authTimeout", 20));
    private static final byte[] CHALLENGE = ascii("#CHALLENGE#"), WELCOME = ascii("#WELCOME#"), FAILURE = ascii("#FAILURE#");
    private static final byte[] DIGEST = ascii("{sha256}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Auth() {}

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    static byte[] checkKey(byte[] authkey) {
        if (authkey == null || authkey.length == 0) throw new IllegalArgumentException("an authentication key is required"
                + " (a non-empty byte array both sides know)");
        return authkey.clone();
    }

    /** Challenges the other side to prove it has the key; AuthenticationException if it does not. */
    static void deliverChallenge(SocketChannel ch, byte[] key) throws IOException {
        byte[] nonce = new byte[40];
        RANDOM.nextBytes(nonce);
        byte[] message = concat(DIGEST, nonce);
        write(ch, concat(CHALLENGE, message));
        byte[] answer = read(ch);
        byte[] expected = concat(DIGEST, hmac(key, message));
        if (!MessageDigest.isEqual(answer, expected)) {
            try {
                write(ch, FAILURE);
            } catch (IOException e) {
                // it has gone already
            }
            throw new AuthenticationException("digest received was wrong: the other side does not have the"
                    + " authentication key (or is not an mproc connection)");
        }
        write(ch, WELCOME);
    }

    /** Answers the other side's challenge; AuthenticationException if it rejects the answer. */
    static void answerChallenge(SocketChannel ch, byte[] key) throws IOException {
        byte[] challenge = read(ch);
        if (!startsWith(challenge, CHALLENGE)) throw new AuthenticationException("no challenge received: the other side is"
                + " not an mproc Listener or Client");
        byte[] message = Arrays.copyOfRange(challenge, CHALLENGE.length, challenge.length);
        if (!startsWith(message, DIGEST)) throw new AuthenticationException("unsupported challenge digest");
        write(ch, concat(DIGEST, hmac(key, message)));
        byte[] reply = read(ch);
        if (!Arrays.equals(reply, WELCOME)) throw new AuthenticationException("digest sent was rejected: this side's"
                + " authentication key is not the other side's");
    }

    private static byte[] hmac(byte[] key, byte[] message) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            return mac.doFinal(message);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }

    private static boolean startsWith(byte[] b, byte[] prefix) {
        return b.length >= prefix.length && Arrays.equals(b, 0, prefix.length, prefix, 0, prefix.length);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    private static void write(SocketChannel ch, byte[] msg) throws IOException {
        ch.configureBlocking(false);
        ByteBuffer buf = ByteBuffer.allocate(4 + msg.length).putInt(msg.length).put(msg).flip();
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        while (buf.hasRemaining()) {
            if (ch.write(buf) > 0) continue;
            if (System.nanoTime() > deadline) throw new AuthenticationException("the other side reads nothing during the handshake");
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted during the handshake");
            }
        }
    }

    /** One frame of at most MAX bytes, read with a timeout (the channel is non-blocking from here on). */
    private static byte[] read(SocketChannel ch) throws IOException {
        long deadline = System.nanoTime() + TIMEOUT_NANOS;
        ByteBuffer len = ByteBuffer.allocate(4);
        fill(ch, len, deadline);
        int n = len.flip().getInt();
        if (n < 0 || n > MAX) throw new AuthenticationException("the other side sent a frame of " + n + " bytes during"
                + " the handshake: it is not an mproc connection");
        ByteBuffer body = ByteBuffer.allocate(n);
        fill(ch, body, deadline);
        return body.array();
    }

    private static void fill(SocketChannel ch, ByteBuffer buf, long deadline) throws IOException {
        ch.configureBlocking(false);
        try (Selector sel = Selector.open()) {
            ch.register(sel, SelectionKey.OP_READ);
            while (buf.hasRemaining()) {
                int r = ch.read(buf);
                if (r < 0) throw new EOFException("the other side closed the connection during the handshake");
                if (r > 0) continue;
                // an interrupted thread's select returns at once: without this it would spin until the timeout
                if (Thread.interrupted()) throw new java.io.InterruptedIOException("interrupted during the handshake");
                long left = deadline - System.nanoTime();
                if (left <= 0) throw new AuthenticationException("no answer during the handshake within "
                        + TimeUnit.NANOSECONDS.toSeconds(TIMEOUT_NANOS) + " s");
                sel.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                sel.selectedKeys().clear();
            }
        }
    }
}
