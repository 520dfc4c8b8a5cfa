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
}
