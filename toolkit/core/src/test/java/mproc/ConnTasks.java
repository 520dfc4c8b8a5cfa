package mproc;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Worker tasks for the connection tests (poll, bytes, Listener and Client). */
public final class ConnTasks {
    private ConnTasks() {}

    /** args: pipe end, event. Waits for the event, then sends "hi" and the bytes 1, 2, 3; waits for "bye". */
    public static class SendOnEvent implements Task {
        @Override
        public void run(String... a) throws Exception {
            Connection c = Connection.attach(a[0]);
            Event go = Event.attach(a[1]);
            System.out.println("waiting");
            go.await();
            c.send("hi");
            c.sendBytes(new byte[] {9, 1, 2, 3, 9}, 1, 3);
            System.out.println("got " + c.recv());
        }
    }

    /** args: port, key. Connects; echoes one message as [it, pid]; sends back the bytes it receives, reversed. */
    public static class Echo implements Task {
        @Override
        public void run(String... a) throws Exception {
            try (Connection c = Client.connect("127.0.0.1", Integer.parseInt(a[0]), a[1].getBytes(StandardCharsets.UTF_8))) {
                Object m = c.recv();
                c.send(List.of(m, ProcessHandle.current().pid()));
                byte[] b = c.recvBytes();
                byte[] r = new byte[b.length];
                for (int i = 0; i < b.length; i++) r[i] = b[b.length - 1 - i];
                c.sendBytes(r);
                System.out.println("echoed");
            }
        }
    }

    /**
     * args: key. Listens on 127.0.0.1 and prints "port N"; accepts until a client authenticates (printing
     * "refused <message>" for each that does not), then answers its message with the message doubled.
     */
    public static class Serve implements Task {
        @Override
        public void run(String... a) throws Exception {
            try (Listener l = Listener.create(a[0].getBytes(StandardCharsets.UTF_8))) {
                System.out.println("port " + l.address().getPort());
                while (true) {
                    try (Connection c = l.accept()) {
                        String m = (String) c.recv();
                        c.send(m + m);
                        System.out.println("served " + l.lastAccepted().getAddress().getHostAddress());
                        return;
                    } catch (AuthenticationException e) {
                        System.out.println("refused " + e.getMessage());
                    }
                }
            }
        }
    }

    /** args: port, key. Tries to connect; prints "refused <exception class>: <message>". */
    public static class TryConnect implements Task {
        @Override
        public void run(String... a) throws Exception {
            try (Connection c = Client.connect("127.0.0.1", Integer.parseInt(a[0]), a[1].getBytes(StandardCharsets.UTF_8))) {
                System.out.println("connected " + c);
            } catch (java.io.IOException e) {
                System.out.println("refused " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
        }
    }
}
