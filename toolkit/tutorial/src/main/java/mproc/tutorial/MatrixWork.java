package mproc.tutorial;

import mproc.Fn;

/** The matrix task as a Pool function: the input is a repeat count, the result the checksum. */
public final class MatrixWork implements Fn<Number, Long> {
    @Override
    public Long apply(Number count) {
        return Matrix.work(count.longValue());
    }
}
