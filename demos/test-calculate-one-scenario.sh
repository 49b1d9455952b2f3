#!/bin/sh
# gtkloop-demo-calculate --self-test --mode=MODE --policy=POLICY tests that
# combination only: one scenario, in that mode under that policy, passed,
# and the screenshot shows that mode and policy.
#   Usage: test-calculate-one-scenario.sh DEMO FILE MODE POLICY
set -eu
here=$(dirname "$0")
demo=$1
png=$2
mode=$3
policy=$4

fail () {
  echo "test-calculate-one-scenario: $*" >&2
  exit 1
}

rm -f "$png"
status=0
out=$("$demo" --self-test --screenshot="$png" --mode="$mode" --policy="$policy") || status=$?
echo "$out"
[ "$status" -eq 0 ] || fail "the demo exited with status $status"
scenarios=$(echo "$out" | grep -F "] scenario: " || true)
[ "$(echo "$scenarios" | grep -c .)" -eq 1 ] || fail "expected one scenario, ran: $scenarios"
case $scenarios in
  *"(mode $mode, policy $policy)") ;;
  *) fail "ran the wrong scenario: $scenarios" ;;
esac
echo "$out" | grep -qF "PASS: ran 1 of 6 scenarios: mode $mode, policy $policy" || fail "no check that it ran"
echo "$out" | grep -qF "FAIL" && fail "a check failed"
echo "$out" | grep -qF "self-test passed" || fail "the self-test did not pass"
line=$(echo "$out" | grep -F "screenshot saved to $png (") || fail "no screenshot saved to $png"
case $line in
  *"showing mode $mode, policy $policy)") ;;
  *) fail "the screenshot shows another combination: $line" ;;
esac
size=$(echo "$line" | sed 's/.*(\([0-9]*x[0-9]*\), .*/\1/')
sh "$here/check-png-size.sh" "$png" "$size"
