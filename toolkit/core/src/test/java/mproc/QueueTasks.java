package mproc;

import java.time.Duration;

/** Worker tasks for the tests of bounded, joinable and simple queues: each prints what it saw. */
public final class QueueTasks {
    private QueueTasks() {}

    /** args: queue, n. Puts 0..n-1 (waiting while the queue is full); prints "put k" after each. */
    public static class PutEach implements Task {
        @Override
        public void run(String... a) {
            Queue q = Queue.attach(a[0]);
            for (long k = 0; k < Long.parseLong(a[1]); k++) {
                q.put(k);
                System.out.println("put " + k);
            }
        }
    }

    /** args: queue, start event, n. Prints "ready", waits for the event, then takes n items, printing "got x" for each. */
    public static class TakeLater implements Task {
        @Override
        public void run(String... a) throws Exception {
            Queue q = Queue.attach(a[0]);
            Event start = Event.attach(a[1]);
            System.out.println("ready");
            start.await();
            for (int k = 0; k < Integer.parseInt(a[2]); k++) System.out.println("got " + q.get(Duration.ofSeconds(30)));
        }
    }

    /** args: a bounded queue holding one item and full. Tries the nowait and timed calls; prints what each did. */
    public static class NowaitAndTimeouts implements Task {
        @Override
        public void run(String... a) throws Exception {
            Queue q = Queue.attach(a[0]);
            System.out.println("full " + q.full() + " qsize " + q.qsize() + " empty " + q.empty() + " maxsize " + q.maxsize());
            try {
                q.putNowait("x");
                System.out.println("putNowait put");
            } catch (Queue.Full e) {
                System.out.println("putNowait Full");
            }
            long t0 = System.nanoTime();
            try {
                q.put("x", Duration.ofMillis(200));
                System.out.println("timed put put");
            } catch (Queue.Full e) {
                System.out.println("timed put Full " + (System.nanoTime() - t0) / 1_000_000);
            }
            System.out.println("getNowait " + q.getNowait());
            try {
                System.out.println("getNowait " + q.getNowait());
            } catch (Queue.Empty e) {
                System.out.println("getNowait Empty");
            }
            t0 = System.nanoTime();
            try {
                System.out.println("timed get " + q.get(Duration.ofMillis(200)));
            } catch (Queue.Empty e) {
                System.out.println("timed get Empty " + (System.nanoTime() - t0) / 1_000_000);
            }
            System.out.println("full " + q.full() + " qsize " + q.qsize() + " empty " + q.empty());
            q.putNowait("y");
            System.out.println("full " + q.full());
        }
    }

    /**
     * args: joinable queue, done counter, ms per item. Gets items until the sentinel -1; for each, works
     * a while, counts it done, then calls taskDone (the sentinel too).
     */
    public static class Consume implements Task {
        @Override
        public void run(String... a) throws Exception {
            JoinableQueue q = JoinableQueue.attach(a[0]);
            SharedArray done = SharedArray.attach(a[1]);
            long work = Long.parseLong(a[2]);
            while (true) {
                long x = ((Number) q.get()).longValue();
                if (x == -1) {
                    q.taskDone();
                    return;
                }
                Thread.sleep(work);
                done.add(0, 1);
                q.taskDone();
            }
        }
    }

    /** args: joinable queue, n. Puts 0..n-1, then joins; prints "joined". */
    public static class PutThenJoin implements Task {
        @Override
        public void run(String... a) throws Exception {
            JoinableQueue q = JoinableQueue.attach(a[0]);
            for (long k = 0; k < Long.parseLong(a[1]); k++) q.put(k);
            q.join();
            System.out.println("joined");
        }
    }

    /** args: joinable queue. Calls taskDone with no task unfinished; prints what happened. */
    public static class TaskDoneTooMany implements Task {
        @Override
        public void run(String... a) {
            try {
                JoinableQueue.attach(a[0]).taskDone();
                System.out.println("taskDone allowed");
            } catch (IllegalStateException e) {
                System.out.println("taskDone refused: " + e.getMessage());
            }
        }
    }

    /** args: simple queue, n. Puts 0..n-1, closes its handle, then tries another put; prints what happened. */
    public static class SimplePut implements Task {
        @Override
        public void run(String... a) {
            SimpleQueue q = SimpleQueue.attach(a[0]);
            for (long k = 0; k < Long.parseLong(a[1]); k++) q.put(k);
            q.close();
            try {
                q.put(99L);
                System.out.println("put after close allowed");
            } catch (IllegalStateException e) {
                System.out.println("put after close refused");
            }
        }
    }

