package mproc;

import java.io.Serializable;
import java.util.concurrent.Callable;

/**
 * A {@link Callable} that can travel to a worker JVM: what {@link ProcessPoolExecutor#submit(Call)} runs,
 * Python's {@code executor.submit(f, *args)} written as one lambda ({@code () -> f(args)}) or method
 * reference. Like {@link Fn}, a lambda travels as a description (its class, the method that holds its body,
 * the values it captured); it is {@link Serializable} only so that the compiler records that description. A
 * plain {@code Callable} lambda is not, so it cannot travel.
 *
 * @param <T> the result type
 */
@FunctionalInterface
public interface Call<T> extends Callable<T>, Serializable {
    @Override
    T call() throws Exception;
}
