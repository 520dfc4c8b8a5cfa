package mproc;

import java.util.List;

/** Tasks for {@link PoolStdioTest}: each runs a pool in a worker JVM, whose relayed output the test reads. */
public final class StdioTasks {
    private StdioTasks() {}

    /** Prints a line (and a part line), then answers the square. */
    public static class Chatty implements Fn<Integer, Integer> {
        @Override
        public Integer apply(Integer x) {
            System.out.println("in " + x + " é✓");
            System.out.print("part " + x);
            return x * x;
        }
    }

    /** Writes to the worker's stdout past System.out (a process with inherited output), then answers. */
    public static class PastSystemOut implements Fn<Integer, Integer> {
        @Override
        public Integer apply(Integer x) throws Exception {
            new ProcessBuilder("printf", "garbage from a grandchild\\n").inheritIO().start().waitFor();
            return x;
        }
    }

    /** A pool of one: a map whose function prints, then "results ...". */
    public static class Prints implements Task {
        @Override
        public void run(String... a) throws Exception {
            try (Pool pool = new Pool(1)) {
                List<Integer> r = pool.map(Chatty.class, List.of(1, 2, 3, 4, 5), 1, null);
                System.out.println("results " + r);
            }
        }
    }

    /**
     * A pool of one, a task that breaks its worker's frames (fails after the pool's tries, naming why), then a
     * plain map on the same pool: "failed: ...", then "then [1, 4]".
     */
    public static class Breaks implements Task {
        @Override
        public void run(String... a) throws Exception {
            try (Pool pool = Pool.builder().processes(1).maxTries(2).build()) {
                try {
                    System.out.println("unexpected " + pool.map(PastSystemOut.class, List.of(7)));
                } catch (RuntimeException e) {
                    System.out.println("failed: " + e.getMessage());
                }
                System.out.println("then " + pool.map(Pool.Square.class, List.of(1, 2)));
            }
        }
    }
}
