///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS ../toolkit/jbang/mproc.java
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 16 (beyond the chapter): a shared Value (a racy, a locked and an atomic increment) and a Manager's dict, list and namespace.

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import mproc.Barrier;
import mproc.DictProxy;
import mproc.ListProxy;
import mproc.Manager;
import mproc.Namespace;
import mproc.Task;
import mproc.Value;
import mproc.Worker;
import mproc.cli.Cli;
import mproc.cli.Reports;
import mproc.tutorial.Charts;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.LongColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;

@Command(name = "sharing", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"Four workers add 1 to one shared Value --count times each, three ways:",
                "read then write (racy), under the value's lock, and with its atomic incrementAndGet().",
                "Then three workers count the words of a text into a Manager's dict and log to its list,",
                "reading the text from its namespace; four clerks withdraw from a Value under its lock."})
public class sharing implements Callable<Integer> {
    @Option(names = "--count", defaultValue = "2000", converter = Cli.CountConverter.class,
            description = "increments per worker and way (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--out", defaultValue = "build/sharing", description = "folder for sharing.csv, words.csv and sharing.png (default: ${DEFAULT-VALUE})")
    Path out;

    /** Adds 1 to the shared value n times, one of three ways; adds the nanoseconds its loop took to a second value. */
    static class Increment implements Task {
        public void run(String... a) throws Exception {
            Value counter = Value.attach(a[0]);
            Value nanos = Value.attach(a[1]);
            Barrier start = Barrier.attach(a[2]);
            String way = a[3];
            long n = Long.parseLong(a[4]);
            start.await();                                      // all workers begin together
            long t0 = System.nanoTime();
            for (long k = 0; k < n; k++) {
                switch (way) {
                    case "racy" -> counter.set(counter.getLong() + 1);   // Python: v.value += 1
                    case "locked" -> {
                        try (var held = counter.hold()) {               // Python: with v.get_lock():
                            counter.set(counter.getLong() + 1);
                        }
                    }
                    case "atomic" -> counter.incrementAndGet();
                    default -> throw new IllegalArgumentException("no such way: " + way);
                }
            }
            nanos.addAndGet(System.nanoTime() - t0);
        }
    }

    /** Counts every k-th word of the namespace's text into the manager's dict, and appends what it did to its list. */
    static class WordCount implements Task {
        public void run(String... a) throws Exception {
            Namespace ns = Namespace.attach(a[0]);
            DictProxy<String, Long> counts = DictProxy.attach(a[1]);
            ListProxy<List<Object>> done = ListProxy.attach(a[2]);
            int i = Integer.parseInt(a[3]);
            String[] words = ns.<String>get("text").split(" ");
            int every = ns.get("workers");
            long n = 0;
            Set<String> distinct = new HashSet<>();
            for (int k = i; k < words.length; k += every) {
                counts.merge(words[k], 1L, Long::sum);           // atomic in the manager; d[w] += 1 is not
                distinct.add(words[k]);
                n++;
            }
            done.add(List.of(Worker.currentName(), n, (long) distinct.size()));
        }
    }

    /** Takes 1 from the balance n times if it is above 0, and counts what it paid out: a compound step (check, then act). */
    static class Withdraw implements Task {
        public void run(String... a) throws Exception {
            Value balance = Value.attach(a[0]);
            Value paid = Value.attach(a[1]);
            Barrier start = Barrier.attach(a[2]);
            boolean underLock = Boolean.parseBoolean(a[3]);
            int n = Integer.parseInt(a[4]);
            start.await();
            for (int k = 0; k < n; k++) {
                if (underLock) {
                    try (var held = balance.hold()) {
                        withdraw(balance, paid);
                    }
                } else {
                    withdraw(balance, paid);
                }
            }
        }

        static void withdraw(Value balance, Value paid) throws InterruptedException {
            if (balance.getLong() > 0) {      // check ...
                Thread.sleep(1);               // (counting out the money)
                balance.decrementAndGet();     // ... then act: atomic, but the check may be stale by now
                paid.incrementAndGet();
            }
        }
    }

