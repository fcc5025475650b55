#!/usr/bin/env bash
# Crash safety and concurrency of the store, through the real binary, on one backend:
#   crash_test.sh REBILL sqlite|postgresql [ROUNDS]
# 1. kill -9 loop: start `rebill ingest` (of one of two deliveries of the month) or `rebill run`
#    and SIGKILL it after a random delay, ROUNDS times. After every kill `rebill store check`
#    must find the store sound (database integrity, each period's draft is its latest run's,
#    every recorded month file exists with its checksum), the recorded runs must have grown by
#    at most one, and the next `rebill run` must succeed with exactly the statements an
#    uninterrupted workspace gives for whichever delivery is active: the killed command is seen
#    whole or not at all.
# 2. Concurrent runs of the same period: each exits 0 or 4 ("another rebill command"), and the
#    store records exactly one run per success. With PostgreSQL the two commands come from two
#    workspaces sharing the store, as two machines would.
# 3. Closing: `rebill close` killed at a random point leaves the period either closed with
#    invoices numbered 1..n or not closed with no invoice; then two closes of the period at once
#    (from two workspaces with PostgreSQL): one closes it, the other exits 4, and the numbers
#    stay 1..n, each once.
set -euo pipefail
rebill=$1
backend=$2
rounds=${3:-20}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/rebill-crash-XXXXXX)
pgdir=""
cleanup() {
  if [ -n "$pgdir" ]; then bash "$here/../postgres/server.sh" stop "$pgdir" || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
export REBILL_NOW=2026-11-05T09:00:00Z
period=2026-10
fail() {
  echo "FAIL ($backend): $*" >&2
  exit 1
}

# Two deliveries of the month: the demo's CUR and the same without its first ten rows.
"$rebill" demo "$work/demo" >/dev/null
cur_a="$work/a.csv"
cur_b="$work/b.csv"
cp "$work/demo/input/cur-$period.csv" "$cur_a"
sed "2,11d" "$cur_a" >"$cur_b"
sha_a=$(sha256sum "$cur_a" | cut -c1-64)

# What an uninterrupted SQLite workspace gives for each delivery.
reference() {  # reference CUR OUT
  local ws="$work/ref-$(basename "$1" .csv)"
  "$rebill" init "$ws" >/dev/null
  cp "$work/demo/rebill.toml" "$ws/rebill.toml"
  "$rebill" -w "$ws" ingest "$1" >/dev/null
  "$rebill" -w "$ws" run --period $period >/dev/null
  "$rebill" -w "$ws" statements --period $period --format json >"$2"
}
reference "$cur_a" "$work/expected-a.json"
reference "$cur_b" "$work/expected-b.json"
cmp -s "$work/expected-a.json" "$work/expected-b.json" && fail "the two deliveries give the same statements"

ws="$work/ws"
"$rebill" init "$ws" >/dev/null
cp "$work/demo/rebill.toml" "$ws/rebill.toml"
if [ "$backend" = postgresql ]; then
  pgdir=$(mktemp -u /tmp/rebill-crash-pg-XXXXXX)
  url=$(bash "$here/../postgres/server.sh" start "$pgdir") || fail "the PostgreSQL server did not start"
  printf '\n[store]\nurl = "%s"\n' "$url" >>"$ws/rebill.toml"
fi
"$rebill" -w "$ws" ingest "$cur_a" >/dev/null
"$rebill" -w "$ws" run --period $period >/dev/null

runs() {  # the number of recorded runs
  "$rebill" -w "$ws" export -o "$work/export.jsonl" 2>/dev/null
  grep -c '^{"table":"runs"' "$work/export.jsonl" || true
}
active_statements() {  # the reference for the delivery the store holds now
  "$rebill" -w "$ws" export -o "$work/export.jsonl" 2>/dev/null
  if grep '^{"table":"months"' "$work/export.jsonl" | grep -q "$sha_a"; then
    echo "$work/expected-a.json"
  else
    echo "$work/expected-b.json"
  fi
}

killed=0
for round in $(seq 1 "$rounds"); do
  before=$(runs)
  case $((RANDOM % 3)) in
    0) args=(ingest "$cur_a") ;;
    1) args=(ingest "$cur_b") ;;
    2) args=(run --period $period) ;;
  esac
  "$rebill" -w "$ws" "${args[@]}" >/dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.3f", r / 32767 * 0.3 }')"
  if kill -9 "$pid" 2>/dev/null; then killed=$((killed + 1)); fi
  wait "$pid" 2>/dev/null || true

  check=$("$rebill" -w "$ws" store check 2>&1) || fail "round $round (${args[*]}): store check: $check"
  after=$(runs)
  [ "$after" -ge "$before" ] && [ "$after" -le $((before + 1)) ] ||
    fail "round $round (${args[*]}): $before runs before, $after after"
  expected=$(active_statements)
  "$rebill" -w "$ws" run --period $period >/dev/null ||
    fail "round $round (${args[*]}): the next run failed"
  "$rebill" -w "$ws" statements --period $period --format json >"$work/actual.json"
  cmp -s "$work/actual.json" "$expected" ||
    fail "round $round (${args[*]}): statements differ from $(basename "$expected")"
