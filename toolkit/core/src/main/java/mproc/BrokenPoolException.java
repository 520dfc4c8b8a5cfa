package mproc;

import java.util.concurrent.RejectedExecutionException;

/**
 * The pool can no longer run work: Python's {@code concurrent.futures.process.BrokenProcessPool}. Thrown when
 * the pool's initializer failed in a worker (Python would restart workers forever), when workers died
 * more times in a row than the pool allows ({@link Pool.Builder#brokenAfterDeaths}), when a worker JVM could
 * not be started ({@link Pool#START_TRIES} tries, or {@link Pool#START_DEATHS} JVMs in a row that ended before
 * they were ready), or when one of the pool's own threads failed (an {@code Error}). The message names the
 * cause; the cause, where there is one, is the initializer's {@link RemoteException} or what was thrown. Work
 * that was pending fails with it, and so does every later call. It is a {@link RejectedExecutionException}, what an
 * {@link java.util.concurrent.ExecutorService} throws when it cannot take work.
 */
public final class BrokenPoolException extends RejectedExecutionException {
    private static final long serialVersionUID = 1L;

    BrokenPoolException(String message, Throwable cause) {
        super(message, cause);
    }
}
