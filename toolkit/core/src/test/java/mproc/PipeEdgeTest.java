package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.io.EOFException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Pipe ends at their edges: interrupts in every wait, values that cannot travel sent before the other end
 * connects, messages over the frame limit, and a peer that is slow to first use its end (or never does).
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(WorkerJvms.class)
class PipeEdgeTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    private static void endedWell(Worker w) throws InterruptedException {
        assertTrue(w.join(WAIT), w + " did not end");
        assertEquals(0, w.exitCode(), w.output().toString());
    }

    /**
     * Runs {@code call} in a thread, checks that it blocks without burning a core, interrupts it from this
     * thread and checks that it throws InterruptedException promptly. Returns the milliseconds from the
     * interrupt to the exception.
     */
    private static long interruptedPromptly(String what, Callable<?> call) throws Exception {
        AtomicReference<Object> outcome = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        Thread t = new Thread(() -> {
            try {
                outcome.set(call.call());
            } catch (Throwable e) {
                outcome.set(e);
            } finally {
                done.countDown();
            }
        }, "blocked in " + what);
        t.setDaemon(true);
        t.start();
        assertFalse(done.await(300, TimeUnit.MILLISECONDS), what + " did not wait: " + outcome.get());
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getThreadCpuTime(t.threadId()), wall0 = System.nanoTime();
        Thread.sleep(500);
        long cpu = mx.getThreadCpuTime(t.threadId()) - cpu0, wall = System.nanoTime() - wall0;
        assertTrue(cpu < wall / 4, what + " used " + cpu / 1_000_000 + " ms of CPU in " + wall / 1_000_000
                + " ms while blocked: it spins");
        long t0 = System.nanoTime();
        t.interrupt();
        boolean ended = done.await(10, TimeUnit.SECONDS);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(ended, what + " ignored the interrupt for 10 s (" + (mx.getThreadCpuTime(t.threadId()) - cpu0) / 1_000_000
                + " ms of CPU since it blocked)");
        assertInstanceOf(InterruptedException.class, outcome.get(), what + " ended with " + outcome.get());
        assertFalse(t.isInterrupted(), "the flag is cleared, as InterruptedException promises");
        assertTrue(ms < 2000, what + " took " + ms + " ms to notice the interrupt");
        System.out.println("interrupt of " + what + ": InterruptedException after " + ms + " ms");
        return ms;
    }

    @Test
    void everyWaitOfAPipeEndEndsAtAnInterruptAndTheEndStaysUsable() throws Exception {
        Pipe p = Pipe.create();
        Event go = Event.create();
        Worker w = new Worker(ConnTasks.SendOnEvent.class, p.end2(), go).start();
        assertTrue(w.awaitOutput("waiting", WAIT));
        Connection c = p.end1();
        List<Long> latencies = new ArrayList<>();
        // the worker holds its end but has not used it: these wait for it to connect
        latencies.add(interruptedPromptly("recv() before the other end connected", c::recv));
        latencies.add(interruptedPromptly("recv(timeout) before the other end connected", () -> c.recv(WAIT)));
        latencies.add(interruptedPromptly("poll(timeout) before the other end connected", () -> c.poll(WAIT)));
        latencies.add(interruptedPromptly("recvBytes() before the other end connected", c::recvBytes));
        go.set();
        assertEquals("hi", c.recv(WAIT), "the end still works after four interrupts");
        assertArrayEquals(new byte[] {1, 2, 3}, c.recvBytes(WAIT));
        // connected; the worker now waits for "bye": these wait for a message
        latencies.add(interruptedPromptly("recv()", c::recv));
        latencies.add(interruptedPromptly("recv(timeout)", () -> c.recv(WAIT)));
        latencies.add(interruptedPromptly("recvBytes()", c::recvBytes));
        latencies.add(interruptedPromptly("recvBytes(timeout)", () -> c.recvBytes(WAIT)));
        latencies.add(interruptedPromptly("poll(timeout)", () -> c.poll(WAIT)));
        latencies.add(interruptedPromptly("Connection.wait", () -> Connection.wait(List.of(c, w), null)));
        assertFalse(c.poll(Duration.ZERO), "nothing was taken or invented by the interrupted waits");
        c.send("bye");
        endedWell(w);
        assertEquals(List.of("waiting", "got bye"), w.output());
        assertThrows(EOFException.class, c::recv, "and the end sees the worker's close");
        System.out.println("interrupt latencies (ms): " + latencies);
    }

    @Test
    void aWaitOnAnEndThatAWorkerReadsFromIsInterruptedToo() throws Exception {
        // the worker's end is the one that listens here: the parent's end connects, then waits for an answer
        Pipe p = Pipe.create();
        Worker w = new Worker(PipeEdgeTasks.Echo.class, p.end2()).start();
        Connection c = p.end1();
        c.send("one");
        assertEquals("one", c.recv(WAIT));
        interruptedPromptly("recv() while the worker has nothing to say", c::recv);
        c.send("two");
        assertEquals("two", c.recv(WAIT), "in step after the interrupt");
        c.send("stop");
        assertEquals("stopped", c.recv(WAIT));
        endedWell(w);
    }

    /** A record whose accessor answers once and then throws (so a second encoding would fail). */
    record OnceOnly(String name) {
        static final AtomicInteger READS = new AtomicInteger();

        @Override
        public String name() {
            if (READS.incrementAndGet() > 1) throw new IllegalStateException("read twice");
            return name;
        }
    }

    @Test
    void whatIsSentBeforeTheOtherEndConnectsIsEncodedAtTheCall() throws Exception {
        Pipe p = Pipe.create();
        Connection a = p.end1(), b = p.end2();
        // refused at the call, naming the type and its place; nothing is queued
        var e = assertThrows(IllegalArgumentException.class, () -> a.send(Map.of("k", new Object())));
        assertTrue(e.getMessage().contains("java.lang.Object") && e.getMessage().contains("key \"k\""), e.getMessage());
        // a value changed after the send arrives as it was at the send (a copy, as Python's pickling makes)
        List<Object> changing = new ArrayList<>(List.of(1L, "x"));
        a.send(changing);
        changing.add(new Object());
        changing.set(0, 99L);
        // encoded once, at the call: a value that could be read once but not twice still travels
        OnceOnly.READS.set(0);
        a.send(new OnceOnly("kept"));
        a.send("after");
        assertEquals(List.of(1L, "x"), b.recv(WAIT));
        Object r = b.recv(WAIT);
        assertEquals(OnceOnly.class, r.getClass());
        assertEquals(1, OnceOnly.READS.get(), "the accessor was read once, at the send");
        assertEquals("after", b.recv(WAIT), "the accept thread lived through it all");
        b.send("back");
        assertEquals("back", a.recv(WAIT));
        a.close();
        b.close();
    }

    @Test
    void aWorkerReceivesWhatWasSentBeforeItConnectedAndNotWhatWasRefused() throws Exception {
        Pipe p = Pipe.create();
        Connection a = p.end1();
        a.send("first"); // a listens: the worker is not there yet
        assertThrows(IllegalArgumentException.class, () -> a.send(List.of(Thread.currentThread())));
        a.send("stop");
        Worker w = new Worker(PipeEdgeTasks.Echo.class, p.end2()).start();
        assertEquals("first", a.recv(WAIT));
        assertEquals("stopped", a.recv(WAIT));
        endedWell(w);
    }

    @Test
    void aMessageOverTheFrameLimitIsRefusedAtSendAndTheEndStaysUsable() throws Exception {
        long[] big = new long[(FrameChannel.MAX_FRAME / 8) + 1]; // within the codec's count, over the frame's bytes
        Pipe p = Pipe.create();
        Connection a = p.end1(), b = p.end2();
        var early = assertThrows(IllegalArgumentException.class, () -> a.send(big), "before the other end connected");
        assertTrue(early.getMessage().contains("over the limit of " + FrameChannel.MAX_FRAME), early.getMessage());
        a.send("small");
        assertEquals("small", b.recv(WAIT));
        var connected = assertThrows(IllegalArgumentException.class, () -> a.send(big), "connected");
        assertTrue(connected.getMessage().contains("over the limit of " + FrameChannel.MAX_FRAME), connected.getMessage());
        a.send("still");
        assertEquals("still", b.recv(WAIT));
        assertFalse(b.poll(Duration.ofMillis(200)), "nothing of the refused messages arrived");
        a.close();
        b.close();
    }

    @Test
    void anEndWaitsForAPeerThatIsSlowToUseItsEnd() throws Exception {
        Pipe p = Pipe.create();
        // the old limit, shortened to 1 s: the worker's recv() would have failed after it
        Worker w = new Worker(PipeEdgeTasks.RecvOne.class, p.end2()).setJvmOptions(List.of("-Dmproc.connectTimeout=1")).start();
        assertTrue(w.awaitOutput("waiting", WAIT));
        Thread.sleep(3000); // alive but slow: three times that limit
        assertTrue(w.isAlive(), "still waiting: " + w.output());
        p.end1().send("late");
        endedWell(w);
        assertEquals(List.of("waiting", "got late"), w.output());
    }

    @Test
    void anEndWaitingForAPeerFailsOnceThePeerIsGone() throws Exception {
        // closed unused in this JVM: the worker waiting at the other end hears it
        Pipe p = Pipe.create();
        Worker w = new Worker(PipeEdgeTasks.RecvOne.class, p.end2()).setJvmOptions(List.of("-Dmproc.connectTimeout=1")).start();
        assertTrue(w.awaitOutput("waiting", WAIT));
        Thread.sleep(1500);
        p.end1().close();
        endedWell(w);
        assertEquals(List.of("waiting", "eof the other end of the pipe never connected: that end was closed"), w.output());

        // the worker holding the other end is SIGKILLed before it uses it: this end's wait ends with EOF
        Pipe q = Pipe.create();
        Worker v = new Worker(LifeTasks.Sleep.class, 60_000, q.end2()).start();
        AtomicReference<Object> outcome = new AtomicReference<>();
        Thread t = new Thread(() -> {
            try {
                outcome.set(q.end1().recv());
            } catch (Throwable e) {
                outcome.set(e);
            }
        });
        t.start();
        Thread.sleep(500);
        v.kill();
        t.join(WAIT.toMillis());
        assertFalse(t.isAlive(), "recv() still waits for a dead peer");
        assertInstanceOf(EOFException.class, outcome.get());
        assertTrue(((Exception) outcome.get()).getMessage().contains("ended (exit code 137)"), outcome.get().toString());
    }

    @Test
    void aTimedReceiveOnAnUnconnectedEndTimesOutAndLaterWorks() throws Exception {
        Pipe p = Pipe.create();
        assertThrows(TimeoutException.class, () -> p.end1().recv(Duration.ofMillis(200)));
        assertFalse(p.end1().poll(Duration.ofMillis(100)));
        p.end2().send(7L);
        assertTrue(p.end1().poll(WAIT));
        assertEquals(7L, p.end1().recv(WAIT));
        p.end1().close();
        assertThrows(IllegalStateException.class, () -> p.end1().send(1));
        assertThrows(EOFException.class, () -> p.end2().recv(WAIT));
        assertThrows(UncheckedIOException.class, () -> {
            for (int i = 0; i < 10_000; i++) p.end2().send(new byte[1 << 16]); // the reader is gone
        });
    }

    @Test
    void aListenerWaitingForAClientIsInterruptedAndGoesOnServing() throws Exception {
        byte[] key = "k".getBytes();
        try (Listener l = Listener.create(key)) {
            AtomicReference<Object> outcome = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    outcome.set(l.accept());
                } catch (Throwable e) {
                    outcome.set(e);
                }
            });
            t.start();
            Thread.sleep(300);
            long t0 = System.nanoTime();
            t.interrupt();
            t.join(10_000);
            assertFalse(t.isAlive(), "accept() ignored the interrupt");
            assertInstanceOf(java.io.InterruptedIOException.class, outcome.get());
            System.out.println("interrupt of Listener.accept: after " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            // still listening: a client in another JVM is served
            Worker w = new Worker(ConnTasks.Echo.class, l.address().getPort(), "k").start();
            try (Connection c = l.accept()) {
                c.send("x");
                assertEquals(List.of("x", w.pid()), c.recv(WAIT));
                c.sendBytes(new byte[] {1, 2});
                assertArrayEquals(new byte[] {2, 1}, c.recvBytes(WAIT));
            }
            endedWell(w);
        }
    }

    @Test
    void aSocketPathOverTheSystemLimitFailsAtOnceNamingIt() throws Exception {
        String longPath = Ipc.dir().resolve("p".repeat(140)).toString();
        Connection c = Connection.attach("mproc-pipe|" + longPath + "|A");
        long t0 = System.nanoTime();
        var e = assertThrows(UncheckedIOException.class, () -> c.send("x"));
        assertTrue(e.getMessage().contains("over the 107"), e.getMessage());
        var r = assertThrows(UncheckedIOException.class, () -> c.recv(WAIT));
        assertTrue(r.getMessage().contains("over the 107"), r.getMessage());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "it retried");
        c.close();
    }

    @Test
    void closeWhileWhatWasSentEarlyIsStillBeingWrittenDeliversItAllThenEnds() throws Exception {
        Pipe p = Pipe.create();
        Connection a = p.end1();
        a.send(new byte[20_000_000]); // a listens; far more than a socket buffer holds
        a.send("end");
        Worker w = new Worker(PipeEdgeTasks.SlowReader.class, p.end2()).start();
        assertTrue(w.awaitOutput("connected", WAIT)); // connected; not reading for 2 s
        a.close(); // does not wait: the accept thread writes it all, then closes
        endedWell(w);
        assertEquals(List.of("connected", "got 20000000 bytes", "got end", "eof"), w.output());
    }

    @Test
    void threadsShareAnEndWithoutBlockingOneAnother() throws Exception {
        Pipe p = Pipe.create();
        Worker w = new Worker(PipeEdgeTasks.Echo.class, p.end2()).start();
        Connection c = p.end1();
        java.util.concurrent.ConcurrentLinkedQueue<Object> got = new java.util.concurrent.ConcurrentLinkedQueue<>();
        List<Thread> receivers = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            Thread t = new Thread(() -> {
                try {
                    got.add(c.recv(WAIT));
                } catch (Exception e) {
                    got.add(e);
                }
            });
            t.start();
            receivers.add(t);
        }
        Thread.sleep(300); // both wait: one for the connection, one for the other's turn
        c.send("x"); // from a third thread, while they wait
        c.send("y");
        for (Thread t : receivers) t.join(WAIT.toMillis());
        assertEquals(java.util.Set.of("x", "y"), java.util.Set.copyOf(got), "each message went to one receiver");
        c.send("stop");
        assertEquals("stopped", c.recv(WAIT));
        endedWell(w);
    }
}
