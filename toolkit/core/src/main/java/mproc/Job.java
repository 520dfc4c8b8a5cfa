package mproc;

import java.io.Serializable;

/**
 * Work with no arguments: what {@code new Worker("name", () -> work(1000))} runs in the worker JVM, Python's
 * {@code Process(target=f, args=(1000,))} written as one lambda.
 *
 * <p>A lambda or method reference travels as a description (its class, the method that holds its body and
 * the values it captured); the captured values travel like any message (see {@link Connection#send}), and a
 * capture that cannot travel is refused at the constructor. Java serialization is not involved: the
 * interface is {@link Serializable} only so that the compiler records which method a lambda's body is in.
 */
@FunctionalInterface
public interface Job extends Serializable {
    void run() throws Exception;
}
