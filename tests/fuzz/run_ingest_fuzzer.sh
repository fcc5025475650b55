#!/usr/bin/env bash
# Run the ingest fuzzer (billing files and manifests) for SECONDS seconds, seeded with the files
# in tests/fixtures/ingest and the Parquet billing files in tests/fixtures/parquet (each prefixed
# with the byte that picks its reader). New corpus
# entries go to CORPUS_DIR (default: a temporary folder), never into the repository; a crash
# leaves its input in the current folder (crash-*) and fails the run.
#   run_ingest_fuzzer.sh INGEST_FUZZER SECONDS [CORPUS_DIR]
set -euo pipefail
fuzzer=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
corpus=${3:-$scratch/corpus}
mkdir -p "$corpus" "$scratch/seeds"
for f in "$here"/../fixtures/ingest/*; do
  case $f in
    *.json) mode='\001' ;;
    *) mode='\000' ;;
  esac
  { printf "$mode"; cat "$f"; } >"$scratch/seeds/$(basename "$f")"
done
for f in cur2 focus12 month-snappy month-zstd month-x16 month-x8-invoices; do
  { printf '\000'; cat "$here/../fixtures/parquet/$f.parquet"; } >"$scratch/seeds/$f.parquet"
done
"$fuzzer" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 -timeout=10 \
  -print_final_stats=1 "$corpus" "$scratch/seeds"
