package mproc;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Pipes leave nothing behind: 10,000 used and closed, then 10,000 used and dropped without close(), leave
 * the heap (after GC), the open file descriptors, the threads, the IPC directory and the flush registry as
 * they were.
 */
@Timeout(value = 600, unit = TimeUnit.SECONDS)
class PipeLeakTest {
    static final Duration WAIT = Duration.ofSeconds(30);

    static long fds() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
            return s.count();
        }
    }

    static long ipcFiles() throws IOException {
        try (Stream<Path> s = Files.list(Ipc.dir())) {
            return s.count();
        }
    }

    static int registry() {
        return Ipc.Pending.size();
    }

    static long heapAfterGc() throws InterruptedException {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }

    /** n pipes, each used both ways (so both ends hold a socket), then closed or dropped. */
    static void cycle(int n, boolean close) throws Exception {
        for (int i = 0; i < n; i++) {
            Pipe p = Pipe.create();
            p.end1().send((long) i);
            assertEquals((long) i, p.end2().recv(WAIT));
            p.end2().send("r");
            assertEquals("r", p.end1().recv(WAIT));
            if (close) {
                p.end1().close();
                p.end2().close();
            } else if (i % 500 == 499) {
                System.gc(); // a dropped end is freed when the collector finds it: this run lets it look often
            }
        }
    }

    /** Waits (bounded) until the Cleaner has closed what was dropped: the descriptors come down. */
    static long settle(long target) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(target == 0 ? 1 : 60);
        long n;
        do {
            System.gc();
            Thread.sleep(100);
            n = fds();
        } while (n > target && System.nanoTime() < deadline);
        return n;
    }

    @Test
    void tenThousandPipesClosedThenTenThousandDroppedLeaveNothingBehind() throws Exception {
        cycle(300, true); // warm: classes loaded, the cleaner thread started
        cycle(300, false);
        for (long last = Long.MAX_VALUE, n; (n = settle(0)) < last; last = n) {
            // until the warm-up's dropped ends are all closed (settle(0) gives up after a minute at most)
        }
        long fd0 = fds(), heap0 = heapAfterGc(), files0 = ipcFiles(), threads0 = Thread.activeCount();
        int reg0 = registry();

        long t0 = System.nanoTime();
        cycle(10_000, true);
        long closedMs = (System.nanoTime() - t0) / 1_000_000;
        long fd1 = settle(fd0 + 10), heap1 = heapAfterGc();

        t0 = System.nanoTime();
        cycle(10_000, false);
        long droppedMs = (System.nanoTime() - t0) / 1_000_000;
        long fd2 = settle(fd0 + 10), heap2 = heapAfterGc();
        for (int i = 0; i < 1000; i++) { // closed unused, or closed with a message not yet taken: nothing left
            Pipe p = Pipe.create();
            if (i % 2 == 0) {
                p.end1().close();
                p.end2().close();
            } else {
                p.end1().send(1L);
                p.end1().close(); // does not wait: delivered when the other end connects, as an OS pipe keeps it
                assertEquals(1L, p.end2().recv(WAIT));
                assertThrows(java.io.EOFException.class, () -> p.end2().recv(WAIT), "then the end");
                p.end2().close();
            }
        }
        long files2 = ipcFiles();
        int reg2 = registry();
        Thread.sleep(200);
        long threads2 = Thread.activeCount();

        System.out.printf("10,000 pipes closed in %d ms, 10,000 dropped in %d ms%n", closedMs, droppedMs);
        System.out.printf("fds %d -> %d (closed) -> %d (dropped); heap %.1f MB -> %.1f -> %.1f; IPC files %d -> %d;"
                + " flush registry %d -> %d; threads %d -> %d%n", fd0, fd1, fd2, heap0 / 1e6, heap1 / 1e6, heap2 / 1e6,
                files0, files2, reg0, reg2, threads0, threads2);
        assertTrue(fd1 - fd0 <= 10, "closed pipes left descriptors open: " + fd0 + " -> " + fd1);
        assertTrue(fd2 - fd0 <= 10, "dropped pipes left descriptors open: " + fd0 + " -> " + fd2);
        assertTrue(heap1 - heap0 <= 5_000_000, "closed pipes kept heap: " + heap0 + " -> " + heap1);
        assertTrue(heap2 - heap0 <= 5_000_000, "dropped pipes kept heap: " + heap0 + " -> " + heap2);
        assertTrue(files2 - files0 <= 10, "socket files left in the IPC directory: " + files0 + " -> " + files2);
        assertEquals(reg0, reg2, "the flush registry grew");
        assertTrue(threads2 - threads0 <= 5, "threads left: " + threads0 + " -> " + threads2);
    }
}
