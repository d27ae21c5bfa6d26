# bench/lib.sh -- sourced by the benchmarks that start throw-away clusters of
# their own (advise.sh, idx_check_bench.sh, nodes.sh, whatif.sh): the server
# binaries, the user that runs them (postgres when started as root: initdb
# refuses root), and a private directory that cleanup removes.
#
#   bench_dir PREFIX        dir=/tmp/PREFIX.XXXXXX, owned by $user
#   bench_cleanup DATA...   stop the servers of $dir/DATA..., then remove
#                           $dir (kept, and said so, when keep=1)
#   nodes_primary TABLES    a primary in $dir/p (port 5432 on the private
#                           socket $dir) with the extension, TABLES tables of
#                           10 indexes each, all tracked (history rows
#                           inserted directly, no stored queries); psql_
#                           runs psql there (on port $port when set)
#   nodes_standbys          two streaming standbys of it, s1 (port 5433) and
#                           s2 (5434), named so in pg_stat_replication
#   warm_start              one psql session on the primary kept open
#                           (coproc WARM; kill $WARM_PID when done):
#                           "warm_sql SQL" runs SQL there and prints its
#                           \timing in ms, "new_sql SQL" the same in a new
#                           session
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
psql_() { as_user "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$dir" -p "${port:-5432}" -d postgres "$@"; }
nodes_primary() {
    local t c
    as_user "$bindir/initdb" -D "$dir/p" -A trust >/dev/null
    cat >> "$dir/p/postgresql.conf" <<EOC
listen_addresses = ''
unix_socket_directories = '$dir'
port = 5432
fsync = off
max_wal_senders = 5
wal_level = replica
EOC
    as_user "$bindir/pg_ctl" -D "$dir/p" -l "$dir/p.log" -w start >/dev/null
    psql_ -c "CREATE EXTENSION index_advisor" 2>/dev/null
    {
        for ((t = 1; t <= $1; t++)); do
            echo "CREATE TABLE n_$t (c0 int, c1 int, c2 int, c3 int, c4 int, c5 int, c6 int, c7 int, c8 int, c9 int);"
            echo "INSERT INTO n_$t SELECT g, g, g, g, g, g, g, g, g, g FROM generate_series(1, 100) g;"
            for ((c = 0; c < 10; c++)); do echo "CREATE INDEX n_${t}_c${c}_idx ON n_$t (c$c);"; done
        done
        echo "INSERT INTO idx_history (operation, schema_name, table_name, index_name,"
        echo "    definition, status, role_oid, login_role_oid, search_path,"
        echo "    requested_at, finished_at, table_oid, index_oid, index_table_oid)"
        echo "SELECT 'create', 'public', c.relname, i.relname, 'CREATE INDEX', 'done', 10, 10, 'public',"
        echo "    now(), now(), c.oid, i.oid, c.oid"
        echo "  FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class c ON c.oid = x.indrelid"
        echo " WHERE c.relname LIKE 'n\\_%';"
    } > "$dir/setup.sql"
    psql_ -f "$dir/setup.sql"
}
nodes_standbys() {
    local n p=5433
    for n in s1 s2; do
        as_user "$bindir/pg_basebackup" -h "$dir" -p 5432 -D "$dir/$n" -R -X stream >/dev/null
        printf "port = %s\ncluster_name = '%s'\n" "$p" "$n" >> "$dir/$n/postgresql.conf"
        echo "primary_conninfo = 'host=$dir port=5432 application_name=$n'" >> "$dir/$n/postgresql.auto.conf"
        as_user "$bindir/pg_ctl" -D "$dir/$n" -l "$dir/$n.log" -w start >/dev/null
        p=$((p + 1))
    done
}
ms() { sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'; }
warm_start() {
    coproc WARM { as_user "$bindir/psql" -X -q -At -h "$dir" -p 5432 -d postgres 2>&1; }
    printf '%s\n' '\timing on' >&"${WARM[1]}"
}
warm_sql() {
    printf '%s\n' "$1" '\echo __done__' >&"${WARM[1]}"
    local line t=""
    while IFS= read -r line <&"${WARM[0]}"; do
        case $line in
            Time:*) t=${line#Time: }; t=${t%% *} ;;
            __done__) break ;;
        esac
    done
    echo "$t"
}
new_sql() { psql_ -At -c '\timing on' -c "$1" | ms; }
