#!/usr/bin/env bash
# Whole-pipeline benchmark: rebill against DuckDB on the same generated legacy CUR, in one run.
# See docs/performance.md.
#
#   bench/run_benchmark.sh                 # 1M and 4M rows, CSV, CSV.gz and Parquet, 3 runs each
#   ROWS="1000000" REPS=1 bench/run_benchmark.sh
#
# Environment: ROWS (space-separated row counts), REPS (runs per measurement, the median is
# reported), FORMATS (default "csv csv.gz snappy.parquet zstd.parquet"; the Parquet files are
# the CSV written by DuckDB, bench/csv_to_parquet.mjs), THREADS (DuckDB threads, default 2), REBILL_TIMEOUT (seconds per rebill run,
# default 900), REBILL_COMMIT (the commit to measure, default HEAD), REBILL_TREE=worktree to
# measure the working tree instead. Generated
# files in bench/out/ are reused when present.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
ROWS="${ROWS:-1000000 4000000}"
REPS="${REPS:-3}"
THREADS="${THREADS:-2}"
REBILL_TIMEOUT="${REBILL_TIMEOUT:-900}"
FORMATS="${FORMATS:-csv csv.gz snappy.parquet zstd.parquet}"
PERIOD=2026-10
OUT="$ROOT/bench/out"
mkdir -p "$OUT"

say() { printf '== %s\n' "$*" >&2; }
die() { printf 'run_benchmark.sh: %s\n' "$*" >&2; exit 1; }

# --- tools ---------------------------------------------------------------------------------
if [ ! -x /usr/bin/time ]; then
  say "installing GNU time"
  apt-get install -y time >/dev/null || die "GNU time (/usr/bin/time) is missing and could not be installed"
fi
command -v node >/dev/null || die "node is missing (scripts/install-deps installs it)"
command -v python3 >/dev/null || die "python3 is missing"

# What is measured: by default the committed code (HEAD, or REBILL_COMMIT) in a clean snapshot,
# so that edits in progress in the working tree neither break nor skew the run;
# REBILL_TREE=worktree measures the working tree instead. bench/ always comes from the working
# tree.
if [ "${REBILL_TREE:-head}" = worktree ]; then
  SRC="$ROOT"
  REBILL_DESC="working tree of $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
