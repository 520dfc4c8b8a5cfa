package mproc;

import static mproc.Broker.awaitSlice;
import static mproc.Broker.deadline;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The broker-side state of {@link Event}, {@link Semaphore}, {@link RLock} and {@link Condition}, and the
 * requests that reach it from other JVMs ({@code kind.op}, with the caller's pid and thread id). The host
 * JVM uses the state directly, with a null client. Every wait is in slices, so that a waiting client
 * whose process died is noticed and its wait dropped.
 */
final class Sync {
    private Sync() {}

    static Object handle(String op, Object state, Broker.Owner who, List<?> args, long timeout, Broker.Client client)
            throws InterruptedException {
        switch (op) {
            case "ev.set": ((EventState) state).set(); return List.of("ok");
            case "ev.clear": ((EventState) state).clear(); return List.of("ok");
            case "ev.isset": return List.of("ok", ((EventState) state).isSet());
            case "ev.wait": return List.of("ok", ((EventState) state).await(timeout, client));
            case "sem.acquire": {
                SemaphoreState sem = (SemaphoreState) state;
                boolean got = sem.acquire(timeout, client);
                if (got && client != null) client.undo = sem::release;
                return List.of("ok", got);
            }
            case "sem.release": ((SemaphoreState) state).release(); return List.of("ok");
            case "sem.value": return List.of("ok", (long) ((SemaphoreState) state).value());
            case "rl.acquire": {
                int n = ((Number) args.get(0)).intValue();
                RLockState rl = (RLockState) state;
                int got = rl.acquire(who, n, timeout, client);
                if (got > 0 && client != null) client.undo = () -> rl.releaseLevels(who, n);
                return List.of("ok", got > 0, got == 2);
            }
            case "rl.release": ((RLockState) state).release(who); return List.of("ok");
            case "rl.releaseall": return List.of("ok", (long) ((RLockState) state).releaseAll(who));
            case "rl.mine": return List.of("ok", ((RLockState) state).isMine(who));
            case "cv.enroll": return List.of("ok", ((ConditionState) state).enroll(who));
            case "cv.wait": {
                long ticket = ((Number) args.get(0)).longValue();
                return List.of("ok", ((ConditionState) state).await(ticket, timeout, client));
            }
            case "cv.signal": return List.of("ok", (long) ((ConditionState) state).signal(((Number) args.get(0)).intValue()));
            default: return List.of("error", "unknown operation " + op);
        }
    }

    private static boolean gone(Broker.Client c) {
        return c != null && c.gone();
    }

    /** Python's Event: a flag; waiters wait until it is set. */
    static final class EventState {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition changed = lock.newCondition();
        private boolean flag;

        void set() {
            lock.lock();
            try {
                flag = true;
                changed.signalAll();
            } finally {
                lock.unlock();
            }
        }

        void clear() {
            lock.lock();
            try {
                flag = false;
            } finally {
                lock.unlock();
            }
        }

        boolean isSet() {
            lock.lock();
            try {
                return flag;
            } finally {
                lock.unlock();
            }
        }

        /** The flag once set, or at the timeout (negative: none). */
        boolean await(long timeoutMillis, Broker.Client client) throws InterruptedException {
            long deadline = deadline(timeoutMillis);
            lock.lock();
            try {
                while (!flag) {
                    if (gone(client)) return false;
                    if (!awaitSlice(changed, deadline)) return flag;
                }
                return true;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Python's Semaphore and BoundedSemaphore: a counter; no owner, so any process may release. */
    static final class SemaphoreState {
        private final ReentrantLock lock = new ReentrantLock(true);
        private final Condition positive = lock.newCondition();
        private final int initial;
        private final boolean bounded;
        private int value;

        SemaphoreState(int value, boolean bounded) {
            this.initial = value;
            this.value = value;
            this.bounded = bounded;
        }

        boolean acquire(long timeoutMillis, Broker.Client client) throws InterruptedException {
            long deadline = deadline(timeoutMillis);
            lock.lock();
            try {
                while (value == 0) {
                    if (gone(client)) return false;
                    if (!awaitSlice(positive, deadline)) return false;
                }
                value--;
                return true;
            } finally {
                lock.unlock();
            }
        }

        void release() {
            lock.lock();
            try {
                if (bounded && value >= initial) throw new IllegalStateException("semaphore or lock released too many times"
                        + " (a BoundedSemaphore(" + initial + ") cannot go above its initial value)");
                value++;
                positive.signal();
            } finally {
                lock.unlock();
            }
        }

        int value() {
            lock.lock();
            try {
                return value;
            } finally {
                lock.unlock();
            }
        }
    }

    /** Python's RLock: held by one thread of one process, as many times as it acquired it. */
    static final class RLockState implements Broker.Abandonable {
        private final ReentrantLock lock = new ReentrantLock(true);
        private final Condition free = lock.newCondition();
        private Broker.Owner owner;
        private int count;
        private boolean ownerDied; // its holder's process ended holding it: told to the next acquirer

        /**
         * Takes it {@code n} more times (n > 1: a Condition gives back the levels await released). 0: not
         * taken; 1: taken; 2: taken, and the previous holder's process had ended holding it (told once).
         */
        int acquire(Broker.Owner who, int n, long timeoutMillis, Broker.Client client) throws InterruptedException {
            long deadline = deadline(timeoutMillis);
            lock.lockInterruptibly();
            try {
                if (who.equals(owner)) {
                    count += n;
                    return 1;
                }
                while (owner != null) {
                    if (gone(client)) return 0;
                    if (!awaitSlice(free, deadline)) return 0;
                }
                owner = who;
                count = n;
                boolean died = ownerDied;
                ownerDied = false;
                return died ? 2 : 1;
            } finally {
                lock.unlock();
            }
        }

        /** Gives back {@code n} levels taken by a call its caller gave up (it was interrupted). */
        void releaseLevels(Broker.Owner who, int n) {
            lock.lock();
            try {
                if (!who.equals(owner)) return;
                count -= Math.min(n, count);
                if (count == 0) {
                    owner = null;
                    free.signal();
                }
            } finally {
                lock.unlock();
            }
        }

        private void checkMine(Broker.Owner who) {
            if (owner == null) throw new IllegalStateException("cannot release un-acquired lock (this RLock is not held)");
            if (!who.equals(owner)) throw new IllegalStateException("attempt to release recursive lock not owned by thread"
                    + " (this RLock is held by thread " + owner.thread() + " of process " + owner.pid() + ")");
        }

        void release(Broker.Owner who) {
            lock.lock();
            try {
                checkMine(who);
                if (--count == 0) {
                    owner = null;
                    free.signal();
                }
            } finally {
                lock.unlock();
            }
        }

        /** Releases every level the caller holds; returns how many. */
        int releaseAll(Broker.Owner who) {
            lock.lock();
            try {
                checkMine(who);
                int n = count;
                count = 0;
                owner = null;
                free.signal();
                return n;
            } finally {
                lock.unlock();
            }
        }

        boolean isMine(Broker.Owner who) {
            lock.lock();
            try {
                return who.equals(owner);
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void abandon(long pid, boolean died) {
            lock.lock();
            try {
                if (owner != null && owner.pid() == pid) {
                    owner = null;
                    count = 0;
                    if (died) ownerDied = true;
                    free.signal();
                }
            } finally {
                lock.unlock();
            }
        }
    }

    /**
     * The wait queue of a Condition (its lock is a Lock or RLock of its own). A waiter enrolls while it holds
     * the lock, releases the lock, then waits for its ticket: a notify between the release and the wait is
     * not lost. Notifying wakes the longest waiting tickets first.
     */
    static final class ConditionState implements Broker.Abandonable {
        private final ReentrantLock lock = new ReentrantLock();
        private final Condition woken = lock.newCondition();
        private final Map<Long, Broker.Owner> waiting = new LinkedHashMap<>(), notified = new LinkedHashMap<>();
        private long tickets;

        long enroll(Broker.Owner who) {
            lock.lock();
            try {
                long t = ++tickets;
                waiting.put(t, who);
                return t;
            } finally {
                lock.unlock();
            }
        }

        /** True if notified; false at the timeout (the ticket is then withdrawn). */
        boolean await(long ticket, long timeoutMillis, Broker.Client client) throws InterruptedException {
            long deadline = deadline(timeoutMillis);
            lock.lock();
            try {
                while (!notified.containsKey(ticket)) {
                    if (!waiting.containsKey(ticket)) return false; // withdrawn: its process was seen to end
                    boolean more;
                    try {
                        more = !gone(client) && awaitSlice(woken, deadline);
                    } catch (InterruptedException e) {
                        waiting.remove(ticket);
                        notified.remove(ticket);
                        throw e;
                    }
                    if (!more) {
                        waiting.remove(ticket);
                        return notified.remove(ticket) != null;
                    }
                }
                notified.remove(ticket);
                return true;
            } finally {
                lock.unlock();
            }
        }

        /** Wakes up to n waiters, the longest waiting first; returns how many. */
        int signal(int n) {
            lock.lock();
            try {
                int k = 0;
                for (Iterator<Map.Entry<Long, Broker.Owner>> it = waiting.entrySet().iterator(); it.hasNext() && k < n; k++) {
                    Map.Entry<Long, Broker.Owner> e = it.next();
                    it.remove();
                    notified.put(e.getKey(), e.getValue());
                }
                if (k > 0) woken.signalAll();
                return k;
            } finally {
                lock.unlock();
            }
        }

        int waiters() {
            lock.lock();
            try {
                return waiting.size();
            } finally {
                lock.unlock();
            }
        }

        @Override
        public void abandon(long pid, boolean died) {
            lock.lock();
            try {
                waiting.values().removeIf(o -> o.pid() == pid);
                notified.values().removeIf(o -> o.pid() == pid);
            } finally {
                lock.unlock();
            }
        }
    }
}
