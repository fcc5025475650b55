#!/usr/bin/env bash
# The statement lifecycle on the real binary: `rebill close` refuses with exit 4 and every
# reason, closes once, numbers invoices without gaps across close and void (also with two closes
# started at once), records payments, and logs every state change.
#   lifecycle_test.sh REBILL SCENARIO_DIR   (SCENARIO_DIR: tests/golden/close-restated-credit)
set -uo pipefail
rebill=$1
scenario=$2
# shellcheck source=tests/cli/testlib.sh
source "$(dirname "$0")/testlib.sh"

lacks() { ! grep -qF -- "$2" "$1" || { echo "  '$1' has '$2'" >&2; return 1; }; }
# The numbered documents, in sequence order: "INV-2026-00001 invoice" per line.
documents() {
  "$rebill" -w "$1" receivables --as-of 2026-11-05 --format json |
    sed -n -e 's/^ *"number": "\(.*\)",$/\1/p' -e 's/^ *"kind": "\(.*\)",$/\1/p' | paste -d' ' - -
}
new_workspace() {  # new_workspace DIR: the scenario's configuration and exchange rates
  "$rebill" init "$1" >/dev/null
  cp "$scenario/rebill.toml" "$1/rebill.toml"
  "$rebill" -w "$1" fx import "$scenario/fx/rates.csv" >/dev/null
}

for cmd in close void diff payments "payments record" "payments import" receivables audit; do
  check "help $cmd" expect_exit 0 "$work/help.txt" "$rebill" $cmd --help
  check "help $cmd text" contains "$work/help.txt" "Usage"
done
check "close without period" expect_exit 2 "$work/out.txt" "$rebill" close
check "void without reason" expect_exit 2 "$work/out.txt" "$rebill" void --invoice INV-1

# Every precondition that fails is listed: an estimated month (no bill/InvoiceId), a line item
# type rebill does not know, spend of an account no customer owns.
ws="$work/refuse"
new_workspace "$ws"
cut -d, -f2- "$scenario/input/2026-10.csv" >"$work/estimated.csv"
echo "999999999999,2026-10-01T00:00:00Z,333333333333,Usage,2026-10-02T00:00:00Z,AmazonS3,5.00,5.00,USD" >>"$work/estimated.csv"
echo "999999999999,2026-10-01T00:00:00Z,111111111111,Rebate,2026-10-02T00:00:00Z,AmazonEC2,-1.00,,USD" >>"$work/estimated.csv"
"$rebill" -w "$ws" ingest "$work/estimated.csv" >/dev/null
check "close before any run" expect_exit 4 "$work/out.txt" "$rebill" -w "$ws" close --period 2026-10
check "close before any run says run" contains "$work/out.txt" "rebill run --period 2026-10"
"$rebill" -w "$ws" run --period 2026-10 >/dev/null
echo "# edited" >>"$ws/rebill.toml"
check "close refuses" expect_exit 4 "$work/out.txt" "$rebill" -w "$ws" close --period 2026-10
check "reason: not final" contains "$work/out.txt" "is not final (no bill/InvoiceId yet"
check "reason: quarantined type" contains "$work/out.txt" "unknown type 'Rebate' in quarantine"
check "reason: unassigned spend" contains "$work/out.txt" "333333333333"
check "reason: config changed" contains "$work/out.txt" "rebill.toml changed since the latest run"
check "refusal numbers nothing" test -z "$(documents "$ws")"
"$rebill" -w "$ws" run --period 2026-10 >/dev/null
check "acknowledged unassigned spend" expect_exit 4 "$work/out.txt" "$rebill" -w "$ws" close --period 2026-10 --acknowledge-unassigned
check "acknowledged: not listed" lacks "$work/out.txt" "333333333333"
check "acknowledged: still not final" contains "$work/out.txt" "is not final"
check "acknowledged: config current now" lacks "$work/out.txt" "rebill.toml changed"

# The final delivery arrives: a second run, and what changed since the first.
"$rebill" -w "$ws" ingest "$scenario/restated/2026-10.csv" >/dev/null
"$rebill" -w "$ws" run --period 2026-10 >/dev/null
check "diff since the previous run" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" diff --period 2026-10
check "diff names the change" contains "$work/out.txt" "credit AmazonEC2: 0.00 -> -20.00 (-20.00)"
check "diff json" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" diff --period 2026-10 --format json
check "diff json totals" contains "$work/out.txt" '"total_after": "200.00"'
check "final delivery closes" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" close --period 2026-10

