package mproc.tutorial;

import mproc.*;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class MatrixTest {
    /** The textbook triple loop, to check the optimised kernel against. */
    private static long[] naiveProduct(int n, long seed) {
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(seed);
        int[][] a = new int[n][n], b = new int[n][n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { a[i][j] = 1 + rnd.nextInt(10); b[i][j] = 1 + rnd.nextInt(10); }
        long[] c = new long[n * n];
        for (int i = 0; i < n; i++) for (int j = 0; j < n; j++) { long s = 0; for (int k = 0; k < n; k++) s += (long) a[i][k] * b[k][j]; c[i * n + j] = s; }
        return c;
    }

    @Test
    void productMatchesTheTextbookLoop() {
        for (int n : new int[] {1, 3, 20, 37}) {
            int[] fast = Matrix.random(n, 7).product();
            long[] slow = naiveProduct(n, 7);
            for (int i = 0; i < slow.length; i++) assertEquals(slow[i], fast[i], "n=" + n + " cell " + i);
        }
    }

    @Test
    void entriesAreBetweenOneAndTen() {
        // a 1x1 product is a*b with a, b in 1..10
        for (long seed = 0; seed < 200; seed++) {
            int v = Matrix.random(1, seed).product()[0];
            assertTrue(v >= 1 && v <= 100, "1x1 product " + v);
        }
    }

    @Test
    void checksumIsDeterministicAndGrowsWithCount() {
        assertEquals(Matrix.work(50), Matrix.work(50));
        assertTrue(Matrix.work(100) > Matrix.work(50));
        assertNotEquals(Matrix.random(20, 1).multiply(10), Matrix.random(20, 2).multiply(10));
    }

    @Test
    void countZeroIsDefined() {
        assertEquals(0, Matrix.work(0));
    }

    @Test
    void badSizesAndCountsAreRejectedClearly() {
        var e = assertThrows(IllegalArgumentException.class, () -> Matrix.random(0, 1));
        assertEquals("matrix size must be between 1 and 400, got 0", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Matrix.random(401, 1));
        e = assertThrows(IllegalArgumentException.class, () -> Matrix.work(-1));
        assertEquals("count must be between 0 and 1000000000 multiplies, got -1", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Matrix.work(Matrix.MAX_COUNT + 1));
    }
}
