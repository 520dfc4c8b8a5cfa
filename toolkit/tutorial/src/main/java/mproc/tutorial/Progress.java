package mproc.tutorial;

import mproc.*;

import java.util.function.IntConsumer;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;

/**
 * Progress of a long map, shown where the reader looks: give it to {@link Pool#map(Class, java.util.List, int,
 * IntConsumer)} as the progress consumer, close it when the map returns.
 *
 * <ul>
 *   <li>In a script: a progress bar on stderr (the progressbar library).</li>
 *   <li>In a notebook (the IJava kernel): one output that updates in place, an HTML progress bar with
 *       "done/total", instead of a line per report. It is a Jupyter display with an id, updated through
 *       IJava's {@code updateDisplay}; the last update (at {@link #close()}) stays in the saved notebook.</li>
 * </ul>
 *
 * The map reports from the calling thread (every {@link Pool#PROGRESS_MILLIS} ms), which is the thread a
 * notebook's output must come from.
 */
public final class Progress implements IntConsumer, AutoCloseable {
    private final String task;
    private final int total;
    private final long t0 = System.nanoTime();
    private final ProgressBar bar; // scripts
    private final Kernel kernel; // notebooks
    private String displayId;
    private int done;
    private boolean closed;

    private Progress(String task, int total) {
        this.task = task;
        this.total = total;
        kernel = Output.mode() == Output.Mode.CALLER ? Kernel.get() : null;
        bar = kernel != null ? null : new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(200).build();
        show();
    }

    /** A progress display for {@code total} steps named {@code task}. */
    public static Progress of(String task, int total) {
        if (total < 0) throw new IllegalArgumentException("total must not be negative, got " + total);
        return new Progress(task, total);
    }

    /** {@code done} steps of the total are done. */
    @Override
    public void accept(int done) {
        this.done = Math.max(0, Math.min(total, done));
        show();
    }

    public int done() {
        return done;
    }

    /** The line a notebook shows (also its text/plain form): {@code "task 120/200 (60%), 1.2 s"}. */
    public String text() {
        int pct = total == 0 ? 100 : (int) (100L * done / total);
        return String.format("%s %d/%d (%d%%), %.1f s", task, done, total, pct, (System.nanoTime() - t0) / 1e9);
    }

    String html() {
        return "<div><progress value=\"" + done + "\" max=\"" + Math.max(1, total) + "\" style=\"width:30em\"></progress> "
                + "<code>" + Tables.escape(text()) + "</code></div>";
    }

    private void show() {
        if (bar != null) bar.stepTo(done);
        else if (displayId == null) displayId = kernel.display(text(), html());
        else kernel.update(displayId, text(), html());
    }

    /** Shows the final state (and ends the script's progress bar). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (bar != null) bar.close();
        else show();
    }
}
