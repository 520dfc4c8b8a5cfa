package mproc;

import java.time.Duration;

/** Worker tasks for the synchronisation tests: each prints what it saw, one line per fact. */
public final class SyncTasks {
    private SyncTasks() {}

    static long ms(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** args: event, timeout ms (negative: none). Prints "waiting", then "result true|false <elapsed ms>". */
    public static class EventWait implements Task {
        @Override
        public void run(String... a) throws Exception {
            Event e = Event.attach(a[0]);
            long timeout = Long.parseLong(a[1]);
            System.out.println("waiting");
            long t0 = System.nanoTime();
            boolean r = true;
            if (timeout < 0) e.await();
            else r = e.await(Duration.ofMillis(timeout));
            System.out.println("result " + r + " " + ms(t0));
        }
    }

    /** args: event, "set" or "clear". Does it; prints "isSet <flag>". */
    public static class EventChange implements Task {
        @Override
        public void run(String... a) {
            Event e = Event.attach(a[0]);
            if (a[1].equals("set")) e.set();
            else e.clear();
            System.out.println("isSet " + e.isSet());
        }
    }

    /** args: semaphore, n. Releases n times without acquiring; prints "released k" or "error k: message". */
    public static class SemRelease implements Task {
        @Override
        public void run(String... a) {
            Semaphore s = Semaphore.attach(a[0]);
            int n = Integer.parseInt(a[1]);
            for (int k = 0; k < n; k++) {
                try {
                    s.release();
                    System.out.println("released " + k);
                } catch (IllegalStateException e) {
                    System.out.println("error " + k + ": " + e.getMessage());
                }
            }
            System.out.println("value " + s.getValue() + " " + (s instanceof BoundedSemaphore ? "bounded" : "plain"));
        }
    }

    /** args: semaphore, block, timeout ms (negative: none). Prints "acquired true|false <elapsed ms>". */
    public static class SemAcquire implements Task {
        @Override
        public void run(String... a) throws Exception {
            Semaphore s = Semaphore.attach(a[0]);
            long timeout = Long.parseLong(a[2]);
            System.out.println("waiting");
            long t0 = System.nanoTime();
            boolean ok = s.acquire(Boolean.parseBoolean(a[1]), timeout < 0 ? null : Duration.ofMillis(timeout));
            System.out.println("acquired " + ok + " " + ms(t0));
        }
    }

    /**
     * args: semaphore, counters (0: inside now, 1: most inside at once), rounds, start event. Prints
     * "ready", waits for the event; then each round: acquire, count itself in, stay a little, count itself
     * out, release.
     */
    public static class SemCrowd implements Task {
        @Override
        public void run(String... a) throws Exception {
            Semaphore s = Semaphore.attach(a[0]);
            SharedArray c = SharedArray.attach(a[1]);
            Event start = Event.attach(a[3]);
            System.out.println("ready");
            start.await();
            for (int i = 0; i < Integer.parseInt(a[2]); i++) {
                s.acquire();
                try {
                    long inside = c.add(0, 1);
                    long max;
                    while ((max = c.getLong(1)) < inside && !c.compareAndSet(1, max, inside)) Thread.onSpinWait();
                    Thread.sleep(2);
                    c.add(0, -1);
                } finally {
                    s.release();
                }
            }
        }
    }

    /** args: rlock, timeout ms. Prints "acquired true|false", and "release error: ..." if releasing it without holding it fails. */
    public static class RLockTry implements Task {
        @Override
        public void run(String... a) throws Exception {
            RLock r = RLock.attach(a[0]);
            try {
                r.release();
                System.out.println("released without holding it");
            } catch (IllegalStateException e) {
                System.out.println("release error: " + e.getMessage());
            }
            System.out.println("acquired " + r.acquire(Duration.ofMillis(Long.parseLong(a[1]))));
        }
    }

    /**
     * args: rlock, counter, n. n times: acquire the lock three levels deep, read-modify-write the counter,
     * release three times. Then checks that another thread of this JVM cannot release it or take it while
     * held. Prints "thread: ..." lines.
     */
    public static class RLockNested implements Task {
        @Override
        public void run(String... a) throws Exception {
            RLock r = RLock.attach(a[0]);
            SharedArray counter = SharedArray.attach(a[1]);
            for (int i = 0; i < Integer.parseInt(a[2]); i++) {
                r.acquire();
                r.acquire();
                try (var held = r.hold()) {
                    long v = counter.getLong(0);
                    Thread.onSpinWait();
                    counter.setLong(0, v + 1);
                } finally {
                    r.release();
                    r.release();
                }
            }
            r.acquire();
            String[] seen = new String[2];
            Thread other = new Thread(() -> {
                try {
                    r.release();
                    seen[0] = "released";
                } catch (IllegalStateException e) {
                    seen[0] = "release refused";
                }
                try {
                    seen[1] = "acquired " + r.acquire(Duration.ofMillis(100));
                } catch (InterruptedException e) {
                    seen[1] = "interrupted";
                }
            });
            other.start();
            other.join();
            r.release();
            System.out.println("thread: " + seen[0] + ", " + seen[1]);
        }
    }

    /**
     * args: condition, shared value, target, timeout ms. With the lock held, waits for value >= target;
     * prints "waitFor <result> value <v> held <still held> <elapsed ms>".
     */
    public static class CondWaitFor implements Task {
        @Override
        public void run(String... a) throws Exception {
            Condition c = Condition.attach(a[0]);
            SharedArray v = SharedArray.attach(a[1]);
            long target = Long.parseLong(a[2]), timeout = Long.parseLong(a[3]);
            try (var held = c.hold()) {
                System.out.println("waiting");
                long t0 = System.nanoTime();
                boolean r = timeout < 0 ? c.awaitFor(() -> v.getLong(0) >= target)
                        : c.awaitFor(() -> v.getLong(0) >= target, Duration.ofMillis(timeout));
                long elapsed = ms(t0);
                boolean stillHeld;
                try {
                    c.signal(0); // refused unless the lock is held
                    stillHeld = true;
                } catch (IllegalStateException e) {
                    stillHeld = false;
                }
                System.out.println("waitFor " + r + " value " + v.getLong(0) + " held " + stillHeld + " " + elapsed);
            }
        }
    }

    /** args: condition, order array, slot counter. Waits once; when woken, records its arrival in the order array. */
    public static class CondWaitOnce implements Task {
        @Override
        public void run(String... a) throws Exception {
            Condition c = Condition.attach(a[0]);
            SharedArray order = SharedArray.attach(a[1]);
            c.acquire();
            try {
                boolean r = c.await(Duration.ofSeconds(30));
                order.setLong((int) order.add(0, 1), ProcessHandle.current().pid());
                System.out.println("woken " + r);
            } finally {
                c.release();
            }
        }
    }

    /** args: condition. Tries to signal and to wait without holding the lock; prints what happened. */
    public static class CondUnheld implements Task {
        @Override
        public void run(String... a) throws Exception {
            Condition c = Condition.attach(a[0]);
            try {
                c.signal();
                System.out.println("signal allowed");
            } catch (IllegalStateException e) {
                System.out.println("signal refused: " + e.getMessage());
            }
            try {
                c.await(Duration.ofMillis(10));
                System.out.println("await allowed");
            } catch (IllegalStateException e) {
                System.out.println("await refused: " + e.getMessage());
            }
        }
    }

    /** args: barrier. Prints "parties <n> waiting <n> broken <b>". */
    public static class BarrierInfo implements Task {
        @Override
        public void run(String... a) {
            Barrier b = Barrier.attach(a[0]);
            System.out.println("parties " + b.parties() + " waiting " + b.nWaiting() + " broken " + b.isBroken());
        }
    }

    /** args: barrier, "abort" or "reset". */
    public static class BarrierChange implements Task {
        @Override
        public void run(String... a) {
            Barrier b = Barrier.attach(a[0]);
            if (a[1].equals("abort")) b.abort();
            else b.reset();
            System.out.println("broken " + b.isBroken());
        }
    }
}
