package mproc.tutorial;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * A notebook's checks that its results are what its prose says: silent while they pass, so the reader sees
 * one line at the end ({@code "12 checks passed"}); a failing check stops the cell (and the test run) with
 * what was expected and what came. Exercises use them too, to tell a right answer from a wrong one.
 */
public final class Checks {
    private static final AtomicInteger PASSED = new AtomicInteger();

    private Checks() {}

    /** Passes silently, or throws {@link AssertionError} naming {@code what}. */
    public static void check(boolean ok, String what) {
        if (!ok) throw new AssertionError("check failed: " + what);
        PASSED.incrementAndGet();
    }

    /** How many checks passed so far in this JVM (the notebook's kernel). */
    public static int passed() {
        return PASSED.get();
    }

    /**
     * An exercise's verdict, for the reader: {@code "Exercise 2: solved"}, or {@code "Exercise 2: not yet. "}
     * and the hint. It never stops the notebook: an exercise left as it is is not an error.
     */
    public static String exercise(int n, boolean solved, String hint) {
        return "Exercise " + n + ": " + (solved ? "solved" : "not yet. " + hint);
    }

    /** {@code "12 checks passed"}: the line a notebook prints after its checks. */
    public static String summary() {
        int n = PASSED.get();
        return n + (n == 1 ? " check passed" : " checks passed");
    }
}
