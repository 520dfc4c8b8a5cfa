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

    @Test
    void aProcessStartedThroughTheJdkIsNeverMissedByTheCheapCheck() throws Exception {
        Process p = new ProcessBuilder("sleep", "30").start();
        try {
            assertTrue(Procs.mayHaveChildren(), "a running child has a reaper thread");
        } finally {
            p.destroyForcibly().waitFor();
        }
    }

    @Test
    void aWorkerThatStartedNothingSkipsTheChildScanAndOneThatDidDoesNot() throws Exception {
        Worker idle = new Worker(Tasks.MayHaveChildren.class).start();
        Worker spawning = new Worker(Tasks.MayHaveChildren.class, "spawn").start();
        idle.join();
        spawning.join();
        assertEquals(0, idle.exitCode(), idle.output().toString());
        assertEquals(java.util.List.of("before=false"), idle.output());
        assertEquals(java.util.List.of("before=false", "while=true true"), spawning.output());
    }
}
