package mproc.tutorial;

import mproc.*;

/**
 * The naming chapter's {@code myFunc}, with real work instead of {@code time.sleep(3)}: prints
 * {@code Starting process name = <name>}, multiplies the seeded 20x20 matrices {@code count} times,
 * prints {@code Exiting process name = <name>} with the checksum.
 * Arguments: {@code count} (default 1000).
 */
public class MatrixTask implements Task {
    @Override
    public void run(String... args) {
        long count = args.length > 0 ? Long.parseLong(args[0]) : 1000;
        String name = Worker.currentName();
        System.out.println("Starting process name = " + name);
        long t0 = System.nanoTime();
        long checksum = Matrix.work(count);
        double ms = (System.nanoTime() - t0) / 1e6;
        System.out.printf("Exiting process name = %s (checksum %d, %d multiplies in %.1f ms)%n", name, checksum, count, ms);
    }
}
