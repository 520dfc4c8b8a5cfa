package mproc.tutorial;

import mproc.*;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.AnnotationText;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.internal.chartpart.Chart;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;
import tech.tablesaw.api.Table;

/**
 * Charts of worker lifetimes ({@link Lifetimes} tables): a timeline with one bar per worker, and
 * stacked start-up/run durations. {@link #image} gives a {@code BufferedImage} for a notebook cell,
 * {@link #savePng} a file for a script.
 */
public final class Charts {
    /** JVM start-up (start() called until the child's main runs). */
    public static final Color STARTUP = new Color(0xB0, 0xBE, 0xC5);
    /** The task running in the child. */
    public static final Color RUN = new Color(0x1E, 0x88, 0xE5);
    public static final Color DAEMON = new Color(0x8E, 0x24, 0xAA);

    static {
        // encode in memory: ImageIO's default file cache registers a shutdown hook, which fails when a chart
        // is written at exit (Worker.atExit); charts are small anyway
        javax.imageio.ImageIO.setUseCache(false);
    }

    private Charts() {}

    /**
     * One horizontal bar per worker over time: grey while its JVM starts, blue (purple for a daemon)
     * while its task runs, a dot where its first output arrived. The first row is at the top.
     */
    public static XYChart timeline(Table t, String title) {
        return timeline(t, title, 820);
    }

