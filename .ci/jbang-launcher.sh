#!/usr/bin/env sh
# JBang launcher for the jar from Maven Central (dev.jbang:jbang-cli:<ver>:jar:all), as JBang's own
# installer would place it. The jar prints the java command to run and exits 255; we run that command.
dir=$(CDPATH= cd -- "$(dirname -- "$0")" && pwd)
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then java_exec="$JAVA_HOME/bin/java"; else java_exec=java; fi
export JBANG_NO_VERSION_CHECK=${JBANG_NO_VERSION_CHECK:-true}
output=$(CLICOLOR_FORCE=1 "$java_exec" ${JBANG_JAVA_OPTIONS:-} -classpath "$dir/jbang.jar" dev.jbang.Main "$@")
err=$?
if [ $err -eq 255 ]; then
  eval "exec $output"
elif [ -n "$output" ]; then
  printf '%s\n' "$output"
  exit $err
else
  exit $err
fi