done
# A command takes a few tenths of a second: most kills land while it works.
if [ "$rounds" -ge 10 ] && [ "$killed" -eq 0 ]; then
  fail "no command was still running when killed; the loop tested nothing"
fi
# A kill between writing a month file and recording it, or before removing the file it
# replaced, leaves a file that no month names: the period's next ingest removes those.
"$rebill" -w "$ws" ingest "$cur_a" >/dev/null || fail "the ingest after the kills failed"
"$rebill" -w "$ws" export -o "$work/export.jsonl" 2>/dev/null
recorded=$(grep '^{"table":"months"' "$work/export.jsonl" | grep -o '"month_file":"[^"]*"' |
  sed 's|.*/||; s|"$||' | sort | tr '\n' ' ')
present=$(ls "$ws/months/$period" | sort | tr '\n' ' ')
[ -n "$recorded" ] && [ "$recorded" = "$present" ] ||
  fail "after the kills the months folder holds: $present; the store names: $recorded"
echo "$backend: $rounds rounds, $killed commands killed mid-way, store consistent after each"

# Concurrent runs of one period.
ws2="$ws"
if [ "$backend" = postgresql ]; then
  ws2="$work/ws2"  # another machine's workspace on the same store (and the same month files)
  cp -a "$ws" "$ws2"
