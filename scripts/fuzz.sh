#!/usr/bin/env bash
# Runs the seeded fuzz tests (tests/Atelier.Tests/Fuzzing) with many cases per parser and prints, per parser, the
# number of cases and of failures (a failure: any exception but the parser's documented one; the test output
# lists each with its case seed, to rerun alone with ATELIER_FUZZ_ONLY=<seed>).
# Usage: scripts/fuzz.sh [CASES_PER_PARSER (default 200000)] [BASE_SEED (default 20261201)]
# A time limit (seconds, default 300) stops a run that takes too long: FUZZ_TIME_LIMIT=600 scripts/fuzz.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-200000}"
seed="${2:-20261201}"
limit="${FUZZ_TIME_LIMIT:-300}"
report="$(mktemp)"
log="$(mktemp)"
trap 'rm -f "$report"' EXIT

dotnet build Atelier.sln -c Release --nologo -v quiet >/dev/null
echo "fuzzing with $cases cases per parser, base seed $seed, at most ${limit} s"
status=0
ATELIER_FUZZ_CASES="$cases" ATELIER_FUZZ_SEED="$seed" ATELIER_FUZZ_REPORT="$report" \
  timeout "$limit" dotnet test Atelier.sln -c Release --no-build --nologo --filter "FullyQualifiedName~Atelier.Tests.Fuzzing" >"$log" 2>&1 || status=$?
cat "$report"
if [ "$status" -eq 124 ]; then
  echo "stopped after ${limit} s; parsers not listed above did not finish (fewer cases: scripts/fuzz.sh N)"
fi
if grep -q "case seed" "$log"; then
  echo "failing cases:"
  grep "case seed" "$log"
fi
echo "full test output: $log"
exit "$status"
