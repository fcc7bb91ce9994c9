#!/bin/bash
# Compares faro-bench binaries, one measured run per binary per round, alternating, with
# pending pages written to disk before each (docs/benchmarks.md, "Sync"). On a shared
# machine wall-clock figures move by a quarter from run to run; alternating one run at a
# time and taking medians is what makes two builds comparable.
#
#   scripts/bench_ab.sh ROUNDS REPO_CACHE LABEL1 BIN1 [LABEL2 BIN2 ...]   # the sync apply
#   scripts/bench_ab.sh --import ROUNDS LABEL1 BIN1 [LABEL2 BIN2 ...]     # the import
#
# BIN is a release faro-bench (keep copies of the builds you compare); REPO_CACHE is the
# --repo-cache directory (the first run publishes the 100k-record repository there). The
# import is `faro-bench search --listings 100000`.
set -euo pipefail
import=false
if [ "${1:-}" = --import ]; then import=true; shift; fi
rounds=$1; shift
if ! $import; then cache=$1; shift; fi
args=("$@")
out=$(mktemp); trap 'rm -f "$out" "$out.json"' EXIT
for _ in $(seq "$rounds"); do
  for ((i = 0; i < ${#args[@]}; i += 2)); do
    sync
    if $import; then
      "${args[i + 1]}" search --listings 100000 --queries 20 --json >"$out.json"
    else
      "${args[i + 1]}" sync --json --apply-only --apply-runs 1 --repo-cache "$cache" >"$out.json"
    fi
    python3 - "${args[i]}" "$out.json" >>"$out" <<'PY'
import json, sys
d = json.load(open(sys.argv[2]))
if "apply_runs" in d:
    r = d["apply_runs"][0]
    row = [r["ratio"], r["apply_records_per_s"], r["baseline_insert_records_per_s"],
           r["writer_cpu_seconds"], r["apply_cpu_seconds"], d["peak_rss_mb"]]
else:
    row = [d["import_vs_baseline_ratio"], d["import_records_per_s"], d["baseline_import_records_per_s"],
           float("nan"), d["import_cpu_seconds"], d["peak_rss_after_import_mb"]]
print("\t".join(map(str, [sys.argv[1]] + row)))
PY
  done
done
python3 - "$out" <<'PY'
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    f = line.split("\t"); rows[f[0]].append([float(x) for x in f[1:]])
names = ["ratio", "records/s", "baseline/s", "writer_cpu", "cpu", "peak_mb"]
print("%-10s" % "binary" + "".join("%12s" % n for n in names))
for label, runs in rows.items():
    print("%-10s" % label + "".join("%12.3f" % statistics.median(r[i] for r in runs) for i in range(len(names)))
          + "  n=%d ratios %s" % (len(runs), sorted(r[0] for r in runs)))
PY