fi
waited=0
for round in 1 2 3 4 5; do
  before=$(runs)
  "$rebill" -w "$ws" run --period $period >"$work/r1.out" 2>"$work/r1.err" &
  p1=$!
  "$rebill" -w "$ws2" run --period $period >"$work/r2.out" 2>"$work/r2.err" &
  p2=$!
  ok=0
  for p in "$p1:r1" "$p2:r2"; do
    rc=0
    wait "${p%%:*}" || rc=$?
    if [ $rc -eq 0 ]; then
      ok=$((ok + 1))
    elif [ $rc -eq 4 ]; then
      waited=$((waited + 1))
      grep -q "another rebill command is working" "$work/${p##*:}.err" ||
        fail "concurrent round $round: exit 4 without the message: $(cat "$work/${p##*:}.err")"
    else
      fail "concurrent round $round: exit $rc: $(cat "$work/${p##*:}.err")"
    fi
  done
  [ $ok -ge 1 ] || fail "concurrent round $round: neither run succeeded"
  after=$(runs)
  [ "$after" -eq $((before + ok)) ] ||
    fail "concurrent round $round: $ok runs succeeded but $((after - before)) were recorded"
  check=$("$rebill" -w "$ws" store check 2>&1) || fail "concurrent round $round: $check"
done
echo "$backend: concurrent runs of one period: one at a time ($waited turned away), each recorded whole"

# Export and import across backends: this store into one of the other kind and back.
other="$work/ws-other"
"$rebill" init "$other" >/dev/null
cp "$work/demo/rebill.toml" "$other/rebill.toml"
cp -a "$ws/months" "$other/"
"$rebill" -w "$ws" export -o "$work/first.jsonl" 2>/dev/null
if [ "$backend" = postgresql ]; then
  other_store="$other/moved.db"
else
  pgdir=$(mktemp -u /tmp/rebill-crash-pg-XXXXXX)
  other_store=$(bash "$here/../postgres/server.sh" start "$pgdir") ||
    fail "the PostgreSQL server did not start"
fi
"$rebill" -w "$other" --store "$other_store" import "$work/first.jsonl" >/dev/null
"$rebill" -w "$other" --store "$other_store" store check >/dev/null ||
  fail "store check after import"
"$rebill" -w "$other" --store "$other_store" export -o "$work/second.jsonl" 2>/dev/null
grep -v '"action":"import"' "$work/second.jsonl" >"$work/second-without-import.jsonl"
cmp -s "$work/first.jsonl" "$work/second-without-import.jsonl" ||
  fail "export -> import -> export changed the store: $(diff "$work/first.jsonl" "$work/second-without-import.jsonl" | head -c 400)"
"$rebill" -w "$other" --store "$other_store" statements --period $period --format json >"$work/moved.json"
"$rebill" -w "$ws" statements --period $period --format json >"$work/here.json"
cmp -s "$work/moved.json" "$work/here.json" || fail "the imported store gives other statements"
echo "$backend: export and import into the other backend give the same store"

# Closing. The month must be final: the same delivery with bill/InvoiceId (column 3) filled.
cur_final="$work/final.csv"
awk -F, 'BEGIN { OFS = "," } NR > 1 { $3 = "EUINUS26-555" } { print }' "$cur_a" >"$cur_final"
"$rebill" -w "$ws" ingest "$cur_final" >/dev/null
"$rebill" -w "$ws" run --period $period >/dev/null
invoice_numbers() {  # the sequence numbers of the invoices in the store, sorted
  "$rebill" -w "$ws" export -o "$work/export.jsonl" 2>/dev/null
  grep '^{"table":"invoices"' "$work/export.jsonl" | sed 's/.*"seq":"\{0,1\}\([0-9]*\).*/\1/' | sort -n |
    tr '\n' ' ' || true
}
customers=$(grep -c '^\[\[customer\]\]' "$ws/rebill.toml")
want=$(seq 1 "$customers" | tr '\n' ' ')
"$rebill" -w "$ws" export -o "$work/before-close.jsonl" 2>/dev/null
for round in 1 2 3 4 5 6; do
  "$rebill" -w "$ws" close --period $period --acknowledge-unassigned >/dev/null 2>&1 &
  pid=$!
  sleep "$(awk -v r=$RANDOM 'BEGIN { printf "%.3f", r / 32767 * 0.4 }')"
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  check=$("$rebill" -w "$ws" store check 2>&1) || fail "close round $round: store check: $check"
  numbers=$(invoice_numbers)
  [ -z "$numbers" ] || [ "$numbers" = "$want" ] ||
    fail "close round $round: invoice numbers '$numbers', expected '$want' or none"
done
"$rebill" -w "$ws" close --period $period --acknowledge-unassigned >/dev/null 2>&1 || true
[ "$(invoice_numbers)" = "$want" ] || fail "after the kill loop: invoice numbers '$(invoice_numbers)'"
# A second close of the closed period is refused and changes nothing.
rc=0
"$rebill" -w "$ws" close --period $period --acknowledge-unassigned >/dev/null 2>&1 || rc=$?
[ $rc -eq 4 ] || fail "closing a closed period exited $rc, expected 4"
[ "$(invoice_numbers)" = "$want" ] || fail "a refused close changed the invoices"
echo "$backend: close killed at random points leaves invoices $want(gapless) or none"

# Two closes at once, on a fresh store holding the month as it was before closing (from two
# workspaces on one PostgreSQL store, as two machines would).
wsc="$work/wsc"
"$rebill" init "$wsc" >/dev/null
cp "$work/demo/rebill.toml" "$wsc/rebill.toml"
if [ "$backend" = postgresql ]; then
  pgdir2=$(mktemp -u /tmp/rebill-crash-pg-XXXXXX)
  url2=$(bash "$here/../postgres/server.sh" start "$pgdir2") || fail "the second PostgreSQL server did not start"
  trap 'bash "$here/../postgres/server.sh" stop "$pgdir2" || true; cleanup' EXIT
  printf '\n[store]\nurl = "%s"\n' "$url2" >>"$wsc/rebill.toml"
fi
cp -a "$ws/months" "$wsc/"
"$rebill" -w "$wsc" import "$work/before-close.jsonl" >/dev/null
"$rebill" -w "$wsc" run --period $period >/dev/null  # under this workspace's rebill.toml
wsc2="$wsc"
if [ "$backend" = postgresql ]; then
  wsc2="$work/wsc2"
  cp -a "$wsc" "$wsc2"
fi
ws="$wsc"  # invoice_numbers reads $ws
"$rebill" -w "$wsc" close --period $period --acknowledge-unassigned >"$work/c1.out" 2>&1 &
p1=$!
"$rebill" -w "$wsc2" close --period $period --acknowledge-unassigned >"$work/c2.out" 2>&1 &
p2=$!
ok=0
for p in "$p1:c1" "$p2:c2"; do
  rc=0
  wait "${p%%:*}" || rc=$?
  if [ $rc -eq 0 ]; then
    ok=$((ok + 1))
  elif [ $rc -ne 4 ]; then
    fail "concurrent close: exit $rc: $(cat "$work/${p##*:}.out")"
  fi
done
[ $ok -eq 1 ] ||
  fail "concurrent close: $ok closes succeeded, expected exactly one: $(cat "$work/c1.out" "$work/c2.out")"
[ "$(invoice_numbers)" = "$want" ] || fail "concurrent close: invoice numbers '$(invoice_numbers)'"
check=$("$rebill" -w "$wsc" store check 2>&1) || fail "concurrent close: store check: $check"
echo "$backend: two closes at once: one closed the period, invoices $want(gapless)"
