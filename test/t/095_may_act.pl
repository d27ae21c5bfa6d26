# Who may act on a history row is one rule (doc/rules.md): the current role
# has the privileges of the role that requested the row (idx_may_act,
# pg_has_role USAGE, has_privs_of_role in the C).  Every site says the same
# for the same role:
#  - row-level security of idx_history, idx_findings, idx_snapshots;
#  - the C look-up of idx_cancel() (and idx_explain());
#  - the rows CALL idx_wait() waits for without an id.
# A NOINHERIT member of the requesting role is refused everywhere (it acts
# after SET ROLE); an INHERIT member is allowed everywhere.  Before the rule
# was written once, RLS said MEMBER (the NOINHERIT member read the rows that
# idx_cancel said did not exist) and idx_wait() only waited for the current
# role's own rows.
use strict;
use warnings;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

my $node = PostgreSQL::Test::Cluster->new('may_act');
$node->init;
$node->append_conf('postgresql.conf', "max_worker_processes = 16\n");
$node->start;
$node->safe_psql('postgres', q{
    CREATE EXTENSION index_advisor;
    CREATE ROLE req;
    CREATE ROLE inh INHERIT IN ROLE req;
    CREATE ROLE noinh NOINHERIT IN ROLE req;
    CREATE ROLE other;
    GRANT CREATE ON SCHEMA public TO req;
    CREATE TABLE t (a integer, b integer);
    CREATE TABLE t2 (a integer, b integer);
    INSERT INTO t SELECT g, g FROM generate_series(1, 1000) g;
    ALTER TABLE t OWNER TO req;
    ALTER TABLE t2 OWNER TO req;
});

my $id1 = $node->safe_psql('postgres',
    "SET ROLE req; SELECT idx_apply('CREATE INDEX t_a_idx ON t (a)', ARRAY['SELECT * FROM t WHERE a = 1'])");
ok($node->poll_query_until('postgres',
    "SELECT status = 'done' FROM idx_history WHERE id = $id1"), 'the build of req is done');
# a snapshot (from idx_check) and a finding about that row
$node->safe_psql('postgres', qq{
    SELECT count(*) FROM idx_check();
    INSERT INTO idx_findings (kind, schema_name, table_name, index_name,
                              history_id, detail, first_seen, last_seen)
    VALUES ('unused', 'public', 't', 't_a_idx', $id1, 'test', now(), now());
});
is($node->safe_psql('postgres', "SELECT count(*) FROM idx_snapshots WHERE history_id = $id1"),
   '1', 'a snapshot of the row exists');

# a second row of req that stays unfinished while a session holds its table
my $hold = $node->background_psql('postgres');
$hold->query_safe('BEGIN');
$hold->query_safe('LOCK TABLE t2 IN SHARE MODE');
my $id2 = $node->safe_psql('postgres',
    "SET ROLE req; SELECT idx_apply('CREATE INDEX t2_a_idx ON t2 (a)')");
ok($node->poll_query_until('postgres',
    "SELECT status IN ('waiting', 'building') FROM idx_history WHERE id = $id2"),
   'the second build of req waits for the lock');

sub as_role
{
    my ($role, $sql) = @_;
    my ($ret, $out, $err) = $node->psql('postgres', "SET ROLE $role;\n$sql");
    return ($ret, $out, $err);
}

sub verdicts
{
    my ($role) = @_;
    my %v;
    for my $t (['idx_history', 'id'], ['idx_findings', 'history_id'],
               ['idx_snapshots', 'history_id'])
    {
        my ($ret, $out) = as_role($role,
            "SELECT count(*) FROM $t->[0] WHERE $t->[1] = $id1");
        $v{"RLS $t->[0]"} = ($ret == 0 && $out > 0) ? 'yes' : 'no';
    }
    my ($ret, $out, $err) = as_role($role, "SELECT idx_cancel($id1)");
    $v{'idx_cancel (C)'} = $err =~ /has already ended/ ? 'yes'
        : $err =~ /does not exist/ ? 'no' : "?: $err";
    ($ret, $out, $err) = as_role($role,
        "SELECT count(*) FROM idx_explain($id1)");
    $v{'idx_explain (C)'} = $ret == 0 ? 'yes' : 'no';
    ($ret, $out, $err) = as_role($role,
        "CALL idx_wait(timeout => '1 second')");
    $v{'idx_wait()'} = $err =~ /timed out/ ? 'yes'
        : $ret == 0 ? 'no' : "?: $err";
    ($ret, $out) = as_role($role,
        "SELECT idx_may_act('req')");
    $v{'idx_may_act'} = $out eq 't' ? 'yes' : 'no';
    return \%v;
}

my %expect = (req => 'yes', inh => 'yes', noinh => 'no', other => 'no');
for my $role (qw(req inh noinh other))
{
    my $v = verdicts($role);
    for my $site (sort keys %$v)
    {
        is($v->{$site}, $expect{$role}, "$role: $site says $expect{$role}");
    }
}

# the NOINHERIT member acts after SET ROLE
my ($ret, $out, $err) = $node->psql('postgres',
    "SET ROLE noinh; SET ROLE req; SELECT count(*) FROM idx_history WHERE id = $id1");
is($out, '1', 'noinh reads the row after SET ROLE req');

$hold->query_safe('COMMIT');
$hold->quit;
ok($node->poll_query_until('postgres',
    "SELECT status = 'done' FROM idx_history WHERE id = $id2"), 'the held build ends');

$node->stop;
done_testing();
