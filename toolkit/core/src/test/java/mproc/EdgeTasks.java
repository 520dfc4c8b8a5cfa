package mproc;

import java.time.Duration;
import java.util.List;

/** Worker tasks for the edge tests of queues, locks and the broker (BrokerEdgeTest, SyncEdgeTest). */
public final class EdgeTasks {
    private EdgeTasks() {}

    /**
     * args: queue, go event. Attaches (so the handle does not know of a shutdown yet), prints "attached",
     * waits for go, puts "late" (the owner refuses the batch), waits, then tries more calls; prints each outcome.
     */
    public static class PutAfterShutdownSeesRefusal implements Task {
        @Override
        public void run(String... a) throws Exception {
            Queue q = Queue.attach(a[0]);
            Event go = Event.attach(a[1]);
            System.out.println("attached");
            go.await();
            q.put("late"); // batched: sent by the flusher, refused by the owner
            Thread.sleep(500);
            try {
                q.put("later");
                System.out.println("second put accepted");
            } catch (IllegalStateException e) {
                System.out.println("second put refused: " + e.getMessage());
            }
            for (int k = 0; k < 3; k++) System.out.println("size " + q.size());
            try {
                for (int k = 0; k < 3; k++) System.out.println("got " + q.get(Duration.ofSeconds(10)));
            } catch (Queue.ShutDown e) {
                System.out.println("ShutDown");
            }
        }
    }

    /** args: queue, go event. As above, but the worker ends right after its put: the refusal must fail its exit. */
    public static class PutAfterShutdownThenEnd implements Task {
        @Override
        public void run(String... a) throws Exception {
            Queue q = Queue.attach(a[0]);
            Event go = Event.attach(a[1]);
            System.out.println("attached");
            go.await();
            q.put("late");
            System.out.println("put returned");
        }
    }

    /**
     * args: queue, out queue, index, delay ms. Takes items until the queue is shut down; for each puts
     * [index, item] into out and flushes it before asking for the next one (what it reported is on its way
     * even if it is killed), sleeping delay ms per item.
     */
    public static class Relay implements Task {
        @Override
        public void run(String... a) throws Exception {
            Queue q = Queue.attach(a[0]);
            Queue out = Queue.attach(a[1]);
            long index = Long.parseLong(a[2]);
            long delay = Long.parseLong(a[3]);
            System.out.println("ready");
            for (Object x : q) {
                out.put(List.of(index, x));
                out.flush();
                if (delay > 0) Thread.sleep(delay);
            }
            System.out.println("done");
        }
    }

    /** No args. Hosts a queue with 3 items and prints "queue address"; sleeps until killed (60 s at most). */
    public static class QueueOwner implements Task {
        @Override
        public void run(String... a) throws Exception {
            Queue q = Queue.create();
            for (long k = 0; k < 3; k++) q.put(k);
            System.out.println("queue " + q.address());
            Thread.sleep(60_000);
        }
    }

    /**
     * No args. Hosts one of each object, in a state where a call from another JVM waits: a queue (empty),
     * a full bounded queue, a Lock and an RLock it holds, a Semaphore(0), an Event (not set), a
     * Barrier(2) and a Barrier(3), a Condition on a Lock of its own, a JoinableQueue with one task not done,
     * and a free Lock. Prints "addr name address" for each, then "ready"; sleeps until killed (120 s at most).
     */
    public static class Owner implements Task {
        @Override
        public void run(String... a) throws Exception {
            Queue q = Queue.create();
            Queue full = Queue.create(1);
            full.put("x");
            Lock held = Lock.create();
            held.acquire();
            RLock rheld = RLock.create();
            rheld.acquire();
            Semaphore sem = Semaphore.create(0);
            Event ev = Event.create();
            Barrier b2 = Barrier.create(2);
            Barrier b3 = Barrier.create(3);
            Condition cv = Condition.create(Lock.create());
            JoinableQueue jq = JoinableQueue.create();
            jq.put("task");
            Lock free = Lock.create();
            Queue q2 = Queue.create();
            for (Object[] o : new Object[][] {{"queue", q}, {"full", full}, {"lock", held}, {"rlock", rheld}, {"sem", sem},
                    {"event", ev}, {"barrier2", b2}, {"barrier3", b3}, {"cond", cv}, {"jq", jq}, {"free", free}, {"queue2", q2}}) {
                System.out.println("addr " + o[0] + " " + ((Shareable) o[1]).address());
            }
            System.out.println("ready");
            Thread.sleep(120_000);
        }
    }

    /** args: lock. Acquires it, prints "held" and sleeps until killed (60 s at most). */
    public static class HoldLock implements Task {
        @Override
        public void run(String... a) throws Exception {
            Lock l = Lock.attach(a[0]);
            l.acquire();
            System.out.println("held");
            Thread.sleep(60_000);
        }
    }

    /** args: rlock. Acquires it twice, prints "held" and sleeps until killed (60 s at most). */
    public static class HoldRLock implements Task {
        @Override
        public void run(String... a) throws Exception {
            RLock l = RLock.attach(a[0]);
            l.acquire();
            l.acquire();
            System.out.println("held");
            Thread.sleep(60_000);
        }
    }

    /** args: lock. Acquires it, then closes its handle (not a death) and ends; prints "closed". */
    public static class HoldThenClose implements Task {
        @Override
        public void run(String... a) throws Exception {
            Lock l = Lock.attach(a[0]);
            l.acquire();
            l.close();
            System.out.println("closed");
        }
    }

    /** args: n, then n lock addresses. Attaches each, prints "attached n", waits for a line on... sleeps 2 s, ends. */
    public static class AttachMany implements Task {
        @Override
        public void run(String... a) throws Exception {
            int n = Integer.parseInt(a[0]);
            Event done = Event.attach(a[1]);
            java.util.List<Lock> locks = new java.util.ArrayList<>();
            for (int k = 0; k < n; k++) locks.add(Lock.attach(a[2 + k]));
            System.out.println("attached " + locks.size());
            done.await();
        }
    }

    /** args: queue, go event. Puts 0, flushes, prints "first put", waits for go, puts 1..100 and ends (no flush of its own). */
    public static class PutWaitPut implements Task {
        @Override
        public void run(String... a) throws Exception {
            Queue q = Queue.attach(a[0]);
            Event go = Event.attach(a[1]);
            q.put(0L);
            q.flush();
            System.out.println("first put");
            go.await();
            try {
                for (long k = 1; k <= 100; k++) q.put(k);
                System.out.println("puts returned");
            } catch (IllegalStateException e) {
                System.out.println("put refused: " + e.getMessage());
            }
        }
    }
}
