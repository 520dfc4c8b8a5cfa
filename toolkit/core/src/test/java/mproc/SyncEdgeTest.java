package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 15, items 7 and 8 and "a lock whose holder died": handles attached to objects that a worker JVM
 * owns, used by threads of this JVM that are interrupted for real while they wait, or that share a handle.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
@ExtendWith(WorkerJvms.class)
class SyncEdgeTest {
    static final Duration WAIT = Duration.ofSeconds(60);

    static Map<String, String> addresses(Worker owner) throws InterruptedException {
        assertTrue(owner.awaitOutput("ready", WAIT), owner.output().toString());
        Map<String, String> m = new HashMap<>();
        for (String l : owner.output()) {
            if (!l.startsWith("addr ")) continue;
            String[] f = l.split(" ", 3);
            m.put(f[1], f[2]);
        }
        return m;
    }

    record Outcome(String what, Throwable thrown, double latencyMs, double cpuMsPerSecond) {}

    /** Runs call in a thread, checks it waits, measures its CPU for a second, interrupts it, and times the exception. */
    static Outcome interrupted(String what, Callable<?> call) throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicLong at = new AtomicLong();
        Thread t = new Thread(() -> {
            try {
                Object r = call.call();
                thrown.set(new AssertionError(what + " returned " + r + " instead of waiting"));
            } catch (Throwable e) {
                at.set(System.nanoTime());
                thrown.set(e);
            }
        }, "blocked-" + what);
        t.start();
        Thread.sleep(300);
        assertTrue(t.isAlive(), what + " does not wait: " + thrown.get());
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long c0 = mx.getThreadCpuTime(t.threadId());
        Thread.sleep(1000);
        long c1 = mx.getThreadCpuTime(t.threadId());
        assertTrue(t.isAlive(), what + " stopped waiting by itself: " + thrown.get());
        long t0 = System.nanoTime();
        t.interrupt();
        t.join(10_000);
        assertFalse(t.isAlive(), what + " ignored the interrupt");
        Outcome o = new Outcome(what, thrown.get(), (at.get() - t0) / 1e6, (c1 - c0) / 1e6);
        System.out.printf("interrupt in %s: %s after %.1f ms; CPU while waiting %.1f ms/s%n", what,
                o.thrown().getClass().getSimpleName(), o.latencyMs(), o.cpuMsPerSecond());
        assertInstanceOf(InterruptedException.class, o.thrown(), what);
        assertTrue(o.latencyMs() < 1000, what + ": " + o.latencyMs() + " ms to see the interrupt");
        assertTrue(o.cpuMsPerSecond() < 300, what + " spins: " + o.cpuMsPerSecond() + " ms of CPU in a second");
        return o;
    }

    @Test
    void anInterruptEndsEveryRemoteWaitAndTheHandleStaysUsable() throws Exception {
        Worker owner = new Worker(EdgeTasks.Owner.class).start();
        try {
            Map<String, String> a = addresses(owner);
            List<Outcome> all = new ArrayList<>();

            Queue q = Queue.attach(a.get("queue"));
            all.add(interrupted("Queue.get", q::get));
            q.put("after");
            assertEquals("after", q.get(WAIT), "the queue handle works after the interrupt");

            Queue full = Queue.attach(a.get("full"));
            all.add(interrupted("bounded Queue.put", () -> {
                full.put("y", Duration.ofSeconds(60));
                return null;
            }));
            assertThrows(Queue.Full.class, () -> full.put("z", Duration.ofMillis(200)), "still full: the interrupted put did not go in");
            assertEquals(1, full.size());

            Lock lock = Lock.attach(a.get("lock"));
            all.add(interrupted("Lock.acquire", () -> {
                lock.acquire();
                return null;
            }));
            assertFalse(lock.acquire(Duration.ofMillis(200)), "the owner still holds it");

            RLock rlock = RLock.attach(a.get("rlock"));
            all.add(interrupted("RLock.acquire", () -> {
                rlock.acquire();
                return null;
            }));
            assertFalse(rlock.acquire(Duration.ofMillis(200)));

            Semaphore sem = Semaphore.attach(a.get("sem"));
            all.add(interrupted("Semaphore.acquire", () -> {
                sem.acquire();
                return null;
            }));
            assertEquals(0, sem.getValue());
            sem.release();
            assertTrue(sem.acquire(Duration.ofSeconds(5)));
            assertEquals(0, sem.getValue(), "the interrupted acquire took nothing");

            Event ev = Event.attach(a.get("event"));
            all.add(interrupted("Event.await", () -> {
                ev.await();
                return null;
            }));
            ev.set();
            assertTrue(ev.await(Duration.ofSeconds(5)));

            Barrier b = Barrier.attach(a.get("barrier2"));
            all.add(interrupted("Barrier.await", b::await));
            long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!b.isBroken() && System.nanoTime() < until) Thread.sleep(10); // the owner sees the cancel in its next slice
            assertTrue(b.isBroken(), "an interrupted party breaks the barrier (as Java's CyclicBarrier)");
            b.reset();
            assertFalse(b.isBroken());

            Condition cv = Condition.attach(a.get("cond"));
            cv.acquire();
            Thread holder = Thread.currentThread();
            // the waiting thread must hold the lock: acquire in it
            cv.release();
            all.add(interrupted("Condition.await", () -> {
                cv.acquire();
                try {
                    cv.await();
                } finally {
                    cv.release(); // the lock is held again after the interrupted wait
                }
                return null;
            }));
            assertNotNull(holder);
            assertTrue(cv.acquire(Duration.ofSeconds(5)), "the condition's lock is free after the interrupted wait");
            cv.release();

            JoinableQueue jq = JoinableQueue.attach(a.get("jq"));
            all.add(interrupted("JoinableQueue.join", () -> {
                jq.join();
                return null;
            }));
            assertEquals("task", jq.get(WAIT));
            jq.taskDone();
            jq.join();
            System.out.println("interrupts injected: " + all.size() + ", max latency "
                    + all.stream().mapToDouble(Outcome::latencyMs).max().orElse(0) + " ms");
        } finally {
            owner.kill();
            owner.join(WAIT);
        }
    }

    @Test
    void threadsSharingARemoteHandleDoNotWaitForEachOther() throws Exception {
        Worker owner = new Worker(EdgeTasks.Owner.class).start();
        try {
            Map<String, String> a = addresses(owner);
            // a Lock: B waiting in acquire does not delay A's release
            Lock lock = Lock.attach(a.get("free"));
            lock.acquire();
            AtomicLong bGot = new AtomicLong();
            Thread b = new Thread(() -> {
                try {
                    lock.acquire();
                    bGot.set(System.nanoTime());
                    lock.release();
                } catch (InterruptedException e) {
                    throw new RuntimeException(e);
                }
            });
            b.start();
            Thread.sleep(300);
            assertEquals(0, bGot.get(), "B waits: A holds the lock");
            long t0 = System.nanoTime();
            lock.release();
            double releaseMs = (System.nanoTime() - t0) / 1e6;
            b.join(10_000);
            assertFalse(b.isAlive());
            assertTrue(bGot.get() > 0, "B got the lock after A's release");
            System.out.printf("release while another thread waits in acquire: %.1f ms%n", releaseMs);
            assertTrue(releaseMs < 1000, "A's release waited " + releaseMs + " ms behind B's acquire");

            // a Barrier: three threads of this JVM at one handle are all released
            Barrier b3 = Barrier.attach(a.get("barrier3"));
            List<Integer> indices = java.util.Collections.synchronizedList(new ArrayList<>());
            List<Thread> ts = new ArrayList<>();
            for (int k = 0; k < 2; k++) {
                Thread t = new Thread(() -> {
                    try {
                        indices.add(b3.await(Duration.ofSeconds(30)));
                    } catch (Exception e) {
                        indices.add(-1);
                    }
                });
                t.start();
                ts.add(t);
            }
            indices.add(b3.await(Duration.ofSeconds(30)));
            for (Thread t : ts) t.join(10_000);
            assertEquals(List.of(0, 1, 2), indices.stream().sorted().toList());

            // a Queue: a get that waits holds up neither this handle's puts nor another queue's batches
            Queue q2 = Queue.attach(a.get("queue2"));
            Queue q = Queue.attach(a.get("queue"));
            AtomicReference<Object> got = new AtomicReference<>();
            Thread getter = new Thread(() -> {
                try {
                    got.set(q2.get(Duration.ofSeconds(30)));
                } catch (Exception e) {
                    got.set(e);
                }
            });
            getter.start();
            Thread.sleep(300);
            for (int k = 0; k < 100; k++) q.put(k);
            long t1 = System.nanoTime();
            assertEquals(100, q.size(), "the other queue's batch arrived");
            q2.put("p"); // the same handle that waits in get
            getter.join(10_000);
            double ms = (System.nanoTime() - t1) / 1e6;
            assertEquals("p", got.get());
            System.out.printf("put and size while a get waits on the same JVM's handles: %.1f ms%n", ms);
            assertTrue(ms < 5000, ms + " ms");
        } finally {
            owner.kill();
            owner.join(WAIT);
        }
    }

    @Test
    void theNextAcquirerIsToldThatTheHolderDied() throws Exception {
        Lock lock = Lock.create();
        Worker w = new Worker(EdgeTasks.HoldLock.class, lock).start();
        assertTrue(w.awaitOutput("held", WAIT));
        assertFalse(lock.acquire(Duration.ofMillis(100)));
        w.kill(); // SIGKILL while holding it
        assertTrue(lock.acquire(Duration.ofSeconds(30)), "freed when its holder died");
        assertTrue(lock.holderDied(), "and this acquirer is told, as EOWNERDEAD");
        lock.release();
        assertTrue(lock.acquire(Duration.ofSeconds(5)));
        assertFalse(lock.holderDied(), "told once");
        lock.release();
        assertTrue(w.join(WAIT));

        Worker closer = new Worker(EdgeTasks.HoldThenClose.class, lock).start();
        assertTrue(closer.join(WAIT));
        assertEquals(0, closer.exitCode(), closer.output().toString());
        assertTrue(lock.acquire(Duration.ofSeconds(5)), "a holder that closed its handle released it");
        assertFalse(lock.holderDied(), "closing is no death");
        lock.release();

        RLock r = RLock.create();
        Worker rw = new Worker(EdgeTasks.HoldRLock.class, r).start();
        assertTrue(rw.awaitOutput("held", WAIT));
        assertFalse(r.acquire(Duration.ofMillis(100)));
        rw.kill();
        assertTrue(r.acquire(Duration.ofSeconds(30)));
        assertTrue(r.holderDied());
        r.release();
        assertTrue(rw.join(WAIT));
    }

    @Test
    void anInterruptRacingTheGrantNeverLeavesTheLockOrASemaphoreUnitTaken() throws Exception {
        Lock host = Lock.create();
        Lock remote = Lock.attach(host.address()); // over the socket, as in another JVM
        Semaphore sem = Semaphore.create(0);
        Semaphore remoteSem = Semaphore.attach(sem.address());
        int granted = 0, interrupted = 0, rounds = Integer.getInteger("mproc.test.rounds", 200);
        Random rnd = new Random(8);
        for (int k = 0; k < rounds; k++) {
            host.acquire();
            AtomicReference<String> got = new AtomicReference<>();
            Thread t = new Thread(() -> {
                try {
                    if (k0(remote, remoteSem, got)) got.set("granted");
                } catch (InterruptedException e) {
                    got.compareAndSet(null, "interrupted");
                } catch (Throwable e) {
                    got.set("failed: " + e);
                }
            });
            t.start();
            Thread.sleep(2);
            host.release(); // the owner grants it to the waiting thread...
            sem.release();
            if (rnd.nextBoolean()) Thread.onSpinWait(); else Thread.sleep(0, rnd.nextInt(200_000));
            t.interrupt(); // ...while it is being interrupted
            t.join(10_000);
            assertFalse(t.isAlive());
            if ("granted".equals(got.get())) granted++;
            else if ("interrupted".equals(got.get())) interrupted++;
            else fail("round " + k + ": an interrupt must end the call with InterruptedException, got " + got.get());
            assertTrue(host.acquire(Duration.ofSeconds(10)), "round " + k + " (" + got.get() + "): the lock was left held");
            host.release();
            // the unit released this round comes back to us: the owner's thread that served a cancelled waiter may
            // take it for a moment (it had not seen the cancel yet) and then gives it back, so it is waited for
            assertTrue(sem.acquire(Duration.ofSeconds(10)), "round " + k + " (" + got.get() + "): a semaphore unit was lost");
            assertEquals(0, sem.getValue(), "round " + k + " (" + got.get() + "): a semaphore unit was given back twice");
        }
        Thread.sleep(200); // a late give-back would show now
        assertEquals(0, sem.getValue(), "a semaphore unit was given back twice");
        System.out.println("interrupt racing the grant: " + rounds + " rounds, granted " + granted + ", interrupted " + interrupted);
        remote.close();
        remoteSem.close();
    }

    /** Acquires the lock, then the semaphore; gives both back when it got both (the test counts only what is left). */
    private static boolean k0(Lock l, Semaphore s, AtomicReference<String> got) throws InterruptedException {
        l.acquire();
        l.release();
        try {
            s.acquire();
        } catch (InterruptedException e) {
            got.set("interrupted");
            throw e;
        }
        s.release();
        return true;
    }
}
