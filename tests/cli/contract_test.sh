#!/usr/bin/env bash
# The command-line contract of DESIGN.md §6, checked on the real binary: --help everywhere, exit
# codes, errors that name the file and row, stores left unchanged by bad input, and the
# acceptance run on a real CUR from ../shared/data.
#   contract_test.sh REBILL SHARED_DATA
set -uo pipefail
rebill=$1
data=$2
# shellcheck source=tests/cli/testlib.sh
source "$(dirname "$0")/testlib.sh"

store_state() { (cd "$1" && sha256sum rebill.db* 2>/dev/null; find months -type f | sort); }

# --help on the binary and every subcommand.
for cmd in "" demo init ingest run statements reconcile margin allocate explain accounts "accounts import" \
  "accounts list" "accounts check" export import store "store check"; do
  check "help $cmd" expect_exit 0 "$work/help.txt" "$rebill" $cmd --help
  check "help $cmd text" contains "$work/help.txt" "Usage"
done

# Bad usage is exit 2.
check "unknown command" expect_exit 2 "$work/out.txt" "$rebill" frobnicate
check "run without period" expect_exit 2 "$work/out.txt" "$rebill" run
check "bad period" expect_exit 2 "$work/out.txt" "$rebill" run --period 2023-13
check "bad format" expect_exit 2 "$work/out.txt" "$rebill" statements --period 2023-11 --format xml

# Acceptance: the FinOps Foundation's anonymized CUR, no account mapped.
cur="$data/focus_converters/focus_converter_base/tests/provider_config_tests/aws/sample-anonymous-aws-export-dataset.csv"
ws="$work/ws"
check "init" expect_exit 0 "$work/out.txt" "$rebill" init "$ws"
check "init twice is a conflict" expect_exit 4 "$work/out.txt" "$rebill" init "$ws"
check "run before ingest" expect_exit 4 "$work/out.txt" "$rebill" -w "$ws" run --period 2023-11
check "run before ingest says why" contains "$work/out.txt" "nothing is ingested for 2023-11"
check "reconcile before run" expect_exit 4 "$work/out.txt" "$rebill" -w "$ws" reconcile --period 2023-11
check "ingest" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" ingest "$cur"
check "ingest summary rows" contains "$work/out.txt" "2023-11 payer 123412340534: 1281 lines, new"
check "ingest again is a no-op" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" ingest "$cur"
check "ingest again says unchanged" contains "$work/out.txt" "1281 lines, unchanged"
check "run" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" run --period 2023-11
check "reconcile" expect_exit 0 "$work/rec.json" "$rebill" -w "$ws" reconcile --period 2023-11 --format json
check "reconcile balanced" contains "$work/rec.json" '"balanced": true'
check "reconcile CUR total" contains "$work/rec.json" '"cur_total": "1.68230869740"'
check "reconcile all unassigned" contains "$work/rec.json" '"unassigned": "1.68230869740"'
check "reconcile no difference" contains "$work/rec.json" '"difference": "0.00000000000"'
check "margin json" expect_exit 0 "$work/margin.json" "$rebill" -w "$ws" margin --period 2023-11 --by customer --format json
check "margin json shape" contains "$work/margin.json" '"by": "customer"'
check "margin json waterfall" contains "$work/margin.json" '"waterfall": {'
check "margin json alerts" contains "$work/margin.json" '"kind": "unassigned_spend"'
check "margin html needs -o" expect_exit 2 "$work/out.txt" "$rebill" -w "$ws" margin --period 2023-11 --format html
check "margin html" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" margin --period 2023-11 --format html -o "$work/margin.html"
check "margin html has charts" contains "$work/margin.html" '<svg xmlns="http://www.w3.org/2000/svg"'
check "margin html loads nothing" bash -c "! grep -qE '<script|<link|<img|src=|href=' '$work/margin.html'"
check "margin range" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" margin --from 2023-11 --to 2023-11 --format csv
check "margin range without a run" expect_exit 4 "$work/out.txt" "$rebill" -w "$ws" margin --from 2023-11 --to 2023-12
check "margin range names the period" contains "$work/out.txt" "no run for 2023-12"
check "margin needs a period" expect_exit 2 "$work/out.txt" "$rebill" -w "$ws" margin
check "margin --period and --from" expect_exit 2 "$work/out.txt" "$rebill" -w "$ws" margin --period 2023-11 --from 2023-11 --to 2023-11

