///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS ../toolkit/jbang/mproc.java
//RUNTIME_OPTIONS -XX:+IgnoreUnrecognizedVMOptions --sun-misc-unsafe-memory-access=allow --enable-native-access=ALL-UNNAMED
//DESCRIPTION Chapter 7 (communicating_with_pipe.py): producer -> squarer -> main through two pipes.

import java.io.EOFException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import mproc.Connection;
import mproc.Pipe;
import mproc.Task;
import mproc.Worker;
import mproc.report.PipeReport;
import mproc.cli.Cli;
import mproc.cli.Reports;
import mproc.tutorial.Charts;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tech.tablesaw.api.Table;

@Command(name = "pipe", mixinStandardHelpOptions = true, versionProvider = Cli.Version.class,
        description = {"A producer worker sends 0..9 through a pipe to a squarer worker, which sends",
                "the squares through a second pipe to main, which prints them until end of",
                "stream, then 'End'. Then the same chain carries 20x20 matrices, squared on",
                "the way, with per-message latency, and a small message's round trip to a",
                "worker JVM is timed."})
public class pipe implements Callable<Integer> {
    @Option(names = "--messages", defaultValue = "2000", description = "matrices sent through the chain, 1..1000000 (default: ${DEFAULT-VALUE})")
    int messages;

    @Option(names = "--out", defaultValue = "build/pipe", description = "folder for pipe.csv and pipe.png (default: ${DEFAULT-VALUE})")
    Path out;

    /** Python's create_items: sends 0..9 into its end of the first pipe, then closes that end. */
    static class CreateItems implements Task {
        public void run(String... args) {
            Connection outputPipe = Connection.attach(args[0]);
            for (long item = 0; item < 10; item++) {
                outputPipe.send(item);
            }
            outputPipe.close();
        }
    }

    /** Python's multiply_items: squares what arrives on the first pipe and sends it on, until end of stream. */
    static class MultiplyItems implements Task {
        public void run(String... args) throws Exception {
            Connection inputPipe = Connection.attach(args[0]);
            Connection outputPipe = Connection.attach(args[1]);
            try {
                while (true) {
                    long item = (Long) inputPipe.recv();
                    outputPipe.send(item * item);
                }
            } catch (EOFException e) {
                outputPipe.close();
            }
        }
    }

    /** Sends back every message it receives, until end of stream: the other side of a round trip. */
    static class Echo implements Task {
        public void run(String... args) throws Exception {
            Connection conn = Connection.attach(args[0]);
            try {
                while (true) {
                    conn.send(conn.recv());
                }
            } catch (EOFException e) {
                conn.close();
            }
        }
    }

    public static void main(String... args) {
        System.exit(Cli.execute(new pipe(), args));
    }

    @Override
    public Integer call() throws Exception {
        Cli.checkRange(this, "--messages", messages, 1, 1_000_000);
        // the main block
        Pipe pipe1 = Pipe.create();
        Worker processPipe1 = new Worker(CreateItems.class, pipe1.end1());
        processPipe1.start();
        Pipe pipe2 = Pipe.create();
        Worker processPipe2 = new Worker(MultiplyItems.class, pipe1.end2(), pipe2.end1());
        processPipe2.start();
        List<Long> received = new ArrayList<>();
        try {
            while (true) {
                long square = (Long) pipe2.end2().recv();
                System.out.println(square);
                received.add(square);
            }
        } catch (EOFException e) {
            System.out.println("End");
        }
        processPipe1.join();
        processPipe2.join();

        // what happened: the same chain carrying matrices, a table and a chart; then a round trip
        Table latency = PipeReport.matrices(messages);
        System.out.println(messages + " matrices, every product checked");
        System.out.println(PipeReport.summary(latency).print());
        System.out.printf("round trip of a small message to a worker JVM: %.1f us (median of 3 batches of 2000)%n", roundTripMicros(3, 2000));
        Path csv = Reports.csv(latency, out, "pipe.csv");
        Path png = Charts.savePng(PipeReport.latencyChart(latency), out.resolve("pipe.png"));
        System.out.println("table: " + csv + "\nchart: " + png);
        return 0;
    }

    /** Median microseconds per round trip to an Echo worker: `batches` batches of `perBatch`, after a warm-up. */
    static double roundTripMicros(int batches, int perBatch) throws Exception {
        Pipe rt = Pipe.create();
        Worker echo = new Worker("echo", Echo.class, rt.end2());
        echo.start();
        Connection conn = rt.end1();
        for (int i = 0; i < 20_000; i++) { conn.send(42L); conn.recv(); }
        double[] us = new double[batches];
        for (int b = 0; b < batches; b++) {
            long t0 = System.nanoTime();
            for (int i = 0; i < perBatch; i++) { conn.send(42L); conn.recv(); }
            us[b] = (System.nanoTime() - t0) / 1e3 / perBatch;
        }
        conn.close();
        echo.join();
        Arrays.sort(us);
        return us[batches / 2];
    }
}
