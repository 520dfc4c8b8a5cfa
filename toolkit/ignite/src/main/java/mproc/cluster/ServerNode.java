package mproc.cluster;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.CountDownLatch;
import mproc.Task;
import org.apache.ignite.Ignite;
import org.apache.ignite.IgniteState;
import org.apache.ignite.Ignition;

/**
 * One Ignite server node: what a {@link Cluster}'s node JVM runs. Arguments: the node's name, its first
 * discovery port, its work directory, and the discovery addresses. It prints one line when it has joined,
 * then serves until it is stopped: SIGTERM (its shutdown hook stops the node) or the cluster's stop call.
 *
 * <p>The node speaks mutual TLS with the cluster's key ({@code cluster.p12} in the work directory, see
 * {@link Nodes#generateKey}, with its password in {@code cluster.p12.password} next to it): only peers
 * that hold the same key can join it or send it a job. A node started by hand needs both files, copied
 * from the cluster's work directory into its own (0700); without them it refuses to start. Ignite's warnings go
 * to {@code <name>.log} in the work directory (a name is therefore a file name: no path separators).
 *
 * <p>With the single argument {@code --train} it is the node JVMs' class-archive training run: a node of
 * its own (discovery ports from 49000 up, listed only to itself, with a key of its own, so it never meets a real cluster) that
 * runs a map job and touches a queue, a lock and a latch, then stops. Node JVMs started from that
 * archive join about twice as fast.
 */
public final class ServerNode implements Task {
    @Override
    public void run(String... args) throws Exception {
        if (args.length == 1 && args[0].equals("--train")) {
            train();
            return;
        }
        if (args.length < 4) throw new IllegalArgumentException("usage: name port workDir address...");
        String name = args[0];
        if (name.isEmpty() || name.contains("/") || name.contains(java.io.File.separator) || name.startsWith(".")) {
            throw new IllegalArgumentException("a node's name is a file name (its log is <name>.log): " + name);
        }
        int port = Integer.parseInt(args[1]);
        long t0 = System.nanoTime();
        Path workDir = Path.of(args[2]);
        Nodes.logFile = Nodes.logFile(workDir, name);
        Nodes.setProperties();
        CountDownLatch stopped = new CountDownLatch(1);
        Ignition.addListener((n, state) -> {
            if (name.equals(n) && state != IgniteState.STARTED) stopped.countDown();
        });
        Path key = workDir.resolve(Nodes.KEY_STORE);
        // a node of ours speaks only TLS with the cluster's key; a work directory without one is refused
        if (!Files.isRegularFile(key)) throw new IllegalStateException("no cluster key at " + key + ": a node needs its cluster's key");
        Ignite ignite = Ignition.start(Nodes.config(name, false, Arrays.asList(args).subList(3, args.length),
                Nodes.LOOPBACK.equals(args[3].split(":")[0]) ? Nodes.LOOPBACK : null, port, workDir, Nodes.ssl(key)));
        System.out.printf("%s up in %.0f ms (pid %d), %d server node(s) in the cluster%n", name,
                (System.nanoTime() - t0) / 1e6, ProcessHandle.current().pid(), ignite.cluster().forServers().nodes().size());
        stopped.await();
    }

    private static void train() throws Exception {
        Nodes.setProperties();
        Nodes.PortBlock block = Nodes.reservePortBlock(49_000);
        int port = block.base;
        Path dir = Nodes.privateDir("mproc-ignite-training-");
        String name = "training-" + ProcessHandle.current().pid();
        Nodes.logFile = Nodes.logFile(dir, name); // removed with the directory
        try (block; Ignite ignite = Ignition.start(Nodes.config(name, false,
                java.util.List.of(Nodes.LOOPBACK + ":" + port + ".." + (port + Nodes.PORTS - 1)), Nodes.LOOPBACK, port, dir,
                Nodes.ssl(Nodes.generateKey(dir))))) {
            Chunk c = new Chunk(0, new Object[] {1_000L, 2_000L});
            ignite.compute(ignite.cluster().forLocal()).apply(new Chunk.Apply(mproc.Pool.Square.class), java.util.List.of(c));
            ignite.queue("training-queue", 0, new org.apache.ignite.configuration.CollectionConfiguration()).put("x");
            ignite.reentrantLock("training-lock", true, false, true).lock();
            ignite.countDownLatch("training-latch", 1, false, true).countDown();
            ignite.getOrCreateCache("training-cache").put("n", 1L);
        } finally {
            Nodes.deleteTree(dir);
        }
    }
}
