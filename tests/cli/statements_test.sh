#!/usr/bin/env bash
# Statements as a customer receives them, checked with real readers: PDFs with poppler
# (pdftotext, pdffonts), HTML in headless Chromium with the network cut off. Also the header
# keys' configuration errors and the per-customer detail export.
#   statements_test.sh REBILL
# A reader that is not installed skips its checks with a message; scripts/install-deps installs
# them all.
set -uo pipefail
rebill=$1
# shellcheck source=tests/cli/testlib.sh
source "$(dirname "$0")/testlib.sh"

lacks() { ! grep -qE -- "$2" "$1" || { echo "  '$1' has '$2':" >&2; grep -E -- "$2" "$1" | head >&2; return 1; }; }

# A statement's total from the stored JSON, e.g. "1234.56".
total_of() {  # total_of CUSTOMER
  "$rebill" -w "$ws" statements --period 2026-10 --customer "$1" --format json |
    sed -n 's/^      "total": "\(.*\)",$/\1/p'
}
# 1234567.89 -> 1,234,567.89 (en) or 1.234.567,89 (de).
group() {  # group AMOUNT THOUSANDS DECIMAL
  local int=${1%.*} frac=${1#*.} sign=""
  [ "${int:0:1}" = "-" ] && sign="-" && int=${int:1}
  while [[ $int =~ ^([0-9]+)([0-9]{3})(.*)$ ]]; do
    int="${BASH_REMATCH[1]}$2X${BASH_REMATCH[2]}${BASH_REMATCH[3]}"
    int=${int//$2X/$2}
  done
  echo "$sign$int$3$frac"
}

ws="$work/demo"
check "demo" expect_exit 0 "$work/demo.txt" "$rebill" demo "$ws"
check "demo writes PDFs" contains "$work/demo.txt" "$ws/out/2026-10/acme.pdf"
check "statements pdf help" expect_exit 0 "$work/out.txt" "$rebill" statements --help
check "help names pdf" contains "$work/out.txt" "pdf"
check "help names --detail" contains "$work/out.txt" "--detail"

# PDF: one per customer in a folder, or one file with --customer.
check "pdf to a folder" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" statements --period 2026-10 --format pdf -o "$work/pdf"
check "pdf without -o for several customers" expect_exit 3 "$work/out.txt" "$rebill" -w "$ws" statements --period 2026-10 --format pdf
check "pdf -o file" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" statements --period 2026-10 --customer acme --format pdf -o "$work/acme-again.pdf"
check "a statement re-renders byte for byte" cmp "$work/pdf/acme.pdf" "$work/acme-again.pdf"
check "pdf is a PDF" contains "$work/pdf/globex.pdf" "%PDF-1.5"

if command -v pdftotext >/dev/null && command -v pdffonts >/dev/null; then
  pdftotext -enc UTF-8 "$work/pdf/acme.pdf" "$work/acme.txt"
  pdftotext -enc UTF-8 "$work/pdf/globex.pdf" "$work/globex.txt"
  pdftotext -enc UTF-8 "$work/pdf/initech.pdf" "$work/initech.txt"
  acme_total=$(total_of acme)
  globex_total=$(total_of globex)
  initech_total=$(total_of initech)
  check "acme pdf names the customer" contains "$work/acme.txt" "Acme Robotics"
  check "acme pdf is a draft" contains "$work/acme.txt" "DRAFT"
  check "acme pdf total in English" contains "$work/acme.txt" "\$$(group "$acme_total" , .)"
  check "acme pdf names the issuer's tax id" contains "$work/acme.txt" "Tax ID DE123456789"
  check "globex pdf names the customer" contains "$work/globex.txt" "Globex Deutschland GmbH"
  check "globex pdf is a German draft" contains "$work/globex.txt" "ENTWURF"
  check "globex pdf total in German" contains "$work/globex.txt" "$(group "$globex_total" . ,) \$"
  check "globex pdf period in German" contains "$work/globex.txt" "Oktober 2026"
  check "initech pdf names the customer in Chinese" contains "$work/initech.txt" "艾尼泰克（上海）信息技术有限公司"
  check "initech pdf is a Chinese draft" contains "$work/initech.txt" "草稿"
  check "initech pdf total" contains "$work/initech.txt" "US\$$(group "$initech_total" , .)"
  pdffonts "$work/pdf/initech.pdf" >"$work/fonts.txt"
  check "initech pdf embeds a CJK font" contains "$work/fonts.txt" "NotoSansCJK"
  # Every font row says "yes" in the emb column.
  check "every font is embedded" bash -c "tail -n +3 '$work/fonts.txt' | awk '{ if (\$(NF-4) != \"yes\") exit 1 }'"
else
  echo "SKIPPED: PDF text checks; pdftotext/pdffonts (Debian poppler-utils) are not installed" >&2
fi

# HTML: one file, nothing to load; Chromium renders it with every host unresolvable.
check "html to a folder" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" statements --period 2026-10 --format html -o "$work/html"
for c in acme globex initech; do
  check "$c html loads nothing" lacks "$work/html/$c.html" 'https?:|<script|<link|@import|url\(|src="[^d]'
done
chromium_bin=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$chromium_bin" ]; then
  for c in acme globex; do
    timeout 120 "$chromium_bin" --headless --no-sandbox --disable-gpu --no-first-run \
      --disable-background-networking --disable-component-update --disable-sync \
      --host-resolver-rules="MAP * ~NOTFOUND" --user-data-dir="$work/chromium" \
      --dump-dom "file://$work/html/$c.html" >"$work/$c.dom" 2>"$work/chromium.log"
    check "chromium renders $c" test -s "$work/$c.dom"
  done
  check "chromium dom names acme" contains "$work/acme.dom" "Acme Robotics"
  check "chromium dom has acme's total" contains "$work/acme.dom" "\$$(group "$(total_of acme)" , .)"
  check "chromium dom is German for globex" contains "$work/globex.dom" "Gesamtbetrag USD"
  check "chromium dom has the charts" contains "$work/globex.dom" "<svg"
else
  echo "SKIPPED: HTML rendering check; chromium is not installed" >&2
fi

# Branding: a PNG logo is embedded; bad values are configuration errors naming the key.
# A 1x1 PNG.
echo "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==" |
  base64 -d >"$ws/logo.png"
cp "$ws/rebill.toml" "$work/rebill.toml.orig"
sed -i 's/^paper = "A4"$/paper = "Letter"\nlogo = "logo.png"/' "$ws/rebill.toml"
check "run with a logo" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" run --period 2026-10
check "html with the logo" expect_exit 0 "$work/logo.html" "$rebill" -w "$ws" statements --period 2026-10 --customer acme --format html
check "logo is a data URI" contains "$work/logo.html" 'src="data:image/png;base64,iVBORw0KGgo'
check "pdf with the logo" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" statements --period 2026-10 --customer acme --format pdf -o "$work/logo.pdf"
if command -v pdfinfo >/dev/null; then
  pdfinfo "$work/logo.pdf" >"$work/info.txt"
  check "letter paper" contains "$work/info.txt" "612 x 792 pts (letter)"
fi
sed -i 's/^accent_colour = .*/accent_colour = "green"/' "$ws/rebill.toml"
check "bad colour" expect_exit 3 "$work/out.txt" "$rebill" -w "$ws" run --period 2026-10
check "bad colour names the key" contains "$work/out.txt" "reseller.accent_colour: 'green' is not a colour"
cp "$work/rebill.toml.orig" "$ws/rebill.toml"
sed -i 's/^paper = "A4"$/logo = "missing.png"/' "$ws/rebill.toml"
check "missing logo" expect_exit 3 "$work/out.txt" "$rebill" -w "$ws" run --period 2026-10
check "missing logo names the key" contains "$work/out.txt" "reseller.logo: cannot read"
cp "$work/rebill.toml.orig" "$ws/rebill.toml"
sed -i 's/^language = "de"$/language = "fr"/' "$ws/rebill.toml"
check "unknown language" expect_exit 3 "$work/out.txt" "$rebill" -w "$ws" run --period 2026-10
check "unknown language names the key" contains "$work/out.txt" "customer[1].language: 'fr' is not a statement language"
cp "$work/rebill.toml.orig" "$ws/rebill.toml"
check "run again" expect_exit 0 "$work/out.txt" "$rebill" -w "$ws" run --period 2026-10

# The detail export: the customer's lines at their prices, in rebill's and FOCUS's columns.
check "detail csv" expect_exit 0 "$work/detail.csv" "$rebill" -w "$ws" statements --period 2026-10 --customer acme --detail --format csv
check "detail csv header" contains "$work/detail.csv" "period,customer,currency,kind,category,payer_account,usage_account,service"
check "detail csv is acme's" lacks "$work/detail.csv" '^2026-10,(globex|initech),'
check "detail focus" expect_exit 0 "$work/focus.csv" "$rebill" -w "$ws" statements --period 2026-10 --customer acme --detail --format focus -o "$work/focus-file.csv"
check "detail focus file" contains "$work/focus-file.csv" "BilledCost,EffectiveCost,ListCost,ContractedCost"
check "detail focus columns" contains "$work/focus-file.csv" "BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart"
check "detail focus names services" contains "$work/focus-file.csv" "Amazon Elastic Compute Cloud,111111111111"
check "detail focus has the tax" contains "$work/focus-file.csv" ",Tax,"
check "detail needs a customer" expect_exit 2 "$work/out.txt" "$rebill" -w "$ws" statements --period 2026-10 --detail --format csv
check "focus needs detail" expect_exit 2 "$work/out.txt" "$rebill" -w "$ws" statements --period 2026-10 --format focus
check "detail of an unknown customer" expect_exit 3 "$work/out.txt" "$rebill" -w "$ws" statements --period 2026-10 --customer nobody --detail --format csv

finish