    /** {@link #timeline(Table, String)} with a chosen width in pixels (two side by side: 560 each). */
    public static XYChart timeline(Table t, String title, int width) {
        if (width < 200 || width > 4000) throw new IllegalArgumentException("chart width must be 200..4000 px, got " + width);
        XYChart chart = new XYChartBuilder().width(width).height(Math.max(240, 120 + 44 * t.rowCount()))
                .title(title).xAxisTitle("milliseconds since the first start()").yAxisTitle("").build();
        style(chart);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS);
        chart.getStyler().setLegendLayout(Styler.LegendLayout.Horizontal);
        int n = t.rowCount();
        List<String> names = new ArrayList<>();
        float thickness = Math.max(6f, Math.min(22f, 140f / Math.max(1, n)));
        boolean firstStart = true, firstRun = true, firstDaemon = true, firstOut = true;
        for (int i = 0; i < n; i++) {
            double y = n - 1 - i;
            names.add(t.stringColumn("name").get(i));
            double req = t.doubleColumn("requested_ms").getDouble(i);
            double ready = t.doubleColumn("ready_ms").getDouble(i);
            double fin = t.doubleColumn("finished_ms").getDouble(i);
            double out = t.doubleColumn("first_output_ms").getDouble(i);
            boolean daemon = t.booleanColumn("daemon").get(i);
            if (!Double.isNaN(req) && !Double.isNaN(ready)) {
                XYSeries s = bar(chart, "JVM start-up#" + i, req, ready, y, STARTUP, thickness);
                if (firstStart) s.setLabel("JVM start-up"); else s.setShowInLegend(false);
                firstStart = false;
            }
            if (!Double.isNaN(ready) && !Double.isNaN(fin)) {
                XYSeries s = bar(chart, "run#" + i, ready, fin, y, daemon ? DAEMON : RUN, thickness);
                boolean first = daemon ? firstDaemon : firstRun;
                if (first) s.setLabel(daemon ? "daemon task" : "task"); else s.setShowInLegend(false);
                if (daemon) firstDaemon = false; else firstRun = false;
            }
            if (!Double.isNaN(out)) {
                XYSeries s = chart.addSeries("first output#" + i, new double[] {out}, new double[] {y});
                s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
                s.setMarker(SeriesMarkers.DIAMOND);
                s.setMarkerColor(Color.BLACK);
                if (firstOut) s.setLabel("first output"); else s.setShowInLegend(false);
                firstOut = false;
            }
        }
        // invisible anchors keep every bar inside the plot, whatever XChart's automatic range is
        XYSeries pad = chart.addSeries(" ", new double[] {0, 0}, new double[] {-0.6, n - 0.3});
        pad.setLineColor(new Color(0, 0, 0, 0));
        pad.setMarker(SeriesMarkers.NONE);
        pad.setShowInLegend(false);
        // names as text above each bar (XChart's numeric y axis cannot carry category labels reliably)
        chart.getStyler().setYAxisTicksVisible(false);
        chart.getStyler().setAnnotationTextFontColor(new Color(0x21, 0x21, 0x21));
        for (int i = 0; i < n; i++) {
            double req = t.doubleColumn("requested_ms").getDouble(i);
            double fin = t.doubleColumn("finished_ms").getDouble(i);
            if (Double.isNaN(req)) continue;
            double mid = Double.isNaN(fin) ? req : (req + fin) / 2;
            chart.addAnnotation(new AnnotationText(names.get(i), mid, n - 1 - i + 0.38, false));
        }
        return chart;
    }

    private static XYSeries bar(XYChart chart, String key, double from, double to, double y, Color c, float w) {
        XYSeries s = chart.addSeries(key, new double[] {from, to}, new double[] {y, y});
        s.setXYSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(c);
        s.setLineStyle(new BasicStroke(w, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER));
        return s;
    }

    /** Stacked bars per worker: JVM start-up and task run time, in milliseconds. */
    public static CategoryChart durations(Table t, String title) {
        CategoryChart chart = new CategoryChartBuilder().width(820).height(380).title(title)
                .xAxisTitle("worker").yAxisTitle("milliseconds").build();
        style(chart);
        chart.getStyler().setStacked(true);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setSeriesColors(new Color[] {STARTUP, RUN});
        List<String> names = t.stringColumn("name").asList();
        chart.addSeries("JVM start-up", names, zeroIfMissing(t, "startup_ms"));
        chart.addSeries("task", names, zeroIfMissing(t, "run_ms"));
        return chart;
    }

    private static List<Double> zeroIfMissing(Table t, String col) {
        List<Double> out = new ArrayList<>();
        for (double v : t.doubleColumn(col).asDoubleArray()) out.add(Double.isNaN(v) ? 0.0 : v);
        return out;
    }

    /**
     * The one style of every chart of the chapters (white, light grid, dark labels of a legible size); {@link #image}
     * and {@link #savePng} apply it, so a chart built with any XChart builder looks like the others.
     */
    public static <C extends Chart<?, ?>> C style(C chart) {
        Styler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setPlotBorderVisible(false);
        s.setLegendBorderColor(Color.WHITE);
        s.setAntiAlias(true);
        if (s instanceof org.knowm.xchart.style.AxesChartStyler a) {
            a.setPlotGridLinesColor(new Color(0xE0, 0xE0, 0xE0));
            a.setAxisTickLabelsColor(new Color(0x33, 0x33, 0x33));
            a.setAxisTickLabelsFont(a.getAxisTickLabelsFont().deriveFont(12f));
            a.setAxisTitleFont(a.getAxisTitleFont().deriveFont(13f));
        }
        s.setChartTitleFont(s.getChartTitleFont().deriveFont(15f));
        s.setLegendFont(s.getLegendFont().deriveFont(12f));
        return chart;
    }

    /** Pixels per point of the charts shown in a notebook: twice, so that they stay sharp on high-density screens. */
    public static final int NOTEBOOK_SCALE = 2;

    /**
     * The chart for a notebook cell to show (its last expression): in a notebook kernel, a PNG of twice the
     * chart's pixels shown at the chart's size; elsewhere the image at the chart's size ({@link #bitmap}).
     */
    public static Object image(Chart<?, ?> chart) {
        if (!Kernel.present()) return bitmap(chart, 1);
        return image(bitmap(chart, NOTEBOOK_SCALE), NOTEBOOK_SCALE);
    }

    /** An image made of {@code scale}-times bitmaps ({@link #sideBySide}), shown in a notebook at 1/scale of its pixels. */
    public static Object image(BufferedImage image, int scale) {
        if (scale < 1) throw new IllegalArgumentException("scale must be at least 1, not " + scale);
        if (!Kernel.present()) return image;
        try {
            java.io.ByteArrayOutputStream png = new java.io.ByteArrayOutputStream();
            javax.imageio.ImageIO.write(image, "png", png);
            return Kernel.get().pngData(png.toByteArray(), image.getWidth() / scale, image.getHeight() / scale,
                    "chart, " + image.getWidth() / scale + "x" + image.getHeight() / scale);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Two or more charts left to right, shown as one image (sharp, as {@link #image(Chart)}). */
    public static Object sideBySide(Chart<?, ?>... charts) {
        int scale = Kernel.present() ? NOTEBOOK_SCALE : 1;
        BufferedImage[] images = new BufferedImage[charts.length];
        for (int i = 0; i < charts.length; i++) images[i] = bitmap(charts[i], scale);
        return image(sideBySide(images), scale);
    }

    /** The chart as an image of {@code scale} times its size in pixels, in the charts' one style. */
    public static BufferedImage bitmap(Chart<?, ?> chart, int scale) {
        if (scale < 1) throw new IllegalArgumentException("scale must be at least 1, not " + scale);
        style(chart);
        if (scale == 1) return BitmapEncoder.getBufferedImage(chart);
        BufferedImage out = new BufferedImage(chart.getWidth() * scale, chart.getHeight() * scale, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.scale(scale, scale);
        chart.paint(g, chart.getWidth(), chart.getHeight());
        g.dispose();
        return out;
    }

    /** Writes the chart as a PNG file (creating its folder) and returns the path. */
    public static Path savePng(Chart<?, ?> chart, Path file) {
        try {
            if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
            BitmapEncoder.saveBitmap(style(chart), file.toString(), BitmapEncoder.BitmapFormat.PNG);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write chart " + file + ": " + e.getMessage(), e);
        }
    }

    /** Images placed left to right on one white canvas (two timelines side by side). */
    public static BufferedImage sideBySide(BufferedImage... images) {
        int w = 0, h = 0;
        for (BufferedImage i : images) {
            w += i.getWidth();
            h = Math.max(h, i.getHeight());
        }
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = out.createGraphics();
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, w, h);
        int x = 0;
        for (BufferedImage i : images) {
            g.drawImage(i, x, 0, null);
            x += i.getWidth();
        }
        g.dispose();
        return out;
    }

    /** Writes an image as a PNG file. */
    public static Path savePng(BufferedImage image, Path file) {
        try {
            if (file.toAbsolutePath().getParent() != null) Files.createDirectories(file.toAbsolutePath().getParent());
            javax.imageio.ImageIO.write(image, "png", file.toFile());
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write image " + file + ": " + e.getMessage(), e);
        }
    }
}
