package mproc;

/**
 * What a worker JVM runs: Python's {@code target=}.
 *
 * <p>A task is named by its class, not passed as an object: the child JVM loads the class by name and
 * creates it with its public no-argument constructor, so the class must be compiled and on disk (a toolkit
 * class, or a class of the calling JBang script). A class typed into a notebook cell lives only in the
 * kernel's JShell and cannot be loaded by another JVM. Arguments arrive as strings, exactly as given.
 */
@FunctionalInterface
public interface Task {
    void run(String... args) throws Exception;
}
