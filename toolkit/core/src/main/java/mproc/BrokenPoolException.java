package mproc;

import java.util.concurrent.RejectedExecutionException;

/**
 * The pool can no longer run work: Python's {@code concurrent.futures.process.BrokenProcessPool}. Thrown when
 * the pool's initializer failed in a worker (Python would restart workers forever), or when workers died
 * more times in a row than the pool allows ({@link Pool.Builder#brokenAfterDeaths}). Work that was pending
 * fails with it, and so does every later call. It is a {@link RejectedExecutionException}, what an
 * {@link java.util.concurrent.ExecutorService} throws when it cannot take work.
 */
public final class BrokenPoolException extends RejectedExecutionException {
    private static final long serialVersionUID = 1L;

    BrokenPoolException(String message, Throwable cause) {
        super(message, cause);
    }
}
