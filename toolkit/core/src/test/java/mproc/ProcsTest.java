package mproc;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class ProcsTest {
    @Test
    void seesItsRealParent() {
        long parent = ProcessHandle.current().parent().orElseThrow().pid();
        assertTrue(Procs.parentIs(parent));
        assertFalse(Procs.parentIs(parent + 1_000_000));
    }

    @Test
    void seesChildrenComeAndGo() throws Exception {
        assertFalse(Procs.hasChildren(), "no children yet");
        Process p = new ProcessBuilder("sleep", "30").start();
        try {
            assertTrue(Procs.hasChildren());
        } finally {
            p.destroyForcibly().waitFor();
        }
        assertFalse(Procs.hasChildren(), "reaped child still counted");
    }
}
