# idx_advise_workload() on what pg_stat_statements really stores
# (doc/advisor.md, "idx_advise_workload"): the statements are run with
# literals, 20 times each, on a server with pg_stat_statements (and
# pg_qualstats) preloaded; the workload path then reads their normalised
# texts and must
#  1. advise on every one of them: typed literals recorded as
#     "interval $3", "date $1", "timestamptz $2" (not valid SQL as they
#     stand), "current_date + $2" (date + unknown: operator is not unique),
#     casts of literals, IN lists, LIMIT, "= ANY(ARRAY[$1, $2])" (text[]
#     with unknown elements), "due > current_date + $1" (date + date is
#     taken), "extract($1 from x)"; the last is planned, though no index
#     serves it (the "nothing" reasons name it); "total > -5", whose
#     constant pg_qualstats prints as (-5)::numeric;
#  2. list each statement it still skips with its reason;
#  3. plan "status = $1" with the constant the application really sends
#     (pg_qualstats), so a rare status still gets its partial index;
#  4. propose only indexes some statement's plan uses.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('advise_pgss');
$node->init;
$node->append_conf('postgresql.conf',
    "shared_preload_libraries = 'pg_stat_statements, pg_qualstats'\n"
  . "max_worker_processes = 16\n"
  . "pg_qualstats.sample_rate = 1\n"
  . "pg_qualstats.track_constants = on\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION index_advisor;
    CREATE EXTENSION pg_stat_statements;
    CREATE EXTENSION pg_qualstats;
    CREATE TABLE wo (id int PRIMARY KEY, customer_id int NOT NULL,
                     status text NOT NULL, created_at timestamptz NOT NULL,
                     due date NOT NULL, total numeric NOT NULL);
    -- 3 years of rows, 2000 customers; statuses: 'blocked' is rare (2 %: g % 200 in 1, 3, 5, 7)
    INSERT INTO wo
    SELECT g, 1 + g % 2000,
           CASE WHEN g % 200 < 9 AND g % 2 = 1 THEN 'blocked'
                WHEN g % 10 < 3 THEN 'in_progress'
                WHEN g % 10 < 6 THEN 'open' ELSE 'done' END,
           now() - (g % 1095) * interval '1 day' - (g % 1440) * interval '1 minute',
           current_date - 1000 + g % 1400, g % 997
      FROM generate_series(1, 60000) g;
    -- a sample of every row: the same statistics, the same advice, each run
    ALTER TABLE wo ALTER status SET STATISTICS 1000;
    VACUUM ANALYZE wo;
});

# the statements, with literals, as an application sends them
my %stmts = (
    interval  => q{SELECT id, total FROM wo WHERE created_at > now() - interval '30 days'},
    cdate     => q{SELECT id, total FROM wo WHERE due = current_date + 7},
    datelit   => q{SELECT count(*) FROM wo WHERE due BETWEEN date '2026-01-01' AND date '2026-01-03'},
    tslit     => q{SELECT id FROM wo WHERE created_at BETWEEN timestamptz '2025-06-01' AND timestamptz '2025-06-02'},
    cast      => q{SELECT id, due FROM wo WHERE customer_id = '42'::int AND total > 10::numeric},
    inlist    => q{SELECT id, status FROM wo WHERE customer_id IN (7, 8, 9)},
    limit     => q{SELECT id, total FROM wo WHERE customer_id = 11 ORDER BY created_at DESC LIMIT 10},
    rare      => q{SELECT id, created_at FROM wo WHERE status = 'blocked'},
    anyarray  => q{SELECT id, due FROM wo WHERE customer_id = ANY(ARRAY[21, 22, 23])},
    daterange => q{SELECT count(*) FROM wo WHERE due > current_date + 300 AND due < current_date + 310},
    extract   => q{SELECT id FROM wo WHERE extract(epoch from created_at) > 1e12},
    negative  => q{SELECT id, status FROM wo WHERE total > -5 AND customer_id = 31},
);
# what pg_stat_statements keeps of each (a fragment of its normalised text)
my %recorded = (
    interval  => qr/now\(\) - interval \$\d/,
    cdate     => qr/current_date \+ \$\d/,
    datelit   => qr/BETWEEN date \$\d AND date \$\d/,
    tslit     => qr/BETWEEN timestamptz \$\d AND timestamptz \$\d/,
    cast      => qr/customer_id = \$\d::int AND total > \$\d::numeric/,
    inlist    => qr/IN \(\$\d, \$\d, \$\d\)/,
    limit     => qr/LIMIT \$\d/,
    rare      => qr/WHERE status = \$\d/,
    anyarray  => qr/ANY\(ARRAY\[\$\d, \$\d, \$\d\]\)/,
    daterange => qr/due > current_date \+ \$\d AND due < current_date \+ \$\d/,
    extract   => qr/extract\(\$\d from created_at\)/,
    negative  => qr/total > \$\d AND customer_id = \$\d/,
);
$node->safe_psql('postgres', q{
    SELECT pg_stat_statements_reset();
    CREATE TABLE wo_gone (a int);
});
my $batch = join('', map { "$stmts{$_};\n" } sort keys %stmts);
$node->safe_psql('postgres', $batch
    . "SELECT count(*) FROM wo_gone WHERE a = 5;\n") for 1 .. 20;
