package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.io.EOFException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;

/** Connections: poll, sendBytes/recvBytes, wait, and Listener/Client across JVMs with an authentication key. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(WorkerJvms.class)
class ConnTest {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final byte[] KEY = "secret key".getBytes(StandardCharsets.UTF_8);


    private static void endedWell(Worker w) throws InterruptedException {
        assertTrue(w.join(WAIT), w + " did not end");
        assertEquals(0, w.exitCode(), w.output().toString());
    }

    @Test
    void pollTimesOutFalseThenIsTrueOnceTheWorkerSent() throws Exception {
        Pipe p = Pipe.create();
        Event go = Event.create();
        Worker w = new Worker(ConnTasks.SendOnEvent.class, p.end2(), go).start();
        assertTrue(w.awaitOutput("waiting", WAIT));
        long t0 = System.nanoTime();
        assertFalse(p.end1().poll(Duration.ofMillis(300)));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(300), "waited the timeout");
        assertFalse(p.end1().poll(Duration.ZERO));
        go.set();
        assertTrue(p.end1().poll(WAIT));
        assertTrue(p.end1().poll(Duration.ZERO), "poll takes nothing");
        assertEquals("hi", p.end1().recv());
        assertArrayEquals(new byte[] {1, 2, 3}, p.end1().recvBytes(3));
        p.end1().send("bye");
        endedWell(w);
        assertEquals(List.of("waiting", "got bye"), w.output());
        assertTrue(p.end1().poll(Duration.ZERO), "at the other end's close, poll is true (as Python's): recv does not wait");
        assertThrows(EOFException.class, () -> p.end1().recv());
    }

    @Test
    void recvBytesRefusesOtherMessagesAndLongOnes() throws Exception {
        Pipe p = Pipe.create();
        p.end1().send("text");
        p.end1().sendBytes(new byte[10]);
        p.end1().sendBytes(new byte[] {5});
        var e = assertThrows(IllegalStateException.class, () -> p.end2().recvBytes());
        assertTrue(e.getMessage().contains("not bytes"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> p.end2().recvBytes(4));
        assertTrue(e.getMessage().contains("longer than maxLength 4"), e.getMessage());
        assertArrayEquals(new byte[] {5}, p.end2().recvBytes(Duration.ofSeconds(5)), "still usable");
        assertThrows(IndexOutOfBoundsException.class, () -> p.end1().sendBytes(new byte[2], 1, 2));
    }

    @Test
    void waitReturnsTheWorkerOnceItEndsAndTheConnectionsWithMessages() throws Exception {
        Pipe p = Pipe.create(), q = Pipe.create();
        Worker w = new Worker(LifeTasks.Sleep.class, 800).start();
        assertEquals(List.of(), Connection.wait(List.of(p.end1(), w), Duration.ofMillis(100)), "nothing ready yet");
        List<Object> ready = Connection.wait(List.of(p.end1(), w, q.end1()), WAIT);
        assertEquals(List.of(w), ready);
        assertEquals(0, w.exitCode(), "ended: the exit code is there");
        q.end2().send(1);
        assertEquals(List.of(q.end1()), Connection.wait(List.of(p.end1(), q.end1()), WAIT));
        assertEquals(List.of(w, q.end1()), Connection.wait(List.of(w, p.end1(), q.end1()), null));
        Worker unstarted = new Worker(LifeTasks.Sleep.class, 1);
        assertEquals(List.of(), Connection.wait(List.of(unstarted), Duration.ZERO), "a worker never started is not ready");
        assertThrows(IllegalArgumentException.class, () -> Connection.wait(List.of("x"), Duration.ZERO));
        Worker v = new Worker(LifeTasks.Sleep.class, 300).start();
        assertEquals(1, Connection.wait(List.of(v.onExit()), WAIT).size(), "a future counts once done");
    }

    @Test
    void listenerAndClientRoundTripAcrossJvms() throws Exception {
        try (Listener l = Listener.create(KEY)) {
            assertEquals("127.0.0.1", l.address().getAddress().getHostAddress());
            Worker w = new Worker(ConnTasks.Echo.class, l.address().getPort(), "secret key").start();
            try (Connection c = l.accept()) {
                assertNotNull(l.lastAccepted());
                c.send(List.of("ping", 42L));
                assertEquals(List.of(List.of("ping", 42L), w.pid()), c.recv());
                c.sendBytes(new byte[] {1, 2, 3, 4});
                assertArrayEquals(new byte[] {4, 3, 2, 1}, c.recvBytes());
                assertThrows(IllegalStateException.class, c::address, "a TCP connection has no address to pass on");
            }
            endedWell(w);
        }
    }

    @Test
    void aWrongKeyIsRefusedOnBothSidesAndGarbageDoesNotStopTheListener() throws Exception {
        try (Listener l = Listener.create(KEY)) {
            int port = l.address().getPort();
            Worker wrong = new Worker(ConnTasks.TryConnect.class, port, "not the key").start();
            var e = assertThrows(AuthenticationException.class, l::accept);
            assertTrue(e.getMessage().contains("digest received was wrong"), e.getMessage());
            endedWell(wrong);
            assertTrue(wrong.output().get(0).startsWith("refused AuthenticationException: digest sent was rejected"),
                    wrong.output().toString());

            for (String garbage : List.of("GET / HTTP/1.1\r\nHost: x\r\n\r\n", "\0\0\0\7#WELCOME")) {
                try (Socket s = new Socket("127.0.0.1", port)) {
                    OutputStream out = s.getOutputStream();
                    out.write(garbage.getBytes(StandardCharsets.ISO_8859_1));
                    out.flush();
                    assertThrows(AuthenticationException.class, l::accept, "refused, and the listener goes on");
                }
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                s.close(); // connects and leaves at once
                assertThrows(AuthenticationException.class, l::accept);
            }

            Worker good = new Worker(ConnTasks.Echo.class, port, "secret key").start();
            try (Connection c = l.accept()) {
                c.send("still serving");
                assertEquals("still serving", ((List<?>) c.recv()).get(0));
                c.sendBytes(new byte[] {7});
                assertArrayEquals(new byte[] {7}, c.recvBytes());
            }
            endedWell(good);
        }
        assertThrows(IllegalArgumentException.class, () -> Listener.create(new byte[0]));
        assertThrows(IllegalArgumentException.class, () -> Client.connect("127.0.0.1", 1, null));
    }

    @Test
    void aListenerInAWorkerRefusesTheWrongKeyThenServesTheRightOne() throws Exception {
        Worker w = new Worker(ConnTasks.Serve.class, "secret key").start();
        assertTrue(w.awaitOutput("port ", WAIT), w.output().toString());
        int port = Integer.parseInt(w.output().stream().filter(s -> s.startsWith("port ")).findFirst().orElseThrow().substring(5));
        var e = assertThrows(AuthenticationException.class, () -> Client.connect("127.0.0.1", port, "wrong".getBytes()));
        assertTrue(e.getMessage().contains("digest sent was rejected"), e.getMessage());
        assertTrue(w.awaitOutput("refused digest received was wrong", WAIT), w.output().toString());
        try (Connection c = Client.connect("127.0.0.1", port, KEY)) {
            c.send("ab");
            assertEquals("abab", c.recv());
        }
        endedWell(w);
        assertTrue(w.output().contains("served 127.0.0.1"), w.output().toString());
    }

    @Test
    void aClientWithTheWrongKeyIsRefusedInThisJvmToo() throws Exception {
        try (Listener l = Listener.create(KEY)) {
            Thread t = new Thread(() -> {
                try {
                    l.accept();
                } catch (java.io.IOException e) {
                    // expected
                }
            });
            t.start();
            var e = assertThrows(AuthenticationException.class, () -> Client.connect(l.address(), "other".getBytes()));
            assertTrue(e.getMessage().contains("rejected"), e.getMessage());
            t.join(10_000);
        }
    }
}
