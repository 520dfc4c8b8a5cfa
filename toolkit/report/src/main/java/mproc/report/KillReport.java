package mproc.report;

import mproc.tutorial.*;
import java.time.Duration;
import java.util.List;
import mproc.tutorial.Matrix;
import mproc.Task;
import mproc.Worker;
import tech.tablesaw.api.BooleanColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/** The killing chapter's table of terminate() against kill(). */
public final class KillReport {
    private KillReport() {}

    /** What each of the killing chapter's workers went through: the signal, the exit code both ways, the steps done, the hook. */
    public static Table signalsTable(List<Worker> ws) {
        StringColumn name = StringColumn.create("name");
        StringColumn signal = StringColumn.create("signal");
        IntColumn code = IntColumn.create("exit_code");
        IntColumn python = IntColumn.create("python_exitcode");
        IntColumn steps = IntColumn.create("steps_done");
        BooleanColumn hook = BooleanColumn.create("shutdown_hook_ran");
        for (Worker w : ws) {
            name.append(w.getName());
            int c = w.exitCode();
            signal.append(c == 143 ? "SIGTERM" : c == 137 ? "SIGKILL" : "none");
            code.append(c);
            python.append(c > 128 ? 128 - c : c);
            steps.append((int) w.output().stream().filter(l -> l.startsWith("-->")).count());
            hook.append(w.output().stream().anyMatch(l -> l.startsWith("shutdown hook")));
        }
        return Table.create("terminate vs kill", name, signal, code, python, steps, hook);
    }
}
