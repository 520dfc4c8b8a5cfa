package mproc.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.LinkOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.UserPrincipal;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import javax.cache.configuration.Factory;
import javax.net.ssl.SSLContext;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.ignite.configuration.DataRegionConfiguration;
import org.apache.ignite.configuration.DataStorageConfiguration;
import org.apache.ignite.configuration.IgniteConfiguration;
import org.apache.ignite.events.EventType;
import org.apache.ignite.logger.java.JavaLogger;
import org.apache.ignite.spi.communication.tcp.TcpCommunicationSpi;
import org.apache.ignite.spi.discovery.tcp.TcpDiscoverySpi;
import org.apache.ignite.spi.discovery.tcp.ipfinder.vm.TcpDiscoveryVmIpFinder;
import org.apache.ignite.ssl.SslContextFactory;

/** How every node of ours is configured: servers in their own JVMs, and the client in the caller's. */
final class Nodes {
    private Nodes() {}

    /** Discovery ports of a local cluster: a block of this many from a free base (one port per server). */
    static final int PORTS = 10;
    static final String LOOPBACK = "127.0.0.1";

    /**
     * Ignite's behaviour switches, set before a node starts: no update check over the network, no banner,
     * log lines through our one-line handler instead of quiet-mode stdout, IPv4 (loopback is 127.0.0.1).
     */
    static final List<String> PROPERTIES = List.of("IGNITE_UPDATE_NOTIFIER=false", "IGNITE_NO_ASCII=true",
            "IGNITE_QUIET=false", "java.net.preferIPv4Stack=true", "IGNITE_PERFORMANCE_SUGGESTIONS_DISABLED=true");

    static void setProperties() {
        for (String p : PROPERTIES) {
            String[] kv = p.split("=", 2);
            System.setProperty(kv[0], kv[1]);
        }
    }

    /**
     * A node's configuration. {@code addresses}: where discovery looks for the cluster (host:port or
     * host:port1..port2); {@code localHost}: the address this node binds and advertises; {@code port}: a
     * server's first discovery port (it takes the first free one of {@link #PORTS}).
     */
    static IgniteConfiguration config(String name, boolean client, List<String> addresses, String localHost,
                                      int port, Path workDir, Factory<SSLContext> ssl) {
        TcpDiscoveryVmIpFinder finder = new TcpDiscoveryVmIpFinder();
        finder.setAddresses(addresses);
        TcpDiscoverySpi discovery = new TcpDiscoverySpi().setIpFinder(finder);
        if (localHost != null) discovery.setLocalAddress(localHost);
        if (port > 0) discovery.setLocalPort(port).setLocalPortRange(PORTS - 1);
        // a client with no cluster to join fails after this long instead of waiting for ever
        discovery.setJoinTimeout(client ? 10_000 : 0);
        // nodes started together look for each other every 250 ms, not Ignite's default 2 s
        discovery.setReconnectDelay(250);
        TcpCommunicationSpi comm = new TcpCommunicationSpi().setMessageQueueLimit(1024);
        if (localHost != null) comm.setLocalAddress(localHost);

        IgniteConfiguration c = new IgniteConfiguration()
                .setIgniteInstanceName(name)
                .setClientMode(client)
                .setPeerClassLoadingEnabled(false) // classes come from each node's class path, not the network
                .setMetricsLogFrequency(0)
                // compute jobs run on as many threads as the machine has cores (Ignite's default is 8 or more)
                .setPublicThreadPoolSize(Runtime.getRuntime().availableProcessors())
                .setGridLogger(logger(name))
                .setDiscoverySpi(discovery)
                .setCommunicationSpi(comm)
                .setConnectorConfiguration(null)        // no REST endpoint
                .setClientConnectorConfiguration(null); // no thin-client / JDBC port
        if (localHost != null) c.setLocalHost(localHost);
        if (workDir != null) c.setWorkDirectory(workDir.toString());
        // mutual TLS on discovery and communication: Ignite's servers of both demand the peer's certificate
        if (ssl != null) c.setSslContextFactory(ssl);
        if (client) {
            c.setIncludeEventTypes(EventType.EVT_JOB_FAILED_OVER);
        } else {
            // a small off-heap region: the chapters keep a counter, a queue and a latch in it, not data sets
            c.setDataStorageConfiguration(new DataStorageConfiguration().setDefaultDataRegionConfiguration(
                    new DataRegionConfiguration().setName("default").setInitialSize(16L << 20).setMaxSize(64L << 20)));
        }
        return c;
    }

