package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A fuzzer on real sockets: random and mutated frames written to a pipe end and to the broker, bounded in
 * count and time, with a fixed seed (printed; {@code -Dfuzz.seed=N} to replay, {@code -Dfuzz.inputs=N}).
 * Afterwards both still serve correct requests and no thread ended with an uncaught exception.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
@ExtendWith(WorkerJvms.class)
class WireFuzzTest {
    static final long SEED = Long.getLong("fuzz.seed", 20261201L);
    static final int INPUTS = Integer.getInteger("fuzz.inputs", 20_000);
    static final long BUDGET_NANOS = TimeUnit.SECONDS.toNanos(Long.getLong("fuzz.seconds", 30));
    static final Duration WAIT = Duration.ofSeconds(30);

    enum Colour { RED, GREEN }

    record Point(long x, String label, List<Object> tags) {}

    private final ConcurrentLinkedQueue<String> uncaught = new ConcurrentLinkedQueue<>();
    private Thread.UncaughtExceptionHandler before;

    @BeforeEach
    void watchThreads() {
        before = Thread.getDefaultUncaughtExceptionHandler();
        Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(t.getName() + ": " + e));
    }

    @AfterEach
    void restore() {
        Thread.setDefaultUncaughtExceptionHandler(before);
    }

    /** Values of every kind the codec knows, as seeds for mutation. */
    static List<Object> samples() {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("k", 1L);
        m.put(2, List.of("v"));
        return List.of(1, 2L, 3.5, "text", true, (byte) 4, (short) 5, 6.5f, 'c', new BigInteger("123456789012345678901234567890"),
                new BigDecimal("-1.25"), new byte[] {1, 2, 3}, new int[] {1, -1}, new long[] {1L << 40}, new double[] {0.5},
                new boolean[] {true, false}, new char[] {'a'}, new short[] {7}, new float[] {1.5f}, new String[] {"a", null},
                List.of(1L, "two", List.of(3.0)), new LinkedHashSet<>(List.of("s", 1L)), m, Colour.GREEN,
                new Point(3, "p", List.of(Colour.RED, "t")), Collections.singletonList(null));
    }

    static byte[] encode(Object v) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Codec.write(new DataOutputStream(b), v);
        return b.toByteArray();
    }

    static byte[] framed(byte[] body) {
        return ByteBuffer.allocate(4 + body.length).putInt(body.length).put(body).array();
    }

    private static final int[] NASTY = {0, -1, 1, 0x7fffffff, 0x80000000, 1 << 28, 1 << 16, 255, 256, Codec.MAX_LENGTH,
            Codec.MAX_LENGTH + 1};

    /** One fuzz body: random bytes, a mutated valid encoding, a deep nest, or a length that lies. */
    static byte[] body(Random r, List<byte[]> seeds) {
        switch (r.nextInt(6)) {
            case 0: {
                byte[] b = new byte[r.nextInt(64)];
                r.nextBytes(b);
                if (b.length > 0 && r.nextBoolean()) b[0] = (byte) r.nextInt(Codec.RECORD + 2); // a real tag
                return b;
            }
            case 1: case 2: {
                byte[] b = seeds.get(r.nextInt(seeds.size())).clone();
                int edits = 1 + r.nextInt(4);
                for (int i = 0; i < edits && b.length > 0; i++) {
                    int at = r.nextInt(b.length);
                    switch (r.nextInt(4)) {
                        case 0 -> b[at] = (byte) r.nextInt(256);
                        case 1 -> b[at] ^= (byte) (1 << r.nextInt(8));
                        case 2 -> { // a 4-byte count replaced by a nasty one
                            if (at + 4 <= b.length) ByteBuffer.wrap(b).putInt(at, NASTY[r.nextInt(NASTY.length)]);
                        }
                        default -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 8)); // truncated or padded
                    }
                }
                return b;
            }
            case 3: { // nested lists: a few hundred levels, now and then up to 300,000 in a frame of 1.5 MB
                int depth = r.nextInt(20) == 0 ? r.nextInt(300_000) : r.nextInt(400);
                ByteBuffer b = ByteBuffer.allocate(depth * 5 + 1);
                for (int i = 0; i < depth; i++) b.put(Codec.LIST).putInt(1);
                b.put(Codec.NULL);
                return b.array();
            }
            case 4: { // an array (or string, or list) that declares more than the frame holds
                byte[] tags = {Codec.BYTES, Codec.INTS, Codec.LONGS, Codec.DOUBLES, Codec.STRINGS, Codec.STRING, Codec.LIST,
                    Codec.MAP, Codec.SET, Codec.BIG_INTEGER, Codec.CHARS};
                ByteBuffer b = ByteBuffer.allocate(9);
                b.put(tags[r.nextInt(tags.length)]).putInt(NASTY[r.nextInt(NASTY.length)]).putInt(r.nextInt());
                return b.array();
            }
            default: { // a record or enum naming a class that is not one (or does not exist)
                ByteArrayOutputStream bo = new ByteArrayOutputStream();
                DataOutputStream o = new DataOutputStream(bo);
                try {
                    boolean rec = r.nextBoolean();
                    o.writeByte(rec ? Codec.RECORD : Codec.ENUM);
                    String[] names = {"java.lang.Thread", "java.lang.ProcessBuilder", "mproc.WireFuzzTest$Point",
                        "mproc.WireFuzzTest$Colour", "no.such.Klass", "java.io.File"};
                    byte[] n = names[r.nextInt(names.length)].getBytes();
                    o.writeInt(n.length);
                    o.write(n);
                    if (rec) o.writeInt(r.nextInt(5));
                    else {
                        o.writeInt(3);
                        o.write("RED".getBytes());
                    }
                    byte[] rest = new byte[r.nextInt(16)];
                    r.nextBytes(rest);
                    o.write(rest);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return bo.toByteArray();
            }
        }
    }

    private static Path socketOf(Connection end) {
        return Path.of(end.address().split("\\|")[1]);
    }

    @Test
    void aPipeEndSurvivesRandomAndMutatedFrames() throws Exception {
        Random r = new Random(SEED);
        List<byte[]> seeds = new ArrayList<>();
        for (Object v : samples()) seeds.add(encode(v));
        Pipe p = Pipe.create();
        Connection end = p.end1();
        assertFalse(end.poll(Duration.ZERO)); // listens now
        Path socket = socketOf(end);
        // the bodies are made up front (the writer thread sends them while this thread receives)
        int n = INPUTS / 2;
        List<byte[]> frames = new ArrayList<>(n);
        List<Object> expected = new ArrayList<>(n);
        long bytes = 0;
        for (int i = 0; i < n; i++) {
            if (r.nextInt(8) == 0) { // an intact one now and then: the stream must stay in step
                Object v = samples().get(r.nextInt(samples().size()));
                frames.add(framed(encode(v)));
                expected.add(v);
            } else {
                frames.add(framed(body(r, seeds)));
                expected.add(null);
            }
            bytes += frames.get(i).length;
            if (bytes > 400 << 20) break; // bounded in memory too
        }
        frames.add(framed(encode("end of fuzz")));
        AtomicReference<Throwable> writeFailure = new AtomicReference<>();
        long t0 = System.nanoTime();
        Thread writer = new Thread(() -> {
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(socket));
                for (byte[] f : frames) {
                    ByteBuffer b = ByteBuffer.wrap(f);
                    while (b.hasRemaining()) ch.write(b);
                }
                ch.shutdownOutput();
                ByteBuffer sink = ByteBuffer.allocate(64);
                while (ch.read(sink) >= 0) sink.clear(); // until the end is closed
            } catch (IOException e) {
                writeFailure.set(e);
            }
        }, "fuzz-writer");
        writer.setDaemon(true);
        writer.start();
        int values = 0, refused = 0, intact = 0;
        Map<String, Integer> reasons = new java.util.TreeMap<>();
        for (int i = 0; i < frames.size() - 1; i++) {
            try {
                Object v = end.recv(WAIT);
                values++;
                if (expected.get(i) != null) {
                    assertEquals(deep(expected.get(i)), deep(v), "intact frame " + i + " decoded otherwise: out of step");
                    intact++;
                }
            } catch (UncheckedIOException e) {
                assertNull(expected.get(i), "an intact frame " + i + " was refused: " + e.getMessage());
                assertNotNull(e.getMessage());
                refused++;
                String m = e.getCause().getMessage();
                reasons.merge(m.replaceAll("[0-9]+", "N").replaceAll("class \\S+", "class X"), 1, Integer::sum);
            } catch (TimeoutException e) {
                fail("input " + i + " made the end wait: " + e);
            }
            if (System.nanoTime() - t0 > BUDGET_NANOS) {
                fail("the fuzz took over the time budget at input " + i);
            }
        }
        assertEquals("end of fuzz", end.recv(WAIT), "the end is in step after the fuzz");
        end.close();
        writer.join(WAIT.toMillis());
        assertNull(writeFailure.get(), "the writer: " + writeFailure.get());
        System.out.printf("pipe fuzz (seed %d): %d inputs in %d ms: %d decoded (%d intact checked), %d refused%n", SEED,
                frames.size() - 1, (System.nanoTime() - t0) / 1_000_000, values, intact, refused);
        reasons.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(12)
                .forEach(e -> System.out.println("  " + e.getValue() + " x " + e.getKey()));

        // garbage in the framing itself (lengths that lie or are negative): a clear error or the end, never a hang
        int unframed = 0;
        for (int k = 0; k < 100; k++) {
            Pipe q = Pipe.create();
            assertFalse(q.end1().poll(Duration.ZERO));
            byte[] junk = new byte[1 + r.nextInt(200)];
            r.nextBytes(junk);
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX)) {
                ch.connect(UnixDomainSocketAddress.of(socketOf(q.end1())));
                ch.write(ByteBuffer.wrap(junk));
            }
            for (int i = 0; i < 1000; i++) {
                try {
                    q.end1().recv(WAIT);
                } catch (EOFException | UncheckedIOException e) {
                    break;
                }
            }
            q.end1().close();
            unframed++;
        }
        System.out.println("pipe fuzz: " + unframed + " connections of unframed garbage, each ended by EOF or a clear error");

        // a fresh pipe to a worker still works, and no thread died
        Pipe fresh = Pipe.create();
        Worker w = new Worker(PipeEdgeTasks.Echo.class, fresh.end2()).start();
        fresh.end1().send(List.of("after", 1L));
        assertEquals(List.of("after", 1L), fresh.end1().recv(WAIT));
        fresh.end1().send("stop");
        assertEquals("stopped", fresh.end1().recv(WAIT));
        assertTrue(w.join(WAIT));
        assertEquals(0, w.exitCode());
        assertEquals(List.of(), List.copyOf(uncaught), "threads that died");
    }

    /** Arrays compared by content. */
    static Object deep(Object v) {
        if (v != null && v.getClass().isArray()) {
            int n = java.lang.reflect.Array.getLength(v);
            List<Object> l = new ArrayList<>(n);
            for (int i = 0; i < n; i++) l.add(java.lang.reflect.Array.get(v, i));
            return List.of(v.getClass().getComponentType().getName(), l);
        }
        return v;
    }

    /** Reads one frame's value from a blocking-free channel until the deadline; null at the deadline. */
    private static Object readReply(SocketChannel ch, Selector sel, ByteBuffer in, long deadline) throws IOException {
        while (true) {
            if (in.position() >= 4) {
                int len = in.getInt(0);
                if (in.position() >= 4 + len) {
                    byte[] body = java.util.Arrays.copyOfRange(in.array(), 4, 4 + len);
                    int rest = in.position() - 4 - len;
                    System.arraycopy(in.array(), 4 + len, in.array(), 0, rest);
                    in.position(rest);
                    return Codec.read(new java.io.DataInputStream(new java.io.ByteArrayInputStream(body)));
                }
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) return null;
            sel.select(Math.max(1, left / 1_000_000));
            sel.selectedKeys().clear();
            if (ch.read(in) < 0) throw new EOFException("the broker dropped the connection");
        }
    }

    private static long brokerClientThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("mproc-broker-client") && t.isAlive()).count();
    }

    private static long idOf(Shareable s) {
        return Long.parseLong(s.address().split("\\|")[2]);
    }

    @Test
    void theBrokerSurvivesRandomAndMutatedRequests() throws Exception {
        Random r = new Random(SEED + 1);
        Queue q = Queue.create();
        Lock lock = Lock.create();
        Barrier barrier = Barrier.create(3);
        Path broker = Broker.local().path();
        long[] ids = {idOf(q), idOf(lock), idOf(barrier), 1L << 40};
        List<byte[]> seeds = new ArrayList<>();
        String[] ops = {"put", "get", "size", "shutdown", "unget", "putb", "taskdone", "join", "acquire", "release", "mine",
            "wait", "reset", "abort", "bstate", "lk.acquire", "nosuchop"};
        for (String op : ops) {
            for (long id : ids) {
                seeds.add(encode(List.of(op, id, List.of(1L, "x"), 5L)));
                seeds.add(encode(List.of(op, id, 3L, 5L)));
                seeds.add(encode(List.of(op, id, 1L, 2L, List.of("a"), 5L)));
            }
        }
        for (Object v : samples()) seeds.add(encode(v));
        Barrier probe = Barrier.create(5); // its state, asked after each input: ["ok", false, 0]
        byte[] probeFrame = framed(encode(List.of("bstate", idOf(probe))));
        List<Object> probeReply = List.of("ok", false, 0L);
        long t0 = System.nanoTime();
        int tried = 0, answered = 0, dropped = 0, blocked = 0, otherReplies = 0;
        ByteBuffer in = ByteBuffer.allocate(1 << 20);
        while (tried < INPUTS / 2 && System.nanoTime() - t0 < BUDGET_NANOS) {
            byte[] f;
            if (r.nextInt(10) == 0) f = new byte[] {(byte) r.nextInt(256), 0, 0, (byte) r.nextInt(256)}; // a lying frame length
            else f = framed(body(r, seeds));
            tried++;
            // each input on a connection of its own, followed by the probe: answered, dropped, or left waiting
            try (SocketChannel ch = SocketChannel.open(StandardProtocolFamily.UNIX); Selector sel = Selector.open()) {
                ch.connect(UnixDomainSocketAddress.of(broker));
                ByteBuffer out = ByteBuffer.allocate(f.length + probeFrame.length).put(f).put(probeFrame).flip();
                while (out.hasRemaining()) ch.write(out);
                ch.configureBlocking(false);
                ch.register(sel, SelectionKey.OP_READ);
                in.clear();
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(500);
                while (true) {
                    Object reply = readReply(ch, sel, in, deadline);
                    if (reply == null) {
                        blocked++; // a request that waits (a get, an acquire, a frame still incomplete)
                        break;
                    }
                    if (reply.equals(probeReply)) {
                        answered++;
                        break;
                    }
                    otherReplies++; // the fuzzed request's own answer
                }
            } catch (EOFException e) {
                dropped++; // the broker drops a client that sends what it cannot read
            } catch (IOException e) {
                dropped++; // reset while writing: dropped too
            }
        }
        long ms = (System.nanoTime() - t0) / 1_000_000;
        System.out.printf("broker fuzz (seed %d): %d inputs in %d ms, each on its own connection then probed:"
                + " %d answered after it, %d dropped, %d left waiting; %d replies to fuzzed requests%n",
                SEED + 1, tried, ms, answered, dropped, blocked, otherReplies);
        assertTrue(tried >= 1000, "too few inputs in the time budget: " + tried);
        long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        long serving;
        while ((serving = brokerClientThreads()) > 5 && System.nanoTime() < waitUntil) Thread.sleep(100);
        System.out.println("broker client threads still serving after the fuzz's connections closed: " + serving);

        // the broker still serves: fresh objects work, and the accept thread lives
        Queue fresh = Queue.create();
        fresh.put(List.of("after", 1L));
        assertEquals(List.of("after", 1L), fresh.get(WAIT));
        Lock l2 = Lock.create();
        assertTrue(l2.acquire(WAIT));
        l2.release();
        Worker w = new Worker(QueueTasks.PutEach.class, fresh, 2).start(); // a client in another JVM
        assertEquals(0L, fresh.get(WAIT));
        assertEquals(1L, fresh.get(WAIT));
        assertTrue(w.join(WAIT));
        assertEquals(0, w.exitCode());
        assertTrue(Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().equals("mproc-broker") && t.isAlive()),
                "the broker's accept thread is alive");
        assertEquals(List.of(), List.copyOf(uncaught), "threads that died");
    }

    @Test
    void aListenerSurvivesRandomAndMutatedHandshakes() throws Exception {
        Random r = new Random(SEED + 2);
        byte[] key = "fuzz key".getBytes();
        int tried = 0, refused = 0;
        long t0 = System.nanoTime();
        try (Listener l = Listener.create(key)) {
            java.net.InetSocketAddress at = l.address();
            for (; tried < 2000 && System.nanoTime() - t0 < BUDGET_NANOS; tried++) {
                byte[] junk;
                switch (r.nextInt(3)) {
                    case 0 -> { // random bytes
                        junk = new byte[r.nextInt(80)];
                        r.nextBytes(junk);
                    }
                    case 1 -> { // a frame of a length that lies
                        junk = ByteBuffer.allocate(8).putInt(NASTY[r.nextInt(NASTY.length)]).putInt(r.nextInt()).array();
                    }
                    default -> { // an answer of the right shape with a wrong digest
                        byte[] d = new byte[8 + 32];
                        r.nextBytes(d);
                        System.arraycopy("{sha256}".getBytes(), 0, d, 0, 8);
                        junk = ByteBuffer.allocate(4 + d.length).putInt(d.length).put(d).array();
                    }
                }
                try (java.net.Socket s = new java.net.Socket(at.getAddress(), at.getPort())) {
                    s.getOutputStream().write(junk);
                    s.getOutputStream().flush();
                    s.shutdownOutput(); // all it says: a short input ends in EOF, not in the 20 s handshake timeout
                    try {
                        assertThrows(AuthenticationException.class, l::accept, "input " + tried);
                        refused++;
                    } finally {
                        s.close();
                    }
                }
            }
            // still serving the right key, from another JVM
            Worker w = new Worker(ConnTasks.Echo.class, at.getPort(), "fuzz key").start();
            try (Connection c = l.accept()) {
                c.send("ok");
                assertEquals(List.of("ok", w.pid()), c.recv(WAIT));
                c.sendBytes(new byte[] {3});
                assertArrayEquals(new byte[] {3}, c.recvBytes(WAIT));
            }
            assertTrue(w.join(WAIT));
            assertEquals(0, w.exitCode());
        }
        System.out.printf("handshake fuzz (seed %d): %d inputs in %d ms, %d refused with AuthenticationException%n",
                SEED + 2, tried, (System.nanoTime() - t0) / 1_000_000, refused);
        assertEquals(List.of(), List.copyOf(uncaught), "threads that died");
    }
}
