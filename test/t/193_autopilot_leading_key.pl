# The autopilot proposes one index per table and leading key at a time
# (doc/autopilot.md, "Proposals and builds", "One leading key at a time").
# Last round's bench: it proposed orders (created_at) INCLUDE (total) while
# orders (created_at) was still being validated, a different shape of the
# same leading key, so the never-twice rule did not hold it back.
#
#  1. a cycle proposes ev (at) for a count over a range of at;
#  2. a statement that also sums total joins the window: the advisor now
#     advises ev (at) INCLUDE (total), which waits (a note says for which
#     recommendation) while ev (at) is proposed and not judged; an index of
#     another leading key on the same table is proposed meanwhile;
#  3. once ev (at) is decided (rejected here), the next cycle proposes
#     ev (at) INCLUDE (total);
#  4. idx_autopilot_shape's leading key reads expressions, quoted names,
#     literals, directions.
# The cycles run in recommend mode as the superuser (the policy's owner).
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('leading_key');
$node->init;
$node->append_conf('postgresql.conf', q{
shared_preload_libraries = 'pg_stat_statements,index_advisor'
index_advisor.autopilot_min_calls = 30
log_statement = none
});
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION pg_stat_statements;
    CREATE EXTENSION index_advisor;
    CREATE TABLE ev (id int PRIMARY KEY, at int NOT NULL, total int NOT NULL,
                     kind int NOT NULL, pad text);
    INSERT INTO ev SELECT g, g % 100000, g % 997, g % 5000, md5(g::text)
      FROM generate_series(1, 200000) g;
    VACUUM ANALYZE ev;
});

my $dir = PostgreSQL::Test::Utils::tempdir;
my %script = (
    count => "\\set a random(1, 99000)\nSELECT count(*) FROM ev WHERE at BETWEEN :a AND :a + 50;\n",
    sum   => "\\set a random(1, 99000)\nSELECT sum(total) FROM ev WHERE at BETWEEN :a AND :a + 50;\n",
    kind  => "\\set k random(1, 5000)\nSELECT id FROM ev WHERE kind = :k;\n",
);
for my $k (keys %script)
{
    open(my $fh, '>', "$dir/$k.sql") or die;
    print $fh $script{$k};
    close $fh;
}

sub workload
{
    my ($n, @names) = @_;
    for my $name (@names)
    {
        $node->command_ok([ 'pgbench', '-n', '-t', $n, '-f', "$dir/$name.sql",
                            '-h', $node->host, '-p', $node->port, 'postgres' ],
                          "pgbench $name");
    }
}

sub sql
{
    return $node->safe_psql('postgres', "SET client_min_messages = warning;\n$_[0]");
}

# a cycle: its steps as "action|target|status|detail" lines
sub cycle
{
    return sql(q{SELECT action || '|' || COALESCE(target, '') || '|' || COALESCE(status, '') || '|' || detail
                   FROM idx_autopilot_run()});
}

# ---------------------------------------------------------------------
# 1. the first index of the leading key
# ---------------------------------------------------------------------
sql(q{SELECT mode FROM idx_autopilot_set('recommend')});
is(cycle(), '', 'the first cycle has no window: no step');
sql('SELECT pg_stat_statements_reset()');
workload(40, 'count');
my $steps = cycle();
like($steps, qr/^proposed\|public\.ev_at_idx\|proposed\|/m, 'ev (at) is proposed for the count')
  or diag($steps);
my $first = sql(q{SELECT id FROM idx_recommendations WHERE definition LIKE '% (at)'});
ok($first, 'recorded');

# ---------------------------------------------------------------------
# 2. the covering twin waits while ev (at) is not judged
# ---------------------------------------------------------------------
workload(40, 'sum', 'kind');
$steps = cycle();
is(sql(q{SELECT count(*) FROM idx_recommendations WHERE definition LIKE '%INCLUDE (total)%'}), '0',
   'ev (at) INCLUDE (total) is not proposed while ev (at) is') or diag($steps);
like($steps, qr/^note\|\|\|Left out: .*CREATE INDEX ev_at_total_idx ON public\.ev \(at\) INCLUDE \(total\): waits until recommendation $first \(CREATE INDEX ev_at_idx ON public\.ev \(at\), proposed\) is judged: it has the same leading key \(at\), and one is measured at a time/m,
     'the note says which recommendation it waits for, and why') or diag($steps);
like($steps, qr/^proposed\|public\.ev_kind\w*\|proposed\|/m,
     'an index of another leading key on the same table is proposed meanwhile');
is(sql(q{SELECT count(*) FROM idx_recommendations WHERE definition LIKE '% (at)%'}), '1',
   'one recommendation of leading key at');

# ---------------------------------------------------------------------
# 3. judged: the twin comes
# ---------------------------------------------------------------------
sql(qq{SELECT status FROM idx_recommendation_reject($first, 'the counts run at night')});
workload(40, 'sum');
$steps = cycle();
like($steps, qr/^proposed\|public\.ev_at_total_idx\|proposed\|/m,
     'once ev (at) is decided, ev (at) INCLUDE (total) is proposed') or diag($steps);

# ---------------------------------------------------------------------
# 4. the leading key as written
# ---------------------------------------------------------------------
is(sql(q{SELECT string_agg(COALESCE((idx_autopilot_shape(d)).leading_key, 'NULL'), ' | ' ORDER BY n)
           FROM (VALUES (1, 'CREATE INDEX a ON public.t (created_at DESC NULLS LAST, id) INCLUDE (x)'),
                        (2, 'CREATE INDEX a ON public.t USING gin (payload jsonb_path_ops)'),
                        (3, 'CREATE INDEX a ON public.t (lower(email) text_pattern_ops) WHERE (y > 0)'),
                        (4, 'CREATE INDEX "a b" ON "s x"."t,y" ("c,d", e)'),
                        (5, 'CREATE INDEX a ON ONLY public.t (coalesce(a, b), c)'),
                        (6, 'CREATE INDEX a ON public.t ((coalesce(s, '',)'')) DESC)'),
                        (7, 'not a definition')) v(n, d)}),
   q{created_at | payload jsonb_path_ops | lower(email) text_pattern_ops | "c,d" | coalesce(a, b) | (coalesce(s, ',)')) | NULL},
   'the leading key (idx_autopilot_shape): direction dropped; expressions, operator classes, quoted names and literals kept whole');

done_testing();