# Close, close again, void, close the next month: one gapless sequence.
ws="$work/ws"
new_workspace "$ws"
"$rebill" -w "$ws" ingest "$scenario/input/2026-10.csv" "$scenario/input/2026-11.csv" >/dev/null
"$rebill" -w "$ws" run --period 2026-10 >/dev/null
"$rebill" -w "$ws" statements --period 2026-10 --format json >"$work/draft.json"
check "close" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" --actor alice close --period 2026-10
check "close numbers" contains "$work/out.txt" "INV-2026-00002  acme  220.00 USD, due 2026-12-05"
check "double close" expect_exit 4 "$work/out.txt" "$rebill" -w "$ws" close --period 2026-10
check "double close says closed" contains "$work/out.txt" "2026-10 is already closed"
"$rebill" -w "$ws" statements --period 2026-10 --format json >"$work/final.json"
"$rebill" -w "$ws" statements --period 2026-10 --format csv >"$work/final.csv"
check "final statement" contains "$work/final.json" '"invoice_number": "INV-2026-00001"'
# A run of the closed month (same data) changes none of its statements.
check "run closed month" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" run --period 2026-10
check "run closed month says so" contains "$work/out.txt" "2026-10 is closed"
"$rebill" -w "$ws" statements --period 2026-10 --format json >"$work/final2.json"
"$rebill" -w "$ws" statements --period 2026-10 --format csv >"$work/final2.csv"
check "closed json unchanged" cmp -s "$work/final.json" "$work/final2.json"
check "closed csv unchanged" cmp -s "$work/final.csv" "$work/final2.csv"
# The files sent at close are what is served later, even if the renderers change: mark the stored
# HTML and CSV and see the marks come back.
sqlite3 "$ws/rebill.db" \
  "UPDATE frozen_renders SET content = content || 'as sent at close' WHERE period = '2026-10'"
"$rebill" -w "$ws" statements --period 2026-10 --format csv >"$work/sent.csv"
check "closed csv is the one rendered at close" contains "$work/sent.csv" "as sent at close"
"$rebill" -w "$ws" statements --period 2026-10 --customer acme --format html >"$work/sent.html"
check "closed html is the one rendered at close" contains "$work/sent.html" "as sent at close"
check "void unknown" expect_exit 3 "$work/out.txt" "$rebill" -w "$ws" void --invoice INV-2026-09999 --reason typo
check "void" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" --actor bob void --invoice INV-2026-00002 --reason "wrong customer address"
check "void issues a credit note" contains "$work/out.txt" "credit note CN-2026-00003 for -220.00 USD"
check "void twice" expect_exit 4 "$work/out.txt" "$rebill" -w "$ws" void --invoice INV-2026-00002 --reason again
check "void a credit note" expect_exit 4 "$work/out.txt" "$rebill" -w "$ws" void --invoice CN-2026-00003 --reason again
"$rebill" -w "$ws" statements --period 2026-10 --format json --customer acme >"$work/voided.json"
check "voided statement reads void" contains "$work/voided.json" '"status": "void"'
"$rebill" -w "$ws" statements --period 2026-10 --customer acme --format html >"$work/voided.html"
check "voided html is rendered again, as void" lacks "$work/voided.html" "as sent at close"
check "voided html says void" contains "$work/voided.html" ">Void</span>"
check "payment on a void invoice" expect_exit 4 "$work/out.txt" "$rebill" -w "$ws" payments record --invoice INV-2026-00002 --amount 10 --date 2026-11-10
check "payment bad amount" expect_exit 3 "$work/out.txt" "$rebill" -w "$ws" payments record --invoice INV-2026-00001 --amount 10.001 --date 2026-11-10
check "payment bad amount names it" contains "$work/out.txt" "amount: '10.001'"
check "payment bad date" expect_exit 3 "$work/out.txt" "$rebill" -w "$ws" payments record --invoice INV-2026-00001 --amount 10 --date 2026-13-10
check "payment" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" payments record --invoice INV-2026-00001 --amount 200.11 --date 2026-11-10 --reference "SEPA 1"
printf 'invoice,amount,date,reference\nINV-2026-00001,6,2026-11-11,a\nINV-2026-00001,x,2026-11-12,b\n' >"$work/bad-payments.csv"
check "payments import bad row" expect_exit 3 "$work/out.txt" "$rebill" -w "$ws" payments import "$work/bad-payments.csv"
check "payments import names row and column" contains "$work/out.txt" "bad-payments.csv: row 2, column amount: 'x'"
printf 'invoice,amount,date,reference\nINV-2026-00001,1000.00,2026-11-12,b\n' >"$work/payments.csv"
check "payments import" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" payments import "$work/payments.csv"
"$rebill" -w "$ws" receivables --as-of 2026-11-30 --format json >"$work/recv.json"
check "partially paid" contains "$work/recv.json" '"status": "partially paid"'
check "paid 1200.11 of 1206.11, bad row not recorded" contains "$work/recv.json" '"paid": "1200.11"'
check "run november" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" run --period 2026-11
check "close november" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" close --period 2026-11
check "sequence is gapless across close and void" test "$(documents "$ws")" = "INV-2026-00001 invoice
INV-2026-00002 invoice
CN-2026-00003 credit_note
INV-2026-00004 invoice
INV-2026-00005 invoice"
check "voided invoice reads void in receivables" contains "$work/recv.json" '"status": "void"'
"$rebill" -w "$ws" audit --format json >"$work/audit.json"
check "audit: close by alice" contains "$work/audit.json" '"actor": "alice",
    "action": "close"'