$node->safe_psql('postgres', 'DROP TABLE wo_gone');

my $texts = $node->safe_psql('postgres',
    "SELECT string_agg(query, E'\\n') FROM pg_stat_statements WHERE calls = 20");
for my $k (sort keys %recorded)
{
    like($texts, $recorded{$k}, "pg_stat_statements records $k as expected");
}

sub workload
{
    my ($sql) = @_;
    my ($out, $err) = ('', '');
    $node->psql('postgres', $sql, stdout => \$out, stderr => \$err,
                on_error_stop => 0);
    return ($out, $err);
}

# 1. every statement is advised on: it appears in some row's queries
my ($out, $err) = workload(q{
    SELECT definition || ' | ' || array_to_string(queries, ' | ')
      FROM idx_advise_workload(max_indexes => 20)
     WHERE definition IS NOT NULL});
like($err, qr/skipped \d+ statements?: (?:[^,]*, )*1 statements that fail to plan/,
     'only the statement on a dropped table fails to plan') or diag($err);
my %frag = (
    interval  => qr/created_at > now\(\) - /,
    cdate     => qr/due = current_date \+ /,
    datelit   => qr/count\(\*\) FROM wo WHERE due BETWEEN /,
    tslit     => qr/SELECT id FROM wo WHERE created_at BETWEEN /,
    cast      => qr/customer_id = \$\d::int AND total > /,
    inlist    => qr/customer_id IN \(/,
    limit     => qr/ORDER BY created_at DESC LIMIT /,
    rare      => qr/created_at FROM wo WHERE status = /,
    anyarray  => qr/customer_id = ANY\(ARRAY\[/,
    daterange => qr/count\(\*\) FROM wo WHERE due > current_date \+ /,
    negative  => qr/total > \$\d AND customer_id = /,
);
for my $k (sort keys %frag)
{
    like($out, $frag{$k}, "statement $k is advised on") or diag($out);
}
unlike($out . $err, qr/extract/, 'extract: no index, and no row of a statement that failed');

# 3. the rare status, recorded as "status = $n", gets its partial index:
# pg_qualstats recorded the constant the application sends, and the
# statement is shown as sent (idx_apply stores it so, idx_report checks it)
like($out, qr/^CREATE INDEX \S+ ON public\.wo \([^)]*\)(?: INCLUDE \([^)]*\))? WHERE \(status = 'blocked'::text\) \| SELECT id, created_at FROM wo WHERE status = 'blocked'::text$/m,
     'a rare constant hidden by normalisation gets its partial index') or diag($out);
($out, $err) = workload(q{
    SELECT note FROM idx_advise_workload(max_indexes => 20)
     WHERE definition LIKE '%blocked%'});
like($out, qr/\$\d = 'blocked' \(sent: pg_qualstats\)/, 'the note says which value and where from');

# 4. every advised index is used by the plan of a statement it was advised
# for (its queries), with the values the note names
($out, $err) = workload(q{
    SELECT count(*) FILTER (WHERE queries IS NULL) || ' of ' || count(*)
      FROM idx_advise_workload(max_indexes => 20) WHERE definition IS NOT NULL});
like($out, qr/^0 of [1-9]\d*$/, 'no advised index without a statement whose plan uses it');

# the rows go to idx_apply as they are: their queries are SQL it accepts
($out, $err) = workload(q{
    SET client_min_messages = warning;
    BEGIN;
    SELECT count(*) || ' queued' FROM (
        SELECT idx_apply(definition, queries, migration => 'pgss')
          FROM idx_advise_workload(max_indexes => 20)
         WHERE definition IS NOT NULL) a;
    ROLLBACK;});
like($out, qr/^[1-9]\d* queued$/m, 'idx_apply accepts every advised row with its queries')
  or diag($err);
unlike($err, qr/ERROR/, 'no error from idx_apply');

# 2. the statement still skipped has a row of its own with its reason
($out, $err) = workload(q{
    SELECT array_to_string(queries, ' | ') || ' => ' || note
      FROM idx_advise_workload(max_indexes => 20)
     WHERE definition IS NULL AND queries IS NOT NULL});
like($out, qr/^SELECT count\(\*\) FROM wo_gone WHERE a = \$1 => query \d+ could not be advised: 42P01: relation "wo_gone" does not exist$/m,
     'the skipped statement is listed with its reason') or diag($out);
is(scalar(() = $out =~ /could not be advised/g), 1, 'and only it');
($out, $err) = workload(q{
    SELECT note FROM idx_advise_workload(max_indexes => 20)
     WHERE 'SELECT count(*) FROM wo WHERE due BETWEEN $1::date AND $2::date' = ANY(queries)});
like($out, qr/\$1 = '2026-01-01' \(sent: pg_qualstats\), \$2 = '2026-01-03' \(sent: pg_qualstats\)/,
     'BETWEEN: each end with its own constant (by operator)') or diag($out);

# 3b. pg_stats' rule holds for pg_qualstats' constants: bob's table forces
# row security, so its statistics are not bob's to see (pg_stats hides
# them) and the statement, planned as bob, never gets the constant
# 'hidden' (nor may the caller learn it from a definition or a note; the
# quotes tell it from drop rows' "planned with it hidden")
$node->safe_psql('postgres', q{
    CREATE ROLE bob;
    CREATE TABLE wo_rls (id int PRIMARY KEY, status text NOT NULL,
                         created_at timestamptz NOT NULL);
    INSERT INTO wo_rls SELECT g, CASE WHEN g % 200 = 0 THEN 'hidden' ELSE 'shown' || g % 100 END,
                              now() - g * interval '1 minute'
      FROM generate_series(1, 40000) g;
    ALTER TABLE wo_rls OWNER TO bob;
    ALTER TABLE wo_rls ENABLE ROW LEVEL SECURITY;
    ALTER TABLE wo_rls FORCE ROW LEVEL SECURITY;
    CREATE POLICY p ON wo_rls USING (true);
    VACUUM ANALYZE wo_rls;
});
$node->safe_psql('postgres',
    "SELECT id, created_at FROM wo_rls WHERE status = 'hidden'") for 1 .. 20;
is($node->safe_psql('postgres',
    "SELECT count(*) > 0 FROM pg_qualstats WHERE constvalue LIKE '%hidden%'"),
   't', 'pg_qualstats recorded the constant');
($out, $err) = workload(q{
    SELECT coalesce(definition, '') || ' ' || coalesce(note, '')
      FROM idx_advise_workload(max_indexes => 20)});
unlike($out, qr/'hidden'/, 'a constant of a column the planning role may not see in pg_stats is not used');
like($out, qr/no value for \$1 \(role bob may not see the statistics of wo_rls\.status in pg_stats\)/,
     'the note says why') or diag($out);

$node->stop;
done_testing();
