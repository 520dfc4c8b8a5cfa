package mproc;

/** Mains of the fresh JVMs IpcDirTest starts. */
public final class IpcDirTasks {
    private IpcDirTasks() {}

    /** Makes its private IPC directory, prints it, then waits to be killed (at most 5 minutes). */
    public static final class HoldDir {
        public static void main(String[] args) throws Exception {
            System.out.println("dir=" + Ipc.dir());
            System.out.flush();
            Thread.sleep(300_000);
        }
    }

    /** Starts a worker that prints its own IPC directory; then prints this JVM's. */
    public static final class ParentOfWorker {
        public static void main(String[] args) throws Exception {
            Worker w = new Worker(PrintDir.class).start();
            w.join();
            System.out.println("parent=" + Ipc.dir() + " worker-exit=" + w.exitCode());
        }
    }

    /** A worker task: prints its IPC directory (made by a queue, as a worker's own IPC objects make it). */
    public static final class PrintDir implements Task {
        @Override
        public void run(String... args) {
            Queue.create();
            System.out.println("worker=" + Ipc.dir());
        }
    }

    /** Prints whether the class-archive cache directory args[0] is used, and why not. */
    public static final class CheckCache {
        public static void main(String[] args) {
            System.out.println("usable=" + (Tuning.usableCacheDir(java.nio.file.Path.of(args[0])) != null));
        }
    }
}