check "audit: void by bob" contains "$work/audit.json" '"action": "void"'
check "audit: payment" contains "$work/audit.json" '"action": "payment"'
check "audit: config version" contains "$work/audit.json" "\"config_sha256\": \"$(sha256sum "$ws/rebill.toml" | cut -d' ' -f1)\""

# Corrections as notes: a restated October issues credit notes at once, numbered from the same
# sequence and linked to the invoices they correct; November carries nothing.
ws="$work/notes"
new_workspace "$ws"
sed -i 's/^payment_terms_days = 30$/&\ncorrections = "note"/' "$ws/rebill.toml"
"$rebill" -w "$ws" ingest "$scenario/input/2026-10.csv" "$scenario/input/2026-11.csv" >/dev/null
"$rebill" -w "$ws" run --period 2026-10 >/dev/null
check "notes: close" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" close --period 2026-10 --actor carol
"$rebill" -w "$ws" ingest "$scenario/restated/2026-10.csv" >/dev/null
check "notes: restated run" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" run --period 2026-10
check "notes: acme credit note" contains "$work/out.txt" "acme AmazonEC2: -20.00 USD correcting INV-2026-00002, issued as CN-2026-00003"
check "notes: globex credit note" contains "$work/out.txt" "globex VAT: -1.75 EUR correcting INV-2026-00001, issued as CN-2026-00004"
"$rebill" -w "$ws" statements --invoice CN-2026-00003 --format csv >"$work/note.csv"
check "notes: the credit note renders" contains "$work/note.csv" "final,CN-2026-00003,adjustment,AmazonEC2"
check "notes: linked to the invoice" contains "$work/note.csv" "-20.00,correction of INV-2026-00002"
check "statements of an unknown document" expect_exit 3 "$work/out.txt" "$rebill" -w "$ws" statements --invoice CN-2026-09999
check "statements with --invoice and --period" expect_exit 2 "$work/out.txt" "$rebill" -w "$ws" statements --invoice CN-2026-00003 --period 2026-10
check "notes: november" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" run --period 2026-11
"$rebill" -w "$ws" statements --period 2026-11 --format json >"$work/nov.json"
check "notes: november has no adjustment lines" lacks "$work/nov.json" '"kind": "adjustment"'
check "notes: november brings the notes forward" contains "$work/nov.json" '"balance_brought_forward": "1195.15"'
check "notes: diff since the previous run" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" diff --period 2026-11
check "notes: one run, nothing to compare" contains "$work/out.txt" "nothing to compare against yet"
check "notes: audit actor after the subcommand" expect_exit 0 "$work/out.txt" "$rebill" audit -w "$ws"
check "notes: audit names carol" contains "$work/out.txt" "carol  close 2026-10"
check "notes: adjustments audited" contains "$work/out.txt" "adjustment 2026-10  acme credit AmazonEC2"

# A bad number format is a configuration error naming the key.
ws="$work/badformat"
new_workspace "$ws"
sed -i 's/number_format = "INV-{year}-{seq:05}"/number_format = "INV-{year}"/' "$ws/rebill.toml"
check "bad number format" expect_exit 3 "$work/out.txt" "$rebill" -w "$ws" ingest "$scenario/input/2026-10.csv"
check "bad number format names the key" contains "$work/out.txt" "invoice.number_format: 'INV-{year}'"

# Two closes of different periods started at the same moment: both succeed, and the numbers
# are 1 to 4, each once.
ws="$work/race"
new_workspace "$ws"
"$rebill" -w "$ws" ingest "$scenario/input/2026-10.csv" "$scenario/input/2026-11.csv" >/dev/null
"$rebill" -w "$ws" run --period 2026-10 >/dev/null
"$rebill" -w "$ws" run --period 2026-11 >/dev/null
"$rebill" -w "$ws" close --period 2026-10 >"$work/race1.txt" 2>&1 &
first=$!
"$rebill" -w "$ws" close --period 2026-11 >"$work/race2.txt" 2>&1 &
second=$!
wait $first
check "concurrent close 1" test $? -eq 0
wait $second
check "concurrent close 2" test $? -eq 0
check "concurrent closes share one gapless sequence" test "$(documents "$ws" | cut -d' ' -f1 | sort | tr '\n' ' ')" = "INV-2026-00001 INV-2026-00002 INV-2026-00003 INV-2026-00004 "

finish
