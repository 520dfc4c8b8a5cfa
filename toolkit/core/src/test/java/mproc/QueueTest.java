package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.io.EOFException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Queue(maxsize), JoinableQueue and SimpleQueue, used from real worker JVMs. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QueueTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    @BeforeAll
    static void quiet() {
        Output.setMode(Output.Mode.CALLER);
    }

    @AfterEach
    void nothingLeftRunning() throws Exception {
        Leftovers.endAndCheck(h -> Leftovers.running(h.pid()));
    }

    static List<String> ended(Worker w) throws InterruptedException {
        assertTrue(w.join(WAIT), w + " did not end");
        assertEquals(0, w.exitCode(), w + ": " + w.output());
        return w.output();
    }

    @Test
    void aWorkersPutIntoAFullQueueWaitsUntilAConsumerTakes() throws Exception {
        Queue q = Queue.create(2);
        Worker producer = new Worker(QueueTasks.PutEach.class, q, 5).start();
        assertTrue(producer.awaitOutput("put 1", WAIT));
        Thread.sleep(400);
        assertEquals(List.of("put 0", "put 1"), producer.output(), "the third put waits: the queue holds 2");
        assertTrue(producer.isAlive());
        assertEquals(2, q.qsize());
        assertTrue(q.full());
        assertEquals(0L, q.get());
        assertTrue(producer.awaitOutput("put 2", WAIT), "room made: the waiting put goes on");
        Thread.sleep(200);
        assertEquals(3, producer.output().size(), "and the next waits again: " + producer.output());
        List<Object> rest = new ArrayList<>();
        for (int k = 0; k < 4; k++) rest.add(q.get(WAIT));
        assertEquals(List.of(1L, 2L, 3L, 4L), rest, "in order");
        assertEquals(List.of("put 0", "put 1", "put 2", "put 3", "put 4"), ended(producer));
        assertTrue(q.empty());
        assertFalse(q.full());
    }

    @Test
    void thePutOfTheHostIntoAFullQueueWaitsUntilAWorkerTakes() throws Exception {
        Queue q = Queue.create(1);
        q.put("a");
        Event start = Event.create();
        Worker consumer = new Worker(QueueTasks.TakeLater.class, q, start, 2).start();
        assertTrue(consumer.awaitOutput("ready", WAIT));
        Thread putter = new Thread(() -> q.put("b"));
        putter.start();
        putter.join(400);
        assertTrue(putter.isAlive(), "the put waits: the queue is full");
        assertEquals(1, q.qsize());
        start.set(); // now the consumer takes
        putter.join(WAIT.toMillis());
        assertFalse(putter.isAlive(), "the consumer took one: the put went on");
        assertEquals(List.of("ready", "got a", "got b"), ended(consumer));
        assertEquals(0, q.qsize());
    }

    @Test
    void nowaitAndTimedCallsThrowFullAndEmptyAsPythonRaisesThem() throws Exception {
        Queue q = Queue.create(1);
        q.putNowait("first");
        var full = assertThrows(Queue.Full.class, () -> q.putNowait("second"));
        assertTrue(full.getMessage().contains("full"), full.getMessage());
        long t0 = System.nanoTime();
        assertThrows(Queue.Full.class, () -> q.put("second", Duration.ofMillis(100)));
        assertTrue(System.nanoTime() - t0 >= TimeUnit.MILLISECONDS.toNanos(100));
        assertThrows(Queue.Full.class, () -> q.put("second", false, Duration.ofSeconds(10)), "not blocking: no wait");
        List<String> out = ended(new Worker(QueueTasks.NowaitAndTimeouts.class, q).start());
        assertEquals("full true qsize 1 empty false maxsize 1", out.get(0));
        assertEquals("putNowait Full", out.get(1));
        assertTrue(out.get(2).startsWith("timed put Full "), out.toString());
        assertTrue(Long.parseLong(out.get(2).substring(15)) >= 190, out.toString());
        assertEquals("getNowait first", out.get(3));
        assertEquals("getNowait Empty", out.get(4));
        assertTrue(out.get(5).startsWith("timed get Empty "), out.toString());
        assertTrue(Long.parseLong(out.get(5).substring(16)) >= 190, out.toString());
        assertEquals("full false qsize 0 empty true", out.get(6));
        assertEquals("full true", out.get(7));
        assertEquals("y", q.getNowait());
        Queue.Empty empty = assertThrows(Queue.Empty.class, q::getNowait);
        assertInstanceOf(TimeoutException.class, empty, "an Empty is a TimeoutException, as get(timeout) threw before");
        assertThrows(Queue.Empty.class, () -> q.get(false, null));
        Queue unbounded = Queue.create();
        for (int k = 0; k < 1000; k++) unbounded.putNowait(k);
        assertFalse(unbounded.full());
        assertEquals(1000, unbounded.qsize());
        unbounded.shutdown();
        assertEquals(0, unbounded.getNowait());
        Queue ended = Queue.create(3);
        ended.shutdown();
        assertThrows(EOFException.class, ended::getNowait);
        assertThrows(IllegalStateException.class, () -> ended.put(1));
    }

    @Test
    void joinableQueueJoinReturnsOnlyAfterEveryTaskDone() throws Exception {
        JoinableQueue q = JoinableQueue.create();
        SharedArray done = SharedArray.ofLongs(1);
        for (long k = 0; k < 10; k++) q.put(k);
        List<Worker> ws = new ArrayList<>();
        for (int k = 0; k < 2; k++) ws.add(new Worker(QueueTasks.Consume.class, q, done, 60).start());
        long t0 = System.nanoTime();
        q.join();
        long waited = (System.nanoTime() - t0) / 1_000_000;
        assertEquals(10, done.getLong(0), "join returned after every item was done");
        assertTrue(waited >= 250, "join waited for the work: " + waited + " ms");
        q.put(-1L);
        q.put(-1L);
        q.join(); // the sentinels are tasks too
        for (Worker w : ws) ended(w);
        assertEquals(0, q.qsize());
        var e = assertThrows(IllegalStateException.class, q::taskDone);
        assertTrue(e.getMessage().contains("too many times"), e.getMessage());
        List<String> out = ended(new Worker(QueueTasks.TaskDoneTooMany.class, q).start());
        assertTrue(out.get(0).startsWith("taskDone refused: taskDone() called too many times"), out.toString());
    }

    @Test
    void aWorkersJoinCountsItsOwnPutsAndWaitsForTheLastTaskDone() throws Exception {
        JoinableQueue q = JoinableQueue.create(5);
        Worker w = new Worker(QueueTasks.PutThenJoin.class, q, 3).start();
        for (int k = 0; k < 3; k++) {
            assertEquals((long) k, q.get(WAIT));
            Thread.sleep(200);
            assertTrue(w.isAlive() && w.output().isEmpty(), "still joining before task " + k + " is done");
            q.taskDone();
        }
        assertEquals(List.of("joined"), ended(w));
        Queue same = Queue.attach(q.address());
        assertInstanceOf(JoinableQueue.class, same, "a Queue field holding a JoinableQueue arrives as one");
        assertEquals(5, same.maxsize());
    }

    @Test
    void simpleQueueCarriesItemsAcrossJvmsInOrder() throws Exception {
        SimpleQueue q = SimpleQueue.create();
        assertTrue(q.empty());
        assertEquals(List.of("put after close refused"), ended(new Worker(QueueTasks.SimplePut.class, q, 5).start()));
        List<Object> got = new ArrayList<>();
        for (int k = 0; k < 3; k++) got.add(q.get());
        assertEquals(List.of(0L, 1L, 2L), got);
        assertFalse(q.empty());
        assertEquals(List.of("got 3 4", "empty true"), ended(new Worker(QueueTasks.SimpleGet.class, q, 2).start()));
        assertTrue(q.empty());
        q.put("z");
        q.close();
        assertThrows(IllegalStateException.class, () -> q.put("after"));
        assertThrows(IllegalStateException.class, q::get);
        SimpleQueue again = SimpleQueue.attach(q.address());
        assertEquals("z", again.get(), "the items stay for the other handles");
        again.close();
    }
}
