# index_advisor bench: the results table, RESULTS.md and the final check.
# Sourced by run.sh at the end of a run (uses its RES, OUT, get, ...).

fmt() {   # number [decimals] -> formatted, or "n/a"
    awk -v v="$1" -v d="${2:-1}" 'BEGIN { if (v == "NA" || v == "") print "n/a"; else printf "%.*f\n", d, v }'
}
secs() { awk -v v="$1" 'BEGIN { if (v == "NA" || v == "") print "n/a"; else printf "%.2f s\n", v / 1000 }'; }
# verdict value op limit -> met / missed / n/a
verdict() {
    awk -v v="$1" -v op="$2" -v l="$3" 'BEGIN {
        if (v == "NA" || v == "" || l == "NA" || l == "") { print "n/a"; exit }
        ok = (op == "<=") ? (v + 0 <= l + 0) : (op == "<") ? (v + 0 < l + 0) : (v + 0 == l + 0)
        print ok ? "**met**" : "**missed**" }'
}

# ---------------------------------------------------------------- tables
tables() {
    local n
    echo "### 1. Overhead: time from request to valid index (median of $RUNS interleaved runs each)"
    echo
    echo "Server time: psql \\timing of the CREATE INDEX CONCURRENTLY, or idx_history finished_at − requested_at. Wall: measured by the client around the whole psql call (for idx_apply: \`SELECT idx_apply(...)\` then \`CALL idx_wait(id)\`). A process that has built before builds faster than a new one, so each side is measured both ways: a new psql session against a new worker (none waiting for work), and a session that has built before against the worker that waits for work (index_advisor.worker_idle_timeout)."
    echo
    echo "| index on bench_t | size | CIC by hand, new session: server / wall | idx_apply + CALL idx_wait, new worker: history / wall (request → start) | ratio history / server | CIC by hand, session that built before: server | idx_apply + CALL idx_wait, waiting worker: history / wall (request → start) | ratio history / server | waiting worker, nobody waiting during the build: history (ratio) | goal ≤ 1.03 |"
    echo "|---|---|---|---|---|---|---|---|---|---|"
    for n in ab c; do
        local cols; [ $n = ab ] && cols="(a, b): int, int" || cols="(c): text"
        echo "| $cols | $(get ov.$n.size) | $(secs "$(get ov.$n.direct_server_ms)") / $(secs "$(get ov.$n.direct_wall_ms)") | $(secs "$(get ov.$n.new_history_ms)") / $(secs "$(get ov.$n.new_wall_ms)") ($(fmt "$(get ov.$n.new_queue_ms)" 0) ms) | $(fmt "$(get ov.$n.ratio_new_history)" 3) | $(secs "$(get ov.$n.direct_warm_ms)") | $(secs "$(get ov.$n.apply_history_ms)") / $(secs "$(get ov.$n.apply_wall_ms)") ($(fmt "$(get ov.$n.apply_queue_ms)" 0) ms) | $(fmt "$(get ov.$n.ratio_history)" 3) | $(secs "$(get ov.$n.poll_history_ms)") ($(fmt "$(get ov.$n.ratio_poll_history)" 3)) | new $(verdict "$(get ov.$n.ratio_new_history)" "<=" 1.03), waiting $(verdict "$(get ov.$n.ratio_history)" "<=" 1.03) |"
    done
    echo
    echo "### 2. Writes during a build: 4 pgbench clients, 50% INSERT / 50% UPDATE of bench_t at $RATE tx/s (synchronous_commit=$SYNC), ${SECS} s, build of \`CREATE INDEX ... ON bench_t $WL_INDEX\` from second $BUILD_AT"
    echo
    echo "| scenario | transactions | p50 ms | p99 ms | max ms | build ran (s) | build took | p99 ms while it ran | max ms while it ran | replica lag, max (kB / ms) | errors |"
    echo "|---|---|---|---|---|---|---|---|---|---|---|"
    local sc
    for sc in $WL_SCEN; do
        local span="—"
        [ "$(get wl.$sc.build_from_s)" != NA ] && span="$(get wl.$sc.build_from_s)–$(get wl.$sc.build_to_s)"
        [ "$(get wl.$sc.overran)" = 1 ] && span="$span (past the window)"
        local bp bm
        bp=$(get wl.$sc.build_p99_ms); bm=$(get wl.$sc.build_max_ms)
        case $sc in a|a2) bp=NA; bm=NA ;; esac
        local took="—"
        [ "$(get wl.$sc.build_s)" != NA ] && took="$(fmt "$(get wl.$sc.build_s)" 2) s"
        echo "| ${WL_LABEL[$sc]} | $(get wl.$sc.tx) | $(fmt "$(get wl.$sc.p50_ms)" 2) | $(fmt "$(get wl.$sc.p99_ms)" 2) | $(fmt "$(get wl.$sc.max_ms)" 1) | $span | $took | $(fmt "$bp" 2) | $(fmt "$bm" 1) | $(fmt "$(get wl.$sc.lag_max_kb)" 0) / $(fmt "$(get wl.$sc.lag_max_ms)" 0) | $(get wl.$sc.errors) |"
    done
    local lim base
    base=$(awk -v a="$(get wl.a.p99_ms)" -v b="$(get wl.a2.p99_ms)" 'BEGIN {
        if (a == "NA" || b == "NA") print "NA"; else print (a + 0 < b + 0) ? a : b }')
    lim=$(awk -v a="$base" 'BEGIN { if (a == "NA") print "NA"; else printf "%.3f", 1.5 * a }')
    echo
    echo "Latency is measured from each transaction's scheduled start (pgbench --rate), so time spent queued behind a blocked transaction counts. \"While it ran\": transactions in flight at any moment between the request (idx_apply / CREATE INDEX sent) and its completion (idx_wait / CREATE INDEX returned)."
    echo
    echo "Goal: p99 while the idx_apply build runs ≤ 1.5 × p99 without a build (baseline: the lower of (a) and (a′), $(fmt "$base" 2) ms; limit $(fmt "$lim" 2) ms): (b) $(verdict "$(get wl.b.build_p99_ms)" "<=" "$lim") ($(fmt "$(get wl.b.build_p99_ms)" 2) ms, over the whole run $(fmt "$(get wl.b.p99_ms)" 2) ms); (e) $(verdict "$(get wl.e.build_p99_ms)" "<=" "$lim") ($(fmt "$(get wl.e.build_p99_ms)" 2) ms). Zero errors: $(verdict "$(get wl.b.errors)" "==" 0)."
    echo
    local tlim
    tlim=$(awk -v a="$(get wl.b.build_s)" 'BEGIN { if (a == "NA") print "NA"; else printf "%.2f", 1.5 * a }')
    echo "The (h-...) rows run no build: for the same $HOG_S s, other processes at the lowest priorities Linux gives an unprivileged process. What they do to the writers is the floor of what any build can do at that priority on this machine."
    echo
    echo "Gentle builds (goal at low): p99 while the build runs ≤ 1.5 × p99 without a build ($(fmt "$lim" 2) ms): low $(verdict "$(get wl.l.build_p99_ms)" "<=" "$lim") ($(fmt "$(get wl.l.build_p99_ms)" 2) ms), idle $(verdict "$(get wl.i.build_p99_ms)" "<=" "$lim") ($(fmt "$(get wl.i.build_p99_ms)" 2) ms); build time ≤ 1.5 × the normal build's ($(fmt "$tlim" 2) s): low $(verdict "$(get wl.l.build_s)" "<=" "$tlim") ($(fmt "$(get wl.l.build_s)" 2) s), idle $(verdict "$(get wl.i.build_s)" "<=" "$tlim") ($(fmt "$(get wl.i.build_s)" 2) s). Replica lag: a streaming standby on the same machine, sampled every 0.5 s from pg_stat_replication (pg_current_wal_lsn() − replay_lsn, and replay_lag)."
    echo
    echo "### 3. Throughput: 8 indexes over 4 tables of $TPUT_ROWS rows, queued in one transaction, waited for by polling idx_history (median of 3 interleaved runs each)"
    echo
    echo "| server setting | max_workers = 1 | max_workers = 2 | ratio | builds seen at once (2) | goal ≤ 0.6 |"
    echo "|---|---|---|---|---|---|"
    echo "| defaults (max_parallel_maintenance_workers = 2) | $(secs "$(get tp.default.w1_ms)") | $(secs "$(get tp.default.w2_ms)") | $(fmt "$(get tp.default.ratio)" 3) | $(get tp.default.conc2) | $(verdict "$(get tp.default.ratio)" "<=" 0.6) |"
    echo "| max_parallel_maintenance_workers = 0 | $(secs "$(get tp.serial.w1_ms)") | $(secs "$(get tp.serial.w2_ms)") | $(fmt "$(get tp.serial.ratio)" 3) | $(get tp.serial.conc2) | $(verdict "$(get tp.serial.ratio)" "<=" 0.6) |"
    echo
    if [ $QUICK -eq 1 ]; then
        echo "### 4. idx_check() (quick: bench/idx_check_bench.sh --quick, a small database)"
    else
        echo "### 4. idx_check() on 10,000 indexes, 1,000 tracked with 3 queries each (bench/idx_check_bench.sh)"
    fi
    echo
    if [ "$(get chk.skipped)" = 1 ]; then
        echo "Not measured: bench/idx_check_bench.sh is not there yet."
    else
        echo "| figure (new session, nothing changed since the last check) | idx_check() | goal < 0.5 s (issue 23) |"
        echo "|---|---|---|"
        echo "| $(get chk.label) | $(fmt "$(get chk.ms)" 0) ms | $(verdict "$(get chk.ms)" "<" 500) |"
    fi
}

