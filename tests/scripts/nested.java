///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 21+
//DEPS pbpj:mproc:1.0.0
//DESCRIPTION A test script (make test runs it): its own nested classes, and lambdas, run in worker JVMs; the core only.

import java.util.List;
import mproc.Fn;
import mproc.Pool;
import mproc.Task;
import mproc.Worker;

public class nested {
    /** A Worker subclass nested in the script: Python's process_in_subclass.py. */
    static class MyProcess extends Worker {
        int times = 1;

        @Override
        public void run() {
            System.out.println("called run method in " + getName() + " x" + times);
        }
    }

    static class Hello implements Task {
        @Override
        public void run(String... args) {
            System.out.println("hello " + String.join(" ", args));
        }
    }

    static class Square implements Fn<Integer, Integer> {
        @Override
        public Integer apply(Integer x) {
            return x * x;
        }
    }

    static long cube(long x) {
        return x * x * x;
    }

    public static void main(String... args) throws Exception {
        for (int i = 0; i < 2; i++) {
            MyProcess p = new MyProcess();
            p.times = i + 2;
            p.start();
            p.join();
            System.out.println(p.getName() + " exit code " + p.exitCode());
        }
        Worker h = new Worker("hello", Hello.class, "from", "a", "task");
        h.start();
        h.join();
        int k = 6;
        Worker l = new Worker("lambda", () -> System.out.println("lambda says " + k * 7));
        l.start();
        l.join();
        try (Pool pool = new Pool(2)) {
            System.out.println("class: " + pool.map(Square.class, Pool.range(10)));
            System.out.println("lambda: " + pool.map(x -> x * x, Pool.range(10)));
            List<Long> cubes = pool.map(nested::cube, List.of(1L, 2L, 3L));
            System.out.println("method reference: " + cubes);
        }
    }
}
