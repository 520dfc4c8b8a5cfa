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
}
