package mproc.tutorial;

import mproc.Fn;

/** The matrix task as a Pool function: the input is a repeat count, the result the checksum. */
public final class MatrixWork implements Fn {
    @Override
    public Object apply(Object count) {
        return Matrix.work(((Number) count).longValue());
    }
}
