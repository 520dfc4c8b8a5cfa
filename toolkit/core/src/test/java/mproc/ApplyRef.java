package mproc;

/** What an engine's job does with a {@link FnRef}: resolves it in its own JVM and applies it (public: a JShell cell names it). */
public class ApplyRef implements Task {
    @Override
    public void run(String... a) throws Exception {
        System.out.println("applied: " + FnRef.resolve(a[0]).apply(Integer.parseInt(a[1])));
    }
}
