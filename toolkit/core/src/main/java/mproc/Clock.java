package mproc;

import java.time.Instant;

/** The wall clock shared by every JVM on the machine, in nanoseconds since the epoch (microsecond precision on Linux). */
public final class Clock {
    private Clock() {}

    public static long epochNanos() {
        return epochNanos(Instant.now());
    }

    public static long epochNanos(Instant t) {
        return t.getEpochSecond() * 1_000_000_000L + t.getNano();
    }
}
