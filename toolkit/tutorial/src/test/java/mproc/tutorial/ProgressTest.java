package mproc.tutorial;

import mproc.*;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ProgressTest {
    @AfterEach
    void noWorkerLeft() throws Exception {
        Leftovers.endAndCheck(h -> Leftovers.running(h.pid()));
    }

    @Test
    void countsDoneStepsClampedToTheTotal() {
        try (Progress p = Progress.of("matrix tasks", 200)) {
            p.accept(50);
            assertTrue(p.text().startsWith("matrix tasks 50/200 (25%), "), p.text());
            p.accept(500);
            assertEquals(200, p.done(), "never more than the total");
            assertTrue(p.html().contains("<progress value=\"200\" max=\"200\""), p.html());
            p.accept(-3);
            assertEquals(0, p.done());
        }
    }

    @Test
    void escapesTheTaskNameInHtmlAndRejectsANegativeTotal() {
        try (Progress p = Progress.of("<b>x</b>", 0)) {
            assertTrue(p.text().startsWith("<b>x</b> 0/0 (100%)"), p.text());
            assertTrue(p.html().contains("&lt;b&gt;x&lt;/b&gt;"), p.html());
        }
        assertEquals("total must not be negative, got -1",
                assertThrows(IllegalArgumentException.class, () -> Progress.of("x", -1)).getMessage());
    }

    @Test
    void aPoolMapDrivesItToTheTotal() throws Exception {
        try (Pool pool = new Pool(2); Progress p = Progress.of("squares", 1000)) {
            pool.map(Pool.Square.class, Pool.range(1000), 10, p);
            assertEquals(1000, p.done());
        }
    }
}
