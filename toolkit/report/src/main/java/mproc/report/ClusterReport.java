package mproc.report;

import mproc.tutorial.*;
import java.util.ArrayList;
import java.util.List;
import mproc.Fn;
import mproc.Worker;
import mproc.cluster.Cluster;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

/**
 * The scaling-out chapter's report: a timed map's row, the table and chart of the runs, and the harness that
 * SIGKILLs a node in the middle of a map. The chapter's pool function and main block are in its notebook and
 * script.
 */
public final class ClusterReport {
    private ClusterReport() {}

    /** One timed map: where it ran, how long starting that took, how long the map took, its checksum. */
    public record Run(String engine, int nodes, double startMs, double mapMs, int tasks, long checksum) {
        public double tasksPerSecond() {
            return tasks / (mapMs / 1e3);
        }
    }

    /** The results' checksum: equal checksums, equal results (the map keeps input order). */
    public static long checksum(List<?> results) {
        long sum = 0, i = 1;
        for (Object r : results) sum += (i++) * ((Number) r).longValue();
        return sum;
    }

    /** What a map did while one of the nodes was SIGKILLed. */
    public record Failover(String killed, int nodesBefore, int nodesAfter, int failovers, double mapMs,
                           long checksum, Table stats) {}

    /** Maps {@code fn} over {@code tasks} (one job each) and SIGKILLs {@code victim} {@code afterMs} into the map. */
    public static Failover killDuringMap(Cluster cluster, Class<? extends Fn> fn, Worker victim, List<?> tasks, long afterMs)
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
            r = cluster.map(fn, tasks, 1);
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
