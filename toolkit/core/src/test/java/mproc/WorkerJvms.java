package mproc;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * For test classes that start worker JVMs ({@code @ExtendWith(WorkerJvms.class)}): the workers' output is
 * queued for the calling thread, as in a notebook, and after each test no worker JVM of this run is left
 * running (those that are get ended, and the test fails).
 */
public final class WorkerJvms implements BeforeAllCallback, AfterEachCallback {
    /** The java executable running this test JVM, for the tests that start a JVM of their own. */
    public static String java() {
        return ProcessHandle.current().info().command()
                .orElse(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString());
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        Output.setMode(Output.Mode.CALLER);
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        Leftovers.endAndCheck(h -> Leftovers.running(h.pid()));
    }
}
