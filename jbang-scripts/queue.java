///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS pbpj:mproc-chapters:1.0.0
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 9 (communicating_with_queue.py): producers and consumers sharing a Queue; the race and its fix.

import java.nio.file.Path;
import java.util.concurrent.Callable;
import mproc.chapters.Queues;
import mproc.cli.Cli;
import mproc.cli.Reports;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "queue", mixinStandardHelpOptions = true, version = "queue 1.0",
        description = {"First Python's version: a consumer that stops when it sees the queue empty, which can",
                "stop before the producer has put anything. Then the fix: consumers take items until the",
                "queue is closed, and it is closed once every producer has been joined. Ends with",
                "produced=N consumed=N lost=0 duplicates=0, computed from the ids the consumers received."})
public class queue implements Callable<Integer> {
    @Option(names = "--producers", defaultValue = "1", description = "producer workers, 1..64 (default: ${DEFAULT-VALUE})")
    int producers;

    @Option(names = "--consumers", defaultValue = "1", description = "consumer workers, 1..64 (default: ${DEFAULT-VALUE})")
    int consumers;

    @Option(names = "--items", defaultValue = "10", description = "items per producer, 0..100000000 (default: ${DEFAULT-VALUE})")
    long items;

    @Option(names = "--count", defaultValue = "20000", converter = Cli.CountConverter.class,
            description = "multiplies the racy demo's producer does before each item (default: ${DEFAULT-VALUE})")
    long count;

    @Option(names = "--out", defaultValue = "build/queue", description = "folder for queue.csv (default: ${DEFAULT-VALUE})")
    Path out;

    public static void main(String... args) {
        System.exit(Cli.execute(new queue(), args));
    }

    @Override
    public Integer call() throws Exception {
        Cli.checkRange(this, "--producers", producers, 1, 64);
        Cli.checkRange(this, "--consumers", consumers, 1, 64);
        Cli.checkRange(this, "--items", items, 0, 100_000_000L);
        System.out.println("== Python's consumer: stops when the queue looks empty ==");
        Queues.RaceResult race = Queues.race(5, count);
        System.out.println("racy run: produced=" + race.produced() + " consumed=" + race.consumed() + " left in queue=" + race.leftInQueue());
        System.out.println("== the fix: consume until the queue is closed ==");
        boolean verbose = producers * items <= 20;
        Queues.Summary s = Queues.run(producers, consumers, items, verbose);
        System.out.println(Queues.table(s).print());
        System.out.println("table: " + Reports.csv(Queues.table(s), out, "queue.csv"));
        System.out.println(s.line());
        return s.lost() == 0 && s.duplicates() == 0 ? 0 : 1;
    }
}
