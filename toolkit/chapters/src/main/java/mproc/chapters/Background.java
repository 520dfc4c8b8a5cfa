package mproc.chapters;

import mproc.tutorial.*;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import mproc.tutorial.Charts;
import mproc.tutorial.Lifetimes;
import mproc.tutorial.Matrix;
import mproc.Task;
import mproc.Worker;
import mproc.cli.Reports;
import tech.tablesaw.api.Table;
import tech.tablesaw.io.csv.CsvReadOptions;

/**
 * Chapters 4 and 5, run_background_processes.py and run_background_processes_no_daemons.py: two workers,
 * started and never joined; what happens to each when the main program ends.
 */
public final class Background {
    private Background() {}

    /**
     * Python's {@code foo()}: prints its name, five numbered steps of work, then {@code Exiting <name>}.
     * background_process counts 0..4, NO_background_process 5..9, as in the original.
     */
    public static class Foo implements Task {
        @Override
        public void run(String... args) {
            long count = Long.parseLong(args[0]);
            String name = Worker.currentName();
            System.out.println("Starting " + name);
            int first = name.equals("background_process") ? 0 : 5;
            for (int i = first; i < first + 5; i++) {
                Matrix.work(count);
                System.out.println("---> " + i);
            }
            System.out.println("Exiting " + name);
        }
    }

    /**
     * The main program of the Python scripts, in this JVM: starts {@code background_process} (a daemon if
     * {@code backgroundIsDaemon}) and {@code NO_background_process}, joins neither, and returns. When this
     * JVM exits, the toolkit ends the daemon and waits for the other; then the lifetimes table (with a row
     * for the main program itself) is printed and written to {@code out} as background.csv/.png.
     */
    public static void program(long count, boolean backgroundIsDaemon, Path out) {
        Matrix.checkCount(count);
        Instant mainStart = Instant.now();
        Worker background = new Worker("background_process", Foo.class, count).setDaemon(backgroundIsDaemon);
        Worker foreground = new Worker("NO_background_process", Foo.class, count).setDaemon(false);
        background.start();
        foreground.start();
        Instant mainEnd = Instant.now();
        Worker.atExit(() -> report(List.of(background, foreground), mainStart, mainEnd, out));
        System.out.println("main program ends here (neither worker joined)");
    }

    private static void report(List<Worker> ws, Instant mainStart, Instant mainEnd, Path out) {
        Table t = Lifetimes.table("background processes", mainStart, ws);
        Lifetimes.addSpan(t, mainStart, "main program", ProcessHandle.current().pid(), mainStart, mainEnd);
        System.out.println(t.selectColumns("name", "daemon", "exit_code", "requested_ms", "finished_ms").print());
        if (out != null) {
            Path csv = Reports.csv(t, out, "background.csv");
            Path png = Charts.savePng(Charts.timeline(t, "background processes: main ends, then"), out.resolve("background.png"));
            System.out.println("table: " + csv + "\nchart: " + png);
        }
    }

    /** {@link #program} as the main program of a worker: args count, daemon flag, output folder. */
    public static class Program implements Task {
        @Override
        public void run(String... args) {
            program(Long.parseLong(args[0]), Boolean.parseBoolean(args[1]), Path.of(args[2]));
        }
    }

    /**
     * Runs {@link #program} as a separate JVM and waits for it, relaying everything it prints. A notebook
     * kernel's main program never ends, so this is how a notebook sees what a real exit does. Returns
     * the lifetimes table the program wrote when it exited.
     */
    public static Table runProgram(long count, boolean backgroundIsDaemon, Path out) throws InterruptedException {
        Worker main = new Worker("main program", Program.class, count, backgroundIsDaemon, out.toAbsolutePath().toString());
        main.start();
        main.join();
        if (main.exitCode() != 0) throw new IllegalStateException("the main program failed with exit code " + main.exitCode());
        Path csv = out.resolve("background.csv");
        try {
            if (!Files.isRegularFile(csv)) throw new IOException("no " + csv);
            // the lifetimes schema, not Tablesaw's guess (a column of whole numbers would come back as ints)
            tech.tablesaw.api.ColumnType[] types = Lifetimes.table("", Instant.now(), List.of()).types().toArray(new tech.tablesaw.api.ColumnType[0]);
            return Table.read().usingOptions(CsvReadOptions.builder(csv.toFile()).tableName("background processes").columnTypes(types));
        } catch (IOException e) {
            throw new UncheckedIOException("the main program wrote no table: " + e.getMessage(), e);
        }
    }
}
