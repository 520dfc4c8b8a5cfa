package mproc;

import java.nio.file.Path;
import java.util.List;

/**
 * Python's {@code multiprocessing.JoinableQueue(maxsize)}: a {@link Queue} that counts unfinished tasks.
 * Every item put, from any JVM, is one more; a consumer calls {@link #taskDone()} when it has finished with
 * an item it got; {@link #join()} waits until the count is back to zero, that is until every item ever put
 * has been got and marked done.
 *
 * <table>
 * <caption>Python to Java</caption>
 * <tr><td>{@code JoinableQueue()}, {@code JoinableQueue(maxsize)}</td><td>{@link #create()}, {@link #create(int)}</td></tr>
 * <tr><td>{@code q.task_done()}</td><td>{@link #taskDone()}: IllegalStateException where Python raises ValueError (called more often than items were put)</td></tr>
 * <tr><td>{@code q.join()}</td><td>{@link #join()}</td></tr>
 * </table>
 *
 * <p>Items this JVM put are counted before {@code join()} waits (its batches are sent and taken in first).
 * An interrupt ends a {@code join()} in another JVM than the owner's with InterruptedException at once.
 *
 * <p>"No more items" is the Queue's: {@link #close()} ends only this handle (this process puts and gets no
 * more; {@code taskDone()} and {@code join()} still work through it), {@link #shutdown()} ends the queue for
 * everyone, and {@link #shutdown(boolean) shutdown(true)} drops the items left, counting each one done as
 * Python 3.13's {@code shutdown(immediate=True)} does, so a {@code join()} waits only for the items already got.
 */
public final class JoinableQueue extends Queue {
    JoinableQueue(Path broker, long id, Broker.QueueState local, int maxsize) {
        super(broker, id, local, maxsize);
    }

    /** A new, empty, unbounded joinable queue hosted by this JVM. */
    public static JoinableQueue create() {
        return create(0);
    }

    /** A new, empty joinable queue hosted by this JVM that holds at most {@code maxsize} items (0 or less: no limit). */
    public static JoinableQueue create(int maxsize) {
        Broker b = Broker.local();
        Broker.QueueState s = new Broker.QueueState(maxsize);
        return new JoinableQueue(b.path(), b.register(s), s, maxsize);
    }

    /** The joinable queue an address names, connected to its owner at once. */
    public static JoinableQueue attach(String address) {
        if (!address.startsWith(JOINABLE + "|")) throw new IllegalArgumentException("not a joinable queue address: " + address);
        return (JoinableQueue) Queue.attach(address);
    }

    @Override
    String kind() {
        return JOINABLE;
    }

    /** One item got earlier is finished with (Python's {@code task_done()}). */
    public void taskDone() {
        if (local != null) local.taskDone();
        else others().plain(List.of("taskdone", id()));
    }

    /** Waits until every item put has been got and marked done with {@link #taskDone()} (Python's {@code join()}). */
    public void join() throws InterruptedException {
        if (local != null) {
            local.join(-1, null);
            return;
        }
        flushAndSettle();
        others().plainInterruptibly(List.of("join", id(), -1L));
    }
}
