#!/bin/bash
# index_advisor: run every test (pg_regress, then TAP) against real servers
# started for the purpose.  On a fresh Debian 12 machine, as root:
#     bash scripts/test.sh
set -euo pipefail
. "$(dirname "$0")/setup.sh"

work=$(mktemp -d /tmp/index_advisor-test.XXXXXX)
cp -a "$IA_ROOT/." "$work/"
rm -rf "$work/.git" "$work/tmp_check" "$work/results"
[ "$(id -u)" -eq 0 ] && chown -R "$IA_USER" "$work"

status=0
echo "== pg_regress (temporary instance)"
as_user make -C "$work" -s installcheck-regress PG_CONFIG="$PG_BIN/pg_config" || status=1
if [ $status -ne 0 ] && [ -f "$work/regression.diffs" ]; then
    cat "$work/regression.diffs"
fi
echo "== TAP"
as_user make -C "$work" -s installcheck-tap PG_CONFIG="$PG_BIN/pg_config" || status=1
if [ $status -ne 0 ]; then
    for f in "$work"/tmp_check/log/regress_log_*; do
        [ -f "$f" ] && { echo "---- $f (tail)"; tail -n 60 "$f"; }
    done
fi
echo "== bench (quick mode, numbers only)"
if [ -x "$work/bench/run.sh" ]; then
    as_user "$work/bench/run.sh" --quick || status=1
fi
if [ -x "$work/bench/idx_check_bench.sh" ]; then
    as_user "$work/bench/idx_check_bench.sh" --quick || status=1
fi
[ $status -eq 0 ] && rm -rf "$work"
exit $status
