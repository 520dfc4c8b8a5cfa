package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import jdk.jshell.JShell;
import jdk.jshell.Snippet;
import jdk.jshell.SnippetEvent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Classes typed into a notebook cell run in worker JVMs. A real JShell (jdk.jshell, the engine inside the
 * IJava kernel, executing in this JVM as the kernel does) defines them the way cells do: package REPL,
 * classes nested in wrapper classes, bytes only in JShell's class loader.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ReplTest {
    private JShell shell;

    @BeforeEach
    void open() throws Exception {
        shell = JShell.builder().executionEngine("local").build();
        shell.addToClasspath(Path.of(Worker.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        eval("import mproc.*;");
        eval("import java.util.*;");
    }

    @AfterEach
    void close() throws Exception {
        shell.close();
        Leftovers.endAndCheck(h -> Leftovers.running(h.pid()));
    }

    /** Evaluates one cell; fails on a compile error or an exception; the value of its last snippet. */
    private String eval(String cell) {
        String value = null;
        String rest = cell;
        while (!rest.isBlank()) {
            var info = shell.sourceCodeAnalysis().analyzeCompletion(rest);
            String source = info.source() == null ? rest : info.source();
            for (SnippetEvent e : shell.eval(source)) {
                if (e.exception() != null) {
                    var ex = e.exception();
                    fail("cell threw " + ex + (ex instanceof jdk.jshell.EvalException ee ? " (" + ee.getExceptionClassName() + ")" : "")
                            + "\n" + source);
                }
                if (e.status() == Snippet.Status.REJECTED) {
                    fail("cell rejected: " + shell.diagnostics(e.snippet()).map(d -> d.getMessage(null)).collect(Collectors.joining("; "))
                            + "\n" + source);
                }
                if (e.causeSnippet() == null) value = e.value();
            }
            rest = info.remaining();
        }
        return value;
    }

    @ParameterizedTest
    @EnumSource(StartMethod.class)
    void aWorkerSubclassDefinedInACellRunsInAWorkerJvm(StartMethod m) {
        eval("record Point(int x, int y) { int sum() { return x + y; } }");
        eval("""
                class MyProcess extends Worker {
                    int n = 1;
                    public void run() {
                        Point p = new Point(n, 2 * n);
                        System.out.println("called run method in " + getName() + ": " + p + " sum " + p.sum());
                    }
                }""");
        String out = eval("var w = new MyProcess(); w.n = 21; w.setStartMethod(StartMethod." + m + "); w.start(); w.join();"
                + " w.exitCode() + \" \" + w.getName() + \" \" + w.output()");
        assertTrue(out.matches("\"0 MyProcess-\\d+ \\[called run method in MyProcess-\\d+: Point\\[x=21, y=42\\] sum 63\\]\""), out);
    }

    @Test
    void aTaskAndALambdaDefinedInCellsAreWorkerTargets() {
        eval("class Hello implements Task { public void run(String... a) { System.out.println(\"hello \" + String.join(\",\", a)); } }");
        assertEquals("\"0 [hello 1,x]\"", eval("var h = new Worker(Hello.class, 1, \"x\"); h.start(); h.join(); h.exitCode() + \" \" + h.output()"));
        eval("static long twice(long v) { return 2 * v; }");
        // a captured value travels with the lambda
        eval("static Worker doubler(int k) { return new Worker(\"lambda\", () -> System.out.println(twice(k) + \" from lambda\")); }");
        assertEquals("\"0 [42 from lambda]\"", eval("var l = doubler(21); l.start(); l.join(); l.exitCode() + \" \" + l.output()"));
        // a notebook variable does not: the child gets the code, not the notebook's state (as with spawn)
        eval("int k = 21;");
        assertEquals("\"[0 in the child]\"", eval("var v = new Worker(() -> System.out.println(k + \" in the child\")); v.start(); v.join(); v.output() + \"\""));
        assertEquals("\"1\"", eval("var f = new Worker(() -> { throw new IllegalStateException(\"no\"); }); f.start(); f.join(); f.exitCode() + \"\""));
    }

    @Test
    void aPoolRunsCellDefinedFunctionsLambdasAndRedefinitions() {
        eval("class Square implements Fn<Integer, Integer> { public Integer apply(Integer x) { return x * x; } }");
        eval("var pool = new Pool(2);");
        assertEquals("[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]", eval("pool.map(Square.class, Pool.range(10))"));
        assertEquals("[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]", eval("pool.map(x -> x * x, Pool.range(10))"));
        eval("static long cube(long x) { return x * x * x; }");
        assertEquals("[0, 1, 8, 27]", eval("List<Long> cubes = pool.map((Fn<Integer, Long>) x -> cube(x), Pool.range(4)); cubes"));
        // a redefined class: the next map runs the new definition, in the same worker JVMs
        eval("class Step implements Fn<Integer, Integer> { public Integer apply(Integer x) { return x + 1; } }");
        assertEquals("[1, 2, 3]", eval("pool.map(Step.class, Pool.range(3))"));
        eval("class Step implements Fn<Integer, Integer> { public Integer apply(Integer x) { return x + 100; } }");
        assertEquals("[100, 101, 102]", eval("pool.map(Step.class, Pool.range(3))"));
        // a record of a cell as input and result
        eval("record Pair(int a, int b) {}");
        assertEquals("[Pair[a=1, b=0], Pair[a=3, b=2]]", eval("pool.map((Fn<Pair, Pair>) p -> new Pair(p.b(), p.a()), List.of(new Pair(0, 1), new Pair(2, 3)))"));
        eval("pool.close();");
    }

    @Test
    void aFnRefOfACellClassOrLambdaIsResolvedInAnotherJvm() throws Exception {
        shell.addToClasspath(Path.of(ApplyRef.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString());
        eval("class Triple implements Fn<Integer, Integer> { public Integer apply(Integer x) { return 3 * x; } }");
        assertEquals("\"0 [applied: 21]\"", eval("var t = new Worker(mproc.ApplyRef.class, FnRef.of(Triple.class), 7);"
                + " t.start(); t.join(); t.exitCode() + \" \" + t.output()"));
        assertEquals("\"0 [applied: 8]\"", eval("var u = new Worker(mproc.ApplyRef.class, FnRef.of((Fn<Integer, Integer>) x -> x + 1), 7);"
                + " u.start(); u.join(); u.exitCode() + \" \" + u.output()"));
        // the text names a directory of this machine: elsewhere the function cannot be made, and says why
        String ref = eval("FnRef.of(Triple.class)");
        String moved = "@/nonexistent/classes-1|" + ref.substring(ref.indexOf('|') + 1, ref.length() - 1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> FnRef.resolve(moved));
        assertTrue(e.getMessage().contains("another JVM"), e.getMessage());
    }
}
