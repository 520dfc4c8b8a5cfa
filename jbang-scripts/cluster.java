///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS ../toolkit/jbang/mproc.java
//DESCRIPTION Chapter 13 (scaling out): the Pool's matrix map on an Apache Ignite cluster, then its Queue, Lock and Barrier.
// Ignite reaches into JDK internals: this JVM (an Ignite client node) needs the opens of mproc/cluster/ignite.jvmopts
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.base/jdk.internal.access=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.base/jdk.internal.misc=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.base/sun.util.calendar=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.management/com.sun.jmx.mbeanserver=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=jdk.internal.jvmstat/sun.jvmstat.monitor=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.base/sun.reflect.generics.reflectiveObjects=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=jdk.management/com.sun.management.internal=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.base/java.io=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.base/java.nio=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.base/java.net=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.base/java.util=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.base/java.util.concurrent=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.base/java.lang=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.base/java.lang.invoke=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.base/java.math=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.sql/java.sql=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.base/java.lang.reflect=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.base/java.time=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.base/java.text=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.management/sun.management=ALL-UNNAMED
//RUNTIME_OPTIONS --add-opens=java.desktop/java.awt.font=ALL-UNNAMED

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.Fn;
import mproc.Pool;
import mproc.Worker;
import mproc.cli.Cli;
import mproc.cli.Reports;
import mproc.cluster.Cluster;
import mproc.cluster.Primitives;
import mproc.report.ClusterReport;
import mproc.tutorial.Charts;
import mproc.tutorial.Matrix;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import tech.tablesaw.api.Table;

@Command(name = "cluster", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"The Pool's matrix map on an Apache Ignite 2 cluster. By default it starts --nodes server nodes,",
                "each its own JVM, on 127.0.0.1 only (static discovery addresses, no multicast), joins them as a client,",
                "maps --tasks matrix tasks over them (the same pool function as on a local Pool(2), first),",
                "runs the cluster's queue, lock and count-down latch across the nodes, and stops every node it started.",
                "--connect / --connect-file join a cluster that runs elsewhere instead; its server nodes need the",
                "mproc jar and the pool function's class on their class path, and the JVM options in mproc/cluster/ignite.jvmopts;",
                "--local-address, --key-store and --trust-store (passwords in $MPROC_KEY_STORE_PASSWORD and",
                "$MPROC_TRUST_STORE_PASSWORD) say how to reach it and speak TLS to it."})
public class cluster implements Callable<Integer> {
    @Option(names = "--nodes", paramLabel = "N", description = "local server nodes to start, 1..10 (default: 2)")
    Integer nodesOption;

    @Option(names = "--connect", split = ",", paramLabel = "HOST:PORT[..PORT]",
            description = "join the cluster at these discovery addresses instead of starting nodes")
    List<String> connect;

    @Option(names = "--connect-file", paramLabel = "FILE",
            description = "as --connect, with the addresses read from FILE (one per line, # comments)")
    Path connectFile;

    @Option(names = "--local-address", paramLabel = "HOST",
            description = "with --connect: this host's address that the cluster can reach (default: 127.0.0.1 only)")
    String localAddress;

    @Option(names = "--key-store", paramLabel = "FILE",
            description = "with --connect: a PKCS12 store with this client's key and certificate, for a TLS cluster")
    Path keyStore;

    @Option(names = "--trust-store", paramLabel = "FILE",
            description = "with --connect: a PKCS12 store with the certificates of the cluster to trust")
    Path trustStore;

    @Option(names = "--tasks", defaultValue = "48", description = "matrix tasks in the map, 1..100000 (default: ${DEFAULT-VALUE})")
    int tasks;

    @Option(names = "--count", defaultValue = "20000", converter = Cli.CountConverter.class,
            description = "20x20 multiplies per task (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--out", defaultValue = "build/cluster", description = "folder for cluster.csv and cluster.png (default: ${DEFAULT-VALUE})")
    Path out;

    /** The chapter's do_something as a pool function: count 20x20 multiplies, the checksum as the result. */
    static class DoSomething implements Fn<Long, Long> {
        public Long apply(Long count) {
            return Matrix.work(count);
        }
    }

