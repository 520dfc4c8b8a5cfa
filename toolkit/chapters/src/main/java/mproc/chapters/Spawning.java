package mproc.chapters;

import mproc.tutorial.*;
import java.util.ArrayList;
import java.util.List;
import mproc.tutorial.Matrix;
import mproc.Task;
import mproc.Worker;

/**
 * Chapter 2, spawning_processes.py: six workers, worker i doing i units of work; first one after another
 * (each joined before the next starts, as the Python original does), then all at once.
 */
public final class Spawning {
    private Spawning() {}

    /** Python's {@code myFunc(i)}: prints its number, then one line per unit of work (count multiplies each). */
    public static class MyFunc implements Task {
        @Override
        public void run(String... args) {
            int i = Integer.parseInt(args[0]);
            long count = Long.parseLong(args[1]);
            System.out.println("calling myFunc from process no: " + i);
            for (int j = 0; j < i; j++) {
                long checksum = Matrix.work(count);
                System.out.println("output from myFunc is: " + j + " (checksum " + checksum + ")");
            }
        }
    }

    /** Worker i of n: start it and join it before starting the next. */
    public static List<Worker> oneAfterAnother(int n, long count) throws InterruptedException {
        List<Worker> ws = create(n, count);
        for (Worker w : ws) {
            w.start();
            w.join();
        }
        return ws;
    }

    /** All n started first, then all joined. */
    public static List<Worker> allAtOnce(int n, long count) throws InterruptedException {
        List<Worker> ws = create(n, count);
        for (Worker w : ws) w.start();
        for (Worker w : ws) w.join();
        return ws;
    }

    private static List<Worker> create(int n, long count) {
        if (n < 1 || n > 64) throw new IllegalArgumentException("number of workers must be between 1 and 64, got " + n);
        Matrix.checkCount(count);
        List<Worker> ws = new ArrayList<>();
        for (int i = 0; i < n; i++) ws.add(new Worker(MyFunc.class, i, count));
        return ws;
    }
}
