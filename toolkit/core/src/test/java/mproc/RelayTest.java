package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/** What a worker prints that is not ordinary lines: garbled reports to the parent, lines without end. */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(WorkerJvms.class)
class RelayTest {
    static final int FLOOD = 50_000; // lines of ~60 bytes: 3 MB, ~50 times a pipe's buffer (and under 100,000 kept lines)
    static final int LONG = 10 << 20; // 10 Mi characters without a newline

    /** Prints garbled marker lines (stdout and stderr), then a flood of lines, then "done". */
    public static class GarbledThenFlood implements Task {
        @Override
        public void run(String... args) {
            System.out.println(Relay.MARKER + "ready not-a-number");
            System.out.println(Relay.MARKER + "started");
            System.out.println(Relay.MARKER);
            System.out.println(Relay.MARKER + "bogus 12");
            System.err.println(Relay.MARKER + "ready 99999999999999999999999999");
            String pad = "-".repeat(50);
            for (int i = 0; i < FLOOD; i++) {
                System.out.println("line-" + i + pad);
                if (i % 10 == 0) System.err.println("err-" + i + pad);
            }
            System.out.println("done");
        }
    }

    /** Prints 10 Mi 'x' with no newline, then a line "after". */
    public static class LongLine implements Task {
        @Override
        public void run(String... args) {
            char[] chunk = new char[1 << 20];
            java.util.Arrays.fill(chunk, 'x');
            for (int i = 0; i < LONG / chunk.length; i++) System.out.print(chunk);
            System.out.println();
            System.out.println("after");
        }
    }

    /** Prints 1 Mi 'y' with no newline and waits (to be killed). */
    public static class NeverEndsItsLine implements Task {
        @Override
        public void run(String... args) throws Exception {
            System.out.print("y".repeat(1 << 20));
            System.out.flush();
            Thread.sleep(120_000);
        }
    }

    private PrintStream realOut, realErr;
    private final AtomicLong printed = new AtomicLong();

    /** The relayed lines would be megabytes on the test's stdout: count them instead. */
    @BeforeEach
    void countStdout() {
        realOut = System.out;
        realErr = System.err;
        PrintStream counting = new PrintStream(new OutputStream() {
            @Override
            public void write(int b) {
                printed.incrementAndGet();
            }

            @Override
            public void write(byte[] b, int off, int len) {
                printed.addAndGet(len);
            }
        }, true);
        System.setOut(counting);
        System.setErr(counting);
    }

    @AfterEach
    void restoreStdout() {
        Output.flush();
        System.setOut(realOut);
        System.setErr(realErr);
    }

    @Test
    void garbledMarkerLinesAreShownAndTheRelayGoesOnSoTheWorkerNeverBlocks() throws Exception {
        Worker w = new Worker(GarbledThenFlood.class).start();
        assertTrue(w.join(Duration.ofSeconds(120)), "the worker blocked: its relay stopped reading");
        assertEquals(0, w.exitCode());
        List<String> out = w.output();
        assertTrue(out.contains("done"), "no line done among " + out.size());
        assertEquals(FLOOD, out.stream().filter(l -> l.startsWith("line-")).count());
        assertEquals(FLOOD / 10, out.stream().filter(l -> l.startsWith("err-")).count());
        for (String garbled : List.of("ready not-a-number", "started", "", "bogus 12", "ready 99999999999999999999999999")) {
            assertTrue(out.contains(Relay.MARKER + garbled), "garbled marker not shown: " + garbled);
        }
        assertTrue(printed.get() > FLOOD * 55L, "printed " + printed.get());
    }

    /** Prints {@link #FLOOD} lines to stdout, then "done". */
    public static class FloodOut implements Task {
        @Override
        public void run(String... args) {
            String pad = "-".repeat(50);
            for (int i = 0; i < FLOOD; i++) System.out.println("line-" + i + pad);
            System.out.println("done");
        }
    }

