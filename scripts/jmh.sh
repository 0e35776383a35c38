#!/usr/bin/env bash
# Runs JMH benchmarks of the bench module: scripts/jmh.sh REGEX [JMH options], e.g.
#   scripts/jmh.sh ReplacerBenchmark
# Builds core and bench first; the reactor's own classes come before anything in ~/.m2.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
. "$root/scripts/env.sh"
rustydb_find_jdk || exit 1
cd "$root"
rustydb_mvn -q -DskipTests package -pl core,bench >/dev/null
cpfile=$(mktemp)
rustydb_mvn -q dependency:build-classpath -pl bench -Dmdep.outputFile="$cpfile" >/dev/null
deps=$(tr ':' '\n' <"$cpfile" | grep -v 'rustydb-' | paste -sd: -)
rm -f "$cpfile"
exec "$JAVA" --enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow -cp "bench/target/classes:core/target/classes:$deps" \
  org.openjdk.jmh.Main "$@"
