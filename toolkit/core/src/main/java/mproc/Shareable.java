package mproc;

/**
 * An IPC object that can be handed to a worker: Pipe ends ({@link Connection}), {@link Queue},
 * {@link JoinableQueue}, {@link SimpleQueue}, {@link Lock}, {@link RLock}, {@link Semaphore},
 * {@link BoundedSemaphore}, {@link Event}, {@link Condition}, {@link Barrier}, {@link SharedArray}, {@link Value}, and a
 * {@link Manager}'s {@link DictProxy}, {@link ListProxy} and {@link Namespace}. Passed
 * as a worker argument (or a field of a Worker subclass) it travels as its address, a short text; in the
 * worker, {@code Queue.attach(args[i])} (and so on) turns the address back into the object.
 */
public interface Shareable {
    /** The text that identifies this object across JVMs. */
    String address();
}
