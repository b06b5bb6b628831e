#!/usr/bin/env bash
# The long hostile-input runs (issue 8), outside the default test run: 10,000 API bodies, and the ID parser
# and amount formatter property tests at 10,000 cases each, the Excel importer at a tenth of that (each case is
# a workbook). Usage: bash scripts/fuzz.sh [EXAMPLES]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
WARMTH_FUZZ_EXAMPLES="$n" uv run pytest -p no:cacheprovider -n 0 -q tests/test_fuzz_api.py \
  tests/core/test_idcard.py tests/core/test_money.py tests/archives/test_import_fuzz.py --hypothesis-seed=0 \
  -o addopts="" --hypothesis-show-statistics 2>&1 | grep -E "passed|failed|Stopped because|runtimes|test_" || true
