# bench/lib.sh -- sourced by the benchmarks that start throw-away clusters of
# their own (advise.sh, idx_check_bench.sh, nodes.sh, whatif.sh): the server
# binaries, the user that runs them (postgres when started as root: initdb
# refuses root), and a private directory that cleanup removes.
#
#   bench_dir PREFIX        dir=/tmp/PREFIX.XXXXXX, owned by $user
#   bench_cleanup DATA...   stop the servers of $dir/DATA..., then remove
#                           $dir (kept, and said so, when keep=1)
#   results_section NAME FILE
#                           put FILE into bench/RESULTS.md between the
#                           markers <!-- NAME:begin --> and <!-- NAME:end -->
#                           (appended with them when they are not there)
bindir=$(pg_config --bindir)
user=$(id -un)
if [ "$(id -u)" -eq 0 ]; then
    user=postgres
fi
as_user() {
    if [ "$(id -un)" = "$user" ]; then "$@"; else runuser -u "$user" -- "$@"; fi
}
bench_dir() {
    dir=$(mktemp -d "/tmp/$1.XXXXXX")
    chown "$user" "$dir"
}
bench_cleanup() {
    local d
    for d in "$@"; do
        as_user "$bindir/pg_ctl" -D "$dir/$d" -m immediate stop >/dev/null 2>&1 || true
    done
    if [ "${keep:-0}" -eq 1 ]; then echo "kept: $dir" >&2; else rm -rf "$dir"; fi
}
results_section() {
    local results tmp
    results="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/RESULTS.md"
    tmp=$(mktemp)
    if grep -q "<!-- $1:begin -->" "$results"; then
        awk -v f="$2" -v b="<!-- $1:begin -->" -v e="<!-- $1:end -->" '
            index($0, b) { print; while ((getline l < f) > 0) print l; skip = 1; next }
            index($0, e) { skip = 0 }
            !skip' "$results" > "$tmp"
    else
        { cat "$results"; echo; echo "<!-- $1:begin -->"; cat "$2"; echo "<!-- $1:end -->"; } > "$tmp"
    fi
    cat "$tmp" > "$results"
    rm -f "$tmp"
}
