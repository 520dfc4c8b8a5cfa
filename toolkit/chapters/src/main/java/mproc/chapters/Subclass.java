package mproc.chapters;

import mproc.tutorial.*;
import java.util.ArrayList;
import java.util.List;
import mproc.Worker;

/** Chapter 6, process_in_subclass.py: a Worker subclass overriding run(), ten of them one by one. */
public final class Subclass {
    private Subclass() {}

    /**
     * Python's {@code class MyProcess(multiprocessing.Process)}. What it needs to run in another JVM:
     * a public static class with a no-argument constructor; its fields (here {@code index}) travel to the
     * child as text. Default names follow Python: class name and counter, {@code MyProcess-1}.
     */
    public static class MyProcess extends Worker {
        int index;

        public MyProcess() {}

        public MyProcess(int index) {
            this.index = index;
        }

        @Override
        public void run() {
            System.out.println("called run method in " + getName() + " (index " + index + ", pid "
                    + ProcessHandle.current().pid() + ")");
        }
    }

    /** Ten MyProcess workers, each started and joined before the next. */
    public static List<Worker> runTen() throws InterruptedException {
        List<Worker> ws = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            MyProcess p = new MyProcess(i);
            p.start();
            p.join();
            ws.add(p);
        }
        return ws;
    }
}
