package mproc;

/** Worker tasks for the pipe edge tests (interrupts, slow and vanished peers, fuzzing). */
public final class PipeEdgeTasks {
    private PipeEdgeTasks() {}

    /** args: pipe end. Prints "waiting", then receives one message: prints "got X", or "eof <message>". */
    public static class RecvOne implements Task {
        @Override
        public void run(String... a) throws Exception {
            Connection c = Connection.attach(a[0]);
            System.out.println("waiting");
            try {
                System.out.println("got " + c.recv());
            } catch (java.io.EOFException e) {
                System.out.println("eof " + e.getMessage());
            }
        }
    }

    /** args: pipe end. Sends back every message it receives until "stop" (which it answers "stopped"). */
    public static class Echo implements Task {
        @Override
        public void run(String... a) throws Exception {
            try (Connection c = Connection.attach(a[0])) {
                while (true) {
                    Object m = c.recv();
                    if ("stop".equals(m)) {
                        c.send("stopped");
                        return;
                    }
                    c.send(m);
                }
            }
        }
    }

    /**
     * args: pipe end. Connects (poll), prints "connected", sleeps 2 s, then receives until the end, printing
     * "got N bytes" for bytes, "got X" for anything else, and "eof" at the end.
     */
    public static class SlowReader implements Task {
        @Override
        public void run(String... a) throws Exception {
            Connection c = Connection.attach(a[0]);
            c.poll();
            System.out.println("connected");
            Thread.sleep(2000);
            try {
                while (true) {
                    Object m = c.recv();
                    System.out.println(m instanceof byte[] b ? "got " + b.length + " bytes" : "got " + m);
                }
            } catch (java.io.EOFException e) {
                System.out.println("eof");
            }
        }
    }
}
