// Shared set-up for every chapter notebook: `%load setup.jsh` in the first code cell.
// The class path is the toolkit (pbpj:mproc, its helpers and reports) and their dependencies
// exactly as the poms resolve them; `make setup` puts them in toolkit/target/notebook-lib.
if (!java.nio.file.Files.isDirectory(java.nio.file.Path.of("../toolkit/target/notebook-lib"))) throw new IllegalStateException(
        "The toolkit is not built yet: run `make setup` in the project's folder (the one with the Makefile), then run this cell again.");
%jars ../toolkit/target/notebook-lib/*.jar

import java.nio.file.*;
import java.time.*;
import java.util.*;
import mproc.*;
import mproc.tutorial.*;
import mproc.report.*;
import mproc.cluster.*;
import mproc.Queue;
import mproc.Lock;
import mproc.Semaphore;   // JShell imports java.util.concurrent.* by default
import mproc.Clock;       // not java.time.Clock
import tech.tablesaw.api.*;

/** Shows a Tablesaw table as an HTML table in the cell's output. */
void show(Table t) {
    Kernel.get().display(t.print(), Tables.html(t));
}

/** A check that a result is what the page says: silent when it holds, stops the cell when not. */
void check(boolean ok, String what) {
    Checks.check(ok, what);
}

/** Prints how many checks passed: "12 checks passed". */
void checks() {
    System.out.println(Checks.summary());
}

/** Prints an exercise's verdict: "Exercise 1: solved", or "Exercise 1: not yet." and a hint. */
void exercise(int n, boolean solved, String hint) {
    System.out.println(Checks.exercise(n, solved, hint));
}

// %%jbang: the rest of the cell runs as a JBang script, in a JVM of its own
JBangCell.register();
