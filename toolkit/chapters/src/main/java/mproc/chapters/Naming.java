package mproc.chapters;

import mproc.tutorial.*;
import java.util.List;
import mproc.tutorial.MatrixTask;
import mproc.Worker;

/** Chapter 1, naming_processes.py: a named and a default-named worker, started together. */
public final class Naming {
    private Naming() {}

    /** Starts a worker named "myFunc process" and one with a default name, then joins both. */
    public static List<Worker> run(long count) throws InterruptedException {
        Worker named = new Worker("myFunc process", MatrixTask.class, count);
        Worker unnamed = new Worker(MatrixTask.class, count);
        named.start();
        unnamed.start();
        named.join();
        unnamed.join();
        return List.of(named, unnamed);
    }
}
