#!/usr/bin/env bash
# Activation-extraction throughput and peak memory: linguaflow (DJL/libtorch) vs HF transformers with forward
# hooks, same machine, same run, same corpus, batch size and thread count. Not part of any test suite.
#
# Usage: ops/bench/worker/run.sh [--threads N] [--batch-size B] [--limit-560m N] [--skip-560m] [--device cpu|gpu]
# Env:   VENV (default <repo>/.venv; built with ../shared/oracle/setup_venv.sh when missing), SHARED (default <repo>/../shared)
# Out:   ops/bench/worker/target/results.jsonl (one JSON line per implementation x model) and a table on stdout.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../../.." && pwd)"
SHARED="${SHARED:-$ROOT/../shared}"
VENV="${VENV:-$ROOT/.venv}"
THREADS=2; BATCH=16; LIMIT560=36; SKIP560=0; DEVICE=cpu
while [[ $# -gt 0 ]]; do
  case "$1" in
    --threads) THREADS="$2"; shift 2 ;;
    --batch-size) BATCH="$2"; shift 2 ;;
    --limit-560m) LIMIT560="$2"; shift 2 ;;
    --skip-560m) SKIP560=1; shift ;;
    --device) DEVICE="$2"; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
OUT="$HERE/target"; mkdir -p "$OUT"
RESULTS="$OUT/results.jsonl"; : > "$RESULTS"

[[ -x "$VENV/bin/python" ]] || "$SHARED/oracle/setup_venv.sh" "$VENV"
(cd "$ROOT" && mvn -B -q -DskipTests -pl ops/bench/worker -am package dependency:build-classpath \
   -Dmdep.outputFile="$OUT/classpath.txt" -Dmdep.includeScope=runtime >&2)
CP="$HERE/target/classes:$(cat "$OUT/classpath.txt")"

RANDOM560="$OUT/bloom-560m-random"
if [[ $SKIP560 == 0 && ! -f "$RANDOM560/model.safetensors" ]]; then
  "$VENV/bin/python" "$HERE/make_random_bloom.py" "$SHARED/oracle/src" "$SHARED/fixtures/models/bloom-tiny" "$RANDOM560" >&2
fi

bench() { # model corpus limit repeats
  local model="$1" corpus="$2" limit="$3" repeats="$4"
  echo "== $(basename "$model"): HF transformers" >&2
  "$VENV/bin/python" "$HERE/hf_bench.py" --oracle-src "$SHARED/oracle/src" --model "$model" --corpus "$corpus" \
     --limit "$limit" --batch-size "$BATCH" --threads "$THREADS" --repeats "$repeats" | tee -a "$RESULTS"
  echo "== $(basename "$model"): linguaflow" >&2
  java ${LINGUAFLOW_JAVA_OPTS:-} -Dai.djl.offline=true -cp "$CP" io.linguaflow.bench.worker.WorkerBench \
     --model "$model" --corpus "$corpus" --limit "$limit" --batch-size "$BATCH" --threads "$THREADS" \
     --repeats "$repeats" --device "$DEVICE" 2>/dev/null | tee -a "$RESULTS"
}

for m in bloom-tiny llama-tiny; do
  bench "$SHARED/fixtures/models/$m" "$SHARED/fixtures/corpus.tsv" 0 10
done
if [[ $SKIP560 == 0 ]]; then
  bench "$RANDOM560" "$SHARED/data/flores200-devtest/flores9.tsv" "$LIMIT560" 2
fi

python3 - "$RESULTS" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
by = {}
for r in rows:
    by.setdefault(r["model"], {})[r["impl"]] = r
print(f"{'model':<22}{'tokens':>8}{'B':>4}{'thr':>4}{'HF tok/s':>11}{'LF tok/s':>11}{'ratio':>7}"
      f"{'HF tok/cpu-s':>14}{'LF tok/cpu-s':>14}{'ratio':>7}{'HF MiB':>9}{'LF MiB':>9}")
for model, r in by.items():
    h, j = r.get("hf-transformers"), r.get("linguaflow-djl")
    if not (h and j):
        continue
    name = model.rstrip("/").split("/")[-1]
    print(f"{name:<22}{h['tokens']:>8}{h['batch_size']:>4}{j['threads']:>4}{h['tokens_per_s']:>11.0f}"
          f"{j['tokens_per_s']:>11.0f}{j['tokens_per_s']/h['tokens_per_s']:>7.2f}{h['tokens_per_cpu_s']:>14.0f}"
          f"{j['tokens_per_cpu_s']:>14.0f}{j['tokens_per_cpu_s']/h['tokens_per_cpu_s']:>7.2f}"
          f"{h['peak_rss_mib']:>9.0f}{j['peak_rss_mib']:>9.0f}")
PY
