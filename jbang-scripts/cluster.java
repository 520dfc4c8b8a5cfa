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
import mproc.tutorial.Charts;
import mproc.Worker;
import mproc.chapters.Clustering;
import mproc.cli.Cli;
import mproc.cli.Reports;
import mproc.cluster.Cluster;
import mproc.cluster.Primitives;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import tech.tablesaw.api.Table;

@Command(name = "cluster", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"The Pool's matrix map on an Apache Ignite 2 cluster. By default it starts --nodes server nodes,",
                "each its own JVM, on 127.0.0.1 only (static discovery addresses, no multicast), joins them as a client,",
                "maps --tasks matrix tasks over them, runs the cluster's queue, lock and count-down latch across",
                "the nodes, stops every node it started, and maps the same tasks on a local Pool(2) for reference.",
                "--connect / --connect-file join a cluster that runs elsewhere instead; its server nodes need the",
                "mproc jar and its dependencies on their class path and the JVM options in mproc/cluster/ignite.jvmopts."})
public class cluster implements Callable<Integer> {
    static class Where {
        @Option(names = "--nodes", defaultValue = "2", description = "local server nodes to start, 1..10 (default: ${DEFAULT-VALUE})")
        int nodes = 2;

        @Option(names = "--connect", split = ",", paramLabel = "HOST:PORT[..PORT]",
                description = "join the cluster at these discovery addresses instead of starting nodes")
        List<String> connect;

        @Option(names = "--connect-file", paramLabel = "FILE",
                description = "as --connect, with the addresses read from FILE (one per line, # comments)")
        Path connectFile;
    }

    @ArgGroup(exclusive = true)
    Where where = new Where();

    @Option(names = "--tasks", defaultValue = "48", description = "matrix tasks in the map, 1..100000 (default: ${DEFAULT-VALUE})")
    int tasks;

    @Option(names = "--count", defaultValue = "20000", converter = Cli.CountConverter.class,
            description = "20x20 multiplies per task (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--out", defaultValue = "build/cluster", description = "folder for cluster.csv and cluster.png (default: ${DEFAULT-VALUE})")
    Path out;

    public static void main(String... args) {
        System.exit(Cli.execute(new cluster(), args));
    }

    @Override
    public Integer call() throws Exception {
        Cli.checkRange(this, "--nodes", where.nodes, 1, Cluster.MAX_LOCAL_NODES);
        Cli.checkRange(this, "--tasks", tasks, 1, 100_000);
        List<String> remote = where.connectFile != null ? Cluster.addressesFrom(where.connectFile) : where.connect;
        if (remote != null) {
            if (remote.isEmpty()) throw new ParameterException(new CommandLine(this), "no cluster addresses given");
            for (String a : remote) {
                if (!Cluster.isAddress(a)) {
                    throw new ParameterException(new CommandLine(this), "Invalid value for --connect: '" + a + "' is not host:port or host:port1..port2");
                }
            }
        }
        List<Object> work = Clustering.tasks(tasks, count);

        List<Clustering.Run> runs = new ArrayList<>();
        long t0 = System.nanoTime();
        System.out.println(remote == null ? "starting " + where.nodes + " Ignite server node(s) on 127.0.0.1 ..."
                : "joining the cluster at " + remote + " ...");
        List<Worker> nodes;
        try (Cluster c = remote == null ? Cluster.local(where.nodes) : Cluster.connect(remote)) {
            nodes = c.nodes();
            System.out.printf("cluster of %d server node(s) ready in %.0f ms (discovery %s)%n", c.size(), c.startMs(), c.addresses());
            runs.add(Clustering.onCluster(c, work, c.startMs()));
            System.out.println(c.stats().print());
            System.out.println(Primitives.run(c, 50, 100).print());
        }
        for (Worker n : nodes) if (n.isAlive()) throw new IllegalStateException(n.getName() + " is still running");
        if (remote == null) System.out.println("all " + nodes.size() + " node JVMs ended (" + Math.round((System.nanoTime() - t0) / 1e6) + " ms after the first started)");

        runs.add(0, Clustering.onPool(2, work));
        System.out.printf("for reference, a local Pool(2): the same %d tasks in %.0f ms%n", tasks, runs.get(0).mapMs());

        Table t = Clustering.table(runs);
        System.out.println(t.print());
        Path csv = Reports.csv(t, out, "cluster.csv");
        Path png = Charts.savePng(Clustering.chart(runs), out.resolve("cluster.png"));
        System.out.println("table: " + csv + "\nchart: " + png);
        return runs.get(1).checksum() == runs.get(0).checksum() ? 0 : 1;
    }
}
