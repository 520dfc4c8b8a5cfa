package mproc.report;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;

class SpeedupTest {
    static Table curve(double[] taskUs, double[] speedUp) {
        return Table.create("g", DoubleColumn.create("task_us", taskUs), DoubleColumn.create("speed_up", speedUp));
    }

    @Test
    void theFitIsTheClosestNonDecreasingCurve() {
        assertArrayEquals(new double[] {1, 2, 3}, Speedup.nonDecreasing(new double[] {1, 2, 3}), 1e-12);
        assertArrayEquals(new double[] {0.5, 1.0, 1.0, 1.3}, Speedup.nonDecreasing(new double[] {0.5, 1.1, 0.9, 1.3}), 1e-12);
        // a low last point pulls the points before it down, as far back as needed
        assertArrayEquals(new double[] {1.4, 1.4, 1.4}, Speedup.nonDecreasing(new double[] {1.6, 1.8, 0.8}), 1e-12);
    }

    @Test
    void breakEvenIsInterpolatedOnALogScale() {
        // halfway from 0.5 to 1.5 is 1: halfway between 10 and 1000 us on a log scale is 100 us
        assertEquals(100.0, Speedup.breakEvenMicros(curve(new double[] {1, 10, 1000, 3000}, new double[] {0.2, 0.5, 1.5, 1.8})), 1e-9);
        // a row at exactly 1 is where the pool stops losing
        assertEquals(30.0, Speedup.breakEvenMicros(curve(new double[] {10, 30, 90}, new double[] {0.5, 1.0, 1.5})), 1e-9);
    }

    @Test
    void oneNoisyPointDoesNotMoveTheBreakEven() {
        double[] us = {6, 10, 31, 79, 263, 777, 2904, 8153};
        // a bench run's curve with two dips below the trend among large tasks (one of them below 1)
        double noisy = Speedup.breakEvenMicros(curve(us, new double[] {0.32, 0.45, 1.1, 1.14, 1.47, 0.97, 1.67, 1.04}));
        double clean = Speedup.breakEvenMicros(curve(us, new double[] {0.32, 0.45, 1.1, 1.14, 1.47, 1.55, 1.67, 1.7}));
        assertEquals(clean, noisy, 1e-9);
        assertTrue(clean > 10 && clean < 31, "break-even " + clean);
        // behind at the largest size only: the fit still crosses once, between the small sizes
        assertTrue(Speedup.breakEvenMicros(curve(new double[] {10, 100, 1000}, new double[] {0.3, 1.4, 0.9})) < 100);
    }

    @Test
    void noCrossingInTheMeasuredSizesIsNaN() {
        assertTrue(Double.isNaN(Speedup.breakEvenMicros(curve(new double[] {10, 100}, new double[] {1.2, 1.6}))), "ahead everywhere");
        assertTrue(Double.isNaN(Speedup.breakEvenMicros(curve(new double[] {10, 100}, new double[] {0.3, 0.8}))), "behind everywhere");
        assertTrue(Double.isNaN(Speedup.breakEvenMicros(curve(new double[] {10, 100}, new double[] {1.3, 0.9}))), "fit at 1.1 everywhere");
        assertEquals("outside the measured task sizes", Speedup.breakEvenText(Double.NaN));
        assertEquals("about 31.0 us of work per task", Speedup.breakEvenText(31.0));
    }
}
