package mproc;

import java.util.ArrayList;
import java.util.List;

/**
 * An exception thrown by a task in a worker JVM, as it reached the caller: Python's {@code RemoteTraceback}.
 * The original exception object cannot travel (only plain data does), so this one carries what describes it:
 * {@link #getRemoteClassName() its class name}, its message, and the worker's stack trace, both as this
 * exception's own {@link #getStackTrace() stack trace} (so {@code printStackTrace()} shows where in the worker
 * it was thrown) and as the worker's full text, causes included ({@link #getRemoteStackTrace()}).
 *
 * <p>{@link Pool#map} throws an {@link IllegalStateException} naming the task, with this as its cause; the
 * futures of {@link ProcessPoolExecutor} fail with this as the {@code ExecutionException}'s cause; a
 * {@link Pool#applyAsync(Fn, Object, java.util.function.Consumer, java.util.function.Consumer) errorCallback}
 * receives this.
 */
public final class RemoteException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final String remoteClassName, remoteMessage, remoteStackTrace;

    RemoteException(String remoteClassName, String remoteMessage, String remoteStackTrace, StackTraceElement[] frames) {
        super(remoteMessage == null ? remoteClassName : remoteClassName + ": " + remoteMessage, null, false, true);
        this.remoteClassName = remoteClassName;
        this.remoteMessage = remoteMessage;
        this.remoteStackTrace = remoteStackTrace;
        setStackTrace(frames);
    }

    /** The binary name of the exception's class in the worker, e.g. {@code java.lang.IllegalArgumentException}. */
    public String getRemoteClassName() {
        return remoteClassName;
    }

    /** The exception's own message in the worker (null if it had none). */
    public String getRemoteMessage() {
        return remoteMessage;
    }

    /** The worker's {@code printStackTrace()} text of the exception, with its causes. */
    public String getRemoteStackTrace() {
        return remoteStackTrace;
    }

    // ------------------------------------------------------------------ the wire form (PoolWorker to Pool)

    /** {@code e} as plain data: class name, message (or null), full trace text, frames as 4-element lists. */
    static List<Object> describe(Throwable e) {
        java.io.StringWriter w = new java.io.StringWriter();
        e.printStackTrace(new java.io.PrintWriter(w));
        List<Object> frames = new ArrayList<>();
        for (StackTraceElement f : e.getStackTrace()) {
            frames.add(java.util.Arrays.asList(f.getClassName(), f.getMethodName(),
                    f.getFileName() == null ? "" : f.getFileName(), (long) f.getLineNumber()));
        }
        List<Object> d = new ArrayList<>();
        d.add(e.getClass().getName());
        d.add(e.getMessage());
        d.add(w.toString());
        d.add(frames);
        return d;
    }

    /** The exception {@link #describe} described. */
    static RemoteException of(List<?> d) {
        List<?> frames = (List<?>) d.get(3);
        StackTraceElement[] st = new StackTraceElement[frames.size()];
        for (int i = 0; i < st.length; i++) {
            List<?> f = (List<?>) frames.get(i);
            String file = (String) f.get(2);
            st[i] = new StackTraceElement((String) f.get(0), (String) f.get(1), file.isEmpty() ? null : file,
                    ((Number) f.get(3)).intValue());
        }
        return new RemoteException((String) d.get(0), (String) d.get(1), (String) d.get(2), st);
    }
}
