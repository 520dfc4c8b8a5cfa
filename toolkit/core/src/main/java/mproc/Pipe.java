package mproc;

/**
 * Python's {@code multiprocessing.Pipe()}: two connected ends, {@link #end1()} and {@link #end2()}.
 * Duplex: each end can send and receive. One-to-one: give each end to one process (or use both in one).
 * Close an end when done with it ({@link Connection#close()}); an end dropped without closing is closed
 * when the garbage collector finds it unreachable. See {@link Connection} for what waits and what fails.
 *
 * <pre>{@code
 * Pipe pipe = Pipe.create();
 * Worker w = new Worker(Producer.class, pipe.end2());   // travels as its address
 * w.start();
 * Object first = pipe.end1().recv();
 * }</pre>
 */
public record Pipe(Connection end1, Connection end2) {
    /** A new pipe; nothing is opened until an end is first used. */
    public static Pipe create() {
        java.nio.file.Path p = Ipc.newPath("p");
        return new Pipe(new Connection(p, 'A'), new Connection(p, 'B'));
    }
}
