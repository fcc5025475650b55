# Shared by the CLI tests: a scratch folder, a fixed clock, and checks that count passes and
# failures and show the output of what failed. Source it after setting `set -uo pipefail`; end
# the test with `finish`.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export REBILL_NOW=2026-11-05T09:00:00Z
passed=0
failed=0

check() {  # check NAME CONDITION-COMMAND...
  local name=$1
  shift
  if "$@"; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "FAILED: $name" >&2
  fi
}

expect_exit() {  # expect_exit CODE OUTFILE COMMAND...
  local want=$1 out=$2
  shift 2
  "$@" >"$out" 2>&1
  local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "  '$*' exited $got, expected $want; output:" >&2
    sed 's/^/    /' "$out" >&2
    return 1
  fi
}

contains() { grep -qF -- "$2" "$1" || { echo "  '$1' lacks '$2':" >&2; sed 's/^/    /' "$1" | head -60 >&2; return 1; }; }

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
