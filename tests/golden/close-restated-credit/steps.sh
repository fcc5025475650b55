# Close October, record a payment, try a late rate for October, ingest a restated October with
# extra credits, run it and November. See README.md for the numbers.
rb fx import "$scenario/fx/rates.csv" >/dev/null
rb ingest "$scenario/input/2026-10.csv" "$scenario/input/2026-11.csv" >/dev/null
rb run --period 2026-10 >/dev/null
render_statements 2026-10 "$actual/october-draft"
expect_exit 0 "$actual/close-october.txt" rb close --period 2026-10
expect_exit 4 "$actual/close-october-again.txt" rb close --period 2026-10
render_statements 2026-10 "$actual/october-final"
expect_exit 0 "$actual/payment.txt" rb payments record --invoice INV-2026-00002 --amount 100.00 \
  --date 2026-11-20 --reference "SEPA 4711"
expect_exit 4 "$actual/fx-october-revised.txt" rb fx import "$scenario/fx/2026-10-revised.csv"
rb ingest "$scenario/restated/2026-10.csv" >/dev/null
rb run --period 2026-10 --format json >"$actual/october-restated-run.json"
render_statements 2026-10 "$work/october-after"
if ! diff -r "$actual/october-final" "$work/october-after"; then
  echo "the closed October statements changed after a restated delivery" >&2
  exit 1
fi
rb diff --period 2026-10 --format json >"$actual/october-diff.json"
# A second run of the restated month records nothing new.
rb run --period 2026-10 --format json >"$actual/october-restated-again.json"
rb run --period 2026-11 >/dev/null
render_statements 2026-11 "$actual/november"
rb receivables --as-of 2027-01-10 --format json >"$actual/receivables.json"
