package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A pool worker talks over its stdin and stdout ({@link StdioLink}): what its function prints still reaches
 * the parent as the worker's output, in order and before the result; something that writes to its stdout past
 * System.out costs that worker only, with the reason in the failure.
 */
@ExtendWith(WorkerJvms.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class PoolStdioTest {
    private static List<String> run(Class<? extends Task> task) throws Exception {
        Worker w = new Worker(task).start();
        assertTrue(w.join(Duration.ofSeconds(120)), "the pool's JVM ends: " + w.output());
        assertEquals(0, w.exitCode(), w.output().toString());
        return w.output();
    }

    @Test
    void whatAPoolFunctionPrintsArrivesWholeInOrderAndBeforeItsResult() throws Exception {
        List<String> out = run(StdioTasks.Prints.class);
        int last = -1;
        for (int x = 1; x <= 5; x++) {
            String expected = (x == 1 ? "" : "part " + (x - 1)) + "in " + x + " é✓";
            int at = out.indexOf(expected);
            assertTrue(at > last, "line " + expected + " in order: " + out);
            last = at;
        }
        int results = out.indexOf("results [1, 4, 9, 16, 25]");
        assertTrue(results > last, "the results after every line printed for them: " + out);
        // the last part line has no line end: it is passed on when the worker's stdout ends (the pool's close)
        assertTrue(out.indexOf("part 5") > results, out.toString());
        assertTrue(out.stream().noneMatch(l -> l.contains("mproc:")), "no link report shown: " + out);
    }

    @Test
    void writingPastSystemOutCostsThatWorkerWithTheReasonAndThePoolGoesOn() throws Exception {
        List<String> out = run(StdioTasks.Breaks.class);
        String failed = out.stream().filter(l -> l.startsWith("failed: ")).findFirst().orElse("none in " + out);
        assertTrue(failed.contains("died 2 times"), failed);
        assertTrue(failed.contains("broke off the frames"), failed);
        assertTrue(out.contains("garbage from a grandchild"), "what broke the frames is shown: " + out);
        assertTrue(out.contains("then [1, 4]"), "the pool still works: " + out);
    }
}
