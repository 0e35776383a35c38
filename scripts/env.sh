# Sourced by ./rustydb and ./run-tests: finds a JDK >= 25 and Maven, or says what to install.
# Sets JAVA_HOME (exported, so Maven uses it) and JAVA; defines rustydb_mvn.

RUSTYDB_MIN_JAVA=25

# Prints the feature version (17, 25, ...) of the java binary "$1", or nothing.
rustydb_java_major() {
  "$1" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9][0-9]*\).*/\1/p' | head -n 1
}

rustydb_find_jdk() {
  local candidates=() c major
  [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME")
  # The usual JVM folders: Debian/Ubuntu, Fedora, /opt, SDKMAN, macOS.
  for c in /usr/lib/jvm/* /usr/local/lib/jvm/* /opt/java/* /opt/jdk* "$HOME"/.sdkman/candidates/java/* \
           /Library/Java/JavaVirtualMachines/*/Contents/Home; do
    [ -d "$c" ] && candidates+=("$c")
  done
  for c in "${candidates[@]}"; do
    [ -x "$c/bin/java" ] && [ -x "$c/bin/javac" ] || continue
    major=$(rustydb_java_major "$c/bin/java")
    if [ -n "$major" ] && [ "$major" -ge "$RUSTYDB_MIN_JAVA" ]; then
      export JAVA_HOME="$c"
      JAVA="$c/bin/java"
      return 0
    fi
  done
  {
    echo "rustydb: no JDK $RUSTYDB_MIN_JAVA or newer found (looked at JAVA_HOME and the usual JVM folders)."
    echo "  Install one, for example:  apt-get install temurin-25-jdk   (Adoptium's apt repository)"
    echo "  or download it from https://adoptium.net, then set JAVA_HOME to its folder."
  } >&2
  return 1
}

rustydb_mvn() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "rustydb: Maven (mvn) not found. Install it, for example: apt-get install maven" >&2
    return 1
  fi
  mvn -B "$@"
}

# Maven 3.8's bundled Guava touches sun.misc.Unsafe, which JDK 24+ warns about on every run.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