    /** args: simple queue, n. Gets n items and prints them on one line, then "empty <b>". */
    public static class SimpleGet implements Task {
        @Override
        public void run(String... a) throws Exception {
            SimpleQueue q = SimpleQueue.attach(a[0]);
            StringBuilder got = new StringBuilder("got");
            for (int k = 0; k < Integer.parseInt(a[1]); k++) got.append(' ').append(q.get());
            System.out.println(got);
            System.out.println("empty " + q.empty());
            q.close();
        }
    }

    /**
     * args: queue, first, n, event or "-". Puts first..first+n-1 (waiting for the event, if one, halfway),
     * closes its handle (Python's close: this process puts no more), then tries one more put; prints
     * "closed" and "put after close refused: message" (or "allowed").
     */
    public static class PutThenClose implements Task {
        @Override
        public void run(String... a) throws Exception {
            Queue q = Queue.attach(a[0]);
            long first = Long.parseLong(a[1]), n = Long.parseLong(a[2]);
            Event halfway = a[3].equals("-") ? null : Event.attach(a[3]);
            for (long k = 0; k < n; k++) {
                if (k == n / 2 && halfway != null) halfway.await();
                q.put(first + k);
            }
            q.close();
            System.out.println("closed");
            try {
                q.put(-5L);
                System.out.println("put after close allowed");
            } catch (IllegalStateException e) {
                System.out.println("put after close refused: " + e.getMessage());
            }
        }
    }

    /** args: queue. Iterates until the queue is shut down and empty; prints "took n last x" and "ShutDown an EOFException". */
    public static class IterateAll implements Task {
        @Override
        public void run(String... a) throws Exception {
            Queue q = Queue.attach(a[0]);
            long n = 0;
            Object last = null;
            for (Object x : q) {
                n++;
                last = x;
            }
            System.out.println("took " + n + " last " + last);
            try {
                q.get();
                System.out.println("get after the end returned");
            } catch (Queue.ShutDown e) {
                System.out.println("ShutDown an EOFException " + (e instanceof java.io.EOFException));
            }
        }
    }

    /**
     * args: queue, n, event. Puts 0..n-1, settles them (qsize), prints "put n", waits for the event (the
     * queue is shut down by then), then puts again: prints how each later call failed. Exits non-zero if a
     * put after the shutdown was not refused.
     */
    public static class PutAfterShutdown implements Task {
        @Override
        public void run(String... a) throws Exception {
            Queue q = Queue.attach(a[0]);
            long n = Long.parseLong(a[1]);
            for (long k = 0; k < n; k++) q.put(k);
            q.qsize(); // the batches are in
            System.out.println("put " + n);
            Event.attach(a[2]).await();
            try {
                q.put(1000L); // batched: the owner refuses the batch, the next reply says so
                q.qsize();
                throw new IllegalStateException("a put after the shutdown was taken");
            } catch (IllegalStateException e) {
                if (e.getMessage().contains("was taken")) throw e;
                System.out.println("refused: " + e.getMessage());
            }
            try {
                q.put(1001L);
                throw new IllegalStateException("a second put after the shutdown was taken");
            } catch (IllegalStateException e) {
                if (e.getMessage().contains("was taken")) throw e;
                System.out.println("refused at once: " + e.getMessage());
            }
        }
    }

    /**
     * args: queue, n, event. Gets n items (the handle fetches more ahead), prints them, closes its handle
     * (what it fetched ahead goes back), prints "closed", tries a get, then waits for the event before ending.
     */
    public static class GetThenClose implements Task {
        @Override
        public void run(String... a) throws Exception {
            Queue q = Queue.attach(a[0]);
            StringBuilder got = new StringBuilder("got");
            for (int k = 0; k < Integer.parseInt(a[1]); k++) got.append(' ').append(q.get(Duration.ofSeconds(30)));
            System.out.println(got);
            q.close();
            System.out.println("closed");
            try {
                q.get(Duration.ofSeconds(1));
                System.out.println("get after close allowed");
            } catch (IllegalStateException e) {
                System.out.println("get after close refused");
            }
            Event.attach(a[2]).await();
        }
    }
}