else
  COMMIT="$(git rev-parse --short "${REBILL_COMMIT:-HEAD}")"
  REBILL_DESC="commit $COMMIT"
  # One snapshot (and build folders) per commit, extracted once.
  SRC="$ROOT/build/bench-src/$COMMIT"
  if [ ! -f "$SRC/CMakeLists.txt" ]; then
    rm -rf "$SRC.new" && mkdir -p "$SRC.new"
    git archive "$COMMIT" | tar -x -C "$SRC.new"
    mv "$SRC.new" "$SRC"
  fi
  cp bench/CMakeLists.txt bench/*.cc "$SRC/bench/"
fi
REBILL="$SRC/build/bench-release/rebill"
GENERATOR="$SRC/build/bench/bench/rebill_generate_cur"
say "building release rebill and the generator from the $REBILL_DESC"
if [ ! -f "$SRC/build/bench-release/build.ninja" ]; then
  cmake -S "$SRC" -B "$SRC/build/bench-release" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DREBILL_BUILD_TESTS=OFF >/dev/null
fi
cmake --build "$SRC/build/bench-release" --target rebill >/dev/null
if [ ! -f "$SRC/build/bench/build.ninja" ]; then (cd "$SRC" && cmake --preset bench >/dev/null); fi
cmake --build "$SRC/build/bench" --target rebill_generate_cur >/dev/null

if [ ! -d bench/node_modules/@duckdb/node-api ]; then
  say "installing DuckDB from the npm registry (bench/package-lock.json)"
  # npm 11's `npm ci` refuses a lock whose other-platform optional bindings it did not resolve;
  # `npm install` with the same lock installs the same versions.
  npm ci --prefix bench --no-audit --no-fund >/dev/null 2>&1 ||
    npm install --prefix bench --no-audit --no-fund --no-save >/dev/null
fi
DUCKDB_VERSION="$(node -p "require('$ROOT/bench/node_modules/@duckdb/node-api/package.json').version")"

# --- the reseller's workspace: ~40 accounts -> 10 customers, one markup each --------------
"$GENERATOR" --list-accounts > "$OUT/accounts.txt"
MARKUPS=(5 8 12 7.5 10 3 15 6 9 4.25)
python3 - "$OUT" "${MARKUPS[@]}" <<'EOF'
import sys
out, markups = sys.argv[1], sys.argv[2:]
accounts = open(f"{out}/accounts.txt").read().split()
# The last two accounts belong to no customer: their spend is Unassigned in rebill and absent
# from the SQL statement.
owned = accounts[:-2]
customers = {}
for i, account in enumerate(owned):
    customers.setdefault(f"c{i % 10 + 1:02d}", []).append(account)
with open(f"{out}/accounts.csv", "w") as f:
    f.write("account,customer,markup\n")
    for k, (customer, accs) in enumerate(sorted(customers.items())):
        for a in accs:
            f.write(f"{a},{customer},{markups[k]}\n")
with open(f"{out}/rebill.toml", "w") as f:
    f.write('[reseller]\nname = "Benchmark Reseller"\ncurrency = "USD"\n\n')
    f.write('[policy]\ncost_view = "amortized"\ncommitments = "originating"\n'
            'unused_commitment = "reseller"\ncredits = "as-applied"\n')
    for k, (customer, accs) in enumerate(sorted(customers.items())):
        f.write(f'\n[[price_plan]]\nid = "plan-{customer}"\n'
                f'rules = [{{ name = "markup", type = "markup", percent = "{markups[k]}" }}]\n')
        ids = ", ".join(f'"{a}"' for a in accs)
        f.write(f'\n[[customer]]\nid = "{customer}"\nname = "Customer {customer}"\n'
                f'price_plan = "plan-{customer}"\naccounts = [{ids}]\n')
EOF

# --- measurement functions -----------------------------------------------------------------
# measure NAME COMMAND...: runs COMMAND under GNU time; prints "wall_seconds peak_kb status".
measure() {
  local log="$OUT/time-$1.txt"; shift
  local status=0
  /usr/bin/time -v -o "$log" "$@" || status=$?
  python3 - "$log" "$status" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)", text).group(1)
seconds = 0.0
for part in wall.split(":"):
    seconds = seconds * 60 + float(part)
rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", text).group(1))
print(f"{seconds:.2f} {rss} {sys.argv[2]}")
EOF
}

median() { python3 -c 'import sys, statistics; v=[float(x) for x in sys.argv[1:]]; print(f"{statistics.median(v):.2f}" if v else "-")' "$@"; }

# compare REBILL_JSON DUCKDB_JSON: exact per-customer totals; fails loudly on any difference.
compare() {
  python3 - "$1" "$2" <<'EOF'
import json, sys
from decimal import Decimal
rebill = {s["customer"]: s for s in json.load(open(sys.argv[1]))["statements"]}
duck = json.load(open(sys.argv[2]))["customers"]
bad = []
for customer in sorted(set(rebill) | set(duck)):
    r = Decimal(rebill[customer]["total"]) if customer in rebill else None
    d = Decimal(duck[customer]["total"]) if customer in duck else None
    if r != d:
        bad.append(f"  {customer}: rebill {r} DuckDB {d}")
if bad:
    print("MISMATCH between rebill and DuckDB statement totals:\n" + "\n".join(bad), file=sys.stderr)
    sys.exit(1)
total = sum(Decimal(s["total"]) for s in rebill.values())
print(f"{len(rebill)} customers agree to the cent, grand total {total}")
EOF
}

run_rebill() {  # FILE WORKSPACE STATEMENTS_JSON STEPS_FILE
  local file="$1" ws="$2" json="$3" steps="$4"
  rm -rf "$ws"
  "$REBILL" init "$ws" >/dev/null
  cp "$OUT/rebill.toml" "$ws/rebill.toml"
  measure rebill timeout "$REBILL_TIMEOUT" bash -c '
    set -e
    t0=$(date +%s.%N)
    "$0" -w "$1" ingest "$2" >/dev/null
    t1=$(date +%s.%N)
    "$0" -w "$1" run --period "$3" >/dev/null
    t2=$(date +%s.%N)
    "$0" -w "$1" statements --period "$3" --format json -o "$4" >/dev/null
    t3=$(date +%s.%N)
    echo "$t0 $t1 $t2 $t3" > "$5"' "$REBILL" "$ws" "$file" "$PERIOD" "$json" "$steps"
}

RESULTS="$OUT/results.txt"
: > "$RESULTS"
printf '%-9s %-14s %12s %12s %8s %12s %12s\n' rows format "rebill wall" "DuckDB wall" "ratio" \
  "rebill RSS" "DuckDB RSS" >> "$RESULTS"
failed=0

for rows in $ROWS; do
  need_kb=$(( rows * 12 / 10 * 115 / 100 + 2000000 ))  # CSV + .gz + workspace + margin
  avail_kb=$(df -Pk "$OUT" | awk 'NR==2 {print $4}')
  csv="$OUT/cur-$rows.csv"
  gz="$OUT/cur-$rows.csv.gz"
  if [ ! -f "$csv" ] && [ "$avail_kb" -lt "$need_kb" ]; then
    say "skipping $rows rows: $((avail_kb / 1024)) MB free on $(df -P "$OUT" | awk 'NR==2 {print $6}'), about $((need_kb / 1024)) MB needed"
    printf '%-9s %-7s skipped: not enough disk space\n' "$rows" "-" >> "$RESULTS"
    continue
  fi
  if [ ! -f "$csv" ]; then
    say "generating $rows rows -> $csv"
    "$GENERATOR" "$rows" "$csv.tmp" && mv "$csv.tmp" "$csv"
  fi
  if [ ! -f "$gz" ]; then
    say "generating $rows rows -> $gz"
    "$GENERATOR" "$rows" "$gz.tmp" --gzip && mv "$gz.tmp" "$gz"
  fi
  for fmt in $FORMATS; do
    file="$OUT/cur-$rows.$fmt"
    if [ "${fmt%.parquet}" != "$fmt" ] && [ ! -f "$file" ]; then
      say "writing $rows rows as Parquet (${fmt%.parquet}) with DuckDB -> $file"
      node bench/csv_to_parquet.mjs "$csv" "$file.tmp" "${fmt%.parquet}" "$THREADS" && mv "$file.tmp" "$file"
    fi
    r_wall=() r_rss=() d_wall=() d_rss=() r_failed=""
    for rep in $(seq 1 "$REPS"); do
      say "$rows rows $fmt, run $rep/$REPS: rebill ingest + run + statements"
      read -r wall rss status < <(run_rebill "$file" "$OUT/ws" "$OUT/rebill-statements.json" "$OUT/rebill-steps.txt")
      if [ "$status" != 0 ]; then
        r_failed="failed (exit $status after ${wall}s, peak ${rss} KB)"
        say "rebill $r_failed"
        break
      fi
      read -r t0 t1 t2 t3 < "$OUT/rebill-steps.txt"
      say "  rebill ${wall}s (ingest $(python3 -c "print(f'{$t1-$t0:.1f}')")s, run $(python3 -c "print(f'{$t2-$t1:.1f}')")s, statements $(python3 -c "print(f'{$t3-$t2:.1f}')")s), peak $((rss / 1024)) MB"
      r_wall+=("$wall") r_rss+=("$rss")
      say "$rows rows $fmt, run $rep/$REPS: DuckDB $DUCKDB_VERSION, $THREADS threads"
      read -r wall rss status < <(measure duckdb node bench/duckdb_statement.mjs "$file" "$OUT/accounts.csv" "$OUT/duckdb-statements.json" "$THREADS")
      [ "$status" = 0 ] || die "DuckDB failed (exit $status); see $OUT/time-duckdb.txt"
      say "  DuckDB ${wall}s, peak $((rss / 1024)) MB"
      d_wall+=("$wall") d_rss+=("$rss")
      compare "$OUT/rebill-statements.json" "$OUT/duckdb-statements.json" >&2 || {
        failed=1
        die "rebill and DuckDB disagree on $file"
      }
    done
    if [ -n "$r_failed" ]; then
      printf '%-9s %-7s %s\n' "$rows" "$fmt" "rebill $r_failed" >> "$RESULTS"
      continue
    fi
    rw=$(median "${r_wall[@]}") dw=$(median "${d_wall[@]}")
    rr=$(median "${r_rss[@]}") dr=$(median "${d_rss[@]}")
    ratio=$(python3 -c "print(f'{$dw/$rw:.2f}')")
    printf '%-9s %-14s %11ss %11ss %8s %9s MB %9s MB\n' "$rows" "$fmt" "$rw" "$dw" "$ratio" \
      "$(( ${rr%.*} / 1024 ))" "$(( ${dr%.*} / 1024 ))" >> "$RESULTS"
  done
done

echo
echo "rebill, $REBILL_DESC (Release) vs DuckDB $DUCKDB_VERSION ($THREADS threads); median of $REPS runs; $(nproc) cores"
echo "ratio = DuckDB wall / rebill wall (above 1: rebill is faster); RSS = peak resident memory"
cat "$RESULTS"
exit "$failed"
