package mproc;

import java.time.Instant;

/**
 * The recorded life of one worker JVM, all on the machine's wall clock (shared by parent and child):
 * requested ({@code start()} called), spawned (the OS process exists), ready (the child JVM's main began:
 * JVM start-up is over), first output, finished (exit seen by the parent), and the exit code.
 */
public final class Lifetime {
    volatile Instant requested, spawned, ready, firstOutput, finished;
    volatile Integer exitCode;

    public Instant requested() { return requested; }
    public Instant spawned() { return spawned; }
    public Instant ready() { return ready; }
    public Instant firstOutput() { return firstOutput; }
    public Instant finished() { return finished; }
    public Integer exitCode() { return exitCode; }

    @Override
    public String toString() {
        return "Lifetime[requested=" + requested + ", spawned=" + spawned + ", ready=" + ready
                + ", firstOutput=" + firstOutput + ", finished=" + finished + ", exitCode=" + exitCode + "]";
    }
}
