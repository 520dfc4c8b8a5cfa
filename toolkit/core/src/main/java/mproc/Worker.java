package mproc;

import java.lang.reflect.Modifier;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A worker JVM: Python's {@code multiprocessing.Process}, shaped like {@link Thread}.
 *
 * <pre>{@code
 * Worker p = new Worker("myFunc process", MatrixTask.class, 1000);   // name, target, args
 * Worker q = new Worker(MatrixTask.class, 1000);                      // default name Process-2
 * Worker r = new Worker("lambda", () -> System.out.println(6 * 7));    // a lambda as the target
 * p.start(); q.start(); r.start();
 * p.join();  q.join();  r.join();
 * }</pre>
 *
 * <ul>
 *   <li>Names: explicit, or {@code Process-N} where N counts every worker handle created in this JVM (as
 *       Python counts every Process object, named or not). A subclass gets its class name:
 *       {@code MyProcess-3}. In a worker the count starts afresh and follows its own number, as Python's
 *       identity does: the first worker that {@code Process-2} creates is {@code Process-2:1}.</li>
 *   <li>{@link #start()} launches a fresh JVM ({@code java -cp ... mproc.WorkerMain}); the child reads its
 *       name, target and arguments (and a subclass's fields) as text from its stdin, then calls
 *       {@link #run()}: the target's {@code run(args)}, the {@link Job} lambda, or a subclass's override.</li>
 *   <li>The target, a subclass or a lambda's class may be compiled or typed into a notebook cell: code the
 *       child cannot load from its class path (a cell's classes, and the classes of other cells they use) is
 *       sent to it. As with Python's spawn start method, the child gets the code, not the parent's live
 *       state: static fields and the notebook's variables have their initial values there; the instance
 *       fields of a subclass, the arguments and a lambda's captured values travel.</li>
 *   <li>{@link #terminate()} sends SIGTERM (the child JVM runs its shutdown hooks, exit code 143 =
 *       128 + 15); {@link #kill()} sends SIGKILL (nothing runs, 137 = 128 + 9). Python reports the same
 *       two ends as -15 and -9. Either also ends the worker's own child processes.</li>
 *   <li>{@link #terminate(Duration)} sends SIGTERM and, if the worker has not ended after the grace, SIGKILL.
 *       {@link #onExit()} is Python's {@code sentinel} as a future; {@link Connection#wait} waits for
 *       workers and connections together. {@link #close()} releases an ended worker's handle (Python's
 *       {@code close()}). In a worker, {@link #parentProcess()} is Python's {@code parent_process()}.</li>
 *   <li>The child's stdout and stderr are relayed to the parent's (see {@link Output}) and kept in
 *       {@link #output()}.</li>
 *   <li>Daemon workers are ended when the parent ends; a daemon child also exits on its own, within a
 *       second, if its parent dies without cleaning up (SIGKILL). Non-daemon workers are waited for when
 *       the parent exits normally, as Python waits for them.</li>
 * </ul>
 */
public class Worker {
    private static final int MAX_KEPT_LINES = 100_000;
    private static final long MAX_KEPT_CHARS = 32L << 20;
    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static volatile Worker current;

    // the state the spec carries (Spec writes and reads it)
    transient String name;
    transient boolean daemon;
    transient String target;
    transient List<String> args = List.of();
    private transient List<String> jvmOptions; // null: those of the start method
    private transient Class<? extends Task> trainer; // with jvmOptions: what trains their class archive
    private transient StartMethod startMethod; // null: StartMethod.getDefault()
    private transient Class<?> targetClass;
    private transient Job job; // a lambda (or Job object) target: described at start()

    private transient volatile java.lang.Process process;
    private transient boolean overStdio; // a pool worker: its stdin and stdout carry the pool's messages
    private transient volatile StdioLink.Parent stdio;
    private transient final Lifetime lifetime = new Lifetime();
    private transient final List<String> lines = Collections.synchronizedList(new ArrayList<>());
    private transient final List<Relay.Running> readers = new ArrayList<>();
    private transient long keptChars; // of lines, written by the relay threads under synchronized (lines)
    private transient volatile java.util.concurrent.CompletableFuture<Void> exited;
    final transient List<Connection> ends = new ArrayList<>(); // pipe ends given to this worker
    private transient volatile boolean jvmStarted; // its main runs: it can act on SIGTERM
    private transient final java.util.concurrent.CompletableFuture<Worker> ended = new java.util.concurrent.CompletableFuture<>();
    private transient volatile boolean closed;
    /** Python's {@code _identity}: this handle's number, after its creator's ({@code 2:1}); names are made of it. */
    transient String identity;
    // in a worker JVM, of the worker it runs: who started it (Spec carries them)
    transient String parentName;
    transient long parentPid = -1;

    /** A worker whose {@link #run()} does nothing unless a subclass overrides it; default name. */
    public Worker() {
        Worker creator = current;
        int n = COUNTER.incrementAndGet();
        this.identity = creator == null || creator.identity == null ? Integer.toString(n) : creator.identity + ":" + n;
        this.name = defaultPrefix() + "-" + identity;
    }

    /** A worker that runs {@code target} with {@code args}; default name {@code Process-N}. */
    public Worker(Class<? extends Task> target, Object... args) {
        this();
        setTarget(target, args);
    }

    /** A named worker that runs {@code target} with {@code args}. */
    public Worker(String name, Class<? extends Task> target, Object... args) {
        this(target, args);
        setName(name);
    }

    /** A worker that runs {@code job}, a lambda or method reference ({@code () -> work(1000)}); default name. */
    public Worker(Job job) {
        this();
        this.job = Objects.requireNonNull(job, "job");
        this.target = Targets.of(job, "worker target"); // refused here if a capture cannot travel
        this.targetClass = job.getClass();
    }

    /** A named worker that runs {@code job}: Python's {@code Process(name=..., target=f, args=...)} as a lambda. */
    public Worker(String name, Job job) {
        this(job);
        setName(name);
    }

    private String defaultPrefix() {
        return getClass() == Worker.class ? "Process" : getClass().getSimpleName();
    }

    private void setTarget(Class<? extends Task> target, Object... args) {
        Objects.requireNonNull(target, "target");
        this.targetClass = target;
        this.target = Targets.of(target, "task");
        List<String> a = new ArrayList<>();
        for (Object o : args) {
            if (o instanceof Shareable sh) {
                if (sh instanceof Connection c) ends.add(c);
                a.add(sh.address());
                continue;
            }
            if (!(o instanceof String || o instanceof Number || o instanceof Boolean || o instanceof Character
                    || o instanceof Enum<?>)) {
                throw new IllegalArgumentException("argument " + o + " (" + (o == null ? "null" : o.getClass().getSimpleName())
                        + ") cannot be sent to a worker JVM: pass strings, numbers, booleans, enums or IPC objects"
                        + " (Pipe ends, queues, locks, semaphores, events, conditions, barriers, SharedArray, Value, Manager proxies)");
            }
            a.add(String.valueOf(o));
        }
        this.args = List.copyOf(a);
    }

    // ---------------------------------------------------------------- what runs in the child

    /**
     * What the worker JVM runs. By default, the target task with the arguments; a subclass may override
     * it (Python's {@code Process.run}).
     */
    public void run() throws Exception {
        if (target == null) return;
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        if (Targets.bare(target).startsWith(Targets.LAMBDA)) {
            Targets.resolve(target, Job.class, loader).run();
            return;
        }
        Object o = Targets.resolve(target, Object.class, loader);
        if (o instanceof Job j) j.run();
        else ((Task) o).run(args.toArray(String[]::new));
    }

    /**
     * In a worker JVM, the process that started it (Python's {@code parent_process()}); null in a main program.
     */
    public static ParentProcess parentProcess() {
        Worker w = current;
        return w == null || w.parentPid < 0 ? null : new ParentProcess(w.parentName == null ? "MainProcess" : w.parentName, w.parentPid);
    }

    /**
     * The process that started this worker JVM, as Python's {@code parent_process()} gives it: its name and
     * pid, whether it is alive, and a join that waits for it to end.
     */
    public record ParentProcess(String name, long pid) {
        /** Whether the parent still runs (and is still this JVM's parent: a pid may be reused). */
        public boolean isAlive() {
            return Procs.parentIs(pid) && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
        }

        /** Waits at most {@code timeout} for the parent to end; whether it has. */
        public boolean join(Duration timeout) throws InterruptedException {
            long deadline = System.nanoTime() + timeout.toNanos();
            while (isAlive()) {
                if (System.nanoTime() >= deadline) return false;
                Thread.sleep(20);
            }
            return true;
        }
    }

    /** The worker this JVM is running, in a worker JVM; null in the parent. Python's {@code current_process()}. */
    public static Worker current() {
        return current;
    }

    /** This JVM's worker name, or {@code MainProcess} when not inside a worker (as in Python). */
    public static String currentName() {
        Worker w = current;
        return w == null ? "MainProcess" : w.getName();
    }

    // ---------------------------------------------------------------- configuration

    public String getName() {
        return name;
    }

    public Worker setName(String name) {
        if (name == null || name.isBlank()) throw new IllegalArgumentException("a worker name must not be empty");
        this.name = name;
        return this;
    }

    public boolean isDaemon() {
        return daemon;
    }

    /** Marks the worker daemon (ended with its parent). Only before {@link #start()}, as in Python. */
    public Worker setDaemon(boolean daemon) {
        if (process != null) throw new IllegalStateException("cannot change daemon status of a started worker " + name);
        this.daemon = daemon;
        return this;
    }

    /**
     * JVM options for the child, replacing those of the start method (and its class archive).
     * {@code null} goes back to the start method's.
     */
    public Worker setJvmOptions(List<String> options) {
        return setJvmOptions(options, null);
    }

    /**
     * JVM options for the child, started from a class archive of its own (JDK 21+, class path of jars
     * only): the archive is made once, by a background JVM with the same options that runs
     * {@code trainer} with the argument {@code --train}; until it exists the child starts without it.
     * For workers that load many classes at start, such as a cluster engine's node.
     */
    public Worker setJvmOptions(List<String> options, Class<? extends Task> trainer) {
        if (process != null) throw new IllegalStateException("worker " + name + " already started");
        this.jvmOptions = options == null ? null : List.copyOf(options);
        this.trainer = options == null ? null : trainer;
        return this;
    }

    /** The JVM options the child gets (without the class archive option, which is added when ready). */
    public List<String> getJvmOptions() {
        if (jvmOptions != null) return jvmOptions;
        return getStartMethod() == StartMethod.COLD ? List.of() : Tuning.OPTIONS;
    }

    /**
     * What trains the class archive this worker's JVM starts from: the toolkit's {@link Training} for the
     * start method's options (TUNED, WARM), the trainer given with {@link #setJvmOptions(List, Class)};
     * null: no archive (COLD, or options without a trainer).
     */
    private Class<? extends Task> archiveTrainer() {
        if (jvmOptions != null) return trainer;
        return getStartMethod() == StartMethod.COLD ? null : Training.class;
    }

    /** How this worker's JVM is started (see {@link StartMethod}); only before {@link #start()}. */
    public Worker setStartMethod(StartMethod m) {
        if (process != null) throw new IllegalStateException("worker " + name + " already started");
        this.startMethod = m;
        return this;
    }

    public StartMethod getStartMethod() {
        return startMethod == null ? StartMethod.getDefault() : startMethod;
    }

    /** How many spare JVMs {@link StartMethod#WARM} keeps ready per command line (default 2). */
    public static void setWarmSpares(int n) {
        Spares.setPerCommand(n);
    }

    /** Ends the spare JVMs waiting for WARM workers now (they are also ended at exit). */
    public static void closeSpares() {
        Spares.closeIdle();
    }

    /**
     * Waits until this worker's JVM can start at full speed: its class archive exists (TUNED, WARM) and,
     * for WARM, a spare JVM is waiting. For benchmarks; workers never need it. False on timeout.
     */
    public boolean prepare(Duration timeout) throws InterruptedException {
        long ms = timeout.toMillis();
        long t0 = System.nanoTime();
        StartMethod m = getStartMethod();
        Class<? extends Task> archiveTrainer = archiveTrainer();
        if (archiveTrainer != null) {
            String java = Launcher.javaExecutable(), cp = ChildClasspath.of(getClass(), targetClass);
            if (!Tuning.awaitArchive(java, getJvmOptions(), cp, archiveTrainer, ms)) return false;
        }
        if (m == StartMethod.WARM) {
            List<String> cmd = command();
            Spares.refill(cmd);
            // all spares up: none is still starting (and taking CPU) when this worker starts
            return Spares.await(cmd, Math.max(1, Spares.perCommand()), Math.max(1, ms - (System.nanoTime() - t0) / 1_000_000));
        }
        return true;
    }

    /** Makes this worker's stdin and stdout a {@link StdioLink} (a pool's worker); before {@link #start()}. */
    Worker overStdio() {
        if (process != null) throw new IllegalStateException("worker " + name + " already started");
        overStdio = true;
        return this;
    }

    /** The pool's end of the link ({@link #overStdio()}), once started; else null. */
    StdioLink.Parent link() {
        return stdio;
    }

    /** The task arguments, as the child receives them. */
    public List<String> getArgs() {
        return args;
    }

    // ---------------------------------------------------------------- lifecycle

    /** Starts the worker JVM. A worker can be started once. */
    public synchronized Worker start() {
        checkClosed();
        if (process != null) throw new IllegalStateException("cannot start a worker twice: " + name);
        if (current != null && current == this) throw new IllegalStateException("a worker cannot start itself");
        checkRecreatable(getClass());
        // a cell-defined subclass (its target, if any, is shipped with it: targets name their own directory)
        Properties spec = Spec.of(this, Classes.ship(getClass()));
        List<String> cmd = command();
        lifetime.requested = Instant.now();
        Launcher.Launched l = Launcher.launch(cmd, getStartMethod(), name);
        process = l.process();
        if (l.started()) jvmStarted = true; // a spare reported "started" before it was handed out
        lifetime.spawned = Instant.now();
        Children.add(this);
        // the spec first: the child goes on with it while the relays and the exit watch are set up here (what
        // it prints meanwhile waits in the pipe)
        if (overStdio) {
            // stdin stays open for the link; stdout is read through it (a spare's BufferedReader has read only
            // its "started" line: nothing else comes before the spec)
            stdio = new StdioLink.Parent("worker '" + name + "'", process.getOutputStream());
            Spec.send(spec, process.getOutputStream(), false);
            readers.add(Relay.start(this, Relay.utf8(stdio.demux(process.getInputStream())), false));
        } else {
            Spec.send(spec, process.getOutputStream());
            readers.add(Relay.start(this, l.out(), false));
        }
        readers.add(Relay.start(this, Relay.utf8(process.getErrorStream()), true));
        exited = process.onExit().thenRun(() -> {
            lifetime.finished = Instant.now();
            lifetime.exitCode = process.exitValue();
            Children.remove(this);
            for (Connection c : ends) c.holderEnded("worker '" + name + "' ended (exit code " + lifetime.exitCode + ")");
            Output.wake();
            ended.complete(this);
        });
        return this;
    }

    /** The child JVM creates the worker anew from its class: say clearly when it cannot. */
    private static void checkRecreatable(Class<?> c) {
        if (c == Worker.class) return;
        String what = "worker class " + c.getName();
        if (c.isAnonymousClass() || c.isLocalClass() || (c.isMemberClass() && !Modifier.isStatic(c.getModifiers()))) {
            throw new IllegalStateException(what + " must be a top-level or static nested class");
        }
        try {
            c.getDeclaredConstructor();
        } catch (NoSuchMethodException e) {
            throw new IllegalStateException(what + " needs a no-argument constructor: the worker JVM creates it"
                    + " with that, then sets its fields");
        }
    }

    /** The command line {@link #start()} runs: this JVM's java, the worker's JVM options and class path. */
    public List<String> command() {
        return Launcher.command(ChildClasspath.of(getClass(), targetClass), getJvmOptions(), archiveTrainer());
    }

    /** A line the worker printed (see {@link Relay}). */
    void received(String line) {
        if (lifetime.firstOutput == null) lifetime.firstOutput = Instant.now();
        synchronized (lines) { // two relay threads (stdout, stderr) add here
            if (lines.size() < MAX_KEPT_LINES && keptChars + line.length() <= MAX_KEPT_CHARS) {
                keptChars += line.length();
                lines.add(line);
            }
            lines.notifyAll();
        }
    }

    /**
     * A report of the child JVM to the parent (see {@link Relay#MARKER}); false if it is not one (garbled,
     * or unknown): the line is then output like any other.
     */
    boolean control(String msg) {
        try {
            if (msg.startsWith("started ")) {
                Long.parseLong(msg.substring(8).trim());
                jvmStarted = true;
                return true;
            }
            if (msg.startsWith("ready ")) {
                long nanos = Long.parseLong(msg.substring(6).trim());
                lifetime.ready = Instant.ofEpochSecond(0, nanos);
                return true;
            }
        } catch (NumberFormatException e) {
            // garbled
        }
        return false;
    }

    /** The OS process (null before start). */
    java.lang.Process process() {
        return process;
    }

    /**
     * Waits up to {@code millis} in all for the relay threads to pass on the last lines of an ended worker.
     * A process the worker started may still hold its stdout or stderr open after it ended (a grandchild
     * left running): the relay then goes on, and the lines printed meanwhile are relayed as they come.
     */
    void drainOutput(long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (Relay.Running t : readers) {
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left <= 0) return; // (join(0) would wait for ever)
            t.join(left);
        }
    }

    /** Waits for the worker to end; relays its output to the calling thread meanwhile. */
    public void join() throws InterruptedException {
        joinUntil(Long.MAX_VALUE);
    }

    /**
     * Waits at most {@code timeout} for the worker to end; returns true if it has ended. Once the worker
     * has ended, its last lines are waited for only until the timeout (and at most 2 s), so a process it
     * left running that holds its output open does not make this overrun.
     */
    public boolean join(Duration timeout) throws InterruptedException {
        long nanos = timeout.toNanos();
        if (nanos < 0) throw new IllegalArgumentException("timeout must not be negative: " + timeout);
        long now = System.nanoTime();
        return joinUntil(nanos > Long.MAX_VALUE - now ? Long.MAX_VALUE : now + nanos);
    }

    /** {@link #join(Duration)} in milliseconds, like {@link Thread#join(long)}. */
    public boolean join(long millis) throws InterruptedException {
        return join(Duration.ofMillis(millis));
    }

    private boolean joinUntil(long deadline) throws InterruptedException {
        checkClosed();
        java.lang.Process p = process;
        if (p == null) throw new IllegalStateException("cannot join a worker that was not started: " + name);
        while (p.isAlive()) {
            long left = deadline == Long.MAX_VALUE ? 50_000_000L : deadline - System.nanoTime();
            if (left <= 0) {
                Output.flush();
                return false;
            }
            long ms = Math.max(1, Math.min(50, TimeUnit.NANOSECONDS.toMillis(left)));
            try {
                if (Output.mode() == Output.Mode.CALLER) Output.pump(ms);
                else p.waitFor(ms, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                throw Children.interrupted(e);
            }
        }
        // the process is gone: wait (briefly, and not past the deadline) for its last lines, so join()
        // returns with all output shown
        long drain = deadline == Long.MAX_VALUE ? 2_000 : Math.min(2_000, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()));
        if (drain > 0) drainOutput(drain);
        exited.join(); // the exit time and code are recorded before join() returns
        Output.flush();
        return true;
    }

    /**
     * Waits until the worker has printed a line containing {@code text} (relaying output meanwhile);
     * false if it did not within {@code timeout} or ended first.
     */
    public boolean awaitOutput(String text, Duration timeout) throws InterruptedException {
        if (process == null) throw new IllegalStateException("worker " + name + " was not started");
        long deadline = System.nanoTime() + timeout.toNanos();
        int seen = 0;
        long endSeen = 0; // when this call first saw the process ended
        while (true) {
            synchronized (lines) {
                for (; seen < lines.size(); seen++) if (lines.get(seen).contains(text)) {
                    Output.flush();
                    return true;
                }
            }
            if (!process.isAlive() && endSeen == 0) endSeen = System.nanoTime();
            // ended, and its last lines are in (or 2 s went by: a process it left may hold its output open)
            if (endSeen != 0 && seen >= lines.size() && (readers.stream().noneMatch(Relay.Running::isAlive)
                    || System.nanoTime() - endSeen > TimeUnit.SECONDS.toNanos(2))) {
                Output.flush();
                return false;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                Output.flush();
                return false;
            }
            try {
                if (Output.mode() == Output.Mode.CALLER) Output.pump(Math.min(20, Math.max(1, left / 1_000_000)));
                else synchronized (lines) {
                    if (seen >= lines.size()) lines.wait(Math.min(20, Math.max(1, left / 1_000_000)));
                }
            } catch (InterruptedException e) {
                throw Children.interrupted(e);
            }
        }
    }

    /** True between a successful start and the end of the worker JVM (false before start, as in Python). */
    public boolean isAlive() {
        checkClosed();
        java.lang.Process p = process;
        return p != null && p.isAlive();
    }

    /** The OS process id, or -1 before start. */
    public long pid() {
        checkClosed();
        java.lang.Process p = process;
        return p == null ? -1 : p.pid();
    }

    /**
     * The exit code, or null while the worker has not ended (Python's {@code exitcode} None). 0: run()
     * returned; 1: run() threw; 143: ended by SIGTERM; 137: ended by SIGKILL; otherwise what the task
     * passed to {@code System.exit}.
     */
    public Integer exitCode() {
        checkClosed();
        java.lang.Process p = process;
        if (p == null || p.isAlive()) return null;
        exited.join();
        return p.exitValue();
    }

    /**
     * Asks the worker to end: SIGTERM. Asynchronous, like Python's: {@link #isAlive()} may still be true.
     * A JVM cannot shut down cleanly while it is still initialising (JDK 25 then dies with exit code 1 and
     * "Error occurred during initialization of VM"), so a worker whose main has not started yet gets the
     * signal as soon as it has (or SIGKILL, if it has not within 10 s).
     */
    public void terminate() {
        checkClosed();
        java.lang.Process p = process;
        if (p == null) return;
        if (!jvmStarted) {
            Thread t = new Thread(() -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (!jvmStarted && p.isAlive() && System.nanoTime() < deadline) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        break;
                    }
                }
                if (!p.isAlive()) return;
                if (jvmStarted) signalTerm(p);
                else kill();
            }, "mproc-deferred-terminate");
            t.setDaemon(true);
            t.start();
            return;
        }
        signalTerm(p);
    }

    private static void signalTerm(java.lang.Process p) {
        // through the ProcessHandle: Process.destroy() would also close our ends of the child's pipes,
        // losing what it prints while it shuts down (its shutdown hooks)
        p.descendants().forEach(ProcessHandle::destroy);
        p.toHandle().destroy();
    }

    /** Ends the worker at once: SIGKILL (no shutdown hook runs in it). Also asynchronous. */
    public void kill() {
        checkClosed();
        java.lang.Process p = process;
        if (p == null) return;
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.toHandle().destroyForcibly();
    }

    /**
     * Asks the worker to end (SIGTERM, as {@link #terminate()}) and kills it (SIGKILL) if it has not ended
     * {@code grace} later: a worker whose shutdown hangs (or that ignores SIGTERM) still ends, exit code 137.
     * Asynchronous: returns {@link #onExit()}, to wait on if wanted.
     */
    public java.util.concurrent.CompletableFuture<Worker> terminate(Duration grace) {
        if (grace.isNegative()) throw new IllegalArgumentException("grace must not be negative: " + grace);
        terminate();
        java.lang.Process p = process;
        if (p != null && p.isAlive()) {
            Thread t = new Thread(() -> {
                try {
                    if (!p.waitFor(grace.toNanos(), TimeUnit.NANOSECONDS)) {
                        p.descendants().forEach(ProcessHandle::destroyForcibly);
                        p.toHandle().destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    // the JVM is ending
                }
            }, "mproc-terminate-grace");
            t.setDaemon(true);
            t.start();
        }
        return onExit();
    }

    /**
     * Completes with this worker once its JVM has ended and its exit code is recorded (Python's
     * {@code sentinel}, to wait on along with others: {@code CompletableFuture.anyOf}, or
     * {@link Connection#wait}). Each call returns a new dependent future: completing it changes nothing here.
     */
    public java.util.concurrent.CompletableFuture<Worker> onExit() {
        return ended.copy();
    }

    /**
     * Releases what the handle holds of an ended worker (its process's pipes, the relay threads); after
     * it, the handle's lifecycle methods throw IllegalStateException, as Python's raise ValueError. Closing a
     * worker still running is refused, as in Python. Closing twice, or a worker never started, is fine.
     */
    public synchronized void close() {
        if (closed) return;
        java.lang.Process p = process;
        if (p != null) {
            if (p.isAlive()) throw new IllegalStateException("cannot close worker " + name + " while it is still running;"
                    + " join() or terminate() it first");
            exited.join();
            try {
                drainOutput(2_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (java.io.Closeable c : List.<java.io.Closeable>of(p.getOutputStream(), p.getInputStream(), p.getErrorStream())) {
                try {
                    c.close();
                } catch (java.io.IOException e) {
                    // already closed
                }
            }
            readers.clear();
        }
        ends.clear();
        closed = true;
    }

    private void checkClosed() {
        if (closed) throw new IllegalStateException("worker " + name + " is closed");
    }

    /**
     * Everything the worker printed so far (stdout and stderr lines, a line longer than
     * {@link Relay#MAX_LINE} characters in pieces), oldest first; at most the first 100,000 lines and 32 Mi
     * characters are kept (all are relayed).
     */
    public List<String> output() {
        synchronized (lines) {
            return List.copyOf(lines);
        }
    }

    public Lifetime lifetime() {
        return lifetime;
    }

    /** Explains an exit code in words, with the Python equivalent. */
    public static String describeExit(Integer code) {
        if (code == null) return "no exit code yet (Python: exitcode None)";
        return switch (code) {
            case 0 -> "finished normally (Python: 0)";
            case 1 -> "run() threw an exception (Python: 1)";
            case 143 -> "ended by SIGTERM: 128 + 15 (Python: -15)";
            case 137 -> "ended by SIGKILL: 128 + 9 (Python: -9)";
            case 130 -> "ended by SIGINT: 128 + 2 (Python: -2)";
            default -> code > 128 && code < 160 ? "ended by signal " + (code - 128) + " (Python: " + (128 - code) + ")"
                    : "exited with status " + code;
        };
    }

    @Override
    public String toString() {
        if (closed) return "<Worker name='" + name + "' closed>";
        String state = process == null ? "initial" : isAlive() ? "started" : "stopped exitcode=" + exitCode();
        return "<Worker name='" + name + "'" + (process == null ? "" : " pid=" + process.pid())
                + (daemon ? " daemon" : "") + " " + state + ">";
    }

    // ---------------------------------------------------------------- child side and exit

    static void setCurrent(Worker w) {
        current = w;
        COUNTER.set(0); // as Python's child process: its own count, under its own identity
    }

    /**
     * Runs {@code action} when this JVM exits normally, after the workers were dealt with (daemons ended,
     * the others waited for): Python's {@code atexit}, placed after {@code multiprocessing}'s own.
     * Scripts use it to tabulate workers that main never joined.
     */
    public static void atExit(Runnable action) {
        Children.atExit(action);
    }

    /** The workers of this JVM that are still running. Python's {@code active_children()}. */
    public static List<Worker> active() {
        return Children.all();
    }

    /** The same as {@link #active()}, under Python's name. */
    public static List<Worker> activeChildren() {
        return Children.all();
    }
}
