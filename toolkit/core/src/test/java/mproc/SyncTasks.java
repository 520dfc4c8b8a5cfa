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
}