# Corrupted input: exit 3, the message names the file and row, the store is unchanged.
before=$(store_state "$ws")
head -c 20000 "$data/logzio-aws-cost-and-usage/tests/reports/test-billing-report-2.csv.gz" >"$work/truncated.csv.gz"
check "truncated gzip" expect_exit 3 "$work/out.txt" "$rebill" -w "$ws" ingest "$work/truncated.csv.gz"
check "truncated gzip names file" contains "$work/out.txt" "truncated.csv.gz"
sed '6s/,USD,\([^,]*\),\([^,]*\),/,USD,\1,12x5,/' "$cur" >"$work/bad-cost.csv"
check "non-numeric cost" expect_exit 3 "$work/out.txt" "$rebill" -w "$ws" ingest "$work/bad-cost.csv"
check "non-numeric cost names file" contains "$work/out.txt" "bad-cost.csv"
check "non-numeric cost names row" contains "$work/out.txt" "row 5"
check "missing file" expect_exit 3 "$work/out.txt" "$rebill" -w "$ws" ingest "$work/nope.csv"
after=$(store_state "$ws")
check "store unchanged after bad input" test "$before" = "$after"

# Configuration errors name the key: exit 3.
cat >>"$ws/rebill.toml" <<'TOML'
[[customer]]
id = "globex"
price_plan = "standard"
currency = "XYZ"
TOML
check "bad currency" expect_exit 3 "$work/out.txt" "$rebill" -w "$ws" run --period 2023-11
check "bad currency names key" contains "$work/out.txt" "customer[0].currency"

# The hierarchy: a split on a tag the month was ingested without asks for a re-ingest (exit 4).
cat >"$work/split.toml" <<'TOML'
[reseller]
name = "Split"
[[price_plan]]
id = "p"
rules = [{ scope = "global", type = "markup", percent = "0" }]
[[customer]]
id = "a"
price_plan = "p"
[[split]]
account = "123412340534"
tag = "user:Team"
values = { "x" = "a" }
untagged = "a"
TOML
ws2="$work/ws2"
"$rebill" init "$ws2" >/dev/null
"$rebill" -w "$ws2" ingest "$cur" >/dev/null
cp "$work/split.toml" "$ws2/rebill.toml"
check "split on a tag not ingested" expect_exit 4 "$work/out.txt" "$rebill" -w "$ws2" run --period 2023-11
check "split asks to re-ingest" contains "$work/out.txt" "ingest the month's files again"
check "re-ingest with the tag" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws2" ingest "$cur"
check "re-ingest replaced the month" contains "$work/out.txt" "1281 lines, replaced"
check "run after re-ingest" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws2" run --period 2023-11
check "accounts check" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws2" accounts check --period 2023-11
check "accounts check names untagged spend" contains "$work/out.txt" "user:Team=(untagged)  1.68230869740"
echo '{"Accounts": [{"Id": "12"}]}' >"$work/bad-org.json"
check "bad organization export" expect_exit 3 "$work/out.txt" "$rebill" -w "$ws2" accounts import "$work/bad-org.json"
check "bad organization export names the field" contains "$work/out.txt" "bad-org.json: Accounts[0].Id"

