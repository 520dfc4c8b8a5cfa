package mproc;

/**
 * What a worker JVM runs: Python's {@code target=}.
 *
 * <p>A task is named by its class, not passed as an object: the child JVM loads the class by name and
 * creates it with its no-argument constructor. The class may be compiled (a toolkit class, a class of the
 * calling JBang script) or typed into a notebook cell: the toolkit sends the worker the code it cannot load
 * from its class path. Arguments arrive as strings, exactly as given. For a lambda target, see {@link Job}.
 */
@FunctionalInterface
public interface Task {
    void run(String... args) throws Exception;
}
