package mproc;

/**
 * A function a {@link Pool} applies in its worker JVMs (Python's {@code pool.map(f, ...)}'s {@code f}).
 * Like a {@link Task}, it is named by its class: a public class with a public no-argument constructor,
 * compiled (a toolkit class or a class of the calling script). Inputs and results travel as plain data:
 * numbers, strings, booleans, arrays of numbers and lists of these.
 */
@FunctionalInterface
public interface Fn {
    Object apply(Object input) throws Exception;
}
