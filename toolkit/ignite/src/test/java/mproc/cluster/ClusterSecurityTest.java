package mproc.cluster;

import static org.junit.jupiter.api.Assertions.*;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import mproc.Pool;
import mproc.Task;
import mproc.Worker;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;
import org.apache.ignite.Ignition;
import org.apache.ignite.ssl.SslContextFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 15, item 2: a local cluster is closed to every process that does not hold its key. Each fault is
 * injected for real: a rogue Ignite node with no TLS, one with a key of its own that trusts anyone, raw TLS
 * handshakes without a certificate on every listening port, a job that names a class that is not a pool
 * function, two clusters started at the same moment in two JVMs, Ctrl-C to a JVM that made a cluster.
 */
@Timeout(300)
class ClusterSecurityTest {
    @AfterEach
    void noNodeLeft() throws InterruptedException {
        mproc.Leftovers.endAndCheck(ProcessHandle::isAlive);
    }

    // ------------------------------------------------------------------ sockets of a process

    /** A TCP socket a process listens on: its local address (hex, as /proc prints it) and port. */
    record Listener(String address, int port) {
        boolean loopback() {
            return address.equals("0100007F") || address.equals("0000000000000000FFFF00000100007F")
                    || address.equals("00000000000000000000000001000000");
        }
    }

    /** The listening TCP sockets of process {@code pid}: its socket inodes matched in /proc/net/tcp and tcp6. */
    static List<Listener> listeners(long pid) throws IOException {
        Set<String> inodes = new HashSet<>();
        try (var fds = Files.list(Path.of("/proc", Long.toString(pid), "fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) inodes.add(target.substring(8, target.length() - 1));
                } catch (IOException e) {
                    // closed meanwhile
                }
            }
        }
        List<Listener> out = new ArrayList<>();
        for (String table : List.of("tcp", "tcp6")) {
            Path f = Path.of("/proc", Long.toString(pid), "net", table);
            if (!Files.exists(f)) continue;
            for (String line : Files.readAllLines(f).subList(1, Files.readAllLines(f).size())) {
                String[] c = line.trim().split("\\s+");
                if (!c[3].equals("0A") || !inodes.contains(c[9])) continue; // 0A: LISTEN
                String[] local = c[1].split(":");
                out.add(new Listener(local[0], Integer.parseInt(local[1], 16)));
            }
        }
        return out;
    }