    /** Ignite's loggers are named after its classes, all under this one; held here so its settings stay. */
    private static final Logger IGNITE_LOG = Logger.getLogger("org.apache.ignite");
    private static volatile String tag = "ignite";

    /**
     * Where this JVM's node writes Ignite's warnings: a file in the cluster's private work directory, or stderr (null).
     * A server node's file is {@code <name>.log} in the work directory its arguments name ({@link ServerNode}); it is
     * not given as a JVM option, since the node JVMs' options are their class archive's key: one that differs per
     * cluster or node would train a new archive for each.
     */
    static volatile Path logFile;

    /** The log file of the server node {@code name} in a cluster's work directory. */
    static Path logFile(Path workDir, String name) {
        return workDir.resolve(name + ".log");
    }

    /** One log line: into {@link #logFile}, or on stderr when there is none (or it cannot be written). */
    static synchronized void log(String line) {
        Path f = logFile;
        if (f != null) {
            try {
                Files.writeString(f, line + "\n", java.nio.charset.StandardCharsets.UTF_8,
                        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND);
                return;
            } catch (IOException e) {
                // the cluster's directory is gone (it was closed): the line still reaches someone
            }
        }
        System.err.println(line);
    }

    /**
     * Ignite's log at WARNING and above, one line each, tagged with the node's name: into the cluster's log
     * files ({@link Cluster#log()} tabulates them; a node started by hand writes its own, {@code <name>.log} in its
     * work directory) or, in a JVM without a log file, on stderr.
     */
    private static synchronized JavaLogger logger(String name) {
        tag = name;
        if (IGNITE_LOG.getLevel() != Level.WARNING) {
            IGNITE_LOG.setUseParentHandlers(false);
            IGNITE_LOG.setLevel(Level.WARNING);
            IGNITE_LOG.addHandler(new Handler() {
                @Override
                public void publish(LogRecord r) {
                    if (!isLoggable(r) || advice(r.getMessage())) return;
                    Throwable t = r.getThrown();
                    log("[" + tag + "] " + r.getLevel() + ": " + shorten(r.getMessage())
                            + (t != null ? " (" + shorten(t.toString()) + ")" : ""));
                }

                @Override
                public void flush() {
                    System.err.flush();
                }

                @Override
                public void close() {}
            });
        }
        return new JavaLogger(IGNITE_LOG, false);
    }

    /**
     * Warnings Ignite prints at every start that ask for a production set-up (bigger heaps, its own logging
     * config) or that it files under WARNING by mistake; anything else (a node failed, a job failed over)
     * is shown.
     */
    static final List<String> ADVICE = List.of("Failed to resolve default logging config file",
            "Initial heap size is", "Logging at INFO level without checking",
            "Received state finish message with unexpected ID", "Please set system property '-Djava.net.preferIPv4Stack",
            // the work directory is a private temporary one on purpose: it is removed when the cluster closes
            "Persistence store directory is in the temp directory",
            // one per moved job; Cluster counts them (failovers()) and says so once
            "Failed over job to a new node");

    /** Ignite's messages carry whole object dumps; the first line and 160 characters say what happened. */
    static String shorten(String msg) {
        if (msg == null) return "";
        String s = msg.strip().lines().findFirst().orElse("");
        return s.length() <= 160 ? s : s.substring(0, 157) + "...";
    }

    static boolean advice(String msg) {
        if (msg == null) return false;
        for (String a : ADVICE) if (msg.startsWith(a)) return true;
        return false;
    }

