package mproc.tutorial;

import mproc.*;

import java.lang.reflect.Method;
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
    private final NotebookDisplay display; // notebooks
    private int done;
    private boolean closed;

    private Progress(String task, int total) {
        this.task = task;
        this.total = total;
        NotebookDisplay d = Output.mode() == Output.Mode.CALLER ? NotebookDisplay.create() : null;
        display = d;
        bar = d != null ? null : new ProgressBarBuilder().setTaskName(task).setInitialMax(total)
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
        else display.show(text(), html());
    }

    /** Shows the final state (and ends the script's progress bar). */
    @Override
    public void close() {
        if (closed) return;
        closed = true;
        if (bar != null) bar.close();
        else display.show(text(), html());
    }

    /**
     * One Jupyter display, updated in place: {@code kernel.display(data)} with a display id, then
     * {@code kernel.getIO().display.updateDisplay(id, data)}. IJava's API, by reflection: the kernel's jar is
     * on the kernel's class path, not a dependency of the toolkit.
     */
    private static final class NotebookDisplay {
        private final Object kernel, stream;
        private final java.lang.reflect.Constructor<?> data;
        private final Method putHtml, setId, display, update;
        private final String id = "mproc-progress-" + java.util.UUID.randomUUID();
        private boolean shown;

        private NotebookDisplay(ClassLoader l) throws ReflectiveOperationException {
            Class<?> dd = Class.forName("io.github.spencerpark.jupyter.kernel.display.DisplayData", true, l);
            kernel = Class.forName("io.github.spencerpark.ijava.IJava", true, l).getMethod("getKernelInstance").invoke(null);
            if (kernel == null) throw new IllegalStateException("no IJava kernel in this JVM");
            Object io = kernel.getClass().getMethod("getIO").invoke(kernel);
            stream = io.getClass().getField("display").get(io);
            data = dd.getConstructor(String.class);
            putHtml = dd.getMethod("putHTML", String.class);
            setId = dd.getMethod("setDisplayId", String.class);
            display = kernel.getClass().getMethod("display", dd);
            update = stream.getClass().getMethod("updateDisplay", String.class, dd);
        }

        static NotebookDisplay create() {
            try {
                return new NotebookDisplay(Progress.class.getClassLoader());
            } catch (ReflectiveOperationException | LinkageError e) {
                throw new IllegalStateException("notebook output without the IJava kernel's API: " + e, e);
            }
        }

        void show(String text, String html) {
            try {
                Object d = data.newInstance(text);
                putHtml.invoke(d, html);
                if (!shown) {
                    setId.invoke(d, id);
                    display.invoke(kernel, d);
                    shown = true;
                } else {
                    update.invoke(stream, id, d);
                }
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("cannot update the progress display: " + e, e);
            }
        }
    }
}
