#!/usr/bin/env bash
# The same month as CSV and as Parquet (snappy and zstd, written by DuckDB) must give the same
# statements, byte for byte, through the real binary.
#   parquet_statements_test.sh REBILL FIXTURES_DIR
set -euo pipefail
rebill=$1
fixtures=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export REBILL_NOW=2026-11-05T09:00:00Z

statements() {  # statements INPUT OUTDIR
  local ws="$work/ws-$(basename "$1")"
  "$rebill" init "$ws" >/dev/null
  cp "$fixtures/month.rebill.toml" "$ws/rebill.toml"
  mkdir -p "$2"
  "$rebill" -w "$ws" --actor test ingest --format json "$1" >"$2/ingest.json"
  python3 -c 'import json,sys; print(*(m["content_sha256"] for m in json.load(open(sys.argv[1]))["months"]))' \
    "$2/ingest.json" >"$2/content.txt"
  "$rebill" -w "$ws" --actor test run --period 2026-10 --format json >/dev/null
  "$rebill" -w "$ws" statements --period 2026-10 --format json >"$2/statements.json"
  "$rebill" -w "$ws" statements --period 2026-10 --format csv >"$2/statements.csv"
  "$rebill" -w "$ws" margin --period 2026-10 --by customer-service --format csv >"$2/margin.csv"
}

statements "$fixtures/month.csv" "$work/csv"
[ -s "$work/csv/statements.json" ] || { echo "no statements from the CSV month" >&2; exit 1; }
for name in month-snappy.parquet month-zstd.parquet; do
  statements "$fixtures/$name" "$work/$name"
  # The normalized month itself is the same, whatever file it was read from.
  for out in content.txt statements.json statements.csv margin.csv; do
    if ! diff -u "$work/csv/$out" "$work/$name/$out"; then
      echo "$name: $out differs from the CSV month's" >&2
      exit 1
    fi
  done
done
echo "parquet statements: CSV, snappy and zstd months agree"
