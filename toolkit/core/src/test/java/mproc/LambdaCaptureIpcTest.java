package mproc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A lambda that captures IPC objects: they travel as their addresses and are attached in the worker. */
@ExtendWith(WorkerJvms.class)
class LambdaCaptureIpcTest {
    /** A method's parameters are what a lambda captures (as a notebook cell's helper method would). */
    static Worker peer(Connection far, Queue q, Lock lock) {
        return new Worker("peer", () -> {
            String got = (String) far.recv();
            try (var held = lock.hold()) {
                far.send("hello " + got);
            }
            q.put("queued by the peer");
        });
    }

    @Test
    void aLambdaCapturingAPipeEndAQueueAndALockUsesThemInTheWorker() throws Exception {
        Pipe p = Pipe.create();
        Queue q = Queue.create();
        Lock lock = Lock.create();
        Worker w = peer(p.end2(), q, lock).start();
        p.end1().send("there");
        assertEquals("hello there", p.end1().recv(Duration.ofSeconds(60)));
        assertEquals("queued by the peer", q.get(Duration.ofSeconds(60)));
        w.join(60_000);
        assertEquals(0, w.exitCode(), String.valueOf(w.output()));
        assertTrue(lock.acquire(Duration.ofSeconds(10)), "the worker gave the lock back");
        lock.release();
    }

    @Test
    void aPoolFunctionCapturingAQueueReportsThroughIt() throws Exception {
        Queue q = Queue.create();
        try (Pool pool = new Pool(1)) {
            List<Integer> r = pool.map(reporter(q), List.of(1, 2, 3));
            assertEquals(List.of(10, 20, 30), r);
        }
        List<Object> seen = new java.util.ArrayList<>();
        for (int i = 0; i < 3; i++) seen.add(q.get(Duration.ofSeconds(30)));
        seen.sort(null);
        assertEquals(List.of(1, 2, 3), seen);
    }

    static Fn<Integer, Integer> reporter(Queue q) {
        return x -> {
            q.put(x);
            return x * 10;
        };
    }

    @Test
    void anIpcObjectCapturedAsAnObjectIsRefusedAtTheCallNamingIt() {
        Object end = Pipe.create().end2();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Worker("x", () -> System.out.println(end)));
        assertTrue(e.getMessage().contains("mproc.Connection") && e.getMessage().contains("its own type"), e.getMessage());
    }
}
