#!/bin/bash
# fuzz.sh -- the full sqlsmith fuzz run (issue 19): test/t/175_fuzz_sqlsmith.pl
# with more seeds than CI runs, core files allowed, and its summary printed.
#
#   bench/fuzz.sh [--seeds FIRST-LAST] [--per-seed N] [--explain-indexes N] [--keep]
#
# Default: seeds 1-40 x 500 statements = 20,000 statements, each fed to
# idx_whatif, idx_advise and idx_apply's check, then in batches to
# idx_advise(max_indexes => 100), and 5 indexes per role with 100 stored
# queries each to idx_explain(analyze), with random cancels (the test file's
# header says how).  CI runs the same file with seeds 1-4 (2,000
# statements, about 2 minutes on 2 cores); this runs ten times that.
#
# The extension must be installed into the PostgreSQL whose pg_config is
# $PG_CONFIG (default: the one on PATH), and sqlsmith must be installed
# (Debian package sqlsmith).  The tree is copied to a temporary directory
# owned by the user that runs the servers (postgres when started as root:
# initdb refuses root).  The server may write core files (ulimit -c
# unlimited, core_pattern permitting); the test prints a backtrace of each
# (gdb) and lists every crash with the call that caused it.  Writes the
# summary to bench/out/fuzz.txt; exits 1 if a backend crashed.  --keep keeps
# the temporary directory (the TAP cluster's data directory, its log, the
# crashing calls in tmp_check/log/175_fuzz_crashes.sql and the requests
# idx_explain ran on in 175_fuzz_explain_requests.sql).
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$bench_dir/.." && pwd)
seeds=1-40
per_seed=500
explain_indexes=5
keep=0
while [ $# -gt 0 ]; do
    case "$1" in
    --seeds) seeds=$2; shift 2 ;;
    --per-seed) per_seed=$2; shift 2 ;;
    --explain-indexes) explain_indexes=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--seeds FIRST-LAST] [--per-seed N] [--explain-indexes N] [--keep]" >&2; exit 2 ;;
    esac
done
PG_CONFIG=${PG_CONFIG:-pg_config}
command -v sqlsmith >/dev/null || { echo "fuzz.sh: sqlsmith is not installed (apt-get install sqlsmith)" >&2; exit 2; }

user=$(id -un)
[ "$(id -u)" -eq 0 ] && user=postgres
as_user() {
    if [ "$(id -un)" = "$user" ]; then "$@"; else runuser -u "$user" -- "$@"; fi
}

work=$(mktemp -d /tmp/index_advisor-fuzz.XXXXXX)
(cd "$root" && tar cf - --exclude=.git --exclude=tmp_check --exclude=results --exclude=bench/out .) | tar xf - -C "$work"
chown -R "$user" "$work"
mkdir -p "$bench_dir/out"
summary=$work/summary.txt

ulimit -c unlimited 2>/dev/null || echo "fuzz.sh: core files not allowed here (ulimit -c): no backtraces" >&2
start=$(date +%s)
status=0
as_user env FUZZ_SEEDS="$seeds" FUZZ_PER_SEED="$per_seed" FUZZ_EXPLAIN_INDEXES="$explain_indexes" \
    FUZZ_MAX_CRASHES=100 FUZZ_SUMMARY="$summary" PG_TEST_TIMEOUT_DEFAULT=600 \
    make -C "$work" -s installcheck-tap PG_CONFIG="$PG_CONFIG" PROVE_TESTS=test/t/175_fuzz_sqlsmith.pl \
    > "$work/tap.out" 2>&1 || status=1
secs=$(( $(date +%s) - start ))

{
    echo "bench/fuzz.sh --seeds $seeds --per-seed $per_seed --explain-indexes $explain_indexes: ${secs} s on $(nproc) cores, $(date -u +%Y-%m-%d)"
    if [ -f "$summary" ]; then cat "$summary"; else echo "(no summary: the test did not get that far)"; fi
    grep -A12 '^# backtrace of' "$work/tmp_check/log/regress_log_175_fuzz_sqlsmith" 2>/dev/null || true
} | tee "$bench_dir/out/fuzz.txt"
tail -n 5 "$work/tap.out"

if [ "$keep" -eq 1 ] || [ "$status" -ne 0 ]; then
    echo "kept: $work"
else
    rm -rf "$work"
fi
exit $status
