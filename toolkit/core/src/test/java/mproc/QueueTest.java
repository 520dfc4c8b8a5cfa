package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.io.EOFException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.Timeout;

/** Queue(maxsize), JoinableQueue and SimpleQueue, used from real worker JVMs. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
@ExtendWith(WorkerJvms.class)
class QueueTest {
    static final Duration WAIT = Duration.ofSeconds(30);


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

    @Test
    void closeEndsOnlyItsHandleTheOtherProducersAndTheOwnerGoOn() throws Exception {
        Queue q = Queue.create();
        Event halfway = Event.create();
        Worker early = new Worker("early", QueueTasks.PutThenClose.class, q, 0, 10, "-").start();
        Worker late = new Worker("late", QueueTasks.PutThenClose.class, q, 1000, 200, halfway).start();
        List<String> out = ended(early);
        assertEquals("closed", out.get(0));
        assertTrue(out.get(1).startsWith("put after close refused: ") && out.get(1).contains("closed"), out.toString());
        halfway.set(); // the early producer has closed its handle: the late one still puts its second half
        List<Object> got = new ArrayList<>();
        for (int k = 0; k < 210; k++) got.add(q.get(WAIT));
        out = ended(late);
        assertEquals("closed", out.get(0), "every process may close its own handle");
        assertTrue(out.get(1).startsWith("put after close refused: "), out.toString());
        List<Object> early10 = got.stream().filter(x -> (Long) x < 1000).toList();
        List<Object> late200 = got.stream().filter(x -> (Long) x >= 1000).toList();
        assertEquals(java.util.stream.LongStream.range(0, 10).boxed().toList(), early10, "all of the early producer's, in order");
        assertEquals(java.util.stream.LongStream.range(1000, 1200).boxed().toList(), late200, "all of the late one's, in order");
        assertFalse(got.contains(-5L), "no put after close got in");
        q.put("owner"); // the owner's handle was never closed: it puts and gets as before
        assertEquals("owner", q.get(WAIT));
        Queue mine = Queue.attach(q.address()); // a second handle in the owner JVM
        mine.put("x");
        mine.close();
        mine.close(); // idempotent
        assertTrue(mine.isClosed());
        var e = assertThrows(IllegalStateException.class, () -> mine.put("y"));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        assertTrue(e.getMessage().contains(mine.toString().substring(1, 8)), "names the handle: " + e.getMessage());
        assertThrows(IllegalStateException.class, mine::get, "Python: ValueError, the handle is closed");
        assertEquals("x", q.get(WAIT), "close flushed what the handle had batched");
        assertTrue(q.empty());
    }

    @Test
    void aConsumerThatClosesGivesBackWhatItFetchedAhead() throws Exception {
        Queue q = Queue.create();
        for (long k = 0; k < 20; k++) q.put(k);
        Event end = Event.create();
        Worker c = new Worker(QueueTasks.GetThenClose.class, q, 4, end).start();
        assertTrue(c.awaitOutput("get after close refused", WAIT), c.output().toString());
        assertEquals(List.of("got 0 1 2 3", "closed", "get after close refused"), c.output());
        assertTrue(c.isAlive());
        assertEquals(16, q.qsize(), "what it fetched ahead is back at close, not only when it ends");
        List<Object> rest = new ArrayList<>();
        for (int k = 0; k < 16; k++) rest.add(q.getNowait());
        assertEquals(java.util.stream.LongStream.range(4, 20).boxed().toList(), rest, "first again, in order");
        end.set();
        ended(c);
    }

    @Test
    void shutdownEndsTheQueueForEveryoneAfterTheLastItem() throws Exception {
        Queue q = Queue.create();
        Event go = Event.create();
        Worker consumer = new Worker("consumer", QueueTasks.IterateAll.class, q).start();
        Worker producer = new Worker("producer", QueueTasks.PutAfterShutdown.class, q, 50, go).start();
        assertTrue(producer.awaitOutput("put 50", WAIT), producer.output().toString());
        q.shutdown(); // every item is in: "no more items" for everyone
        go.set();
        List<String> p = ended(producer);
        assertTrue(p.get(1).startsWith("refused: ") && p.get(1).contains("shut down"), p.toString());
        assertTrue(p.get(1).contains("1 item(s)"), "names what was refused: " + p);
        assertTrue(p.get(2).startsWith("refused at once: ") && p.get(2).contains("shut down"), p.toString());
        assertEquals(List.of("took 50 last 49", "ShutDown an EOFException true"), ended(consumer));
        var sd = assertThrows(Queue.ShutDown.class, q::get);
        assertInstanceOf(EOFException.class, sd);
        assertThrows(IllegalStateException.class, () -> q.put(1), "the owner's puts fail too");
        q.shutdown(); // idempotent
        assertEquals(0, q.qsize());
    }

    @Test
    void shutdownImmediateDropsWhatIsLeft() throws Exception {
        Queue q = Queue.create(100);
        for (long k = 0; k < 10; k++) q.put(k);
        assertEquals(0L, q.get());
        q.shutdown(true);
        assertEquals(0, q.qsize(), "the 9 items left are dropped");
        assertThrows(Queue.ShutDown.class, q::getNowait);
        assertThrows(IllegalStateException.class, () -> q.put(1L));
        assertEquals(List.of("took 0 last null", "ShutDown an EOFException true"),
                ended(new Worker(QueueTasks.IterateAll.class, q).start()));
        JoinableQueue j = JoinableQueue.create();
        for (long k = 0; k < 5; k++) j.put(k);
        assertEquals(0L, j.get());
        j.shutdown(true); // the 4 dropped are counted done, as in Python 3.13
        j.taskDone(); // the one got
        Thread joiner = new Thread(() -> {
            try {
                j.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        joiner.start();
        joiner.join(WAIT.toMillis());
        assertFalse(joiner.isAlive(), "join waits only for the items already got");
    }
}