    @Test
    void linesNobodyPrintsAreBoundedDroppedAndCountedButKept() throws Exception {
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, java.nio.charset.StandardCharsets.UTF_8));
        long limit = Output.maxPendingChars;
        Output.maxPendingChars = 1 << 20;
        try {
            Worker w = new Worker(FloodOut.class).start();
            w.onExit().get(120, TimeUnit.SECONDS); // nobody prints meanwhile (no join, no flush)
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!w.output().contains("done") && System.nanoTime() < deadline) Thread.sleep(20);
            assertEquals(FLOOD + 1, w.output().size(), "output() keeps every line");
            long before = printed.get();
            Output.flush();
            long shown = printed.get() - before;
            assertTrue(shown > 900_000 && shown < (1 << 20) + 40_000, "printed " + shown + " bytes");
            String notice = err.toString(java.nio.charset.StandardCharsets.UTF_8);
            assertTrue(notice.matches("(?s)mproc: \\d+ line\\(s\\) of worker output dropped: more than 1048576 characters"
                    + " were waiting to be printed\\R"), notice);
            long droppedLines = Long.parseLong(notice.replaceAll("(?s)mproc: (\\d+) .*", "$1"));
            long shownLines = FLOOD + 1 - droppedLines;
            assertTrue(droppedLines > FLOOD / 2 && shownLines > 10_000, notice);
            w.join();
        } finally {
            Output.maxPendingChars = limit;
        }
    }

    @Test
    void aTenMegabyteLineIsPassedOnInPiecesOfAtMost64Ki() throws Exception {
        Worker w = new Worker(LongLine.class).start();
        assertTrue(w.join(Duration.ofSeconds(120)));
        assertEquals(0, w.exitCode());
        List<String> out = w.output();
        long xs = 0;
        int pieces = 0;
        for (String l : out) {
            if (!l.startsWith("x")) continue;
            assertTrue(l.length() <= Relay.MAX_LINE, "a piece of " + l.length());
            assertTrue(l.chars().allMatch(c -> c == 'x'));
            xs += l.length();
            pieces++;
        }
        assertEquals(LONG, xs);
        assertEquals(LONG / Relay.MAX_LINE, pieces);
        assertEquals("after", out.get(out.size() - 1));
        assertFalse(out.contains(""), "the cut at a line's end made an empty line");
    }

    @Test
    void outputThatNeverEndsItsLineIsRelayedWhileTheWorkerRuns() throws Exception {
        Worker w = new Worker(NeverEndsItsLine.class).start();
        assertTrue(w.awaitOutput("yyyy", Duration.ofSeconds(60)), "nothing relayed without a newline");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (w.output().stream().filter(l -> l.startsWith("y")).count() < 16 && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        assertTrue(w.isAlive());
        assertEquals(16, w.output().stream().filter(l -> l.startsWith("y")).count());
        assertTrue(w.output().stream().allMatch(l -> l.length() == Relay.MAX_LINE), "pieces of 64 Ki");
        w.kill();
        assertTrue(w.join(Duration.ofSeconds(30)));
    }

    @Test
    void linesEndAsReadLineEndsThemAndLongOnesAreCut() throws Exception {
        String exact = "a".repeat(Relay.MAX_LINE), over = "b".repeat(Relay.MAX_LINE + 5);
        String text = "one\r\ntwo\rthree\n\nfour\r" + exact + "\n" + over + "\r\n" + exact + "\r\nlast";
        Relay.Lines r = new Relay.Lines(new StringReader(text));
        List<String> got = new ArrayList<>();
        List<Boolean> cont = new ArrayList<>();
        for (String l; (l = r.next()) != null; ) {
            got.add(l);
            cont.add(r.continued);
        }
        assertEquals(List.of("one", "two", "three", "", "four", exact, over.substring(0, Relay.MAX_LINE), "bbbbb", exact, "last"), got);
        assertEquals(List.of(false, false, false, false, false, false, false, true, false, false), cont);
    }

    /**
     * Relay threads are reused: ten workers one after another (each relayed on two, stdout and stderr) start
     * fewer threads in this JVM than there are workers, and each worker's output comes whole, in order, to its own.
     */
    @Test
    void relayThreadsAreReusedAndEachWorkerGetsItsOwnOutput() throws Exception {
        new Worker(Tasks.Echo.class, "first").start().join(); // the pools this JVM keeps have their threads
        java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long before = mx.getTotalStartedThreadCount();
        for (int i = 0; i < 10; i++) {
            Worker w = new Worker(Tasks.Echo.class, "w" + i, "x" + i).start();
            assertTrue(w.join(Duration.ofSeconds(60)));
            assertEquals(List.of("name=" + w.getName(), "arg=w" + i, "arg=x" + i), w.output().stream().filter(l -> !l.equals("to stderr")).toList());
            assertTrue(w.output().contains("to stderr"), w.output().toString());
        }
        long started = mx.getTotalStartedThreadCount() - before;
        System.out.println("threads started for 10 workers: " + started);
        assertTrue(started < 10, "threads started for 10 workers: " + started + " (two relays each would be 20)");
    }
}
