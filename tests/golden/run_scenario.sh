#!/usr/bin/env bash
# Run one golden scenario through the real binary and compare every output byte for byte.
#   run_scenario.sh REBILL SCENARIO_DIR
# A scenario holds rebill.toml, input/ (CUR files or bucket mirrors, ingested at once) and/or
# deliveries/<name>/ (ingested one after the other, in name order), a `period` file (one YYYY-MM
# per line) and expected/. With several periods, outputs go to expected/<period>/, and after all periods ran
# the first one is run again: its statements must not have changed.
# A scenario with a `steps.sh` instead runs those steps (a bash fragment that may call `rb` for
# the workspace's rebill, `run_period`, `render_statements` and `expect_exit`, writing under
# "$actual"); it ingests and runs what it needs itself.
# With REBILL_REBASELINE=1 the outputs replace expected/ (review the diff before committing).
set -euo pipefail
rebill=$1
scenario=$2
periods=()
[ -f "$scenario/period" ] && mapfile -t periods <"$scenario/period"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export REBILL_NOW=2026-11-05T09:00:00Z
ws="$work/ws"
actual="$work/actual"
mkdir -p "$actual"

"$rebill" init "$ws" >/dev/null
cp "$scenario/rebill.toml" "$ws/rebill.toml"
rb() { "$rebill" -w "$ws" --actor golden "$@"; }
render_statements() {  # render_statements PERIOD OUTDIR: JSON, CSV and one HTML per customer
  local period=$1 out=$2
  mkdir -p "$out"
  rb statements --period "$period" --format json >"$out/statements.json"
  rb statements --period "$period" --format csv >"$out/statements.csv"
  rb statements --period "$period" --format html -o "$out/html" 2>/dev/null
}
expect_exit() {  # expect_exit CODE OUTFILE COMMAND...: the command's output and exit code
  local want=$1 out=$2 got=0
  shift 2
  "$@" >"$out" 2>&1 || got=$?
  sed -i -e "s#$scenario/##g" -e "s#$ws#WORKSPACE#g" "$out"
  echo "exit $got" >>"$out"
  if [ "$got" -ne "$want" ]; then
    echo "'$*' exited $got, expected $want:" >&2
    cat "$out" >&2
    exit 1
  fi
}
run_period() {  # run_period PERIOD OUTDIR
  local period=$1 out=$2
  mkdir -p "$out"
  "$rebill" -w "$ws" --actor golden run --period "$period" --format json >"$out/run.json"
  "$rebill" -w "$ws" statements --period "$period" --format json >"$out/statements.json"
  "$rebill" -w "$ws" statements --period "$period" --format csv >"$out/statements.csv"
  "$rebill" -w "$ws" reconcile --period "$period" --format json >"$out/reconcile.json"
  "$rebill" -w "$ws" allocate --compare --period "$period" --format json >"$out/compare.json"
  "$rebill" -w "$ws" accounts check --period "$period" --format json >"$out/accounts-check.json"
  for by in customer service account customer-service waterfall; do
    "$rebill" -w "$ws" margin --period "$period" --by "$by" --format csv >"$out/margin-$by.csv" \
      2>/dev/null
  done
  "$rebill" -w "$ws" margin --period "$period" --format json >"$out/margin.json"
}
if [ -f "$scenario/steps.sh" ]; then
  # shellcheck source=/dev/null
  source "$scenario/steps.sh"
else
for rates in "$scenario"/fx/*.csv; do
  [ -e "$rates" ] && "$rebill" -w "$ws" --actor golden fx import "$rates" >/dev/null
done
if [ -d "$scenario/org" ]; then
  "$rebill" -w "$ws" --actor golden accounts import "$scenario"/org/*.json >/dev/null
fi
if [ -d "$scenario/input" ]; then
  inputs=()
  for f in "$scenario"/input/*; do inputs+=("$f"); done
  "$rebill" -w "$ws" --actor golden ingest --format json "${inputs[@]}" |
    sed -e "s#$scenario/##g" >"$actual/ingest.json"
fi
if [ -d "$scenario/deliveries" ]; then
  for delivery in "$scenario"/deliveries/*/; do
    name=$(basename "$delivery")
    "$rebill" -w "$ws" --actor golden ingest --format json "$delivery" |
      sed -e "s#$scenario/##g" >"$actual/ingest-$name.json"
  done
  "$rebill" -w "$ws" ingest --list --format json | sed -e "s#$scenario/##g" >"$actual/ingest-list.json"
fi
"$rebill" -w "$ws" accounts list --format json >"$actual/accounts.json"
if [ ${#periods[@]} -eq 1 ]; then
  run_period "${periods[0]}" "$actual"
else
  for period in "${periods[@]}"; do run_period "$period" "$actual/$period"; done
  run_period "${periods[0]}" "$work/rerun"
  if ! diff -u "$actual/${periods[0]}/statements.json" "$work/rerun/statements.json"; then
    echo "re-running ${periods[0]} after later periods changed its statements" >&2
    exit 1
  fi
fi
fi

if [ "${REBILL_REBASELINE:-0}" = "1" ]; then
  rm -rf "$scenario/expected"
  cp -r "$actual" "$scenario/expected"
  echo "rebaselined $scenario/expected"
  exit 0
fi
if ! diff -ru "$scenario/expected" "$actual"; then
  echo "golden scenario $(basename "$scenario") differs from expected/ (see the diff above);" >&2
  echo "if the change is intended: REBILL_REBASELINE=1 ctest -L golden -R $(basename "$scenario")" >&2
  exit 1
fi