    /** A table of the three ways: expected and got, the updates lost, a worker's mean microseconds per increment. */
    static Table waysTable(Map<String, Long> got, Map<String, Long> nanos, long expected) {
        Table t = Table.create("ways", StringColumn.create("way"), LongColumn.create("expected"), LongColumn.create("got"),
                LongColumn.create("lost"), DoubleColumn.create("us_per_increment"));
        for (String way : got.keySet()) {
            t.stringColumn("way").append(way);
            t.longColumn("expected").append(expected);
            t.longColumn("got").append(got.get(way));
            t.longColumn("lost").append(expected - got.get(way));
            t.doubleColumn("us_per_increment").append(expected == 0 ? 0 : Math.round(nanos.get(way) / (double) expected / 100) / 10.0);
        }
        return t;
    }

    /** Bars: the count each way ended with, next to the count expected. */
    static CategoryChart waysChart(Table t) {
        CategoryChart c = new CategoryChartBuilder().width(820).height(380).title("One shared Value, " + t.longColumn("expected").get(0) + " increments")
                .xAxisTitle("way").yAxisTitle("final count").build();
        c.addSeries("expected", t.stringColumn("way").asList(), t.longColumn("expected").asList());
        c.addSeries("got", t.stringColumn("way").asList(), t.longColumn("got").asList());
        return c;
    }

    public static void main(String... args) {
        System.exit(Cli.execute(new sharing(), args));
    }

    @Override
    public Integer call() throws Exception {
        int workers = 4;
        String text = "the cat sat on the mat and the dog sat on the log ".repeat(30).strip();
        // the main block
        Map<String, Long> got = new LinkedHashMap<>(), nanos = new LinkedHashMap<>();
        for (String way : List.of("racy", "locked", "atomic")) {
            Value counter = Value.ofLong(0), busy = Value.ofLong(0);
            Barrier start = Barrier.create(workers);
            List<Worker> ps = new ArrayList<>();
            for (int i = 0; i < workers; i++) ps.add(new Worker(way + "-" + i, Increment.class, counter, busy, start, way, count));
            for (Worker p : ps) p.start();
            for (Worker p : ps) p.join();
            got.put(way, counter.getLong());
            nanos.put(way, busy.getLong());
            System.out.println(way + ": " + counter.getLong() + " of " + workers * count);
        }

        // the manager
        List<List<Object>> log;
        Map<String, Long> words;
        try (Manager m = Manager.start()) {              // Python: with Manager() as m:
            Namespace ns = m.namespace();
            ns.set("text", text).set("workers", 3);
            DictProxy<String, Long> counts = m.dict();
            ListProxy<List<Object>> done = m.list();
            List<Worker> counters = new ArrayList<>();
            for (int i = 0; i < 3; i++) counters.add(new Worker("counter-" + i, WordCount.class, ns, counts, done, i).start());
            for (Worker c : counters) c.join();
            words = counts.copy();                       // copies: the proxies end with the manager
            log = done.copy();
            System.out.println("the namespace holds " + ns.toMap().keySet() + "; workers = " + ns.get("workers"));
        }
        System.out.println("counted " + words.values().stream().mapToLong(Long::longValue).sum() + ": " + words);
        System.out.println("the list: " + log);

        // the compound step, under the lock
        Value balance = Value.ofLong(100), paid = Value.ofLong(0);
        Barrier go = Barrier.create(workers);
        List<Worker> clerks = new ArrayList<>();
        for (int i = 0; i < workers; i++) clerks.add(new Worker("clerk-" + i, Withdraw.class, balance, paid, go, true, 40).start());
        for (Worker c : clerks) c.join();
        System.out.println("paid " + paid.getLong() + " of 100, balance " + balance.getLong());

        Table ways = waysTable(got, nanos, workers * count);
        System.out.println(ways.print());
        Path csv = Reports.csv(ways, out, "sharing.csv");
        Path wordsCsv = Reports.csv(Table.create("words", StringColumn.create("word", words.keySet()),
                LongColumn.create("count", words.values().stream().mapToLong(Long::longValue).toArray())), out, "words.csv");
        Path png = Charts.savePng(waysChart(ways), out.resolve("sharing.png"));
        System.out.println("tables: " + csv + ", " + wordsCsv + "\nchart: " + png);
        long total = text.split(" ").length;
        return got.get("locked") == workers * count && got.get("atomic") == workers * count
                && words.values().stream().mapToLong(Long::longValue).sum() == total
                && paid.getLong() == 100 && balance.getLong() == 0 ? 0 : 1;
    }
}
