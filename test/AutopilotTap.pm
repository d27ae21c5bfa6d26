# The set-up the autopilot's TAP tests share (test/t/191, 192, 195, 198, 199):
# a primary with pg_stat_statements and index_advisor preloaded (hidden
# indexes and the measured windows need both in every backend), the two
# extensions created, workloads run by pgbench from custom scripts, and
# the steps every test repeats around a cycle (idx_autopilot_run()).
#
# A test loads it from its own folder's parent, whatever prove's -I:
#
#   use FindBin;
#   use lib "$FindBin::RealBin/..";
#   use AutopilotTap;
#   my $t = AutopilotTap->new('autopilot_x', conf => "index_advisor.snapshot_all = on\n");
#   my $node = $t->node;
#
# The methods that connect (psql, bench, cycle, wait_updates,
# usage_snapshots_back, hide_for_passed) take the database as the option
# db (default 'postgres') and, where a role matters, the role as user
# (default: the node's superuser).  Assertions (ok) are made only where
# the method's description says so, and say which database when it is not
# 'postgres'.
package AutopilotTap;

use strict;
use warnings;
use IPC::Run;
use PostgreSQL::Test::Cluster;
use PostgreSQL::Test::Utils;
use Test::More;

# A started primary named $name: init(%{$opts{init}}) (e.g. allows_streaming
# => 1), both libraries preloaded, then $opts{conf}'s lines, and the two
# extensions created in each database of $opts{extensions} (default
# ['postgres']; [] for none, e.g. when the test makes its own databases).
sub new
{
    my ($class, $name, %opts) = @_;
    my $node = PostgreSQL::Test::Cluster->new($name);
    $node->init(%{ $opts{init} // {} });
    $node->append_conf('postgresql.conf',
        "shared_preload_libraries = 'pg_stat_statements,index_advisor'\n"
          . ($opts{conf} // ''));
    $node->start;
    my $self = bless { node => $node, dir => PostgreSQL::Test::Utils::tempdir },
      $class;
    $self->extensions($_) for @{ $opts{extensions} // ['postgres'] };
    return $self;
}

sub node
{
    my ($self) = @_;
    return $self->{node};
}

# CREATE EXTENSION pg_stat_statements and index_advisor in $db
sub extensions
{
    my ($self, $db) = @_;
    $self->{node}->safe_psql($db, q{
        SET client_min_messages = warning;
        CREATE EXTENSION pg_stat_statements;
        CREATE EXTENSION index_advisor;
    });
    return;
}

# $sql in $opts{db} as $opts{user}; its output
sub psql
{
    my ($self, $sql, %opts) = @_;
    return $self->{node}->safe_psql($opts{db} // 'postgres', $sql,
        $opts{user} ? (extra_params => [ '-U', $opts{user} ]) : ());
}

# pgbench scripts: each name => text pair written to <tempdir>/name.sql
sub scripts
{
    my ($self, %script) = @_;
    for my $name (keys %script)
    {
        open(my $fh, '>', "$self->{dir}/$name.sql") or die "$name.sql: $!";
        print $fh $script{$name};
        close($fh);
    }
    return;
}

# One assertion: pgbench runs script $name (see scripts) $n times, in
# $opts{db} as $opts{user}, and succeeds.  Each pgbench session flushes
# its table counters when it ends (see wait_updates).
sub bench
{
    my ($self, $name, $n, %opts) = @_;
    my $node = $self->{node};
    my ($out, $err) = ('', '');
    my $ok = IPC::Run::run(
        [
            'pgbench', '-n', '-f', "$self->{dir}/$name.sql", '-t', $n,
            '-h', $node->host, '-p', $node->port,
            $opts{user} ? ('-U', $opts{user}) : (),
            $opts{db} // 'postgres'
        ],
        '>', \$out, '2>', \$err);
    ok($ok, _prefix(%opts) . "pgbench $name -t $n") or diag($err);
    return;
}

# One cycle: runs $query (which calls idx_autopilot_run()) in $opts{db} as
# $opts{user}, notes the steps that cycle recorded (idx_autopilot_events of
# the newest snapshot, for the log), and returns $query's output.
sub cycle
{
    my ($self, $query, %opts) = @_;
    my $out = $self->psql($query, %opts);
    note(_prefix(%opts) . "cycle:\n" . $self->psql(q{
        SELECT string_agg(format('%s %s: %s', e.action, e.status, e.detail), E'\n' ORDER BY e.id)
          FROM idx_autopilot_events e
         WHERE e.cycle = (SELECT max(s.id) FROM idx_autopilot_snapshots s)}, %opts));
    return $out;
}

# One assertion: $n updates of $table are in its counters (polled, bounded
# by poll_query_until's timeout).
sub wait_updates
{
    my ($self, $table, $n, %opts) = @_;
    ok($self->{node}->poll_query_until($opts{db} // 'postgres',
            "SELECT pg_stat_get_tuples_updated('$table'::regclass) >= $n"),
        _prefix(%opts) . "$n updates of $table counted");
    return;
}

# idx_check()'s usage snapshots taken now (the node runs with
# index_advisor.snapshot_all = on), then their start moved two hours back:
# an index not scanned since then counts as unused for any
# index_advisor.unused_after under two hours (the tests set 60 min), without
# waiting.  Scans before this call do not count as use.
sub usage_snapshots_back
{
    my ($self, %opts) = @_;
    $self->psql(q{
        SELECT count(*) FROM idx_check();
        UPDATE idx_snapshots SET since = since - interval '2 hours';
    }, %opts);
    return;
}

# One assertion: every hidden recommendation has been valid for more than
# a second (the tests' hide_for), polled.
sub hide_for_passed
{
    my ($self, %opts) = @_;
    ok($self->{node}->poll_query_until($opts{db} // 'postgres', q{
        SELECT bool_and(now() - valid_at > interval '1 second') FROM idx_recommendations
         WHERE status = 'hidden'}),
        _prefix(%opts) . 'hide_for has passed');
    return;
}

# "db: " before an assertion's name when the database is not 'postgres'
sub _prefix
{
    my (%opts) = @_;
    return ($opts{db} // 'postgres') eq 'postgres' ? '' : "$opts{db}: ";
}

1;
