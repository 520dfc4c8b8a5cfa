package mproc.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import mproc.Fn;
import mproc.Output;
import mproc.Worker;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteException;
import org.apache.ignite.Ignition;
import org.apache.ignite.events.EventType;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The {@link mproc.Pool}'s map on Apache Ignite: server nodes in their own JVMs, this JVM joined as a
 * client node.
 *
 * <pre>{@code
 * try (Cluster c = Cluster.local(2)) {                       // two server-node JVMs on 127.0.0.1
 *     List<Object> r = c.map(MatrixWork.class, counts);  // same Fn, same inputs as a Pool
 *     c.ignite().queue(...); c.ignite().reentrantLock(...);   // Ignite's own API for the rest
 * }
 * }</pre>
 *
 * <p>{@link #local(int)} starts the nodes as daemon {@link Worker}s, with loopback-only discovery and
 * communication on a static address list (no multicast) and a block of ports reserved for this cluster.
 * Its secret is a key pair generated for it into its private (0700) work directory: every node and the
 * client speak mutual TLS with that key as their only trusted certificate, so a process that cannot read
 * the key (another local user, a node of another cluster) cannot join, send a job or read a message, and
 * two clusters on one machine never merge. The nodes end with {@link #close()}, or with this JVM however
 * it ends; the work directory (and the key in it) is removed by close() and at this JVM's exit, Ctrl-C
 * included, but not when this JVM is killed with SIGKILL (it then stays, private). A process of the same
 * user (or root) can read the key: the boundary is between users, not between one user's processes. {@link #connect(List, Options)} joins a cluster that runs elsewhere. Every JVM
 * that hosts a node needs {@link IgniteJvm#options()}.
 */
public final class Cluster implements AutoCloseable {
    public static final int MAX_LOCAL_NODES = Nodes.PORTS;
    private static final AtomicInteger CLIENTS = new AtomicInteger();
    private static final Duration NODE_START = Duration.ofSeconds(90);

    private final List<Worker> servers = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> addresses;
    private final int port;
    private final Nodes.PortBlock block;
    private final Path workDir;
    private final Path keyStore;
    private final Thread cleanup;
    private final Ignite client;
    private final AtomicInteger failovers = new AtomicInteger();
    private final double startMs;
    private Table stats;
    private boolean closed;

    private Cluster(int nodes, List<String> remote, Options options) throws InterruptedException {
        List<String> missing = IgniteJvm.missing();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("this JVM cannot host an Ignite client node: start it with "
                    + String.join(" ", missing) + " (all of them: mproc.cluster.IgniteJvm.options())");
        }
        long t0 = System.nanoTime();
        Nodes.setProperties();
        String localHost;
        javax.cache.configuration.Factory<javax.net.ssl.SSLContext> ssl;
        if (remote == null) {
            block = Nodes.reservePortBlock(47_500);
            port = block.base;
            addresses = List.of(Nodes.LOOPBACK + ":" + port + ".." + (port + Nodes.PORTS - 1));
            try {
                workDir = Nodes.privateDir("mproc-ignite-");
            } catch (RuntimeException e) {
                block.close();
                throw e;
            }
            cleanup = cleanupHook();
            localHost = Nodes.LOOPBACK;
            try {
                keyStore = Nodes.generateKey(workDir);
                ssl = Nodes.ssl(keyStore);
            } catch (RuntimeException e) {
                endServers();
                throw e;
            }
            try {
                // the first local cluster of a class path trains the nodes' class archive (~8 s here, once)
                Worker first = node(1);
                first.prepare(Duration.ofMinutes(2));
                servers.add(first.start());
                for (int i = 1; i < nodes; i++) servers.add(launch());
                for (Worker w : servers) awaitUp(w);
            } catch (RuntimeException | InterruptedException e) {
                endServers();
                throw e;
            }
        } else {
            port = 0;
            block = null;
            keyStore = null;
            addresses = List.copyOf(remote);
            localHost = options.localHost(addresses);
            ssl = options.ssl();
            workDir = Nodes.privateDir("mproc-ignite-");
            cleanup = cleanupHook();
        }
        String name = "client-" + ProcessHandle.current().pid() + "-" + CLIENTS.incrementAndGet();
        Nodes.logFile = Nodes.logFile(workDir, "client");
        try {
            client = Ignition.start(Nodes.config(name, true, addresses, localHost, 0, workDir, ssl));
        } catch (IgniteException e) {
            endServers();
            throw new IllegalStateException("could not join the cluster at " + addresses + ": " + rootMessage(e), e);
        }
        client.events().localListen(e -> {
            failovers.incrementAndGet();
            return true;
        }, EventType.EVT_JOB_FAILED_OVER);
        startMs = (System.nanoTime() - t0) / 1e6;
        Output.flush();
    }

    /** Starts {@code nodes} server nodes, each in its own JVM on 127.0.0.1, and joins them as a client. */
    public static Cluster local(int nodes) throws InterruptedException {
        if (nodes < 1 || nodes > MAX_LOCAL_NODES) {
            throw new IllegalArgumentException("a local cluster has 1 to " + MAX_LOCAL_NODES + " nodes, not " + nodes);
        }
        return new Cluster(nodes, null, null);
    }

    /**
     * Joins a running cluster as a client, without TLS, bound to 127.0.0.1: for a cluster on this machine
     * that does not ask for a key. {@code addresses}: its discovery addresses, {@code host:port} or
     * {@code host:port1..port2}. Its server nodes must have this toolkit's jar (and the jars of the
     * {@link Fn}s you map) on their class path: classes are not shipped over the network. A cluster made
     * by {@link #local} asks for its key: use {@link #connect(List, Options)} with
     * {@link Options#clusterKey(Path)}; a cluster on another host: with {@link Options#localAddress}.
     */
    public static Cluster connect(List<String> addresses) throws InterruptedException {
        return connect(addresses, new Options());
    }

    /** As {@link #connect(List)}, with the local address to bind and the TLS key and trust stores in {@code options}. */
    public static Cluster connect(List<String> addresses, Options options) throws InterruptedException {
        if (addresses == null || addresses.isEmpty()) throw new IllegalArgumentException("no cluster addresses given");
        for (String a : addresses) {
            if (!isAddress(a)) throw new IllegalArgumentException("not a discovery address (host:port or host:port1..port2): " + a);
        }
        if (options == null) throw new IllegalArgumentException("no options given (new Cluster.Options() for the defaults)");
        return new Cluster(0, addresses, options);
    }

    /**
     * How {@link #connect(List, Options)} joins: the local address this client binds and advertises
     * (127.0.0.1 unless told otherwise; a cluster on another host needs an address that host can reach), and
     * its TLS stores (PKCS12): a key store with this client's key and certificate, a trust store with the
     * certificate(s) of the cluster's nodes. With no stores the client speaks plain TCP, which a cluster
     * with TLS refuses.
     */
    public static final class Options {
        private String localAddress;
        private Path keyStore, trustStore;
        private char[] keyPassword, trustPassword;

        /** The defaults: bind 127.0.0.1, no TLS. */
        public Options() {}

        /** The address to bind and advertise (an address of this host, e.g. {@code 10.0.0.7}); default 127.0.0.1. */
        public Options localAddress(String host) {
            if (host == null || host.isBlank()) throw new IllegalArgumentException("no local address given");
            this.localAddress = host.strip();
            return this;
        }

        /** The PKCS12 store with this client's private key and certificate, and its password. */
        public Options keyStore(Path file, char[] password) {
            this.keyStore = readable(file, "key store");
            this.keyPassword = password == null ? new char[0] : password.clone();
            return this;
        }

        /** The PKCS12 store with the certificates this client trusts (the cluster's), and its password. */
        public Options trustStore(Path file, char[] password) {
            this.trustStore = readable(file, "trust store");
            this.trustPassword = password == null ? new char[0] : password.clone();
            return this;
        }

        /**
         * The key of a cluster made by {@link Cluster#local} (its {@link Cluster#keyStore()}: readable by the
         * same user only) as both key and trust store: how another JVM of this user joins that cluster.
         */
        public Options clusterKey(Path keyStore) {
            char[] pw = Nodes.password(readable(keyStore, "cluster key store"));
            return keyStore(keyStore, pw).trustStore(keyStore, pw);
        }

        private static Path readable(Path file, String what) {
            if (file == null) throw new IllegalArgumentException("no " + what + " given");
            if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
                throw new IllegalArgumentException("the " + what + " " + file + " is not a readable file");
            }
            return file;
        }

        String localHost(List<String> addresses) {
            if (localAddress != null) return localAddress;
            for (String a : addresses) {
                String host = a.substring(0, a.lastIndexOf(':'));
                if (!host.equals("localhost") && !host.startsWith("127.")) {
                    throw new IllegalArgumentException("the cluster address " + a + " is not on this host: a client binds"
                            + " 127.0.0.1 unless told otherwise, so say which local address to bind and advertise"
                            + " (Cluster.Options.localAddress)");
                }
            }
            return Nodes.LOOPBACK;
        }

        javax.cache.configuration.Factory<javax.net.ssl.SSLContext> ssl() {
            if (keyStore == null && trustStore == null) return null;
            if (keyStore == null || trustStore == null) {
                throw new IllegalArgumentException("TLS needs both a key store (this client's key and certificate) and a"
                        + " trust store (the cluster's certificates); only the " + (keyStore == null ? "trust" : "key")
                        + " store was given");
            }
            return Nodes.ssl(keyStore, keyPassword, trustStore, trustPassword);
        }
    }

    /**
     * The key store that is this local cluster's secret: its nodes accept a TLS peer (another node, a
     * client) only when it proves it holds this key. In the cluster's private (0700) work directory,
     * removed with it; null for a cluster joined with {@link #connect}.
     */
    public Path keyStore() {
        return keyStore;
    }

    /** The cluster's private work directory (key, logs, Ignite's files): removed by close() or at this JVM's exit. */
    Path workDir() {
        return workDir;
    }

    /** Ends the nodes and removes the work directory when this JVM exits without close() (Ctrl-C, SIGTERM, exit()). */
    private Thread cleanupHook() {
        Path dir = workDir;
        List<Worker> nodes = servers;
        Thread t = new Thread(() -> {
            try {
                List<Worker> copy = List.copyOf(nodes);
                for (Worker w : copy) if (w.isAlive()) w.terminate();
                for (Worker w : copy) {
                    if (!w.join(Duration.ofSeconds(10))) w.kill();
                }
            } catch (InterruptedException | RuntimeException e) {
                // the directory goes all the same
            }
            Nodes.deleteTree(dir);
        }, "mproc-cluster-cleanup");
        Runtime.getRuntime().addShutdownHook(t);
        return t;
    }

    /** Whether {@code a} is a discovery address: {@code host:port} or {@code host:port1..port2}. */
    public static boolean isAddress(String a) {
        return a != null && a.matches("[^\\s:]+:\\d{1,5}(\\.\\.\\d{1,5})?");
    }

    /** Reads discovery addresses from a file: one per line; blank lines and {@code #} comments are skipped. */
    public static List<String> addressesFrom(Path file) {
        try (Stream<String> lines = Files.lines(file)) {
            return lines.map(l -> l.replaceFirst("#.*", "").trim()).filter(l -> !l.isEmpty()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read cluster addresses from " + file + ": " + e.getMessage(), e);
        }
    }

    private Worker launch() {
        return node(servers.size() + 1).start();
    }

    private Worker node(int n) {
        String name = "node-" + n;
        List<String> opts = new ArrayList<>(IgniteJvm.options());
        // a node holds a few small structures: a small heap, serial GC, no JIT profile file
        opts.addAll(List.of("-XX:+UseSerialGC", "-Xms64m", "-Xmx256m", "-XX:-UsePerfData"));
        for (String p : Nodes.PROPERTIES) opts.add("-D" + p);
        Worker w = new Worker(name, ServerNode.class, name, port, workDir.toString(), addresses.get(0));
        w.setDaemon(true).setJvmOptions(opts, ServerNode.class);
        return w;
    }

    private void awaitUp(Worker w) throws InterruptedException {
        if (!w.awaitOutput(w.getName() + " up in", NODE_START)) {
            String why = w.isAlive() ? "did not join within " + NODE_START.toSeconds() + " s"
                    : "ended (" + Worker.describeExit(w.exitCode()) + ")";
            throw new IllegalStateException("Ignite server " + w.getName() + " " + why + "; its last output: "
                    + tail(w.output()) + "; its log: " + tail(logLines(w.getName())));
        }
    }

    private static String tail(List<String> lines) {
        return lines.isEmpty() ? "(none)" : String.join(" | ", lines.subList(Math.max(0, lines.size() - 5), lines.size()));
    }

    /** This JVM's client node: Ignite's whole API (queues, locks, latches, caches, compute). */
    public Ignite ignite() {
        return client;
    }

    /** Adds one more local server node (a new JVM) and waits until it has joined. */
    public Worker startNode() throws InterruptedException {
        if (port == 0) throw new IllegalStateException("only a local cluster starts nodes");
        Worker w = launch();
        servers.add(w);
        awaitUp(w);
        return w;
    }

    /** The local server nodes' JVMs, in start order (empty for a cluster joined with {@link #connect}). */
    public List<Worker> nodes() {
        return List.copyOf(servers);
    }

    /** Server nodes in the cluster's current topology. */
    public int size() {
        return client.cluster().forServers().nodes().size();
    }

    /** Milliseconds from the call that made this cluster until the client had joined (nodes started included). */
    public double startMs() {
        return startMs;
    }

    /** The discovery addresses the client used. */
    public List<String> addresses() {
        return addresses;
    }

    /** Jobs the engine moved to another node because theirs failed or left, since this cluster started. */
    public int failovers() {
        return failovers.get();
    }

    /** {@link mproc.Pool#map}: {@code fn} over {@code inputs} on the server nodes, results in input order. */
    public List<Object> map(Class<? extends Fn> fn, List<?> inputs) {
        return map(fn, inputs, Math.max(1, inputs.size() / (4 * Math.max(1, size()))));
    }

    /** As {@link #map(Class, List)}, {@code chunksize} inputs per job. */
    public List<Object> map(Class<? extends Fn> fn, List<?> inputs, int chunksize) {
        if (closed) throw new IllegalStateException("the cluster is closed");
        if (fn == null || inputs == null) throw new IllegalArgumentException("fn and inputs are required");
        if (chunksize < 1) throw new IllegalArgumentException("chunksize must be at least 1, not " + chunksize);
        List<Chunk> jobs = new ArrayList<>();
        for (int i = 0; i < inputs.size(); i += chunksize) {
            jobs.add(new Chunk(i, inputs.subList(i, Math.min(inputs.size(), i + chunksize)).toArray()));
        }
        Collection<Chunk> done;
        try {
            done = client.compute(client.cluster().forServers()).apply(new Chunk.Apply(fn), jobs);
        } catch (IgniteException e) {
            Output.flush();
            throw new IllegalStateException("cluster map of " + fn.getSimpleName() + " failed: " + rootMessage(e), e);
        }
        Object[] results = new Object[inputs.size()];
        List<Chunk> sorted = new ArrayList<>(done);
        sorted.sort(Comparator.comparingInt(c -> c.first));
        for (Chunk c : sorted) System.arraycopy(c.values, 0, results, c.first, c.values.length);
        stats = table(sorted);
        Output.flush();
        return java.util.Arrays.asList(results);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() != null ? t.getMessage() : t.toString();
    }

    private static Table table(List<Chunk> done) {
        Map<String, long[]> per = new LinkedHashMap<>(); // node -> pid, jobs, tasks, busy
        for (Chunk c : done) {
            long[] a = per.computeIfAbsent(c.node, k -> new long[4]);
            a[0] = c.pid;
            a[1]++;
            a[2] += c.values.length;
            a[3] += c.busyNanos;
        }
        StringColumn node = StringColumn.create("node");
        LongColumn pid = LongColumn.create("pid");
        IntColumn jobs = IntColumn.create("jobs"), tasks = IntColumn.create("tasks");
        DoubleColumn busy = DoubleColumn.create("cpu_ms");
        per.entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> {
            node.append(e.getKey());
            pid.append(e.getValue()[0]);
            jobs.append((int) e.getValue()[1]);
            tasks.append((int) e.getValue()[2]);
            busy.append(Math.round(e.getValue()[3] / 1e5) / 10.0);
        });
        return Table.create("work per cluster node", node, pid, jobs, tasks, busy);
    }

    /** The last map's work per server node: jobs (chunks), tasks and CPU time spent in them. */
    public Table stats() {
        if (stats == null) throw new IllegalStateException("no map has run on this cluster yet");
        return stats;
    }

    /**
     * What Ignite reported at WARNING and above, on every node of ours and in this JVM's client, since this
     * cluster started: one row per node and kind of message, with how many times (a node's death makes several
     * nodes report it, with object dumps; this is the summary). Empty when all went well.
     */
    public Table log() {
        StringColumn node = StringColumn.create("node"), level = StringColumn.create("level"), what = StringColumn.create("message");
        IntColumn times = IntColumn.create("times");
        Map<String, Integer> counts = new LinkedHashMap<>();
        List<String> names = new ArrayList<>();
        for (Worker w : servers) names.add(w.getName());
        names.add("client");
        for (String n : names) {
            for (String line : logLines(n)) {
                java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\[[^]]*] (\\w+): (.*)").matcher(line);
                if (!m.matches()) continue;
                counts.merge(n + "\t" + m.group(1) + "\t" + gist(m.group(2)), 1, Integer::sum);
            }
        }
        counts.forEach((k, v) -> {
            String[] f = k.split("\t", 3);
            node.append(f[0]);
            level.append(f[1]);
            what.append(f[2]);
            times.append(v);
        });
        return Table.create("what Ignite reported (warnings and errors)", node, level, what, times);
    }

    /** A message without its object dumps and ids: what happened, to count alike messages together. */
    static String gist(String message) {
        String s = message.replaceAll("\\s*[\\[(].*", "").replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "<id>").strip();
        if (s.endsWith(":")) s = s.substring(0, s.length() - 1);
        return s.length() <= 90 ? s : s.substring(0, 87) + "...";
    }

    private List<String> logLines(String node) {
        Path f = Nodes.logFile(workDir, node);
        try {
            return Files.exists(f) ? Files.readAllLines(f) : List.of();
        } catch (IOException e) {
            return List.of();
        }
    }

    /** Stops the client, then the local server nodes (SIGTERM: each stops gracefully; killed after 20 s). */
    @Override
    public void close() throws InterruptedException {
        if (closed) return;
        closed = true;
        try {
            client.close();
        } finally {
            endServers();
        }
    }

    private void endServers() throws InterruptedException {
        try {
            for (Worker w : servers) if (w.isAlive()) w.terminate();
            for (Worker w : servers) {
                if (!w.join(Duration.ofSeconds(20))) {
                    w.kill();
                    w.join();
                }
            }
        } finally {
            if (block != null) block.close();
            Nodes.deleteTree(workDir);
            if (cleanup != null) {
                try {
                    Runtime.getRuntime().removeShutdownHook(cleanup);
                } catch (IllegalStateException e) {
                    // this JVM is exiting: the hook runs anyway, and finds nothing left
                }
            }
            Output.flush();
        }
    }
}