# The demo: exit 0, prints where the HTML and JSON statements are, and they exist.
check "demo" expect_exit 0 "$work/demo.txt" "$rebill" demo "$work/demo"
check "demo prints json" contains "$work/demo.txt" "$work/demo/out/2026-10/statements.json"
check "demo prints html" contains "$work/demo.txt" "$work/demo/out/2026-10/acme.html"
check "demo html exists" test -s "$work/demo/out/2026-10/acme.html"
check "demo html names customer" contains "$work/demo/out/2026-10/acme.html" "Acme Robotics"
check "demo balanced" contains "$work/demo.txt" "reconciliation: balanced"
check "statements html to a folder" expect_exit 0 "$work/out.txt" "$rebill" -w "$work/demo" statements --period 2026-10 --format html -o "$work/html"
check "statements html per customer" test -s "$work/html/globex.html"
check "unknown customer" expect_exit 3 "$work/out.txt" "$rebill" -w "$work/demo" statements --period 2026-10 --customer nobody

# A headerless Athena export ingests with the column list of its report.
labs="$data/aws-well-architected-labs/static/Cost/200_Licensing/Code"
if [ -f "$labs/AfterCUR.gz" ]; then
  "$rebill" init "$work/ws3" >/dev/null
  check "headerless without columns" expect_exit 3 "$work/out.txt" "$rebill" -w "$work/ws3" ingest "$labs/AfterCUR.gz"
  zcat "$labs/BeforeCUR.gz" | head -n 1 >"$work/columns.txt"
  check "headerless with columns" expect_exit 0 "$work/out.txt" "$rebill" -w "$work/ws3" ingest --format json --columns "$work/columns.txt" "$labs/AfterCUR.gz"
  check "headerless total" contains "$work/out.txt" '"unblended": "75.03232827890"'
fi