machine() {
    local model mem
    model=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo unknown)
    mem=$(free -g 2>/dev/null | awk '/^Mem:/ { print $2 " GiB RAM" }')
    echo "- Machine: $(nproc) CPU cores ($model), $mem, Linux $(uname -r)"
    [ -r /etc/debian_version ] && echo "- OS: Debian $(cat /etc/debian_version)"
    echo "- PostgreSQL $PG_VERSION_STR; cluster settings: shared_buffers=$SHARED_BUFFERS, max_worker_processes=16, max_wal_size=8GB, autovacuum=off, otherwise defaults (fsync on, maintenance_work_mem=64MB, max_parallel_maintenance_workers=2)"
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); run took $(get total_s) s; load average at start $(get load.start), at end $(get load.end) (other jobs shared the machine)"
    echo "- Sizes: bench_t $ROWS rows ($(get size.bench_t)); throughput tables 4 × $TPUT_ROWS rows; pgbench $SECS s at $RATE tx/s, synchronous_commit=$SYNC; $RUNS overhead runs per variant"
}

# ---------------------------------------------------------------- checks
# every number the table needs must be there (quick mode asserts only this)
REQUIRED=""
for n in ab c; do
    REQUIRED="$REQUIRED ov.$n.direct_server_ms ov.$n.direct_wall_ms ov.$n.apply_history_ms ov.$n.apply_wall_ms"
    REQUIRED="$REQUIRED ov.$n.ratio_history ov.$n.poll_history_ms ov.$n.ratio_poll_history ov.$n.direct_warm_ms"
    REQUIRED="$REQUIRED ov.$n.new_history_ms ov.$n.new_wall_ms ov.$n.ratio_new_history"
