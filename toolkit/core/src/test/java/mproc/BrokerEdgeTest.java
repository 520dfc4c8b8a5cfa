package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 15, items 9 (broker part) and 10 (broker part): malformed and hostile frames sent for real on the
 * broker's socket never kill the broker or a serving thread; broker objects are freed when no handle
 * refers to them any more.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
@ExtendWith(WorkerJvms.class)
class BrokerEdgeTest {
    static byte[] encode(Object v) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Codec.write(new DataOutputStream(b), v);
        return b.toByteArray();
    }

    static byte[] frame(byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    /** Sends raw bytes on a fresh connection, reads what comes back within a short time, closes. */
    static int sendRaw(Path broker, byte[] bytes) throws IOException {
        try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            ch.connect(UnixDomainSocketAddress.of(broker));
            ByteBuffer b = ByteBuffer.wrap(bytes);
            while (b.hasRemaining()) ch.write(b);
            ch.shutdownOutput();
            ch.configureBlocking(false);
            ByteBuffer in = ByteBuffer.allocate(1 << 16);
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20);
            int n = 0;
            while (System.nanoTime() < end) {
                int r = ch.read(in);
                if (r < 0) break;
                n += r;
                in.clear();
                if (r == 0) Thread.onSpinWait();
            }
            return n;
        }
    }

    @Test
    void malformedAndHostileFramesNeverKillTheBroker() throws Exception {
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        try {
            Queue q = Queue.create();
            Lock lock = Lock.create();
            Path broker = Broker.local().path();
            long qid = q.id(), lid = lock.id();
            List<byte[]> seeds = List.of(
                    encode(List.of(1L, "get", qid, 1L, 0L)), encode(List.of(0L, "put", qid, List.of(1L, "x"))),
                    encode(List.of(2L, "acquire", lid, 0L)), encode(List.of(3L, "size", qid)),
                    encode(List.of(0L, "hello", 1L)), encode(List.of(4L, "ev.set", qid, 1L, 2L)),
                    encode(List.of(5L, "mg.get", lid, 1L, 2L, "k")), encode(List.of(6L, "wait", qid, 10L)));
            Random rnd = new Random(15);
            int tried = 0;
            // the known killers: a 9-byte frame declaring 2^28 longs, 200k nested lists, a length over the limit
            byte[] longs = ByteBuffer.allocate(9).put(Codec.LONGS).putInt(1 << 28).putInt(0).array();
            sendRaw(broker, frame(encode(List.of(1L, "put", qid, List.of("a")))));
            byte[] hugeDecl = new byte[9];
            System.arraycopy(longs, 0, hugeDecl, 0, 9);
            sendRaw(broker, frame(hugeDecl));
            tried++;
            ByteArrayOutputStream nested = new ByteArrayOutputStream();
            DataOutputStream d = new DataOutputStream(nested);
            for (int k = 0; k < 200_000; k++) {
                d.writeByte(Codec.LIST);
                d.writeInt(1);
            }
            d.writeByte(Codec.NULL);
            sendRaw(broker, frame(nested.toByteArray()));
            tried++;
            sendRaw(broker, ByteBuffer.allocate(8).putInt(Integer.MAX_VALUE).putInt(0).array());
            tried++;
            sendRaw(broker, ByteBuffer.allocate(8).putInt(-5).putInt(0).array());
            tried++;
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(40);
            for (int k = 0; k < 3000 && System.nanoTime() < end; k++, tried++) {
                byte[] body;
                if (k % 3 == 0) { // random bytes
                    body = new byte[rnd.nextInt(64)];
                    rnd.nextBytes(body);
                } else { // a real request mutated: bytes flipped, cut short, or grown
                    byte[] s = seeds.get(rnd.nextInt(seeds.size()));
                    body = s.clone();
                    int flips = 1 + rnd.nextInt(4);
                    for (int f = 0; f < flips; f++) body[rnd.nextInt(body.length)] = (byte) rnd.nextInt(256);
                    if (rnd.nextInt(4) == 0) body = java.util.Arrays.copyOf(body, rnd.nextInt(body.length + 1));
                    if (rnd.nextInt(8) == 0) body = java.util.Arrays.copyOf(body, body.length + rnd.nextInt(32));
                }
                byte[] f = frame(body);
                if (rnd.nextInt(10) == 0) f = java.util.Arrays.copyOf(f, rnd.nextInt(f.length + 1)); // a cut frame
                sendRaw(broker, f);
            }
            System.out.println("broker fuzz: " + tried + " inputs tried");
            // ill-typed requests on a real link: each gets its own error reply, and the next call is answered in step
            try (Broker.Link l = new Broker.Link(broker)) {
                assertEquals("error", l.call(List.of("acquire", qid, 0L)).get(0), "a lock op on a queue");
                assertEquals("error", l.call(List.of("put", qid, "not a list")).get(0));
                assertEquals("error", l.call(List.of("get", qid, "x", 0L)).get(0));
                assertEquals("error", l.call(List.of("size", 999_999L)).get(0), "no such object");
                List<?> size = l.call(List.of("size", qid)); // fuzzed puts that decoded may have put items: count them
                assertEquals(List.of("ok", (long) q.size()), size, "in step after four errors");
            }
            // the broker still serves correct requests, from another JVM too
            Queue fresh = Queue.create();
            fresh.put(42L);
            Worker w = new Worker(QueueTasks.TakeLater.class, fresh, setEvent(), 1).start();
            assertTrue(w.join(Duration.ofSeconds(60)), w.output().toString());
            assertEquals(0, w.exitCode(), w.output().toString());
            assertTrue(w.output().contains("got 42"), w.output().toString());
            assertTrue(lock.acquire(Duration.ofSeconds(5)), "the lock was not left held by a fuzzed acquire");
            lock.release();
            assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("mproc-broker") && t.isAlive()),
                    "the broker's accept thread lives");
            assertEquals(List.of(), uncaught, "no thread died of an uncaught exception");
        } finally {
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
    }

    static Event setEvent() {
        Event e = Event.create();
        e.set();
        return e;
    }

    static long fds() throws IOException {
        try (var s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    static void awaitSize(int expected, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (Broker.local().size() != expected && System.nanoTime() < end) {
            System.gc();
            Thread.sleep(50);
        }
        assertEquals(expected, Broker.local().size(), what);
    }

    @Test
    void brokerObjectsAreFreedWhenNoHandleRefersToThem() throws Exception {
        Event done = Event.create();
        Broker b = Broker.local();
        int base = b.size();
        long fd0 = fds();
        for (int k = 0; k < 10_000; k++) {
            Lock.create().close();
            Barrier.create(2).close();
            Event.create().close();
            Semaphore.create(1).close();
            RLock.create().close();
            Queue q = Queue.create();
            q.shutdown();
            q.close();
        }
        assertEquals(base, b.size(), "60,000 objects created and closed: all freed");
        // dropped remote handles (attached in this JVM, so over the socket): freed once unreachable
        int dropped = 0;
        // in rounds of 100: each dropped handle holds ~10 file descriptors (its socket and selectors, both ends
        // in this JVM) until the GC finds it, so 500 a round came near the 20,000 limit when no GC ran meanwhile
        for (int round = 0; round < 20; round++) {
            for (int k = 0; k < 100; k++, dropped++) {
                Lock l = Lock.create();
                Lock.attach(l.address()); // a remote handle, dropped at once
                Event e = Event.create();
                Event.attach(e.address());
                Queue q = Queue.create();
                Queue.attach(q.address()).put(k); // a remote handle that put an item, dropped at once
                q.shutdown();
                q.close();
                l.close();
                e.close();
            }
            awaitSize(base, "round " + round + ": objects whose remote handles were dropped are freed");
        }
        long fd1 = fds();
        System.out.println("broker objects: base " + base + " after " + (60_000 + 3 * dropped) + " created: " + b.size()
                + "; file descriptors " + fd0 + " -> " + fd1);
        assertTrue(fd1 - fd0 < 50, "file descriptors " + fd0 + " -> " + fd1);
        // a handle in a worker keeps the object alive after the owner's handle is closed, until it ends
        List<Object> args = new ArrayList<>();
        List<Lock> locks = new ArrayList<>();
        for (int k = 0; k < 50; k++) locks.add(Lock.create());
        args.add(50);
        args.add(done);
        args.addAll(locks);
        Worker w = new Worker(EdgeTasks.AttachMany.class, args.toArray()).start();
        assertTrue(w.awaitOutput("attached 50", Duration.ofSeconds(60)), w.output().toString());
        for (Lock l : locks) l.close();
        Thread.sleep(200);
        assertEquals(base + 50, b.size(), "still referred to by the worker's handles");
        done.set();
        assertTrue(w.join(Duration.ofSeconds(60)));
        assertEquals(0, w.exitCode(), w.output().toString());
        awaitSize(base, "freed when the worker's handles went away");
        var e = assertThrows(IllegalStateException.class, () -> Lock.attach(locks.get(0).address()).acquire());
        assertTrue(e.getMessage().contains("no such object"), e.getMessage());
    }

    /**
     * The client's side of malformed frames: a fake owner answers each call with one bad frame (a notice whose
     * payload is not a list, a reply that is not a list, a reply to another call). Each call fails with an
     * IOException that says so, never a ClassCastException; and a well-formed notice read on the way is kept.
     */
    @Test
    void aClientGivenMalformedRepliesFailsTheCallClearly() throws Exception {
        Path dir = Files.createTempDirectory("mproc-fake-owner");
        Path sock = dir.resolve("owner.sock");
        List<Object> bad = List.of(List.of(0L, "not a list"), List.of(1L, "not a list"), List.of(99L, List.of("ok")));
        try (java.nio.channels.ServerSocketChannel server = java.nio.channels.ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            server.bind(UnixDomainSocketAddress.of(sock));
            List<Throwable> ownerFailed = new CopyOnWriteArrayList<>();
            Thread owner = new Thread(() -> {
                for (Object reply : bad) {
                    try (SocketChannel ch = server.accept()) { // closed whatever happens: the client never hangs
                        FrameChannel c = new FrameChannel(ch);
                        Object hello = c.read(Long.MAX_VALUE);
                        if (!(hello instanceof List<?> h) || !"hello".equals(h.get(1))) throw new AssertionError("not a hello: " + hello);
                        c.read(Long.MAX_VALUE); // the call
                        c.write(List.of(0L, List.of("refused", "a batch was refused"))); // well-formed: kept
                        c.write(reply);
                        c.read(Long.MAX_VALUE); // until the client closes
                    } catch (IOException e) {
                        // the client closed: next connection
                    } catch (Throwable e) {
                        ownerFailed.add(e);
                    }
                }
            });
            owner.start();
            for (Object reply : bad) {
                try (Broker.Link l = new Broker.Link(sock)) {
                    IOException e = assertThrows(IOException.class, () -> l.call(List.of("size", 1L)), "reply " + reply);
                    String m = String.valueOf(e.getMessage());
                    assertTrue(m.contains("out of step") || m.contains("unexpected"), reply + " gave: " + e);
                    assertEquals(List.of("refused", "a batch was refused"), l.notice(), "the good notice before it is kept");
                }
            }
            owner.join(10_000);
            assertFalse(owner.isAlive());
            assertEquals(List.of(), ownerFailed, "the fake owner's side");
        } finally {
            Files.deleteIfExists(sock);
            Files.deleteIfExists(dir);
        }
    }

    @Test
    void anErrorWhileServingARequestFailsThatRequestOnly() throws Exception {
        List<Throwable> uncaught = new CopyOnWriteArrayList<>();
        Thread.UncaughtExceptionHandler before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
        Queue q = Queue.create();
        q.put("kept");
        Worker w = null;
        try {
            int[] injected = {0};
            Broker.faultHook = op -> {
                if (op.equals("size")) {
                    injected[0]++;
                    throw injected[0] % 2 == 0 ? new OutOfMemoryError("injected") : new StackOverflowError("injected");
                }
            };
            try (Broker.Link l = new Broker.Link(Broker.local().path())) {
                for (int k = 0; k < 100; k++) {
                    List<?> r = l.call(List.of("size", q.id()));
                    assertEquals("error", r.get(0));
                    assertTrue(String.valueOf(r.get(1)).contains("injected"), r.toString());
                    List<?> g = l.call(List.of("get", q.id(), 1L, 0L)); // the same connection, the next call: in step
                    if (k == 0) assertEquals(List.of("items", List.of("kept")), g);
                    else assertEquals(List.of("timeout"), g);
                }
            }
            System.out.println("Errors thrown in serving threads: " + injected[0]);
            assertEquals(100, injected[0]);
            Broker.faultHook = null;
            // another JVM is still served
            Queue fresh = Queue.create();
            fresh.put(7L);
            w = new Worker(QueueTasks.TakeLater.class, fresh, setEvent(), 1).start();
            assertTrue(w.join(Duration.ofSeconds(60)));
            assertEquals(List.of("ready", "got 7"), w.output());
            assertEquals(List.of(), uncaught, "no thread died of an uncaught exception");
        } finally {
            Broker.faultHook = null;
            Thread.setDefaultUncaughtExceptionHandler(before);
        }
    }

    /**
     * A queue's owner that runs out of file descriptors: prints the queue's address, then opens /dev/null
     * until it has no descriptor left and prints "full"; at the line "free" on stdin closes them and prints
     * "freed"; ends at the end of stdin.
     */
    public static final class FullOwner {
        public static void main(String[] args) throws Exception {
            Queue q = Queue.create();
            System.out.println("address " + q.address());
            List<java.nio.channels.FileChannel> held = new ArrayList<>();
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(System.in));
            try {
                while (true) held.add(java.nio.channels.FileChannel.open(Path.of("/dev/null")));
            } catch (IOException e) {
                System.out.println("full " + held.size() + " " + e.getMessage());
            }
            if ("free".equals(in.readLine())) {
                for (java.nio.channels.FileChannel c : held) c.close();
                System.out.println("freed");
            }
            while (in.readLine() != null) {
                // until the test closes stdin
            }
        }
    }

    @Test
    void anOwnerOutOfFileDescriptorsRefusesANewClientClearlyThenServesItOnceItHasSome() throws Exception {
        String java = WorkerJvms.java();
        // the owner's limit for real (prlimit, util-linux): low, so that it runs out soon
        Process owner = new ProcessBuilder("prlimit", "--nofile=200:200", java, "-XX:+UseSerialGC", "-Xshare:auto",
                "-cp", System.getProperty("java.class.path"), FullOwner.class.getName()).redirectErrorStream(true).start();
        java.util.concurrent.BlockingQueue<String> lines = new java.util.concurrent.LinkedBlockingQueue<>();
        Thread reader = new Thread(() -> {
            try (var r = new java.io.BufferedReader(new java.io.InputStreamReader(owner.getInputStream()))) {
                for (String l; (l = r.readLine()) != null; ) lines.add(l);
            } catch (IOException ignored) {
                // the owner ended
            }
        });
        reader.start();
        try (java.io.Writer toOwner = new java.io.OutputStreamWriter(owner.getOutputStream())) {
            String address = next(lines, "address ").substring("address ".length());
            String full = next(lines, "full ");
            assertTrue(full.contains("Too many open files"), full);
            long t0 = System.nanoTime();
            java.io.UncheckedIOException refused = assertThrows(java.io.UncheckedIOException.class, () -> Queue.attach(address));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(10), "the refusal came at once, not after a wait");
            assertTrue(refused.getMessage().contains("refused the connection: it has no file descriptor left")
                    && refused.getMessage().contains("pid " + owner.pid()), refused.getMessage());
            toOwner.write("free\n");
            toOwner.flush();
            next(lines, "freed");
            Queue q = Queue.attach(address);
            try {
                q.put("after");
                assertEquals("after", q.get(), "the owner serves again");
            } finally {
                q.close();
            }
        } finally {
            assertTrue(owner.waitFor(30, TimeUnit.SECONDS) || owner.destroyForcibly().waitFor(10, TimeUnit.SECONDS),
                    "the owner ended at the end of its stdin");
            reader.join(10_000);
        }
        assertEquals(0, owner.exitValue(), String.join("\n", lines));
    }

    /** The next line of the owner's that starts with {@code prefix} (within 60 s), the others skipped. */
    private static String next(java.util.concurrent.BlockingQueue<String> lines, String prefix) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        List<String> skipped = new ArrayList<>();
        while (System.nanoTime() < deadline) {
            String l = lines.poll(100, TimeUnit.MILLISECONDS);
            if (l == null) continue;
            if (l.startsWith(prefix)) return l;
            skipped.add(l);
        }
        throw new AssertionError("the owner never printed '" + prefix + "...'; it printed: " + skipped);
    }
}