    /** A TLS context that trusts any server and has no key: what a rogue without the cluster's key has. */
    static SSLContext trustAnyone(List<String> seen) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[] {new X509TrustManager() {
            @Override public void checkClientTrusted(X509Certificate[] c, String a) {}
            @Override public void checkServerTrusted(X509Certificate[] c, String a) {
                seen.add(c[0].getSubjectX500Principal().getName());
            }
            @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
        }}, null);
        return ctx;
    }

    /**
     * Opens a TLS connection with no client certificate to {@code port} and sends bytes: how the server
     * refused us (handshake alert, reset or end of stream), or null when it answered. {@code seen} gets the
     * subject of the certificate the server presented (so it did speak TLS, with which key).
     */
    static String refusal(int port, List<String> seen) throws Exception {
        try (SSLSocket s = (SSLSocket) trustAnyone(seen).getSocketFactory().createSocket("127.0.0.1", port)) {
            s.setSoTimeout(15_000);
            s.startHandshake();
            OutputStream out = s.getOutputStream();
            out.write(new byte[] {0x00, 0x00, 0x00, 0x00, (byte) 0xAA, 0x55}); // garbage after the handshake
            out.flush();
            InputStream in = s.getInputStream();
            int b = in.read();
            return b < 0 ? "end of stream" : null; // a byte back: the server talked to us
        } catch (SSLException | java.net.SocketException e) {
            return e.toString();
        }
    }

    // ------------------------------------------------------------------ the tests

    @Test
    void aNodeOrClientWithoutTheKeyIsRefused(@TempDir Path rogueDir) throws Exception {
        try (Cluster c = Cluster.local(1)) {
            assertEquals(1, c.size());
            assertNotNull(c.keyStore());
            assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(c.keyStore().getParent())));
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(c.keyStore())));

            // 1. a client with no TLS at all, through the public API
            IllegalStateException plain = assertThrows(IllegalStateException.class, () -> Cluster.connect(c.addresses()));
            assertTrue(plain.getMessage().contains("could not join"), plain.getMessage());

            // 2. rogue Ignite nodes with a key of their own that trust anyone: a client, then a server node
            //    taking discovery ports in the cluster's own block
            Path rogueKey = Nodes.generateKey(rogueDir);
            SslContextFactory rogueSsl = Nodes.ssl(rogueKey);
            rogueSsl.setTrustManagers(SslContextFactory.getDisabledTrustManager());
            int refused = 0;
            List<String> outcomes = new ArrayList<>();
            for (boolean clientMode : new boolean[] {true, false}) {
                String name = "rogue-" + (clientMode ? "client" : "server");
                Ignite rogue = null;
                try {
                    rogue = Ignition.start(Nodes.config(name, clientMode, c.addresses(), Nodes.LOOPBACK,
                            clientMode ? 0 : portOf(c), rogueDir, rogueSsl));
                } catch (IgniteException e) {
                    refused++;
                    outcomes.add(name + " refused: " + Nodes.shorten(rootCause(e).toString()));
                }
                if (rogue != null) {
                    outcomes.add(name + " started alone, " + rogue.cluster().nodes().size() + " node(s) in its topology");
                    // it started on its own: it must not see our node, nor run a job there
                    try {
                        Set<String> ours = new HashSet<>();
                        c.ignite().cluster().nodes().forEach(n -> ours.add(n.id().toString()));
                        for (var n : rogue.cluster().nodes()) {
                            assertFalse(ours.contains(n.id().toString()), name + " is in our topology");
                        }
                        assertEquals(1, c.size(), "our cluster still has exactly its own server");
                    } finally {
                        rogue.close();
                    }
                }
            }
            assertTrue(refused >= 1, "the rogue client was refused at start");

            // 3. a raw TLS connection with no certificate on every port a node listens on
            long nodePid = c.nodes().get(0).pid();
            List<Listener> ports = listeners(nodePid);
            assertTrue(ports.size() >= 2, "the node listens for discovery and communication: " + ports);
            for (Listener l : ports) {
                List<String> seen = new ArrayList<>();
                String why = refusal(l.port(), seen);
                assertNotNull(why, "port " + l.port() + " of the node answered a peer without the cluster's key");
                assertEquals(List.of("CN=mproc-cluster"), seen, "port " + l.port() + " spoke TLS with the cluster's key");
                outcomes.add("raw TLS without a certificate to port " + l.port() + ": " + why);
            }
            outcomes.forEach(o -> System.out.println("[security] " + o));

            // 4. the cluster still serves, and the key's holder (another client of this user) joins
            assertEquals(1, c.size());
            assertEquals(List.of(0L, 1L, 4L, 9L), c.map(Pool.Square.class, Pool.range(4), 1));
            try (Cluster holder = Cluster.connect(c.addresses(), new Cluster.Options().clusterKey(c.keyStore()))) {
                assertEquals(1, holder.size());
                assertEquals(List.of(0L, 1L, 4L), holder.map(Pool.Square.class, Pool.range(3), 1));
            }
        }
    }

    private static int portOf(Cluster c) {
        String a = c.addresses().get(0);
        return Integer.parseInt(a.substring(a.indexOf(':') + 1, a.indexOf("..")));
    }

    @Test
    void everyListeningSocketOfTheNodesIsOnLoopback() throws Exception {
        try (Cluster c = Cluster.local(2)) {
            assertEquals(2, c.size());
            for (Worker w : c.nodes()) {
                List<Listener> ls = listeners(w.pid());
                assertTrue(ls.size() >= 2, w.getName() + " listens for discovery and communication: " + ls);
                for (Listener l : ls) assertTrue(l.loopback(), w.getName() + " listens beyond 127.0.0.1: " + l);
            }
            // the client in this JVM: its Ignite ports (discovery and communication ranges) are loopback too
            for (Listener l : listeners(ProcessHandle.current().pid())) {
                if (l.port() >= 47_100 && l.port() < 50_500) assertTrue(l.loopback(), "the client listens beyond 127.0.0.1: " + l);
            }
        }
    }

    /** A named class that is not a pool function, with a static initialiser that leaves a mark. */
    public static final class NotAFunction {
        static {
            try {
                Files.writeString(Path.of(System.getProperty("java.io.tmpdir"), "mproc-cluster-not-a-function-ran"), "ran");
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    @Test
    void aJobNamingAClassThatIsNotAFunctionIsRefusedBeforeItLoads() throws Exception {
        Path mark = Path.of(System.getProperty("java.io.tmpdir"), "mproc-cluster-not-a-function-ran");
        Files.deleteIfExists(mark);
        // here, in the job wrapper itself
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Chunk.Apply.create(NotAFunction.class.getName()));
        assertTrue(e.getMessage().contains("not a pool function"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> Chunk.Apply.create("no.such.Clazz"));
        assertFalse(Files.exists(mark), "the class's static initialiser ran");
        // and on a real node, through Ignite: the job's text names the class
        try (Cluster c = Cluster.local(1)) {
            Chunk.Apply job = new Chunk.Apply(Pool.Square.class);
            job.fn = NotAFunction.class.getName();
            IgniteException refused = assertThrows(IgniteException.class, () -> c.ignite().compute(c.ignite().cluster().forServers())
                    .apply(job, List.of(new Chunk(0, new Object[] {1L}))));
            assertTrue(String.valueOf(rootCause(refused).getMessage()).contains("not a pool function"), rootCause(refused).toString());
            assertFalse(Files.exists(mark), "the node ran the class's static initialiser");
            assertEquals(List.of(0L, 1L), c.map(Pool.Square.class, Pool.range(2), 1), "the node still serves");
        } finally {
            Files.deleteIfExists(mark);
        }
    }

    static Throwable rootCause(Throwable t) {
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t;
    }

    /** The other half of every pair, one JVM for all: per pair, waits for its go file, makes a one-node cluster, reports on it. */
    public static final class PairMember implements Task {
        @Override
        public void run(String... args) throws Exception {
            Path dir = Path.of(args[0]);
            int pairs = Integer.parseInt(args[1]);
            System.out.println("ready");
            for (int p = 0; p < pairs; p++) {
                Path go = dir.resolve("go-" + p);
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
                while (!Files.exists(go) && System.nanoTime() < deadline) Thread.sleep(1);
                try (Cluster c = Cluster.local(1)) {
                    List<Object> r = c.map(Pool.Square.class, Pool.range(8), 1);
                    System.out.println("pair " + p + " cluster size=" + c.size() + " nodepid=" + c.nodes().get(0).pid()
                            + " ranon=" + c.stats().longColumn("pid").asList() + " port=" + portOf(c) + " ok=" + r.equals(expected()));
                }
            }
        }
    }

    static List<Object> expected() {
        List<Object> l = new ArrayList<>();
        for (long i = 0; i < 8; i++) l.add(i * i);
        return l;
    }

    @Test
    @Timeout(1200)
    void tenPairsOfConcurrentLocalClustersStayApart(@TempDir Path dir) throws Exception {
        int pairs = 10, apart = 0;
        Worker other = new Worker("pairs", PairMember.class, dir.toString(), Integer.toString(pairs));
        other.setJvmOptions(IgniteJvm.options());
        other.start();
        try {
            assertTrue(other.awaitOutput("ready", Duration.ofSeconds(120)), "the other JVM started: " + other.output());
            for (int p = 0; p < pairs; p++) {
                Files.createFile(dir.resolve("go-" + p)); // both JVMs make their cluster now
                try (Cluster c = Cluster.local(1)) {
                    assertEquals(1, c.size(), "pair " + p + ": this cluster sees only its own node");
                    assertEquals(expected(), c.map(Pool.Square.class, Pool.range(8), 1));
                    assertEquals(List.of(c.nodes().get(0).pid()), c.stats().longColumn("pid").asList(),
                            "pair " + p + ": the map ran on this cluster's node only");
                    String tag = "pair " + p + " cluster size=";
                    assertTrue(other.awaitOutput(tag, Duration.ofSeconds(180)), "pair " + p + ": " + other.output());
                    String line = other.output().stream().filter(l -> l.startsWith(tag)).findFirst().orElseThrow();
                    assertTrue(line.startsWith(tag + "1 "), "pair " + p + ", the other cluster: " + line);
                    String nodePid = line.replaceAll(".*nodepid=(\\d+).*", "$1");
                    assertTrue(line.contains("ranon=[" + nodePid + "]"), "pair " + p + ": the other map ran on its own node: " + line);
                    assertTrue(line.endsWith("ok=true"), line);
                    int otherPort = Integer.parseInt(line.replaceAll(".*port=(\\d+).*", "$1"));
                    assertNotEquals(portOf(c), otherPort, "pair " + p + ": the two clusters took different port blocks");
                    apart++;
                }
            }
            assertTrue(other.join(Duration.ofSeconds(60)), "the other JVM ended");
            assertEquals(0, other.exitCode(), String.join("\n", other.output()));
        } finally {
            if (other.isAlive()) other.kill();
            other.join(Duration.ofSeconds(20));
        }
        assertEquals(pairs, apart);
    }

    /** A JVM that makes a cluster and waits to be interrupted (Ctrl-C). */
    public static final class CtrlCChild {
        public static void main(String[] args) throws Exception {
            Cluster c = Cluster.local(1);
            System.out.println("ready " + c.workDir() + " " + c.nodes().get(0).pid());
            System.out.flush();
            Thread.sleep(600_000);
        }
    }

    @Test
    void ctrlCRemovesTheWorkDirectoryAndEndsTheNodes() throws Exception {
        List<String> cmd = new ArrayList<>();
        // as in a terminal: SIGINT not ignored (a JVM started from a background shell inherits SIG_IGN for it, and
        // then never sees a Ctrl-C)
        cmd.addAll(List.of("env", "--default-signal=INT"));
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(IgniteJvm.options());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), CtrlCChild.class.getName()));
        Path err = Files.createTempFile("ctrlc-child", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            String line;
            do {
                line = out.readLine();
            } while (line != null && !line.startsWith("ready "));
            assertNotNull(line, "the child made its cluster");
            // the rest of its output is read on, so that a full pipe can never hold the child up at exit
            StringBuffer rest = new StringBuffer();
            Thread drain = new Thread(() -> {
                try {
                    for (String l; (l = out.readLine()) != null; ) rest.append(l).append('\n');
                } catch (java.io.IOException e) {
                    // the child ended
                }
            }, "ctrlc-child-output");
            drain.setDaemon(true);
            drain.start();
            String[] f = line.split(" ");
            Path workDir = Path.of(f[1]);
            long nodePid = Long.parseLong(f[2]);
            assertTrue(Files.isDirectory(workDir));
            assertTrue(Files.exists(workDir.resolve(Nodes.KEY_STORE)), "the cluster's key is in its work directory");
            assertTrue(ProcessHandle.of(nodePid).map(ProcessHandle::isAlive).orElse(false));
            // Ctrl-C: SIGINT to the JVM
            Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start();
            assertEquals(0, kill.waitFor());
            boolean ended = p.waitFor(120, TimeUnit.SECONDS);
            assertTrue(ended, () -> "the JVM ended on SIGINT; its output after ready:\n" + rest + "\nits stderr (tail):\n"
                    + tail(err));
            assertFalse(Files.exists(workDir), "the work directory (and the key in it) was removed: " + workDir);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (mproc.Leftovers.running(nodePid) && System.nanoTime() < deadline) Thread.sleep(50);
            assertFalse(mproc.Leftovers.running(nodePid), "the node JVM ended with its cluster's JVM");
        } finally {
            p.destroyForcibly();
            p.waitFor(20, TimeUnit.SECONDS);
            Files.deleteIfExists(err);
        }
    }

    private static String tail(Path file) {
        try {
            List<String> lines = Files.readAllLines(file);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (java.io.IOException e) {
            return "(unreadable: " + e + ")";
        }
    }

    @Test
    void portBlocksAreReservedOnlyUnderAPrivateLockDirectoryOfOurs(@TempDir Path t) throws Exception {
        Path fresh = t.resolve("fresh");
        assertEquals(fresh, Nodes.lockDir(fresh));
        assertEquals("rwx------", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)));
        assertEquals(fresh, Nodes.lockDir(fresh), "an existing private directory of ours is used");
        Path open = Files.createDirectory(t.resolve("open"));
        Files.setPosixFilePermissions(open, java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        assertNull(Nodes.lockDir(open), "a directory others can enter is not used");
        assertNull(Nodes.lockDir(Files.createSymbolicLink(t.resolve("link"), fresh)), "a link is not followed");
        assertNull(Nodes.lockDir(Files.createFile(t.resolve("file"))), "a file is not a directory");
        if (System.getProperty("user.name").equals("root")) {
            Path foreign = Files.createDirectory(t.resolve("foreign"),
                    java.nio.file.attribute.PosixFilePermissions.asFileAttribute(java.nio.file.attribute.PosixFilePermissions.fromString("rwx------")));
            Files.setOwner(foreign, foreign.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("nobody"));
            assertNull(Nodes.lockDir(foreign), "a directory of another user is not used");
        }
        // two reservations in one JVM never get the same block; a released block can be taken again
        try (Nodes.PortBlock a = Nodes.reservePortBlock(55_000); Nodes.PortBlock b = Nodes.reservePortBlock(55_000)) {
            assertNotEquals(a.base, b.base);
            int first = Math.min(a.base, b.base);
            (a.base == first ? a : b).close();
            try (Nodes.PortBlock c = Nodes.reservePortBlock(55_000)) {
                assertEquals(first, c.base);
            }
        }
    }

    @Test
    void connectOptionsAreCheckedClearly(@TempDir Path t) throws Exception {
        IllegalArgumentException remote = assertThrows(IllegalArgumentException.class,
                () -> Cluster.connect(List.of("10.1.2.3:47500")));
        assertTrue(remote.getMessage().contains("Cluster.Options.localAddress"), remote.getMessage());
        Path key = Nodes.generateKey(t);
        IllegalArgumentException half = assertThrows(IllegalArgumentException.class,
                () -> Cluster.connect(List.of("127.0.0.1:47500"), new Cluster.Options().keyStore(key, Nodes.password(key))));
        assertTrue(half.getMessage().contains("TLS needs both"), half.getMessage());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new Cluster.Options().trustStore(t.resolve("none.p12"), new char[0]));
        assertTrue(missing.getMessage().contains("none.p12"), missing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Cluster.connect(List.of("127.0.0.1:47500"), null));
        assertThrows(IllegalArgumentException.class, () -> new Cluster.Options().localAddress(" "));
    }
}