    /** A new directory under the temp directory that only this user can enter (0700), for a node's work files. */
    static Path privateDir(String prefix) {
        try {
            return Files.createTempDirectory(prefix, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the cluster's work directory: " + e.getMessage(), e);
        }
    }

    /** Removes a work directory and everything in it (best effort: it is private and under the temp directory). */
    static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(p);
        } catch (IOException e) {
            // left for the temp directory's own clean-up
        }
    }

    /** The per-cluster key store in a cluster's work directory: its key pair and self-signed certificate. */
    static final String KEY_STORE = "cluster.p12";
    /** The file next to the key store that holds its password (random, one line). */
    static final String PASSWORD_SUFFIX = ".password";

    /**
     * Generates the cluster's secret into {@code dir} (a private 0700 directory): a random password in
     * {@code cluster.p12.password} (0600) and, with the JDK's {@code keytool}, a PKCS12 key store
     * {@code cluster.p12} holding an EC key pair and its self-signed certificate. Every node of the cluster
     * uses that store as both its key and its trust store, so a TLS peer is accepted only when it holds the
     * same private key. The password never appears on a command line ({@code -storepass:file}).
     */
    static Path generateKey(Path dir) {
        Path store = dir.resolve(KEY_STORE), pass = dir.resolve(KEY_STORE + PASSWORD_SUFFIX);
        byte[] random = new byte[24];
        new SecureRandom().nextBytes(random);
        try {
            Files.writeString(Files.createFile(pass, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
                    Base64.getUrlEncoder().withoutPadding().encodeToString(random) + "\n", StandardCharsets.US_ASCII);
            Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
            Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "node", "-keyalg", "EC",
                    "-groupname", "secp256r1", "-dname", "CN=mproc-cluster", "-validity", "3650",
                    "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass:file", pass.toString())
                    .redirectErrorStream(true).start();
            p.getOutputStream().close();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool did not generate the cluster's key within 60 s");
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(store)) {
                throw new IllegalStateException("keytool could not generate the cluster's key (exit " + p.exitValue()
                        + "): " + out);
            }
            Files.setPosixFilePermissions(store, PosixFilePermissions.fromString("rw-------"));
            return store;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot generate the cluster's key in " + dir + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while generating the cluster's key", e);
        }
    }

    /** The password of a key store made by {@link #generateKey}: the first line of the file next to it. */
    static char[] password(Path keyStore) {
        Path f = keyStore.resolveSibling(keyStore.getFileName() + PASSWORD_SUFFIX);
        try {
            return Files.readAllLines(f, StandardCharsets.US_ASCII).get(0).strip().toCharArray();
        } catch (IOException | IndexOutOfBoundsException e) {
            throw new IllegalStateException("cannot read the cluster key's password from " + f + ": " + e, e);
        }
    }

    /**
     * Ignite's TLS settings: {@code keyStore} proves who we are, {@code trustStore} says whom we accept
     * (for a cluster of ours both are the cluster's one store). PKCS12 stores, TLS 1.2 or later.
     */
    static SslContextFactory ssl(Path keyStore, char[] keyPassword, Path trustStore, char[] trustPassword) {
        SslContextFactory f = new SslContextFactory();
        f.setKeyStoreType("PKCS12");
        f.setKeyStoreFilePath(keyStore.toString());
        f.setKeyStorePassword(keyPassword);
        f.setTrustStoreType("PKCS12");
        f.setTrustStoreFilePath(trustStore.toString());
        f.setTrustStorePassword(trustPassword);
        f.setProtocols("TLSv1.2", "TLSv1.3");
        return f;
    }

    /** A cluster's own TLS settings: its key store as key and trust store. */
    static SslContextFactory ssl(Path keyStore) {
        char[] pw = password(keyStore);
        return ssl(keyStore, pw, keyStore, pw);
    }

    /** The first of {@code 47500, 47520, ...} (up to 49000) where {@link #PORTS} loopback ports in a row are free. */
    static int freePortBlock() {
        return freePortBlock(47_500);
    }

    /**
     * A block of discovery ports reserved for one cluster while it lives: the ports were free when it was
     * taken and, for clusters of this user, an exclusive lock on a file per block in a private (0700,
     * owned by this user) directory keeps every other JVM of this user from taking the same block, even
     * one that looks at the same moment. Closing it (or this JVM's end) releases the lock.
     */
    static final class PortBlock implements AutoCloseable {
        final int base;
        private final FileChannel channel;
        private final FileLock lock;

        private PortBlock(int base, FileChannel channel, FileLock lock) {
            this.base = base;
            this.channel = channel;
            this.lock = lock;
        }

        @Override
        public void close() {
            synchronized (HELD) {
                HELD.remove(base);
            }
            try {
                if (lock != null) lock.release();
                if (channel != null) channel.close();
            } catch (IOException e) {
                // the lock goes with the channel, and with this JVM
            }
        }
    }

    /** Blocks this JVM holds (a file lock cannot be taken twice in one JVM). */
    private static final java.util.Set<Integer> HELD = new java.util.HashSet<>();

    /** Reserves the first free block of {@code 47500, 47520, ...} (or from {@code from}) for one cluster. */
    static PortBlock reservePortBlock(int from) {
        Path locks = lockDir();
        for (int base = from; base < from + 1500; base += 2 * PORTS) {
            synchronized (HELD) {
                if (HELD.contains(base)) continue;
                FileChannel ch = null;
                FileLock lock = null;
                if (locks != null) {
                    try {
                        ch = FileChannel.open(locks.resolve("ports-" + base + ".lock"), StandardOpenOption.CREATE,
                                StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
                        lock = ch.tryLock();
                    } catch (IOException | OverlappingFileLockException e) {
                        lock = null;
                    }
                    if (lock == null) {
                        close(ch);
                        continue; // another JVM of this user has this block
                    }
                }
                if (!blockFree(base)) {
                    release(lock, ch);
                    continue;
                }
                HELD.add(base);
                return new PortBlock(base, ch, lock);
            }
        }
        throw new IllegalStateException("no " + PORTS + " free loopback ports between " + from + " and " + (from + 1500)
                + " for discovery");
    }

    private static void release(FileLock lock, FileChannel ch) {
        try {
            if (lock != null) lock.release();
        } catch (IOException e) {
            // closing the channel releases it too
        }
        close(ch);
    }

    private static void close(FileChannel ch) {
        try {
            if (ch != null) ch.close();
        } catch (IOException e) {
            // nothing held
        }
    }

    /**
     * This user's directory for the port-block locks, {@code mproc-ignite-ports-<user>} under the temp
     * directory: created 0700, and used only when it is a real directory (not a link) owned by this user
     * with mode 0700; otherwise null (no locks: blocks are then only probed, and a collision with another
     * user's cluster makes a node fail at start, never join, because of the per-cluster key).
     */
    static Path lockDir() {
        return lockDir(Path.of(System.getProperty("java.io.tmpdir"), "mproc-ignite-ports-" + System.getProperty("user.name")));
    }

    /** {@code d}, created 0700 when missing, if it is a directory (not a link) of this user with mode 0700; else null. */
    static Path lockDir(Path d) {
        try {
            try {
                Files.createDirectory(d, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // checked below
            }
            PosixFileAttributes a = Files.readAttributes(d, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            UserPrincipal me = d.getFileSystem().getUserPrincipalLookupService()
                    .lookupPrincipalByName(System.getProperty("user.name"));
            boolean ok = a.isDirectory() && !a.isSymbolicLink() && a.owner().equals(me)
                    && a.permissions().equals(PosixFilePermissions.fromString("rwx------"));
            return ok ? d : null;
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
    }

    /** Clusters take blocks from 47500 to 49000, training nodes from 49000 to 50500: they never meet. */
    static int freePortBlock(int from) {
        for (int base = from; base < from + 1500; base += 2 * PORTS) {
            if (blockFree(base)) return base;
        }
        throw new IllegalStateException("no " + PORTS + " free loopback ports between " + from + " and " + (from + 1500)
                + " for discovery");
    }

    private static boolean blockFree(int base) {
        for (int p = base; p < base + PORTS; p++) {
            try (ServerSocket s = new ServerSocket(p, 1, InetAddress.getByName(LOOPBACK))) {
                s.setReuseAddress(true);
            } catch (IOException e) {
                return false;
            }
        }
        return true;
    }
}