# S3 delivery layouts: koku's mirrored buckets (create-new layout, manifests at both levels).
koku="$data/koku/koku/masu/test/data"
if [ -f "$koku/test_local_bucket_prefix.tar.gz" ]; then
  mkdir -p "$work/koku/prefix" "$work/koku/local"
  tar -xzf "$koku/test_local_bucket_prefix.tar.gz" -C "$work/koku/prefix"
  tar -xzf "$koku/test_local_bucket.tar.gz" -C "$work/koku/local"
  "$rebill" init "$work/ws-koku" >/dev/null
  check "bucket ingest" expect_exit 0 "$work/out.txt" "$rebill" -w "$work/ws-koku" ingest --format json "$work/koku/prefix"
  check "bucket reads the assembly" contains "$work/out.txt" '"layout": "legacy-create-new"'
  check "bucket assembly id" contains "$work/out.txt" '"id": "861af42f-713c-4a42-9562-9158a7625630"'
  check "bucket rows" contains "$work/out.txt" '"rows_read": 6190'
  # The exact sum is 29684.780682464855373934184; 81 values carry 19+ fractional digits and are
  # rounded at 10^-18, so digits past the 17th may differ.
  check "bucket total" contains "$work/out.txt" '"unblended": "29684.78068246485537393'
  check "bucket warns of rounding" contains "$work/out.txt" "81 value(s) have more than 18 fractional digits"
  check "bucket again is a no-op" expect_exit 0 "$work/out.txt" "$rebill" -w "$work/ws-koku" ingest --format json "$work/koku/prefix"
  check "bucket again unchanged" contains "$work/out.txt" '"action": "unchanged"'
  # Rows of June and July in August's delivery are outside the manifest's period.
  before=$(store_state "$work/ws-koku")
  check "rows outside the delivery's period" expect_exit 3 "$work/out.txt" "$rebill" -w "$work/ws-koku" ingest "$work/koku/local"
  check "outside period names the row" contains "$work/out.txt" "koku-local-1.csv.gz: row 1, column bill/BillingPeriodStartDate: the row is for 2018-06, outside the delivery's billing period 2018-08"
  check "failed ingest leaves the store" test "$before" = "$(store_state "$work/ws-koku")"
  printf '\n[ingest]\nmax_rejected_percent = "100"\n' >>"$work/ws-koku/rebill.toml"
  check "rejects within the limit" expect_exit 0 "$work/out.txt" "$rebill" -w "$work/ws-koku" ingest --format json "$work/koku/local"
  check "rejects counted" contains "$work/out.txt" '"rows_rejected": 12604'
  check "rejects by kind" contains "$work/out.txt" '"outside period": 12604'
  check "accepted rows" contains "$work/out.txt" '"rows_accepted": 776'
  check "superseded manifest reported" contains "$work/out.txt" '"layout": "legacy-create-new"'
  check "ingest list" expect_exit 0 "$work/out.txt" "$rebill" -w "$work/ws-koku" ingest --list --format json
  check "ingest list second payer" contains "$work/out.txt" '"payer": "6568388779672"'
  check "ingest list status" contains "$work/out.txt" '"status": "estimated"'
  check "ingest list text" expect_exit 0 "$work/out.txt" "$rebill" -w "$work/ws-koku" ingest --list
  check "ingest list text delivery" contains "$work/out.txt" "legacy-create-new 16e57707-f9e3-49be-8be6-b84e684b5194"
  # A progress bar on a terminal, none otherwise.
  check "no progress bar off a terminal" expect_exit 0 "$work/out.txt" "$rebill" -w "$work/ws-koku" ingest "$work/koku/local"
  check "no progress bar text" test -z "$(grep -F 'ETA' "$work/out.txt")"
  if command -v script >/dev/null; then
    script -qc "'$rebill' -w '$work/ws-koku' ingest '$work/koku/local'" /dev/null >"$work/tty.txt" 2>&1
    check "progress bar on a terminal" contains "$work/tty.txt" "ETA"
  fi
  sed -i 's/max_rejected_percent = "100"/max_rejected_percent = "50"/' "$work/ws-koku/rebill.toml"
  check "rejects over the limit" expect_exit 3 "$work/out.txt" "$rebill" -w "$work/ws-koku" ingest "$work/koku/local"
  check "rejects over the limit says so" contains "$work/out.txt" "12604 of 13380 rows were rejected, more than ingest.max_rejected_percent = 50%"
  # A manifest that lists a file the mirror lacks.
  rm "$work/koku/prefix"/my-prefix/my-report/20180801-20180901/*/my-report-1.csv.gz
  check "missing listed file" expect_exit 3 "$work/out.txt" "$rebill" -w "$work/ws-koku" ingest "$work/koku/prefix"
  check "missing listed file named" contains "$work/out.txt" "lists 'my-prefix/my-report/20180801-20180901/861af42f-713c-4a42-9562-9158a7625630/my-report-1.csv.gz'"
fi

# A legacy CUR delivered as .csv.zip reads like the CSV inside it.
sample="$data/koku/koku/masu/test/data/aws/2023-06-01.csv"
if [ -f "$sample" ] && command -v zip >/dev/null; then
  (cd "$(dirname "$sample")" && zip -q "$work/cur-00001.csv.zip" "$(basename "$sample")")
  "$rebill" init "$work/ws-zip" >/dev/null
  check "zip ingest" expect_exit 0 "$work/zip.txt" "$rebill" -w "$work/ws-zip" ingest --format json "$work/cur-00001.csv.zip"
  check "zip format" contains "$work/zip.txt" '"format": "legacy-cur-csv.zip"'
  "$rebill" init "$work/ws-csv" >/dev/null
  "$rebill" -w "$work/ws-csv" ingest --format json "$sample" >"$work/csv.txt"
  check "zip totals equal the csv's" test "$(grep -A4 '"totals"' "$work/zip.txt")" = "$(grep -A4 '"totals"' "$work/csv.txt")"
fi

# Legacy CUR as Parquet: the workshop exports ingest with their README totals; a damaged file
# is refused naming it, the row group and the column, and leaves the workspace untouched.
workshop="$data/aws-well-architected-labs/static/Cost/200_4_Cost_and_Usage_Analysis/Code"
if [ -f "$workshop/Dec2018-WorkshopCUR-00001.snappy.parquet" ]; then
  "$rebill" init "$work/ws-parquet" >/dev/null
  check "parquet ingest" expect_exit 0 "$work/out.txt" "$rebill" -w "$work/ws-parquet" ingest --format json "$workshop/Dec2018-WorkshopCUR-00001.snappy.parquet"
  check "parquet format" contains "$work/out.txt" '"format": "legacy-cur-parquet"'
  check "parquet total" contains "$work/out.txt" '"unblended": "408.3759924354"'
  python3 - "$workshop/Dec2018-WorkshopCUR-00001.snappy.parquet" "$work/damaged.parquet" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[418843:418903] = b"\xff" * 60  # in line_item_unblended_cost's first page
open(sys.argv[2], "wb").write(data)
PY
  check "damaged parquet" expect_exit 3 "$work/out.txt" "$rebill" -w "$work/ws-parquet" ingest "$work/damaged.parquet"
  check "damaged parquet names the place" contains "$work/out.txt" "damaged.parquet: row group 0, column"
fi

# explain walks a statement line back to the CUR rows, policy and rule.
check "explain" expect_exit 0 "$work/out.txt" "$rebill" -w "$work/demo" explain --period 2026-10 --customer acme --service AmazonEC2
check "explain names the rows" contains "$work/out.txt" "31 SavingsPlanCoveredUsage rows of account 111111111111"
check "explain names the policy and rule" contains "$work/out.txt" "by pro-rata; priced"
check "explain json" expect_exit 0 "$work/out.txt" "$rebill" -w "$work/demo" explain --period 2026-10 --customer globex --format json
check "explain json matches the run" contains "$work/out.txt" '"matches_latest_run": true'
check "explain unknown customer" expect_exit 3 "$work/out.txt" "$rebill" -w "$work/demo" explain --period 2026-10 --customer nobody

# The store: check, export, import (portable moves between backends are tests/store/).
check "store check" expect_exit 0 "$work/out.txt" "$rebill" -w "$work/demo" store check
check "store check says ok" contains "$work/out.txt" "store ok"
check "export" expect_exit 0 "$work/out.txt" "$rebill" -w "$work/demo" export -o "$work/store.jsonl"
check "export header" contains "$work/store.jsonl" '{"rebill_export":1,"schema_version":'
check "import into a used store" expect_exit 4 "$work/out.txt" "$rebill" -w "$work/demo" import "$work/store.jsonl"
check "import into a used store says so" contains "$work/out.txt" "is not empty"
"$rebill" init "$work/ws4" >/dev/null
check "import a non-export" expect_exit 3 "$work/out.txt" "$rebill" -w "$work/ws4" import "$work/demo/rebill.toml"
check "import a non-export names the file" contains "$work/out.txt" "rebill.toml:1: not a rebill export"
cp -a "$work/demo/months" "$work/ws4/"
check "import" expect_exit 0 "$work/out.txt" "$rebill" -w "$work/ws4" import "$work/store.jsonl"
check "imported store is sound" expect_exit 0 "$work/out.txt" "$rebill" -w "$work/ws4" store check
rm -r "$work/ws4/months"
check "missing month files are a problem" expect_exit 4 "$work/out.txt" "$rebill" -w "$work/ws4" store check
check "missing month files are named" contains "$work/out.txt" "cannot open the normalized month"
check "unknown store scheme" expect_exit 2 "$work/out.txt" "$rebill" -w "$work/demo" --store mysql://db/rebill store check
check "unreachable postgres" expect_exit 1 "$work/out.txt" "$rebill" -w "$work/demo" --store "postgresql://rebill@/rebill?host=$work/no-such-socket" store check
check "unreachable postgres says so" contains "$work/out.txt" "cannot connect to the PostgreSQL store"

finish