    private char[] password(String option, String variable) {
        String v = System.getenv(variable);
        if (v == null) throw new ParameterException(new CommandLine(this), "Invalid value for " + option + ": its password must be in $" + variable);
        return v.toCharArray();
    }

    public static void main(String... args) {
        System.exit(Cli.execute(new cluster(), args));
    }

    @Override
    public Integer call() throws Exception {
        if ((nodesOption != null ? 1 : 0) + (connect != null ? 1 : 0) + (connectFile != null ? 1 : 0) > 1) {
            throw new ParameterException(new CommandLine(this), "--nodes, --connect and --connect-file are mutually exclusive: give one");
        }
        int nodes = nodesOption != null ? nodesOption : 2;
        Cli.checkRange(this, "--nodes", nodes, 1, Cluster.MAX_LOCAL_NODES);
        Cli.checkRange(this, "--tasks", tasks, 1, 100_000);
        List<String> remote = connectFile != null ? Cluster.addressesFrom(connectFile) : connect;
        if (remote != null) {
            if (remote.isEmpty()) throw new ParameterException(new CommandLine(this), "no cluster addresses given");
            for (String a : remote) {
                if (!Cluster.isAddress(a)) {
                    throw new ParameterException(new CommandLine(this), "Invalid value for --connect: '" + a + "' is not host:port or host:port1..port2");
                }
            }
        }

        Cluster.Options options = new Cluster.Options();
        if (localAddress != null) options.localAddress(localAddress);
        // the stores' passwords come from the environment, never from the command line
        if (keyStore != null) options.keyStore(keyStore, password("--key-store", "MPROC_KEY_STORE_PASSWORD"));
        if (trustStore != null) options.trustStore(trustStore, password("--trust-store", "MPROC_TRUST_STORE_PASSWORD"));

        // the main block
        List<Long> counts = new ArrayList<>();
        for (int i = 0; i < tasks; i++) counts.add(count + i);   // a little different each, so that order shows
        List<ClusterReport.Run> runs = new ArrayList<>();

        long t0 = System.nanoTime();
        List<Long> onPool;
        try (Pool pool = new Pool(2)) {
            pool.map(DoSomething.class, counts.subList(0, Math.min(4, tasks)));   // warm-up: the workers have the class
            double startMs = (System.nanoTime() - t0) / 1e6;
            long t1 = System.nanoTime();
            onPool = pool.map(DoSomething.class, counts);
            runs.add(new ClusterReport.Run("local Pool", 2, startMs, (System.nanoTime() - t1) / 1e6, tasks, ClusterReport.checksum(onPool)));
        }

        Cluster cluster = remote == null ? Cluster.local(nodes) : Cluster.connect(remote, options);
        System.out.println(String.format("%d server node(s) ready in %.0f ms (discovery %s)", cluster.size(), cluster.startMs(), cluster.addresses()));
        cluster.map(DoSomething.class, counts.subList(0, Math.min(4, tasks)));  // warm-up, as for the Pool
        long t2 = System.nanoTime();
        List<Object> onCluster = cluster.map(DoSomething.class, counts);
        runs.add(new ClusterReport.Run("Ignite cluster", cluster.size(), cluster.startMs(), (System.nanoTime() - t2) / 1e6, tasks, ClusterReport.checksum(onCluster)));
        System.out.println("the cluster's results equal the Pool's: " + onCluster.equals(onPool));

        List<Worker> started;
        try {
            System.out.println(cluster.stats().print());
            System.out.println(Primitives.run(cluster, 50, 100).print());
        } finally {
            started = cluster.nodes();
            cluster.close();
        }
        for (Worker n : started) if (n.isAlive()) throw new IllegalStateException(n.getName() + " is still running");
        if (remote == null) System.out.println("all " + started.size() + " node JVMs ended");

        Table t = ClusterReport.table(runs);
        System.out.println(t.print());
        Path csv = Reports.csv(t, out, "cluster.csv");
        Path png = Charts.savePng(ClusterReport.chart(runs), out.resolve("cluster.png"));
        System.out.println("table: " + csv + "\nchart: " + png);
        return onCluster.equals(onPool) ? 0 : 1;
    }
}
