package mproc.chapters;

import mproc.tutorial.*;
import java.util.ArrayList;
import java.util.List;
import mproc.Pool;
import mproc.Worker;
import mproc.cluster.Cluster;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * Chapter 13, scaling out: the Pool's matrix map on an Apache Ignite cluster, the same {@link mproc.Fn}
 * over the same task list, and what the engine does when a node dies mid-map.
 */
public final class Clustering {
    private Clustering() {}

    /** One timed map: where it ran, how long starting that took, how long the map took, its checksum. */
    public record Run(String engine, int nodes, double startMs, double mapMs, int tasks, long checksum) {
        public double tasksPerSecond() {
            return tasks / (mapMs / 1e3);
        }
    }

    /** {@code tasks} matrix tasks of {@code count} multiplies each (a little different each, so order shows). */
    public static List<Object> tasks(int tasks, long count) {
        List<Object> l = new ArrayList<>(tasks);
        for (int i = 0; i < tasks; i++) l.add(count + i);
        return l;
    }

    /** The results' checksum: equal checksums, equal results (the map keeps input order). */
    public static long checksum(List<Object> results) {
        long sum = 0, i = 1;
        for (Object r : results) sum += (i++) * ((Number) r).longValue();
        return sum;
    }

    /** The baseline: a fresh local {@link Pool} of {@code workers} worker JVMs (start, one warm-up map, timed map). */
    public static Run onPool(int workers, List<Object> tasks) throws InterruptedException {
        // on a fresh class path the workers' class archive is trained in the background: not during the timing
        new Worker(mproc.tutorial.MatrixTask.class).prepare(java.time.Duration.ofMinutes(2));
        long t0 = System.nanoTime();
        try (Pool pool = new Pool(workers)) {
            pool.map(Pool.Square.class, Pool.range(workers), 1, null);
            double start = (System.nanoTime() - t0) / 1e6;
            pool.map(MatrixWork.class, warmUp(tasks), 1, null);
            long t1 = System.nanoTime();
            List<Object> r = pool.map(MatrixWork.class, tasks, 1, null);
            return new Run("local Pool", workers, start, (System.nanoTime() - t1) / 1e6, tasks.size(), checksum(r));
        }
    }

    /**
     * The same map on the cluster as it is now, in {@link Cluster#map}'s default chunks (four jobs per node):
     * one warm-up map first, as new nodes JIT-compile the kernel.
     */
    public static Run onCluster(Cluster cluster, List<Object> tasks, double startMs) {
        cluster.map(MatrixWork.class, warmUp(tasks));
        long t1 = System.nanoTime();
        List<Object> r = cluster.map(MatrixWork.class, tasks);
        return new Run("Ignite cluster", cluster.size(), startMs, (System.nanoTime() - t1) / 1e6, tasks.size(), checksum(r));
    }

    private static List<Object> warmUp(List<Object> tasks) {
        return tasks.subList(0, Math.min(tasks.size(), 16));
    }

    /** What a map did while one of the nodes was SIGKILLed. */
    public record Failover(String killed, int nodesBefore, int nodesAfter, int failovers, double mapMs,
                           long checksum, Table stats) {}

    /** Maps {@code tasks} (one job each) and SIGKILLs {@code victim} {@code afterMs} into the map. */
    public static Failover killDuringMap(Cluster cluster, Worker victim, List<Object> tasks, long afterMs)
            throws InterruptedException {
        int before = cluster.size(), failoversBefore = cluster.failovers();
        Thread killer = new Thread(() -> {
            try {
                Thread.sleep(afterMs);
                victim.kill();
            } catch (InterruptedException e) {
                // the map ended first
            }
        }, "mproc-node-killer");
        long t0 = System.nanoTime();
        killer.start();
        List<Object> r;
        try {
            r = cluster.map(MatrixWork.class, tasks, 1);
        } finally {
            killer.interrupt();
            killer.join();
        }
        double ms = (System.nanoTime() - t0) / 1e6;
        victim.join(java.time.Duration.ofSeconds(10));
        return new Failover(victim.getName(), before, cluster.size(), cluster.failovers() - failoversBefore, ms,
                checksum(r), cluster.stats());
    }

    /** The runs as a table, with each run's throughput relative to the first (the baseline). */
    public static Table table(List<Run> runs) {
        StringColumn engine = StringColumn.create("engine");
        IntColumn nodes = IntColumn.create("workers_or_nodes");
        DoubleColumn start = DoubleColumn.create("start_ms"), map = DoubleColumn.create("map_ms"),
                tps = DoubleColumn.create("tasks_per_s"), rel = DoubleColumn.create("vs_baseline");
        StringColumn same = StringColumn.create("same_results");
        for (Run r : runs) {
            engine.append(r.engine());
            nodes.append(r.nodes());
            start.append(Math.round(r.startMs()));
            map.append(Math.round(r.mapMs()));
            tps.append(Math.round(r.tasksPerSecond() * 10) / 10.0);
            rel.append(Math.round(r.tasksPerSecond() / runs.get(0).tasksPerSecond() * 100) / 100.0);
            same.append(r.checksum() == runs.get(0).checksum() ? "yes" : "NO");
        }
        return Table.create("the same " + runs.get(0).tasks() + " matrix tasks: local Pool vs Ignite cluster",
                engine, nodes, start, map, tps, rel, same);
    }

    /** Start-up and map time per run, side by side. */
    public static CategoryChart chart(List<Run> runs) {
        CategoryChart c = new CategoryChartBuilder().width(820).height(380)
                .title(runs.get(0).tasks() + " matrix tasks: what starting costs, what the map takes")
                .yAxisTitle("seconds").build();
        c.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setPlotBackgroundColor(java.awt.Color.WHITE);
        c.getStyler().setLabelsVisible(true);
        List<String> names = new ArrayList<>();
        List<Double> start = new ArrayList<>(), map = new ArrayList<>();
        for (Run r : runs) {
            names.add(r.engine().startsWith("local") ? "Pool(" + r.nodes() + ")" : r.nodes() + " node" + (r.nodes() > 1 ? "s" : ""));
            start.add(Math.round(r.startMs() / 10) / 100.0);
            map.add(Math.round(r.mapMs() / 10) / 100.0);
        }
        c.addSeries("start", names, start);
        c.addSeries("map", names, map);
        return c;
    }
}