done
for sc in $WL_SCEN; do
    REQUIRED="$REQUIRED wl.$sc.p50_ms wl.$sc.p99_ms wl.$sc.max_ms wl.$sc.errors wl.$sc.tx"
    case $sc in a|a2) ;; *) REQUIRED="$REQUIRED wl.$sc.build_p99_ms wl.$sc.build_s" ;; esac
    REQUIRED="$REQUIRED wl.$sc.lag_max_kb wl.$sc.lag_max_ms"
done
REQUIRED="$REQUIRED tp.default.w1_ms tp.default.w2_ms tp.default.ratio tp.serial.w1_ms tp.serial.w2_ms tp.serial.ratio"
[ "$(get chk.skipped)" = 1 ] || REQUIRED="$REQUIRED chk.ms"
MISSING=""
for k in $REQUIRED; do
    v=$(get "$k")
    [[ "$v" =~ ^-?[0-9]+(\.[0-9]+)?$ ]] || MISSING="$MISSING $k"
done
[ -s "$OUT/write-latency.png" ] || MISSING="$MISSING write-latency.png"

TABLES=$(tables)
echo
echo "$TABLES"
echo

{
    echo "# index_advisor benchmark results"
    echo
    echo "Produced by \`bash bench/run.sh\` (full mode) on the machine below; raw data in \`bench/out/\` (not committed)."
    echo
    machine
    echo
    echo "$TABLES"
    echo
    echo "![write latency per second](write-latency.png)"
    if [ -r "$BENCH_DIR/NOTES.md" ]; then
        echo
        cat "$BENCH_DIR/NOTES.md"
    fi
    # the other benchmarks' sections (whatif.sh, advise.sh, nodes.sh: each
    # between its <!-- name:begin --> marker and the end), kept as they are
    if [ -r "$BENCH_DIR/RESULTS.md" ] && grep -q '^<!-- [a-z_]*:begin -->' "$BENCH_DIR/RESULTS.md"; then
        echo
        sed -n '/^<!-- [a-z_]*:begin -->/,$p' "$BENCH_DIR/RESULTS.md"
    fi
} > "$OUT/RESULTS.md"

rc=0
if [ -n "$STEP_FAILED" ]; then
    echo "FAILED steps:$STEP_FAILED (raw output in bench/out/)" >&2
    rc=1
fi
if [ -n "$MISSING" ]; then
    echo "MISSING numbers:$MISSING" >&2
    rc=1
fi
if [ $rc -eq 0 ]; then
    if [ $QUICK -eq 1 ]; then
        echo "quick mode: every step ran and produced numbers (raw output in bench/out/; RESULTS.md not updated)"
    else
        cp "$OUT/RESULTS.md" "$BENCH_DIR/RESULTS.md"
        cp "$OUT/write-latency.png" "$BENCH_DIR/write-latency.png"
        echo "wrote $BENCH_DIR/RESULTS.md and $BENCH_DIR/write-latency.png"
    fi
fi
exit $rc
