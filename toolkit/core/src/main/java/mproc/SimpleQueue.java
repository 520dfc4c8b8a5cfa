package mproc;

import java.io.EOFException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/**
 * Python's {@code multiprocessing.SimpleQueue}: an unbounded queue with only {@link #put}, {@link #get},
 * {@link #empty} and {@link #close}. Like a {@link Queue} it is hosted by the JVM that created it, and every
 * item is delivered once, in order per producer.
 *
 * <p>{@link #close()} is Python's: this handle is done (what it buffered is sent, what it fetched ahead is
 * given back for other consumers); using it afterwards throws IllegalStateException (Python: ValueError or
 * OSError). The items stay in the queue for the other handles. Difference: a {@code get()} whose owner JVM
 * has ended throws UncheckedIOException (wrapping EOFException) where Python raises EOFError.
 * This is the same per-handle close as {@link Queue#close()}; a SimpleQueue has no shutdown, as in Python.
 */
public final class SimpleQueue implements Shareable {
    private static final String KIND = "mproc-simplequeue";
    private final Queue queue;
    private volatile boolean closed;

    private SimpleQueue(Queue queue) {
        this.queue = queue;
    }

    /** A new, empty queue hosted by this JVM. */
    public static SimpleQueue create() {
        return new SimpleQueue(Queue.create());
    }

    /** The queue an address names, connected to its owner at once. */
    public static SimpleQueue attach(String address) {
        String[] f = address.split("\\|");
        if (f.length != 3 || !f[0].equals(KIND)) throw new IllegalArgumentException("not a simple queue address: " + address);
        return new SimpleQueue(Queue.attach(Queue.KIND + "|" + f[1] + "|" + f[2]));
    }

    @Override
    public String address() {
        return KIND + "|" + queue.brokerPath() + "|" + queue.id();
    }

    private void open() {
        if (closed) throw new IllegalStateException("the SimpleQueue handle is closed");
    }

    /** Adds an item (what a {@link Queue} carries). */
    public void put(Object item) {
        open();
        queue.put(item);
    }

    /** The next item, waiting for one. */
    public Object get() throws InterruptedException {
        open();
        try {
            return queue.get();
        } catch (EOFException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether no item is waiting (approximate while others put and get, as in Python). */
    public boolean empty() {
        open();
        return queue.empty();
    }

    /** This handle is done (Python's {@code close()}); idempotent. */
    public void close() {
        if (closed) return;
        closed = true;
        queue.release();
    }

    @Override
    public String toString() {
        return "<SimpleQueue " + queue.id() + (queue.local != null ? " hosted here" : "") + ">";
    }
}
