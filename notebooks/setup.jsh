// Shared set-up for every chapter notebook: `%load setup.jsh` in the first cell.
// The class path is the toolkit (pbpj:mproc, its helpers and the chapters' harnesses) and their dependencies
// exactly as the poms resolve them; `make setup` puts them in toolkit/target/notebook-lib.
%jars ../toolkit/target/notebook-lib/*.jar

import java.nio.file.*;
import java.time.*;
import java.util.*;
import mproc.*;
import mproc.tutorial.*;
import mproc.chapters.*;
import mproc.cluster.*;
import mproc.Queue;
import mproc.Lock;
import tech.tablesaw.api.*;

/** Shows a Tablesaw table as an HTML table in the cell's output. */
void show(Table t) {
    var d = new io.github.spencerpark.jupyter.kernel.display.DisplayData(t.print());
    d.putHTML(Tables.html(t));
    io.github.spencerpark.ijava.IJava.getKernelInstance().display(d);
}

/** A check that the notebook's results are what the prose says: fails the cell (and the test run) if not. */
void check(boolean ok, String what) {
    if (!ok) throw new AssertionError("check failed: " + what);
    System.out.println("ok: " + what);
}
