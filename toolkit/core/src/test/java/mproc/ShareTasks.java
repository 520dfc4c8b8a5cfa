package mproc;

/** Worker tasks for the shared-state tests (Value, Manager): each prints what it saw, one line per fact. */
public final class ShareTasks {
    private ShareTasks() {}

    /** args: value, n, "atomic" or "locked". Adds 1 n times; prints "done". */
    public static class ValueAdd implements Task {
        @Override
        public void run(String... a) throws Exception {
            Value v = Value.attach(a[0]);
            int n = Integer.parseInt(a[1]);
            boolean atomic = a[2].equals("atomic");
            for (int i = 0; i < n; i++) {
                if (atomic) v.incrementAndGet();
                else try (var held = v.hold()) {
                    v.set(v.getLong() + 1); // a read-then-write: only correct under the lock
                }
            }
            System.out.println("done " + v.get().getClass().getSimpleName());
        }
    }

    public record Point(int x, int y) {}

    /**
     * args: dict, list, namespace, k, n. n times: counts a hit in the dict (merge) and adds "w<k>-<i>" to the
     * list; notes its pid under "w<k>"; prints what the host set; marks itself seen in the namespace.
     */
    public static class ManagerWork implements Task {
        @Override
        public void run(String... a) {
            DictProxy<String, Object> d = DictProxy.attach(a[0]);
            ListProxy<String> l = ListProxy.attach(a[1]);
            Namespace ns = Namespace.attach(a[2]);
            String k = a[3];
            int n = Integer.parseInt(a[4]);
            for (int i = 0; i < n; i++) {
                d.merge("hits", 1L, (x, y) -> (Long) x + (Long) y);
                l.add("w" + k + "-" + i);
            }
            d.put("w" + k, ProcessHandle.current().pid());
            System.out.println("main " + d.get("main") + " " + d.get("point"));
            System.out.println("config " + ns.get("config") + " " + ns.get("missing", "none"));
            ns.set("seen" + k, true);
        }
    }

    /** args: dict. Prints "error <message>" for a call on it. */
    public static class UseDict implements Task {
        @Override
        public void run(String... a) {
            DictProxy<String, Object> d = DictProxy.attach(a[0]);
            try {
                System.out.println("size " + d.size());
            } catch (IllegalStateException e) {
                System.out.println("error " + e.getMessage());
            }
        }
    }
}
