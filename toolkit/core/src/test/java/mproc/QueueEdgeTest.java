package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.io.EOFException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 15, items 3 and 4: puts refused by a shut-down queue fail in the producer and never shift the
 * replies; a consumer killed mid-stream loses no item (at-least-once); the owner's death is an error.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(WorkerJvms.class)
class QueueEdgeTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    static String line(Worker w, String prefix) throws InterruptedException {
        assertTrue(w.awaitOutput(prefix, WAIT), w + ": " + w.output());
        for (String l : w.output()) if (l.startsWith(prefix)) return l;
        throw new AssertionError(prefix + " not in " + w.output());
    }

    @Test
    void aRemotePutOnAShutDownQueueFailsInTheProducerAndRepliesStayInStep() throws Exception {
        Queue q = Queue.create();
        q.put("a");
        q.put("b");
        Event go = Event.create();
        Worker w = new Worker(EdgeTasks.PutAfterShutdownSeesRefusal.class, q, go).start();
        line(w, "attached");
        q.shutdown();
        go.set();
        assertTrue(w.join(WAIT));
        List<String> out = w.output();
        assertEquals(0, w.exitCode(), out.toString());
        String refused = out.stream().filter(l -> l.startsWith("second put")).findFirst().orElseThrow();
        assertTrue(refused.startsWith("second put refused: ") && refused.contains("queue " + q.id()) && refused.contains("shut down"),
                out.toString());
        // every reply is the answer to its own call: sizes are numbers (2, the items left), then the two items, then ShutDown
        assertEquals(List.of("size 2", "size 2", "size 2", "got a", "got b", "ShutDown"),
                out.subList(out.indexOf(refused) + 1, out.size()));
        assertEquals(0, q.size(), "the refused items are not in the queue");
    }

    @Test
    void aProducerThatEndsRightAfterARefusedPutExitsNonZeroNamingTheQueue() throws Exception {
        Queue q = Queue.create();
        Event go = Event.create();
        Worker w = new Worker(EdgeTasks.PutAfterShutdownThenEnd.class, q, go).start();
        line(w, "attached");
        q.shutdown();
        go.set();
        assertTrue(w.join(WAIT));
        String all = String.join("\n", w.output());
        assertEquals(1, w.exitCode(), all);
        assertTrue(all.contains("put returned"), all);
        assertTrue(all.contains("queue " + q.id()) && all.contains("shut down"), all);
    }

    @Test
    void aConsumerKilledMidStreamLosesNoItem() throws Exception {
        int n = 10_000;
        Queue q = Queue.create();
        Queue out = Queue.create();
        for (long k = 0; k < n; k++) q.put(k);
        List<Worker> ws = new ArrayList<>();
        for (int c = 0; c < 3; c++) ws.add(new Worker(EdgeTasks.Relay.class, q, out, c, 1).start());
        Map<Long, Integer> seen = new HashMap<>();
        long[] byConsumer = new long[3];
        boolean killed = false;
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (seen.size() < n && System.nanoTime() < end) {
            Object x;
            try {
                x = out.get(Duration.ofSeconds(5));
            } catch (Queue.Empty e) {
                continue;
            }
            List<?> r = (List<?>) x;
            int c = ((Number) r.get(0)).intValue();
            byConsumer[c]++;
            seen.merge(((Number) r.get(1)).longValue(), 1, Integer::sum);
            if (!killed && byConsumer[0] >= 300) {
                ws.get(0).kill(); // SIGKILL mid-stream: it holds a batch fetched ahead
                killed = true;
            }
        }
        q.shutdown();
        assertTrue(killed, "consumer 0 was killed mid-stream");
        assertTrue(ws.get(0).join(WAIT));
        assertEquals(137, ws.get(0).exitCode());
        for (Worker w : ws.subList(1, 3)) {
            assertTrue(w.join(WAIT), w + " did not end");
            assertEquals(0, w.exitCode(), w.output().toString());
        }
        long lost = 0;
        for (long k = 0; k < n; k++) if (!seen.containsKey(k)) lost++;
        long duplicates = seen.values().stream().mapToLong(v -> v - 1).sum();
        System.out.println("consumer killed mid-stream: ids " + n + " lost " + lost + " duplicates " + duplicates
                + " per consumer " + java.util.Arrays.toString(byConsumer));
        assertEquals(0, lost, "every id reached a consumer");
        assertTrue(byConsumer[1] + byConsumer[2] > 0);
        assertThrows(Queue.ShutDown.class, () -> q.get(Duration.ofSeconds(1)), "nothing left over");
    }

    @Test
    void theOwnersDeathIsAnErrorForConsumersAndProducersNotAnEnd() throws Exception {
        Worker owner = new Worker(EdgeTasks.QueueOwner.class).start();
        String address = line(owner, "queue ").substring(6);
        Queue q = Queue.attach(address);
        Queue p = Queue.attach(address); // a producer's handle
        p.put("before");
        p.flush();
        assertEquals(0L, q.get(WAIT));
        owner.kill();
        assertTrue(owner.join(WAIT));
        Queue.OwnerEnded e = assertThrows(Queue.OwnerEnded.class, () -> {
            int k = 0;
            for (Object x : q) k++; // the two items fetched ahead, then the owner's death: no normal end
            fail("the loop ended normally after " + k + " items");
        });
        assertTrue(e.getMessage().contains("has ended"), e.getMessage());
        assertThrows(Queue.OwnerEnded.class, q::get, "not an EOFException: the owner died, the stream did not end");
        Queue.OwnerEnded pe = assertThrows(Queue.OwnerEnded.class, () -> {
            for (int k = 0; k < 1000; k++) {
                p.put(k);
                if (k % 100 == 99) Thread.sleep(10);
            }
            p.flush();
        }, "puts to a dead owner fail loudly");
        assertTrue(pe.getMessage().contains("queue " + p.id()), pe.getMessage());
        assertThrows(java.io.UncheckedIOException.class, () -> Queue.attach(address));
    }

    @Test
    void aProducerWhoseQueuesOwnerDiedEndsNonZeroNamingTheQueue() throws Exception {
        Worker owner = new Worker(EdgeTasks.QueueOwner.class).start();
        String address = line(owner, "queue ").substring(6);
        Event go = Event.create();
        Worker producer = new Worker(EdgeTasks.PutWaitPut.class, Queue.attach(address), go).start();
        line(producer, "first put");
        owner.kill();
        assertTrue(owner.join(WAIT));
        go.set();
        assertTrue(producer.join(WAIT));
        String all = String.join("\n", producer.output());
        long id = Long.parseLong(address.substring(address.lastIndexOf('|') + 1));
        assertNotEquals(0, producer.exitCode(), "the lost puts are not silent: " + all);
        assertTrue(all.contains("queue " + id) && all.contains("has ended"), all);
    }
}
