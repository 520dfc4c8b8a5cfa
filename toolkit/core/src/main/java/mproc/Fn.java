package mproc;

import java.io.Serializable;

/**
 * A function a {@link Pool} applies in its worker JVMs (Python's {@code pool.map(f, ...)}'s {@code f}).
 *
 * <p>Give the pool a lambda ({@code pool.map(x -> x * x, xs)}), a method reference
 * ({@code pool.map(Lessons::square, xs)}) or a class ({@code pool.map(Square.class, xs)}: a class with a
 * no-argument constructor). Classes can be compiled ones or defined in a notebook cell: the pool sends the
 * worker JVMs the code they do not have. A lambda travels as a description (its class, the method that
 * holds its body, the values it captured), never through Java serialization: the interface is
 * {@link Serializable} only so that the compiler records that description. Inputs, results and captured
 * values travel as plain data (see {@link Connection#send}).
 *
 * @param <I> the input type
 * @param <O> the result type
 */
@FunctionalInterface
public interface Fn<I, O> extends Serializable {
    O apply(I input) throws Exception;
}
