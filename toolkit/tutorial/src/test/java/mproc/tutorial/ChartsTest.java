package mproc.tutorial;

import mproc.*;

import static org.junit.jupiter.api.Assertions.*;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

class ChartsTest {
    static Table sample() {
        return Table.create("t", StringColumn.create("name", "a", "b", "c"),
                BooleanColumn.create("daemon", false, true, false),
                DoubleColumn.create("requested_ms", 0, 5, 10),
                DoubleColumn.create("ready_ms", 40, 50, Double.NaN),
                DoubleColumn.create("first_output_ms", 60, 70, Double.NaN),
                DoubleColumn.create("finished_ms", 300, 200, Double.NaN),
                DoubleColumn.create("startup_ms", 40, 45, Double.NaN),
                DoubleColumn.create("run_ms", 260, 150, Double.NaN));
    }

    @Test
    void timelineRendersToPngWithABarPerWorker(@TempDir Path dir) throws Exception {
        Path f = Charts.savePng(Charts.timeline(sample(), "timeline"), dir.resolve("sub/t.png"));
        BufferedImage img = ImageIO.read(f.toFile());
        assertEquals(820, img.getWidth());
        assertTrue(img.getHeight() >= 240);
        assertTrue(countColour(img, Charts.RUN.getRGB()) > 1000, "no task bar drawn");
        assertTrue(countColour(img, Charts.DAEMON.getRGB()) > 1000, "no daemon bar drawn");
        assertTrue(countColour(img, Charts.STARTUP.getRGB()) > 300, "no start-up bar drawn");
    }

    @Test
    void durationsAndSideBySide(@TempDir Path dir) throws Exception {
        // outside a notebook kernel image() is the plain bitmap
        BufferedImage d = (BufferedImage) Charts.image(Charts.durations(sample(), "durations"));
        assertTrue(countColour(d, Charts.RUN.getRGB()) > 1000);
        BufferedImage both = Charts.sideBySide(d, d);
        assertEquals(2 * d.getWidth(), both.getWidth());
        Path f = Charts.savePng(both, dir.resolve("both.png"));
        assertTrue(Files.size(f) > 1000);
    }

    private static int countColour(BufferedImage img, int rgb) {
        int n = 0;
        for (int y = 0; y < img.getHeight(); y++) for (int x = 0; x < img.getWidth(); x++) if ((img.getRGB(x, y) & 0xFFFFFF) == (rgb & 0xFFFFFF)) n++;
        return n;
    }

    @Test
    void aBitmapAtTwiceTheScaleHasTwiceThePixelsAndTheSameDrawing() {
        var chart = Charts.durations(sample(), "durations");
        BufferedImage one = Charts.bitmap(chart, 1), two = Charts.bitmap(chart, 2);
        assertEquals(2 * one.getWidth(), two.getWidth());
        assertEquals(2 * one.getHeight(), two.getHeight());
        // the same bars, in four times the pixels (within the anti-aliased edges)
        double ratio = (double) countColour(two, Charts.RUN.getRGB()) / countColour(one, Charts.RUN.getRGB());
        assertTrue(ratio > 3.5 && ratio < 4.5, "run-colour pixels grew by " + ratio);
        assertThrows(IllegalArgumentException.class, () -> Charts.bitmap(chart, 0));
    }
}
