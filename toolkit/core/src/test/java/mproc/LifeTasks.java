package mproc;

import java.time.Duration;

/** Worker tasks for the lifecycle tests (names, parents, terminate with a grace). */
public final class LifeTasks {
    private LifeTasks() {}

    /** Prints who it is and who its parent is, then starts a worker and a Worker subclass of its own and joins them. */
    public static class Nested implements Task {
        @Override
        public void run(String... a) throws Exception {
            Worker.ParentProcess p = Worker.parentProcess();
            System.out.println("me " + Worker.currentName() + " " + ProcessHandle.current().pid());
            System.out.println("parent " + p.name() + " " + p.pid() + " " + p.isAlive());
            Worker child = new Worker(Report.class);
            Sub sub = new Sub();
            System.out.println("names " + child.getName() + " " + sub.getName());
            child.start();
            sub.start();
            child.join();
            sub.join();
            System.out.println("joined " + child.exitCode() + " " + sub.exitCode() + " " + Worker.activeChildren().size());
        }
    }

    /** Prints "grand <its name> <its parent's name> <its parent's pid>". */
    public static class Report implements Task {
        @Override
        public void run(String... a) {
            Worker.ParentProcess p = Worker.parentProcess();
            System.out.println("grand " + Worker.currentName() + " " + p.name() + " " + p.pid());
        }
    }

    public static class Sub extends Worker {
        @Override
        public void run() {
            System.out.println("grand " + Worker.currentName() + " " + Worker.parentProcess().name());
        }
    }

    /** args: ms. Sleeps that long. */
    public static class Sleep implements Task {
        @Override
        public void run(String... a) throws Exception {
            Thread.sleep(Long.parseLong(a[0]));
        }
    }

    /** Its shutdown hangs: SIGTERM does not end it. Prints "ready" once the hook is in place. */
    public static class IgnoreTerm implements Task {
        @Override
        public void run(String... a) throws Exception {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                System.out.println("hook runs");
                try {
                    Thread.sleep(Duration.ofMinutes(2));
                } catch (InterruptedException e) {
                    // killed anyway
                }
            }));
            System.out.println("ready");
            Thread.sleep(Duration.ofMinutes(2));
        }
    }
}
