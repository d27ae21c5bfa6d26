#!/bin/bash
# index_advisor: run every test (pg_regress, then TAP, then the benchmarks in
# quick mode) against real servers started for the purpose.  On a fresh
# Debian 12 machine, as root:
#     bash scripts/test.sh
set -euo pipefail
. "$(dirname "$0")/setup.sh" test

work=$(mktemp -d /tmp/index_advisor-test.XXXXXX)
cp -a "$IA_ROOT/." "$work/"
rm -rf "$work/.git" "$work/tmp_check" "$work/results"
[ "$(id -u)" -eq 0 ] && chown -R "$IA_USER" "$work"

passed=0
failed=0
status=0

echo "== layering: the file-level call graph has no cycle, the maps name every file (scripts/callgraph.sh)"
if bash "$IA_ROOT/scripts/callgraph.sh" >/dev/null; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); status=1
fi

echo "== house rules: no C function over 100 lines, no C file over 800, the name prefixes (scripts/house.sh)"
if bash "$IA_ROOT/scripts/house.sh"; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); status=1
fi

echo "== pg_regress (temporary instance)"
if as_user make -C "$work" -s installcheck-regress PG_CONFIG="$PG_BIN/pg_config" 2>&1 | tee "$work/regress.log"; then :; else status=1; fi
n=$(sed -n 's/.*All \([0-9]*\) tests passed.*/\1/p' "$work/regress.log")
if [ -n "$n" ]; then
    passed=$((passed + n))
else
    f=$(sed -n 's/.* \([0-9]*\) of \([0-9]*\) tests failed.*/\1 \2/p' "$work/regress.log")
    set -- $f
    failed=$((failed + ${1:-1})); passed=$((passed + ${2:-1} - ${1:-1}))
    status=1
    [ -f "$work/regression.diffs" ] && cat "$work/regression.diffs"
fi

echo "== TAP"
if as_user make -C "$work" -s installcheck-tap PG_CONFIG="$PG_BIN/pg_config" 2>&1 | tee "$work/tap.log"; then :; else status=1; fi
n=$(sed -n 's/^Files=[0-9]*, Tests=\([0-9]*\),.*/\1/p' "$work/tap.log")
f=$(grep -c '^not ok\|Failed test' "$work/tap.log" || true)
if grep -q '^Result: PASS' "$work/tap.log"; then
    passed=$((passed + ${n:-0}))
else
    status=1
    failed=$((failed + (f > 0 ? f : 1))); passed=$((passed + ${n:-0} - f))
    for log in "$work"/tmp_check/log/regress_log_*; do
        [ -f "$log" ] && { echo "---- $log (tail)"; tail -n 60 "$log"; }
    done
fi

echo "== benchmarks, quick mode (they must run and produce numbers; timings are not asserted)"
for b in run.sh idx_check_bench.sh; do
    if as_user "$work/bench/$b" --quick; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1)); status=1
    fi
done
# standbys: what each adds to idx_check() (bench/nodes.sh, doc/nodes.md)
if as_user "$work/bench/nodes.sh" --quick; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); status=1
fi

# idx_whatif against HypoPG (issue 9), quick mode: it must run and produce numbers
if as_user "$work/bench/whatif.sh" --quick; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); status=1
fi

# idx_advise vs an expert and the single-column baseline (issue 9), quick mode
if as_user "$work/bench/advise.sh" --quick; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); status=1
fi

# hidden indexes: what the planner filter costs pgbench -S (issue 21), quick mode
if as_user "$work/bench/hidden.sh" --quick; then
    passed=$((passed + 1))
else
    failed=$((failed + 1)); status=1
fi

[ $status -eq 0 ] && rm -rf "$work"
echo "index_advisor: $passed passed, $failed failed"
exit $status
