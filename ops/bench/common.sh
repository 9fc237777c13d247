# Sourced by every ops/bench/<name>/run: the one way a bench prints its usage, rejects options and builds its main.
# A run script's usage is its header comment (the lines after the shebang, up to the first line that is no comment).

BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BENCH_NAME="ops/bench/$(basename "$(dirname "$0")")/run"

bench_usage() {
  sed -n '2,/^[^#]/s/^# \{0,1\}//p' "$0"
}

# bench_fail MESSAGE: a bad command line, exit status 2
bench_fail() {
  echo "$BENCH_NAME: $1 (see --help)" >&2
  exit 2
}

# bench_value "$@": the option in $1 needs a value in $2
bench_value() {
  [[ $# -ge 2 && $2 != --* ]] || bench_fail "$1 needs a value"
}

# bench_build MODULE: builds ops/bench/MODULE and what it needs through the reactor, nothing installed into ~/.m2
# (dependency:build-classpath in the same invocation resolves the sibling modules from the reactor), and sets
# BENCH_CP to the module's classes and runtime classpath. Maven's output goes to stderr, the bench's table to stdout.
bench_build() {
  local target="$BENCH_ROOT/ops/bench/$1/target"
  (cd "$BENCH_ROOT" && mvn -B -q -DskipTests -pl "ops/bench/$1" -am package dependency:build-classpath \
     -Dmdep.outputFile="$target/classpath.txt" -DincludeScope=runtime >&2)
  BENCH_CP="$target/classes:$(cat "$target/classpath.txt")"
}
