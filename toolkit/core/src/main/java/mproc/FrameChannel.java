package mproc;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.util.concurrent.TimeUnit;

/**
 * Messages over a Unix domain socket: each frame is a 4-byte length and one {@link Codec} value.
 * Non-blocking underneath, so that reads can time out without a helper thread; a read waits in the
 * caller's thread (one wake-up per message).
 */
final class FrameChannel implements Closeable {
    static final Object TIMEOUT = new Object();

    private final SocketChannel ch;
    private final Selector readSel, writeSel;
    private ByteBuffer in = ByteBuffer.allocate(1 << 13); // grows to the largest frame seen
    private final ByteArrayOutputStream outBytes = new ByteArrayOutputStream(1 << 12);
    private final DataOutputStream out = new DataOutputStream(outBytes);
    private final Object readLock = new Object(), writeLock = new Object();
    private boolean eof;
    private volatile boolean spinning = true;

    FrameChannel(SocketChannel ch) throws IOException {
        this.ch = ch;
        ch.configureBlocking(false);
        readSel = Selector.open();
        writeSel = Selector.open();
        ch.register(readSel, SelectionKey.OP_READ);
        ch.register(writeSel, SelectionKey.OP_WRITE);
        in.flip(); // empty, in read mode
    }

    /** Whether a read polls for a while before it sleeps (see {@link #spin()}); on by default. */
    void spinning(boolean on) {
        spinning = on;
    }

    /** The largest frame either end accepts (256 MiB). */
    static final int MAX_FRAME = 256 << 20;

    /**
     * Sends one message (blocks while the socket buffer is full). A message over {@link #MAX_FRAME} is refused
     * here, before a byte is sent (IllegalArgumentException), so the connection stays usable. An interrupt
     * while the buffer is full does not cut a frame in half: the frame is finished and the thread stays
     * interrupted.
     */
    void write(Object msg) throws IOException {
        synchronized (writeLock) {
            outBytes.reset();
            out.writeInt(0);
            Codec.write(out, msg);
            int len = outBytes.size() - 4;
            if (len > MAX_FRAME) {
                outBytes.reset();
                throw new IllegalArgumentException("a message of " + len + " bytes is over the limit of " + MAX_FRAME
                        + " bytes per message; send it in parts");
            }
            byte[] b = outBytes.toByteArray();
            b[0] = (byte) (len >>> 24);
            b[1] = (byte) (len >>> 16);
            b[2] = (byte) (len >>> 8);
            b[3] = (byte) len;
            writeFully(ByteBuffer.wrap(b));
        }
    }

    private void writeFully(ByteBuffer buf) throws IOException {
        boolean interrupted = false;
        try {
            while (buf.hasRemaining()) {
                if (ch.write(buf) == 0) {
                    // an interrupted thread's select returns at once: clear the flag while waiting, set it after
                    interrupted |= Thread.interrupted();
                    writeSel.select(1000);
                    writeSel.selectedKeys().clear();
                }
            }
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    /**
     * The next message, waiting until {@code deadline} (System.nanoTime; Long.MAX_VALUE: no limit);
     * {@link #TIMEOUT} if none came. EOFException when the other end has closed (or died).
     * InterruptedIOException, with the thread's interrupt flag cleared, when the thread is interrupted while
     * no whole message is there (at once: the selector returns on an interrupt). The channel stays in step
     * (a frame read in part stays buffered for the next read), but a reply the caller was waiting for will
     * still come: a request/reply user must skip it, or close the channel.
     */
    Object read(long deadline) throws IOException {
        synchronized (readLock) {
            while (true) {
                Object m = tryParse();
                if (m != null) return m == NULL_MSG ? null : m;
                if (eof) throw new EOFException("the other end closed the connection");
                long left = deadline == Long.MAX_VALUE ? 0 : deadline - System.nanoTime();
                if (deadline != Long.MAX_VALUE && left <= 0) return TIMEOUT;
                if (Thread.interrupted()) throw new InterruptedIOException("interrupted while waiting for a message");
                if (!fill() && !spin()) {
                    if (deadline == Long.MAX_VALUE) readSel.select();
                    else readSel.select(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                    readSel.selectedKeys().clear();
                    fill();
                }
            }
        }
    }

    /** Whether the other end is gone (reads what is there without waiting). */
    boolean peerClosed() throws IOException {
        synchronized (readLock) {
            if (!eof) fill();
            return eof && !in.hasRemaining();
        }
    }

    /** Whether a whole message is waiting. */
    boolean hasMessage() throws IOException {
        synchronized (readLock) {
            if (!eof) fill();
            return in.remaining() >= 4 && in.remaining() >= 4 + in.getInt(in.position());
        }
    }

    private static final Object NULL_MSG = new Object();

    private Object tryParse() throws IOException {
        if (in.remaining() < 4) return null;
        int len = in.getInt(in.position());
        if (len < 0 || len > MAX_FRAME) throw new IOException("corrupt frame length " + len);
        if (in.remaining() < 4 + len) return null;
        in.position(in.position() + 4);
        try {
            Object v = Codec.decode(in.array(), in.arrayOffset() + in.position(), len);
            return v == null ? NULL_MSG : v;
        } finally {
            in.position(in.position() + len); // past the frame, decoded or not: the next one stays in step
        }
    }

    /**
     * Polls without sleeping for up to {@link #SPIN_NANOS}: a reply that comes within a few microseconds
     * (a ping-pong) is then read without the cost of going to sleep in the selector and being woken.
     */
    private boolean spin() throws IOException {
        if (!spinning) return false;
        long end = System.nanoTime() + SPIN_NANOS;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
            if (fill() || eof) return true;
        }
        return false;
    }

    private static final long SPIN_NANOS = Long.getLong("mproc.spinMicros", 50) * 1000;

    /** Reads what is available; false if nothing came. */
    private boolean fill() throws IOException {
        in.compact(); // to write mode
        try {
            if (!in.hasRemaining()) {
                ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
                in.flip();
                bigger.put(in);
                in = bigger;
            }
            int n = ch.read(in);
            if (n < 0) eof = true;
            return n > 0;
        } finally {
            in.flip();
        }
    }

    @Override
    public void close() {
        try {
            readSel.close();
            writeSel.close();
            ch.close();
        } catch (IOException e) {
            // closing
        }
    }
}
