package mproc;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts a worker's JVM, per {@link StartMethod} (CPython has a popen per start method): the command line
 * (the start method's options, the class archive when it exists, this JVM's java and the class path), and
 * the process: a fresh one, or for {@link StartMethod#WARM} a spare started ahead with the same command.
 * A worker is given this JVM's IPC base directory ({@code -Dmproc.ipcdir}, see {@link Ipc}) unless its
 * options name one.
 */
final class Launcher {
    /** A started worker JVM, its stdout, and whether it already reported that its main runs. */
    record Launched(java.lang.Process process, BufferedReader out, boolean started) {}

    private Launcher() {}

    static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** {@code java}, the options (and their class archive, trained by {@code trainer} if not null), the class path, WorkerMain. */
    static List<String> command(String cp, List<String> options, Class<? extends Task> trainer) {
        String java = javaExecutable();
        List<String> cmd = new ArrayList<>();
        cmd.add(java);
        cmd.addAll(options);
        if (trainer != null) cmd.addAll(Tuning.archiveOptions(java, options, cp, trainer));
        cmd.addAll(Tuning.launchFlags(options));
        cmd.add("-Djava.awt.headless=true");
        cmd.add("-Dmproc.worker=" + ProcessHandle.current().pid());
        cmd.add("-cp");
        cmd.add(cp);
        cmd.add(WorkerMain.class.getName());
        return cmd;
    }

    /** Runs {@code cmd}: a WARM spare if one is waiting, else a new process. */
    static Launched launch(List<String> cmd, StartMethod method, String name) {
        if (method == StartMethod.WARM) {
            Spares.Spare spare = Spares.take(cmd);
            if (spare != null) return new Launched(spare.process(), spare.out(), true);
        }
        try {
            java.lang.Process p = new ProcessBuilder(cmd).start();
            return new Launched(p, Relay.utf8(p.getInputStream()), false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start worker JVM " + name + ": " + e.getMessage(), e);
        }
    }
}
