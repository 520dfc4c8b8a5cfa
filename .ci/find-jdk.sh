#!/usr/bin/env bash
# Prints the home of a JDK >= 21 (the chapters compile for 21; JDK 24+ features are detected at run time).
# Order: $JAVA_HOME, then every /usr/lib/jvm/* (newest first). Never downloads one.
set -u
major() { "$1/bin/java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p'; }
for h in "${JAVA_HOME:-}" $(ls -d /usr/lib/jvm/*/ 2>/dev/null | sed 's:/$::' | sort -rV); do
  [ -n "$h" ] && [ -x "$h/bin/javac" ] || continue
  m=$(major "$h"); [ -n "$m" ] && [ "${m%%.*}" -ge 21 ] 2>/dev/null && { echo "$h"; exit 0; }
done
echo "find-jdk: no JDK >= 21 found (looked at \$JAVA_HOME and /usr/lib/jvm). Install one (e.g. Temurin 25) or set JAVA_HOME." >&2
exit 1
