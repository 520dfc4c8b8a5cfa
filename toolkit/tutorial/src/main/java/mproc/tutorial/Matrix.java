package mproc.tutorial;

import mproc.*;

import java.util.SplittableRandom;

/**
 * The chapter's unit of CPU work: two seeded random {@code size x size} integer matrices (entries 1..10),
 * multiplied {@code count} times.
 *
 * <p>The Python original builds unseeded matrices and returns one element of the last product, and crashes
 * for {@code count = 0}. Here the matrices are seeded (same seed, same result in every process), every
 * multiply feeds the returned checksum (so the JIT cannot skip any of them), and {@code count = 0} is
 * defined: no multiply is done and the checksum is 0.
 *
 * <p>The kernel keeps {@code b} transposed (so a column of {@code b} is contiguous) and computes four entries
 * of a row at once, in four independent sums held in registers; for the chapter's 20x20 the size is a
 * constant the JIT unrolls. On this machine that is ~1.4 us per 20x20 multiply, against ~4 us for the
 * textbook i-k-j loop (the JIT's vectorizer does not help at this size) and ~470 us in pure Python.
 */
public final class Matrix {
    /** The chapter's matrix size. */
    public static final int SIZE = 20;
    /** Largest accepted size: a 400x400 multiply already takes tens of milliseconds. */
    public static final int MAX_SIZE = 400;
    /** Largest accepted repeat count: about half an hour of work on one core. */
    public static final long MAX_COUNT = 1_000_000_000L;
    /** Seed used when none is given, so every worker multiplies the same matrices. */
    public static final long DEFAULT_SEED = 42L;

    private final int n;
    private final int[] a;
    private final int[] b;
    private final int[] bt; // b transposed
    private final int[] c;

    private Matrix(int n, long seed) {
        this.n = n;
        SplittableRandom rnd = new SplittableRandom(seed);
        a = new int[n * n];
        b = new int[n * n];
        c = new int[n * n];
        for (int i = 0; i < a.length; i++) {
            a[i] = 1 + rnd.nextInt(10);
            b[i] = 1 + rnd.nextInt(10);
        }
        bt = new int[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) bt[j * n + i] = b[i * n + j];
    }

    /** Two seeded random matrices of the given size, ready to be multiplied. */
    public static Matrix random(int size, long seed) {
        return new Matrix(checkSize(size), seed);
    }

    /**
     * Multiplies the chapter's two seeded 20x20 matrices {@code count} times and returns the checksum.
     * This is {@code do_something(count)} of the Python chapter.
     */
    public static long work(long count) {
        return random(SIZE, DEFAULT_SEED).multiply(count);
    }

    /** Multiplies {@code count} times; returns the sum over all multiplies of one rotating element of the product. */
    public long multiply(long count) {
        checkCount(count);
        long acc = 0;
        int cells = n * n;
        for (long k = 0; k < count; k++) {
            multiplyOnce();
            acc += c[(int) (k % cells)];
        }
        return acc;
    }

    /** The product of the two matrices, row-major (a fresh copy). */
    public int[] product() {
        multiplyOnce();
        return c.clone();
    }

    public int size() {
        return n;
    }

    private void multiplyOnce() {
        // The chapter's size gets the kernel with n a constant, which the JIT unrolls fully: ~1.4 us per
        // multiply on this machine, against ~2.3 us with n read from the field.
        if (n == SIZE) kernel(a, bt, c, SIZE);
        else kernel(a, bt, c, n);
    }

    /** {@code c = a x t}-transposed for {@code n x n} row-major matrices. */
    private static void kernel(final int[] a, final int[] t, final int[] c, final int n) {
        final int j4 = n & ~3;
        for (int i = 0; i < n; i++) {
            final int row = i * n;
            int j = 0;
            for (; j < j4; j += 4) {
                final int c0 = j * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
                int s0 = 0, s1 = 0, s2 = 0, s3 = 0;
                for (int k = 0; k < n; k++) {
                    final int x = a[row + k];
                    s0 += x * t[c0 + k];
                    s1 += x * t[c1 + k];
                    s2 += x * t[c2 + k];
                    s3 += x * t[c3 + k];
                }
                c[row + j] = s0;
                c[row + j + 1] = s1;
                c[row + j + 2] = s2;
                c[row + j + 3] = s3;
            }
            for (; j < n; j++) {
                final int col = j * n;
                int s0 = 0;
                for (int k = 0; k < n; k++) s0 += a[row + k] * t[col + k];
                c[row + j] = s0;
            }
        }
    }

    /** The entries (1..10) of a seeded random {@code n x n} matrix, row-major. */
    public static int[] entries(int n, long seed) {
        checkSize(n);
        SplittableRandom rnd = new SplittableRandom(seed);
        int[] m = new int[n * n];
        for (int i = 0; i < m.length; i++) m[i] = 1 + rnd.nextInt(10);
        return m;
    }

    /** Rows {@code from} (inclusive) to {@code to} of the product of two {@code n x n} matrices, row-major. */
    public static long[] multiplyRows(int[] a, int[] b, int n, int from, int to) {
        if (a.length != n * n || b.length != n * n) throw new IllegalArgumentException("matrices must be " + n + "x" + n);
        if (from < 0 || to > n || from > to) throw new IllegalArgumentException("rows " + from + ".." + to + " of " + n);
        long[] c = new long[(to - from) * n];
        for (int i = from; i < to; i++) {
            int row = (i - from) * n;
            for (int k = 0; k < n; k++) {
                long aik = a[i * n + k];
                int brow = k * n;
                for (int j = 0; j < n; j++) c[row + j] += aik * b[brow + j];
            }
        }
        return c;
    }

    /** Validates a matrix size; the message says what is allowed. */
    public static int checkSize(int size) {
        if (size < 1 || size > MAX_SIZE) {
            throw new IllegalArgumentException(
                    "matrix size must be between 1 and " + MAX_SIZE + ", got " + size);
        }
        return size;
    }

    /** Validates a repeat count; the message says what is allowed. */
    public static long checkCount(long count) {
        if (count < 0 || count > MAX_COUNT) {
            throw new IllegalArgumentException(
                    "count must be between 0 and " + MAX_COUNT + " multiplies, got " + count);
        }
        return count;
    }
}
